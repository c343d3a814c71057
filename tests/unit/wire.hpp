// Spelling wire bytes by hand in tests, and checking that every truncation
// of a body is refused with a protocol_error that says where.
#pragma once

#include <async_cassandra/protocol/bytes.hpp>

#include <gtest/gtest.h>

#include <cstdlib>
#include <set>
#include <string>
#include <string_view>

namespace wire {

using async_cassandra::protocol::byte_buffer;

// "00 0a ff" -> {0x00, 0x0a, 0xff}; spaces are ignored.
inline byte_buffer hx(std::string_view hex) {
    byte_buffer out;
    std::string digits;
    for (char c : hex)
        if (c != ' ') digits += c;
    for (std::size_t i = 0; i + 1 < digits.size(); i += 2)
        out.push_back(static_cast<std::byte>(std::stoi(digits.substr(i, 2), nullptr, 16)));
    return out;
}
// The bytes of `s` as they are, without a length.
inline byte_buffer txt(std::string_view s) {
    byte_buffer out;
    for (char c : s) out.push_back(static_cast<std::byte>(c));
    return out;
}
// A [string]: a [short] length, then the bytes.
inline byte_buffer str(std::string_view s) {
    byte_buffer out{static_cast<std::byte>(s.size() >> 8), static_cast<std::byte>(s.size() & 0xFF)};
    auto t = txt(s);
    out.insert(out.end(), t.begin(), t.end());
    return out;
}
inline byte_buffer operator+(byte_buffer a, const byte_buffer& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
}

// Decodes `body` whole (which must succeed), then every strict prefix of it,
// each copied into a buffer of exactly that size so AddressSanitizer sees any
// read past the end. Each prefix must throw protocol_error (truncated or
// malformed) whose message names an offset no later than the cut; prefixes
// listed in `complete` are whole messages in their own right and may decode.
template <class Decode>
void expect_truncations_refused(const byte_buffer& body, Decode decode, std::set<std::size_t> complete = {}) {
    using namespace async_cassandra::protocol;
    {
        byte_reader r(body);
        decode(r);
    }
    for (std::size_t n = 0; n < body.size(); ++n) {
        byte_buffer cut(body.begin(), body.begin() + static_cast<std::ptrdiff_t>(n));
        byte_reader r(cut);
        try {
            decode(r);
            if (!complete.count(n)) ADD_FAILURE() << "a prefix of " << n << " of " << body.size() << " bytes decoded";
        } catch (const protocol_error& e) {
            const std::string what = e.what();
            EXPECT_TRUE(e.code() == protocol_errc::truncated || e.code() == protocol_errc::malformed) << what;
            auto at = what.find("at offset ");
            if (at == std::string::npos) {
                ADD_FAILURE() << "no offset in: " << what;
                continue;
            }
            EXPECT_LE(std::strtoul(what.c_str() + at + 10, nullptr, 10), n) << what;
            EXPECT_GT(at, 0u) << "no field named in: " << what;
        }
    }
}

}  // namespace wire
