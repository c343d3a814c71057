#include "connect.hpp"

namespace cql_tool {

async_cassandra::cluster_config make_cluster_config(const shell_options& o) {
    async_cassandra::cluster_config cfg;
    cfg.contact_points = o.hosts;
    cfg.port = o.port;
    cfg.protocol_version = o.protocol;
    if (o.consistency) cfg.default_consistency = *o.consistency;
    cfg.default_page_size = o.effective_page_size();
    if (o.timeout) cfg.request_timeout = *o.timeout;

    // cluster_config has no credentials or TLS settings yet. When it does,
    // set them here; until then refuse, so that nobody believes a plain
    // connection is authenticated or encrypted.
    const auto refuse = [](const std::string& option, const std::string& what) {
        throw usage_error(option + ": not supported yet (the library has no " + what + " support yet)");
    };
    if (!o.user.empty()) refuse("--user", "authentication");
    if (!o.password.empty()) refuse("--password", "authentication");
    if (!o.tls_ca.empty()) refuse("--tls-ca", "TLS");
    if (!o.tls_cert.empty()) refuse("--tls-cert", "TLS");
    if (!o.tls_key.empty()) refuse("--tls-key", "TLS");
    return cfg;
}

}  // namespace cql_tool
