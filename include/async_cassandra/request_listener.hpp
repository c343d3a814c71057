// Per-request callbacks for tracing integrations (OpenTelemetry spans, ...).
#pragma once

#include <chrono>
#include <string_view>
#include <async_cassandra/detail/error_code.hpp>

namespace async_cassandra {

// What a listener learns about one request. The views are valid only during
// the call: copy what you keep.
struct request_info {
    std::string_view query;    // the CQL text (a prepared statement's text); empty when unknown, e.g. a batch
    std::string_view host;     // "127.0.0.1:9042" of the attempt that answered; empty in on_start
    int attempt = 1;           // attempts sent so far: 1 + retries + speculative executions
    bool speculative = false;  // the answer came from a speculative execution
    std::chrono::nanoseconds latency{0};  // on_end and on_error: from the start to the completion
    error_code error;                     // on_error: why the request failed
};

// Set one in cluster_config::request_listener. Called on the cluster's
// executor, once per request the user makes: on_start when it starts, then
// exactly one of on_end (success) or on_error (failure, cancellation
// included). Must be quick and must not block: it runs on the request path.
// Exceptions thrown from it are swallowed. Thread safety: a listener shared
// by clusters on different threads must be thread-safe.
class request_listener {
public:
    virtual ~request_listener() = default;
    virtual void on_start(const request_info& info) = 0;
    virtual void on_end(const request_info& info) = 0;
    virtual void on_error(const request_info& info) = 0;
};

}  // namespace async_cassandra
