#include <async_cassandra/protocol/errors.hpp>

#include "notation.hpp"

#include <cstdio>

namespace async_cassandra::protocol {

std::string to_string(failure_reason r) {
    switch (r) {
        case failure_reason::unknown: return "UNKNOWN";
        case failure_reason::read_too_many_tombstones: return "READ_TOO_MANY_TOMBSTONES";
        case failure_reason::timeout: return "TIMEOUT";
        case failure_reason::incompatible_schema: return "INCOMPATIBLE_SCHEMA";
        case failure_reason::read_size: return "READ_SIZE";
        case failure_reason::node_down: return "NODE_DOWN";
        case failure_reason::index_not_available: return "INDEX_NOT_AVAILABLE";
        case failure_reason::read_too_many_indexes: return "READ_TOO_MANY_INDEXES";
        case failure_reason::not_cms: return "NOT_CMS";
        case failure_reason::invalid_routing: return "INVALID_ROUTING";
        case failure_reason::coordinator_behind: return "COORDINATOR_BEHIND";
        case failure_reason::retry_on_different_transaction_system: return "RETRY_ON_DIFFERENT_TRANSACTION_SYSTEM";
        case failure_reason::index_build_in_progress: return "INDEX_BUILD_IN_PROGRESS";
    }
    char buf[24];
    std::snprintf(buf, sizeof buf, "UNKNOWN(0x%04x)", static_cast<unsigned>(r));
    return buf;
}

namespace {

// <cl><received><blockfor>, the head of every timeout and failure.
void read_replica_counts(byte_reader& r, error_response& e) {
    e.consistency_level = detail::read_consistency(r, "error consistency");
    e.received = r.i32("error received");
    e.block_for = r.i32("error blockfor");
}

// v4 <num_failures> [int]; v5 <reason_map>: [int] n, then n <[inetaddr]><[short]>.
void read_failures(byte_reader& r, error_response& e, int version) {
    if (version < 5) {
        e.num_failures = r.i32("error numfailures");
        return;
    }
    // The smallest entry is an IPv4 address (1 + 4 bytes) and a [short].
    auto n = r.count(r.i32("reason map size"), 7, "reason map size");
    e.reason_map.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
        auto endpoint = detail::read_inetaddr(r, "reason map endpoint");
        e.reason_map.emplace_back(std::move(endpoint), r.u16("reason map failure code"));
    }
    e.num_failures = static_cast<std::int32_t>(n);
}

}  // namespace

error_response decode_error(byte_reader& r, int version) {
    namespace ec = error_codes;
    error_response e;
    e.code = r.i32("error code");
    e.message = r.string("error message");
    switch (e.code) {
        case ec::unavailable:
            e.consistency_level = detail::read_consistency(r, "error consistency");
            e.required = r.i32("unavailable required");
            e.alive = r.i32("unavailable alive");
            break;
        case ec::write_timeout:
            read_replica_counts(r, e);
            e.write_type = r.string("write timeout write type");
            // v5 adds <contentions> for CAS; accept its absence, as from older servers.
            if (version >= 5 && e.write_type == "CAS" && !r.empty()) e.contentions = r.u16("write timeout contentions");
            break;
        case ec::read_timeout:
            read_replica_counts(r, e);
            e.data_present = r.u8("read timeout data present") != 0;
            break;
        case ec::read_failure:
            read_replica_counts(r, e);
            read_failures(r, e, version);
            e.data_present = r.u8("read failure data present") != 0;
            break;
        case ec::function_failure:
            e.keyspace = r.string("function failure keyspace");
            e.function = r.string("function failure function");
            e.arg_types = detail::read_string_list(r, "function failure arg types");
            break;
        case ec::write_failure:
            read_replica_counts(r, e);
            read_failures(r, e, version);
            e.write_type = r.string("write failure write type");
            break;
        case ec::cas_write_unknown: read_replica_counts(r, e); break;
        case ec::already_exists:
            e.keyspace = r.string("already exists keyspace");
            e.table = r.string("already exists table");
            break;
        case ec::unprepared: e.unprepared_id = std::string(as_chars(r.short_bytes("unprepared id"))); break;
        default: break;  // the code and message are all there is (CDC_WRITE_FAILURE included)
    }
    return e;
}

}  // namespace async_cassandra::protocol
