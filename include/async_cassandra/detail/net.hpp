// The Asio flavour: `async_cassandra::asio` names standalone Asio, or
// Boost.Asio when ASYNC_CASSANDRA_BOOST_ASIO is defined (detail/error_code.hpp).
// The public headers include only this file for Asio.
#pragma once

#include <async_cassandra/detail/error_code.hpp>

#ifdef ASYNC_CASSANDRA_BOOST_ASIO
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/associated_allocator.hpp>
#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#else
#include <asio/any_io_executor.hpp>
#include <asio/associated_allocator.hpp>
#include <asio/associated_cancellation_slot.hpp>
#include <asio/associated_executor.hpp>
#include <asio/async_result.hpp>
#include <asio/awaitable.hpp>
#include <asio/bind_cancellation_slot.hpp>
#include <asio/bind_executor.hpp>
#include <asio/cancellation_signal.hpp>
#include <asio/co_spawn.hpp>
#include <asio/dispatch.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/post.hpp>
#include <asio/strand.hpp>
#endif

namespace async_cassandra {

#ifdef ASYNC_CASSANDRA_BOOST_ASIO
namespace asio = boost::asio;
#else
namespace asio = ::asio;
#endif

}  // namespace async_cassandra
