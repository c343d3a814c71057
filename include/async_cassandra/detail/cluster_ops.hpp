// The operations behind cluster's members: each a compiled coroutine
// (src/session/cluster.cpp) that async_run turns into an Asio operation.
#pragma once

#include <async_cassandra/config.hpp>
#include <async_cassandra/detail/async_run.hpp>
#include <async_cassandra/error.hpp>
#include <async_cassandra/session.hpp>

#include <async_cassandra/detail/net.hpp>

#include <memory>
#include <string>

namespace async_cassandra {
class cluster;
}

namespace async_cassandra::detail {

class cluster_impl;
asio::awaitable<op_result<cluster>> connect_op(asio::any_io_executor ex, cluster_config cfg, diagnostics* diag);
asio::awaitable<op_result<session>> open_session_op(std::shared_ptr<cluster_impl> c, std::string keyspace,
                                                    diagnostics* diag);
asio::awaitable<op_result<void>> close_op(std::shared_ptr<cluster_impl> c);
asio::awaitable<op_result<bool>> agreement_op(std::shared_ptr<cluster_impl> c);

}  // namespace async_cassandra::detail
