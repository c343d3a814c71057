#include <async_cassandra/inet_address.hpp>
#include <async_cassandra/value_error.hpp>

#include <arpa/inet.h>

#include <algorithm>

namespace async_cassandra {

inet_address inet_address::from_bytes(std::span<const std::byte> bytes) {
    if (bytes.size() != 4 && bytes.size() != 16)
        throw value_error("an inet has 4 or 16 bytes, the cell has " + std::to_string(bytes.size()));
    inet_address a;
    a.size_ = static_cast<std::uint8_t>(bytes.size());
    std::copy(bytes.begin(), bytes.end(), a.bytes_.begin());
    return a;
}

inet_address inet_address::parse(std::string_view text) {
    const std::string s(text);  // inet_pton wants a C string
    inet_address a;
    if (::inet_pton(AF_INET, s.c_str(), a.bytes_.data()) == 1) {
        a.size_ = 4;
        return a;
    }
    if (::inet_pton(AF_INET6, s.c_str(), a.bytes_.data()) == 1) {
        a.size_ = 16;
        return a;
    }
    throw value_error("'" + s + "' is not an IPv4 or IPv6 address");
}

std::string inet_address::to_string() const {
    char text[INET6_ADDRSTRLEN] = {};
    ::inet_ntop(is_v4() ? AF_INET : AF_INET6, bytes_.data(), text, sizeof text);
    return text;
}

}  // namespace async_cassandra
