// Consistency levels (spec 3, [consistency]); values are the wire codes.
#pragma once

#include <cstdint>

namespace async_cassandra {

enum class consistency : std::uint16_t {
    any = 0x0000,
    one = 0x0001,
    two = 0x0002,
    three = 0x0003,
    quorum = 0x0004,
    all = 0x0005,
    local_quorum = 0x0006,
    each_quorum = 0x0007,
    serial = 0x0008,
    local_serial = 0x0009,
    local_one = 0x000A,
};

const char* to_string(consistency c) noexcept;

}  // namespace async_cassandra
