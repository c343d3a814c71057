// throw_on_error throws the most specific class for every code, and the
// retry classification the retry and pool logic share.
#include <async_cassandra/error.hpp>

#include <asio/error.hpp>

#include <gtest/gtest.h>

#include <functional>
#include <typeinfo>

using namespace async_cassandra;

namespace {
// The dynamic type of what throw_on_error throws, with the exception kept for inspection.
template <class Expected>
void expect_thrown(async_cassandra::error_code ec, const diagnostics& d = {}) {
    try {
        throw_on_error(ec, d);
        ADD_FAILURE() << ec.message() << ": nothing thrown";
    } catch (const Expected& e) {
        EXPECT_EQ(typeid(e), typeid(Expected)) << ec.message() << " threw " << typeid(e).name();
        EXPECT_EQ(e.code(), ec);
    } catch (const std::exception& e) {
        ADD_FAILURE() << ec.message() << " threw " << typeid(e).name();
    }
}
}  // namespace

TEST(error_hierarchy, every_server_code_has_its_class) {
    expect_thrown<server_internal_error>(server_errc::server_error);
    expect_thrown<server_protocol_error>(server_errc::protocol_error);
    expect_thrown<bad_credentials_error>(server_errc::bad_credentials);
    expect_thrown<unavailable_error>(server_errc::unavailable);
    expect_thrown<overloaded_error>(server_errc::overloaded);
    expect_thrown<is_bootstrapping_error>(server_errc::is_bootstrapping);
    expect_thrown<truncate_error>(server_errc::truncate_error);
    expect_thrown<write_timeout_error>(server_errc::write_timeout);
    expect_thrown<read_timeout_error>(server_errc::read_timeout);
    expect_thrown<read_failure_error>(server_errc::read_failure);
    expect_thrown<function_failure_error>(server_errc::function_failure);
    expect_thrown<write_failure_error>(server_errc::write_failure);
    expect_thrown<cdc_write_failure_error>(server_errc::cdc_write_failure);
    expect_thrown<cas_write_unknown_error>(server_errc::cas_write_unknown);
    expect_thrown<syntax_error>(server_errc::syntax_error);
    expect_thrown<unauthorized_error>(server_errc::unauthorized);
    expect_thrown<invalid_query_error>(server_errc::invalid);
    expect_thrown<config_error>(server_errc::config_error);
    expect_thrown<already_exists_error>(server_errc::already_exists);
    expect_thrown<unprepared_error>(server_errc::unprepared);
    // A code newer than this client is still a server_error.
    expect_thrown<server_error>(server_error_code(0x7777));
    // Wire code 0 is the server's own failure.
    expect_thrown<server_internal_error>(server_error_code(0));
}

TEST(error_hierarchy, every_client_code_has_its_class) {
    expect_thrown<request_timeout_error>(client_errc::request_timeout);
    expect_thrown<connection_error>(client_errc::connect_failed);
    expect_thrown<connection_error>(client_errc::connection_closed);
    expect_thrown<connection_error>(client_errc::handshake_failed);
    expect_thrown<connection_error>(client_errc::protocol_version_rejected);
    expect_thrown<no_host_available_error>(client_errc::no_host_available);
    expect_thrown<protocol_violation_error>(client_errc::protocol_violation);
    expect_thrown<protocol_violation_error>(client_errc::unexpected_response);
    expect_thrown<request_too_large_error>(client_errc::request_too_large);
    expect_thrown<session_closed_error>(client_errc::session_closed);
    expect_thrown<invalid_request_error>(client_errc::invalid_request);
    expect_thrown<authentication_error>(client_errc::authentication_required);
    expect_thrown<bad_config_error>(client_errc::bad_config);
    expect_thrown<too_many_requests_error>(client_errc::too_many_requests);
    expect_thrown<client_error>(client_errc::internal_error);
    // Other categories: the base class.
    expect_thrown<error>(asio::error::operation_aborted);
}

