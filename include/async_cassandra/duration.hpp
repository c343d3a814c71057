// CQL duration (spec 5.8): months, days and nanoseconds, kept apart because
// a month has no fixed number of days nor a day a fixed number of nanoseconds.
#pragma once

#include <cstdint>
#include <string>

namespace async_cassandra {

// All three fields are >= 0 or all are <= 0; encoding a duration with mixed
// signs throws value_error (the server refuses them too).
struct duration {
    std::int32_t months = 0;
    std::int32_t days = 0;
    std::int64_t nanoseconds = 0;

    friend bool operator==(const duration&, const duration&) = default;
};

// Cassandra's spelling, e.g. "1y2mo3d4h5m6s7ms8us9ns", "-3d", "0s".
std::string to_string(const duration& d);

}  // namespace async_cassandra
