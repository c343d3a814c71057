#include "connect.hpp"

// Authentication and TLS arrive in the library separately from this tool:
// wire them as soon as their headers exist, refuse the options until then.
#if __has_include(<async_cassandra/auth.hpp>) && __has_include(<async_cassandra/tls_options.hpp>)
#include <async_cassandra/auth.hpp>
#include <async_cassandra/tls_options.hpp>
#define CQL_TOOL_HAS_SECURITY 1
#else
#define CQL_TOOL_HAS_SECURITY 0
#endif

namespace cql_tool {

namespace {

#if CQL_TOOL_HAS_SECURITY
void apply_security(const shell_options& o, async_cassandra::cluster_config& cfg) {
    if (!o.password.empty() && o.user.empty()) throw usage_error("--password: needs --user");
    if (!o.user.empty()) cfg.auth = async_cassandra::password_auth(o.user, o.password);
    if (o.tls_cert.empty() != o.tls_key.empty()) throw usage_error("--tls-cert and --tls-key go together");
    if (o.tls || !o.tls_ca.empty() || !o.tls_cert.empty()) {
        cfg.tls.enabled = true;
        cfg.tls.ca_file = o.tls_ca;  // empty: the system's store
        cfg.tls.cert_file = o.tls_cert;
        cfg.tls.key_file = o.tls_key;
    }
}
#else
// Refuse rather than connect in the clear, so nobody believes a plain
// connection is authenticated or encrypted.
void apply_security(const shell_options& o, async_cassandra::cluster_config&) {
    const auto refuse = [](const std::string& option, const std::string& what) {
        throw usage_error(option + ": not supported yet (the library has no " + what + " support yet)");
    };
    if (!o.user.empty()) refuse("--user", "authentication");
    if (!o.password.empty()) refuse("--password", "authentication");
    if (o.tls) refuse("--tls", "TLS");
    if (!o.tls_ca.empty()) refuse("--tls-ca", "TLS");
    if (!o.tls_cert.empty()) refuse("--tls-cert", "TLS");
    if (!o.tls_key.empty()) refuse("--tls-key", "TLS");
}
#endif

}  // namespace

async_cassandra::cluster_config make_cluster_config(const shell_options& o) {
    async_cassandra::cluster_config cfg;
    cfg.contact_points = o.hosts;
    cfg.port = o.port;
    cfg.protocol_version = o.protocol;
    if (o.consistency) cfg.default_consistency = *o.consistency;
    cfg.default_page_size = o.effective_page_size();
    if (o.timeout) cfg.request_timeout = *o.timeout;
    apply_security(o, cfg);
    return cfg;
}

bool security_supported() noexcept { return CQL_TOOL_HAS_SECURITY != 0; }

}  // namespace cql_tool
