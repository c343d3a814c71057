// Options -> cluster_config: the one place that wires connection settings,
// credentials and TLS into the library.
#pragma once

#include "options.hpp"

#include <async_cassandra/config.hpp>

namespace cql_tool {

// Throws usage_error for security options that do not fit together (--cert
// without --key, --user without a password in AC_PASSWORD or
// --password-file, an unreadable password file).
async_cassandra::cluster_config make_cluster_config(const shell_options& o);

}  // namespace cql_tool
