// What a cluster makes of its configuration before it starts: the checks
// that name a bad field, and the metrics registry it asks for.
#pragma once

#include <async_cassandra/config.hpp>
#include <async_cassandra/metrics.hpp>

#include <memory>
#include <string>

namespace async_cassandra::detail {

// Checks a configuration; returns a message naming the bad field, or empty.
std::string validate(const cluster_config& cfg);
// The security block's part of validate(). Files are read later, by tls_context::make.
std::string validate_security(const cluster_config& cfg);

// The registry a cluster with this configuration keeps: null when metrics
// are off and there is no listener.
inline std::shared_ptr<metrics_registry> make_registry(const cluster_config& cfg) {
    if (!cfg.metrics && !cfg.request_listener) return nullptr;
    return std::make_shared<metrics_registry>(cfg.request_listener, cfg.metrics,
                                              cfg.io_threads > 1 ? cfg.io_threads : 1);
}

}  // namespace async_cassandra::detail
