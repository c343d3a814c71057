#pragma once

namespace async_cassandra {
inline constexpr const char* version_string = "0.1.0";
}
