#include "cluster/configure.hpp"

namespace async_cassandra::detail {

std::string validate(const cluster_config& cfg) {
    if (cfg.contact_points.empty()) return "cluster_config.contact_points is empty";
    for (const auto& h : cfg.contact_points)
        if (h.empty()) return "cluster_config.contact_points holds an empty host name";
    if (cfg.port == 0) return "cluster_config.port is 0";
    if (cfg.protocol_version != 4 && cfg.protocol_version != 5)
        return "cluster_config.protocol_version is " + std::to_string(cfg.protocol_version) + "; supported: 4, 5";
    if (cfg.compression == compression::snappy && cfg.protocol_version != 4)
        return "cluster_config.compression is snappy, which only protocol v4 offers; set protocol_version = 4";
    if (cfg.connect_timeout.count() <= 0) return "cluster_config.connect_timeout must be positive";
    if (cfg.request_timeout.count() <= 0) return "cluster_config.request_timeout must be positive";
    if (cfg.default_page_size == 0 || cfg.default_page_size < -1)
        return "cluster_config.default_page_size must be positive (or -1 for no paging)";
    if (cfg.close_timeout.count() < 0) return "cluster_config.close_timeout must not be negative";
    if (cfg.max_requests_per_connection == 0) return "cluster_config.max_requests_per_connection must be positive";
    if (cfg.io_threads == 0) return "cluster_config.io_threads must be at least 1 (1: no thread of the cluster's own)";
    if (cfg.io_threads > 256) return "cluster_config.io_threads must be at most 256 (the cluster's event-loop threads)";
    if (cfg.connections_per_host == 0 || cfg.connections_per_host > 64)
        return "cluster_config.connections_per_host must be 1..64, not " + std::to_string(cfg.connections_per_host);
    if (cfg.heartbeat_interval.count() < 0) return "cluster_config.heartbeat_interval must not be negative";
    if (cfg.heartbeat_interval.count() > 0 && cfg.heartbeat_timeout.count() <= 0)
        return "cluster_config.heartbeat_timeout must be positive when heartbeats are on";
    if (cfg.reconnection.base_delay.count() <= 0 || cfg.reconnection.max_delay < cfg.reconnection.base_delay)
        return "cluster_config.reconnection needs 0 < base_delay <= max_delay";
    if (cfg.max_schema_agreement_wait.count() < 0)
        return "cluster_config.max_schema_agreement_wait must not be negative";
    if (cfg.event_debounce.count() < 0) return "cluster_config.event_debounce must not be negative";
    auto check_spec = [](const std::optional<speculative_execution>& s, const std::string& where) -> std::string {
        if (!s) return {};
        if (s->max_executions < 1) return where + ".max_executions must be at least 1";
        if (s->delay.count() < 0) return where + ".delay must not be negative";
        return {};
    };
    if (auto e = check_spec(cfg.speculation, "cluster_config.speculation"); !e.empty()) return e;
    for (const auto& [name, p] : cfg.profiles) {
        if (name.empty()) return "cluster_config.profiles has a profile with an empty name";
        if (p.request_timeout && p.request_timeout->count() <= 0)
            return "cluster_config.profiles[\"" + name + "\"].request_timeout must be positive";
        if (auto e = check_spec(p.speculation, "cluster_config.profiles[\"" + name + "\"].speculation"); !e.empty())
            return e;
    }
    return validate_security(cfg);
}

std::string validate_security(const cluster_config& cfg) {
    const auto& t = cfg.tls;
    auto both = [](const std::string& a, const std::string& b) { return !a.empty() && !b.empty(); };
    if (!t.enabled) {
        // Settings without TLS: most likely a forgotten flag, and credentials would travel in clear.
        for (const auto* f :
             {&t.ca_file, &t.ca_pem, &t.cert_file, &t.cert_pem, &t.key_file, &t.key_pem, &t.server_name})
            if (!f->empty()) return "cluster_config.tls has settings but tls.enabled is false";
        return {};
    }
    if (both(t.ca_file, t.ca_pem)) return "cluster_config.tls: set ca_file or ca_pem, not both";
    if (both(t.cert_file, t.cert_pem)) return "cluster_config.tls: set cert_file or cert_pem, not both";
    if (both(t.key_file, t.key_pem)) return "cluster_config.tls: set key_file or key_pem, not both";
    const bool cert = !t.cert_file.empty() || !t.cert_pem.empty();
    const bool key = !t.key_file.empty() || !t.key_pem.empty();
    if (cert && !key) return "cluster_config.tls: a client certificate needs its private key (key_file or key_pem)";
    if (key && !cert) return "cluster_config.tls: a private key needs its certificate (cert_file or cert_pem)";
    return {};
}

}  // namespace async_cassandra::detail
