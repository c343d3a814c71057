// The retry policy's table: a server error every node answers, and how many
// times the statement may reach a node in all. Cases the client passes
// without retries (nothing is sent twice) run in server_errors_test.cpp; the
// retried ones wait for the retry policy in cluster_faults_test.cpp.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <string>

struct retry_case {
    const char* name;
    std::int32_t code;  // read_timeout or write_timeout
    std::int32_t received, block_for;
    bool data_present;
    std::string write_type;
    bool idempotent;
    std::uint64_t expected_requests;
};

class retry_policy : public ::testing::TestWithParam<retry_case> {};
