#include "connect.hpp"

#include <stdexcept>

namespace cql_tool {

async_cassandra::cluster_config make_cluster_config(const shell_options& o) {
    async_cassandra::cluster_config cfg;
    cfg.contact_points = o.hosts;
    cfg.port = o.port;
    cfg.protocol_version = o.protocol;
    if (o.consistency) cfg.default_consistency = *o.consistency;
    cfg.default_page_size = o.effective_page_size();
    if (o.timeout) cfg.request_timeout = *o.timeout;
    try {
        o.security.apply(cfg);
    } catch (const std::invalid_argument& e) {
        throw usage_error(e.what());
    }
    return cfg;
}

}  // namespace cql_tool
