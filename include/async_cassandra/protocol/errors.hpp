// ERROR (spec 4.2.1): <code><message> and the details section 8 defines per
// code. v4 and v5 differ in Read_failure/Write_failure (a count of failures
// versus a reason map) and in Write_timeout (v5 adds CAS contentions).
#pragma once

#include <async_cassandra/consistency.hpp>
#include <async_cassandra/protocol/bytes.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace async_cassandra::protocol {

// Wire error codes (spec 8).
namespace error_codes {
inline constexpr std::int32_t server_error = 0x0000;
inline constexpr std::int32_t protocol_error = 0x000A;
inline constexpr std::int32_t bad_credentials = 0x0100;
inline constexpr std::int32_t unavailable = 0x1000;
inline constexpr std::int32_t overloaded = 0x1001;
inline constexpr std::int32_t is_bootstrapping = 0x1002;
inline constexpr std::int32_t truncate_error = 0x1003;
inline constexpr std::int32_t write_timeout = 0x1100;
inline constexpr std::int32_t read_timeout = 0x1200;
inline constexpr std::int32_t read_failure = 0x1300;
inline constexpr std::int32_t function_failure = 0x1400;
inline constexpr std::int32_t write_failure = 0x1500;
inline constexpr std::int32_t cdc_write_failure = 0x1600;
inline constexpr std::int32_t cas_write_unknown = 0x1700;
inline constexpr std::int32_t syntax_error = 0x2000;
inline constexpr std::int32_t unauthorized = 0x2100;
inline constexpr std::int32_t invalid = 0x2200;
inline constexpr std::int32_t config_error = 0x2300;
inline constexpr std::int32_t already_exists = 0x2400;
inline constexpr std::int32_t unprepared = 0x2500;
}  // namespace error_codes

// Per-replica failure codes of the v5 reason map. Servers may send codes not
// listed here (the spec asks clients to accept them), so the map keeps the raw
// [short]; to_string names the known ones.
enum class failure_reason : std::uint16_t {
    unknown = 0x0000,
    read_too_many_tombstones = 0x0001,
    timeout = 0x0002,
    incompatible_schema = 0x0003,
    read_size = 0x0004,
    node_down = 0x0005,
    index_not_available = 0x0006,
    read_too_many_indexes = 0x0007,
    not_cms = 0x0008,
    invalid_routing = 0x0009,
    coordinator_behind = 0x000A,
    retry_on_different_transaction_system = 0x000B,
    index_build_in_progress = 0x01F7,
};
// The spec's name ("READ_TOO_MANY_TOMBSTONES"), or "UNKNOWN(0x....)".
std::string to_string(failure_reason r);

struct error_response {
    std::int32_t code = 0;
    std::string message;
    // Details kept as read; fields a code does not define stay at their defaults.
    std::optional<consistency> consistency_level;
    std::int32_t received = 0, block_for = 0, alive = 0, required = 0;
    // v4: <num_failures>; v5: the size of reason_map.
    std::int32_t num_failures = 0;
    bool data_present = false;
    std::string write_type;
    std::vector<std::pair<std::string, std::uint16_t>> reason_map;  // endpoint, failure_reason code
    std::optional<std::uint16_t> contentions;                       // v5 Write_timeout with write type CAS
    std::string keyspace, table, function;
    std::vector<std::string> arg_types;
    std::string unprepared_id;  // raw bytes of the statement id
};
error_response decode_error(byte_reader& r, int version);

}  // namespace async_cassandra::protocol
