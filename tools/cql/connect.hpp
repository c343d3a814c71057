// Options -> cluster_config: the one place that wires connection settings,
// credentials and TLS into the library.
#pragma once

#include "options.hpp"

#include <async_cassandra/config.hpp>

namespace cql_tool {

// Throws usage_error for settings the library cannot honour (credentials
// and TLS before the library has them) rather than silently connecting
// without them, and for inconsistent ones (--tls-cert without --tls-key).
async_cassandra::cluster_config make_cluster_config(const shell_options& o);
// Whether this build wires --user/--password/--tls* (the library has them).
bool security_supported() noexcept;

}  // namespace cql_tool
