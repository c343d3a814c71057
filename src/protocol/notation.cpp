#include "notation.hpp"

#include <arpa/inet.h>

namespace async_cassandra::protocol::detail {

std::vector<std::string> read_string_list(byte_reader& r, const char* what) {
    auto n = r.count(r.u16(what), 2, what);
    std::vector<std::string> out;
    out.reserve(n);
    for (std::size_t i = 0; i < n; ++i) out.emplace_back(r.string(what));
    return out;
}

std::string read_inetaddr(byte_reader& r, const char* what) {
    auto n = r.u8(what);
    if (n != 4 && n != 16)
        r.fail(protocol_errc::malformed, what, "address of " + std::to_string(n) + " bytes (expected 4 or 16)", 1);
    auto b = r.raw(n, what);
    char text[INET6_ADDRSTRLEN] = {};
    ::inet_ntop(n == 4 ? AF_INET : AF_INET6, b.data(), text, sizeof text);
    return text;
}

consistency read_consistency(byte_reader& r, const char* what) {
    auto v = r.u16(what);
    if (v > static_cast<std::uint16_t>(consistency::local_one))
        r.fail(protocol_errc::malformed, what, "unknown consistency level " + std::to_string(v), 2);
    return static_cast<consistency>(v);
}

}  // namespace async_cassandra::protocol::detail