TEST(error_hierarchy, classes_nest_and_carry_the_server_details) {
    diagnostics d;
    server_error_details details;
    details.consistency_level = consistency::quorum;
    details.required = 3;
    details.alive = 1;
    d.assign_server("Cannot achieve consistency level QUORUM", "10.0.0.1:9042", details);
    try {
        throw_on_error(server_errc::unavailable, d);
    } catch (const server_error& e) {
        EXPECT_NE(dynamic_cast<const unavailable_error*>(&e), nullptr);
        EXPECT_EQ(e.details().consistency_level, consistency::quorum);
        EXPECT_EQ(e.details().required, 3);
        EXPECT_EQ(e.details().alive, 1);
        EXPECT_EQ(e.diag().host(), "10.0.0.1:9042");
        const std::string what = e.what();
        EXPECT_NE(what.find("QUORUM"), std::string::npos) << what;
        EXPECT_NE(what.find("unavailable"), std::string::npos) << what;
    }
    // A client error is an error and a system_error, never a server_error.
    try {
        throw_on_error(client_errc::request_timeout, {});
    } catch (const server_error&) {
        ADD_FAILURE() << "a client error caught as a server error";
    } catch (const async_cassandra::system_error& e) {
        EXPECT_NE(dynamic_cast<const client_error*>(&e), nullptr);
        EXPECT_NE(dynamic_cast<const error*>(&e), nullptr);
    }
    // details() of a server error without details is empty, not a crash.
    try {
        throw_on_error(server_errc::syntax_error, {});
    } catch (const server_error& e) {
        EXPECT_FALSE(e.details().consistency_level);
        EXPECT_TRUE(e.details().unprepared_id.empty());
    }
    EXPECT_NO_THROW(throw_on_error({}, {}));
}

TEST(error_hierarchy, invalid_request_has_a_name) {
    EXPECT_EQ(async_cassandra::error_code(client_errc::invalid_request).message(), "invalid request");
}

TEST(retry_classification, requests_not_executed_are_always_retryable) {
    for (async_cassandra::error_code ec :
         {make_error_code(server_errc::unavailable), make_error_code(server_errc::overloaded),
          make_error_code(server_errc::is_bootstrapping), make_error_code(server_errc::read_timeout),
          make_error_code(server_errc::unprepared), make_error_code(client_errc::connect_failed),
          make_error_code(client_errc::too_many_requests)}) {
        EXPECT_EQ(classify_retry(ec), retry_safety::always) << ec.message();
        EXPECT_TRUE(is_retryable(ec)) << ec.message();
        EXPECT_TRUE(is_retryable(ec, false)) << ec.message();
    }
}

TEST(retry_classification, possibly_applied_requests_need_idempotence) {
    for (async_cassandra::error_code ec :
         {make_error_code(server_errc::write_timeout), make_error_code(server_errc::server_error),
          make_error_code(server_errc::truncate_error), make_error_code(client_errc::request_timeout),
          make_error_code(client_errc::connection_closed), make_error_code(client_errc::protocol_violation)}) {
        EXPECT_EQ(classify_retry(ec), retry_safety::if_idempotent) << ec.message();
        EXPECT_TRUE(is_retryable(ec)) << ec.message();
        EXPECT_TRUE(is_retryable(ec, true)) << ec.message();
        EXPECT_FALSE(is_retryable(ec, false)) << ec.message();
    }
}

TEST(retry_classification, wrong_requests_and_failures_are_final) {
    for (async_cassandra::error_code ec :
         {make_error_code(server_errc::syntax_error), make_error_code(server_errc::invalid),
          make_error_code(server_errc::unauthorized), make_error_code(server_errc::already_exists),
          make_error_code(server_errc::config_error), make_error_code(server_errc::read_failure),
          make_error_code(server_errc::write_failure), make_error_code(server_errc::cas_write_unknown),
          make_error_code(server_errc::function_failure), make_error_code(server_errc::protocol_error),
          make_error_code(client_errc::session_closed), make_error_code(client_errc::request_too_large),
          make_error_code(client_errc::invalid_request), make_error_code(client_errc::no_host_available),
          make_error_code(client_errc::bad_config), async_cassandra::error_code(asio::error::operation_aborted)}) {
        EXPECT_EQ(classify_retry(ec), retry_safety::never) << ec.message();
        EXPECT_FALSE(is_retryable(ec)) << ec.message();
        EXPECT_FALSE(is_retryable(ec, true)) << ec.message();
    }
}

TEST(retry_classification, fatal_means_the_connection_is_gone) {
    EXPECT_TRUE(is_fatal(client_errc::connection_closed));
    EXPECT_TRUE(is_fatal(client_errc::protocol_violation));
    EXPECT_TRUE(is_fatal(client_errc::handshake_failed));
    EXPECT_TRUE(is_fatal(server_errc::protocol_error));
    EXPECT_FALSE(is_fatal(client_errc::request_timeout));
    EXPECT_FALSE(is_fatal(server_errc::write_timeout));
    EXPECT_FALSE(is_fatal(server_errc::syntax_error));
    EXPECT_FALSE(is_fatal(asio::error::operation_aborted));
}
