// Umbrella header.
#pragma once

#include <async_cassandra/auth.hpp>
#include <async_cassandra/batch.hpp>
#include <async_cassandra/cluster.hpp>
#include <async_cassandra/config.hpp>
#include <async_cassandra/consistency.hpp>
#include <async_cassandra/error.hpp>
#include <async_cassandra/logging.hpp>
#include <async_cassandra/metrics.hpp>
#include <async_cassandra/metrics_server.hpp>
#include <async_cassandra/prepared_statement.hpp>
#include <async_cassandra/query_trace.hpp>
#include <async_cassandra/result_set.hpp>
#include <async_cassandra/session.hpp>
#include <async_cassandra/statement.hpp>
#include <async_cassandra/tls_options.hpp>
#include <async_cassandra/version.hpp>
