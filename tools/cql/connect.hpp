// Options -> cluster_config: the one place that wires connection settings,
// credentials and TLS into the library.
#pragma once

#include "options.hpp"

#include <async_cassandra/config.hpp>

namespace cql_tool {

// Throws usage_error for settings the library cannot honour yet
// (credentials, TLS) rather than silently connecting without them.
async_cassandra::cluster_config make_cluster_config(const shell_options& o);

}  // namespace cql_tool
