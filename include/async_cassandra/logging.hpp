// Logging through a sink the user supplies: no logging library is imposed.
#pragma once

#include <functional>
#include <string_view>

namespace async_cassandra {

// Severity, lowest first. `off` as a threshold silences everything.
enum class log_level { trace, debug, info, warn, error, off };

// Receives each message at or above cluster_config::log_level. The message
// view is valid only during the call. Called on the cluster's executor; a
// sink shared by several clusters on different threads must be thread-safe.
// Exceptions thrown by the sink are swallowed.
using log_sink = std::function<void(log_level, std::string_view message)>;

// "trace", "debug", "info", "warn", "error", "off".
std::string_view to_string(log_level level) noexcept;

}  // namespace async_cassandra
