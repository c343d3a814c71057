// The error_code of the Asio flavour this library is built for: std's with
// standalone Asio, boost::system's with Boost.Asio (ASYNC_CASSANDRA_BOOST_ASIO,
// set by the async_cassandra_boost target). Completion handlers take this
// type; the library's error enums compare with both kinds either way.
#pragma once

#ifdef ASYNC_CASSANDRA_BOOST_ASIO
// The Boost flavour's names live in a namespace of their own, so that both
// flavours can be linked into one program without violating the ODR; the
// target defines the renaming together with the flavour.
#ifndef async_cassandra
#error "ASYNC_CASSANDRA_BOOST_ASIO also needs -Dasync_cassandra=async_cassandra_boost (link async_cassandra_boost)"
#endif
#include <boost/system/error_code.hpp>
#include <boost/system/system_error.hpp>
#else
#include <system_error>
#endif

namespace async_cassandra {

#ifdef ASYNC_CASSANDRA_BOOST_ASIO
using error_code = boost::system::error_code;
using error_category = boost::system::error_category;
using system_error = boost::system::system_error;
#else
using error_code = std::error_code;
using error_category = std::error_category;
using system_error = std::system_error;
#endif

}  // namespace async_cassandra
