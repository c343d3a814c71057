#include <async_cassandra/protocol/requests.hpp>

namespace async_cassandra::protocol {

namespace {

// Flags of QUERY, EXECUTE and BATCH; BATCH uses only 0x10 and up.
namespace query_flags {
constexpr std::uint32_t values = 0x0001;
constexpr std::uint32_t skip_metadata = 0x0002;
constexpr std::uint32_t page_size = 0x0004;
constexpr std::uint32_t paging_state = 0x0008;
constexpr std::uint32_t serial_consistency = 0x0010;
constexpr std::uint32_t default_timestamp = 0x0020;
constexpr std::uint32_t names_for_values = 0x0040;
constexpr std::uint32_t keyspace = 0x0080;
constexpr std::uint32_t now_in_seconds = 0x0100;
}  // namespace query_flags

constexpr std::uint32_t prepare_with_keyspace = 0x01;

[[noreturn]] void refuse(protocol_errc code, const char* what, const std::string& detail) {
    throw protocol_error(code, std::string(what) + ": " + detail);
}

// The fields QUERY/EXECUTE and BATCH share after their flags, in wire order.
struct trailing_fields {
    std::optional<consistency> serial_consistency;
    std::optional<std::int64_t> default_timestamp;
    std::string_view keyspace;
    std::optional<std::int32_t> now_in_seconds;

    std::uint32_t flags(int version, const char* what) const {
        std::uint32_t f = 0;
        if (serial_consistency) f |= query_flags::serial_consistency;
        if (default_timestamp) {
            // The spec forbids negative default timestamps.
            if (*default_timestamp < 0)
                refuse(protocol_errc::malformed, what,
                       "negative default timestamp " + std::to_string(*default_timestamp));
            f |= query_flags::default_timestamp;
        }
        if (!keyspace.empty()) f |= query_flags::keyspace;
        if (now_in_seconds) f |= query_flags::now_in_seconds;
        if (version < 5 && (f & (query_flags::keyspace | query_flags::now_in_seconds)))
            refuse(protocol_errc::malformed, what,
                   "keyspace and now_in_seconds need protocol v5, connection is v" + std::to_string(version));
        return f;
    }
    void write(byte_writer& w) const {
        if (serial_consistency) w.u16(static_cast<std::uint16_t>(*serial_consistency));
        if (default_timestamp) w.i64(*default_timestamp);
        if (!keyspace.empty()) w.string(keyspace);
        if (now_in_seconds) w.i32(*now_in_seconds);
    }
};

// v4 carries the flags in a [byte], v5 in an [int].
void write_flags(byte_writer& w, std::uint32_t flags, int version) {
    if (version >= 5)
        w.i32(static_cast<std::int32_t>(flags));
    else
        w.u8(static_cast<std::uint8_t>(flags));
}

void write_value(byte_writer& w, const value_ref& v) {
    switch (v.k) {
        case value_ref::kind::bytes: w.bytes(v.data); break;
        case value_ref::kind::null: w.null_bytes(); break;
        case value_ref::kind::unset: w.unset_value(); break;
    }
}

void check_count(std::size_t n, const char* what) {
    if (n > 0xFFFF)
        refuse(protocol_errc::value_too_large, what, std::to_string(n) + " exceed the [short] limit of 65535");
}

}  // namespace

void encode_startup(byte_writer& w, const string_map& options) {
    check_count(options.size(), "STARTUP options");
    w.u16(static_cast<std::uint16_t>(options.size()));
    for (const auto& [k, v] : options) {
        w.string(k);
        w.string(v);
    }
}

void encode_auth_response(byte_writer& w, std::optional<bytes_view> token) {
    if (token)
        w.bytes(*token);
    else
        w.null_bytes();
}

void encode_register(byte_writer& w, std::span<const std::string_view> event_types) {
    check_count(event_types.size(), "REGISTER event types");
    w.u16(static_cast<std::uint16_t>(event_types.size()));
    for (auto t : event_types) w.string(t);
}

void encode_query_parameters(byte_writer& w, const query_parameters& p, int version) {
    const char* what = "query parameters";
    if (!p.names.empty() && p.names.size() != p.values.size())
        refuse(protocol_errc::malformed, what,
               std::to_string(p.names.size()) + " names for " + std::to_string(p.values.size()) + " values");
    check_count(p.values.size(), "query parameters: values");
    const trailing_fields tail{p.serial_consistency, p.default_timestamp, p.keyspace, p.now_in_seconds};
    std::uint32_t flags = tail.flags(version, what);
    if (!p.values.empty()) flags |= query_flags::values;
    if (!p.names.empty()) flags |= query_flags::names_for_values;
    if (p.skip_metadata) flags |= query_flags::skip_metadata;
    if (p.page_size > 0) flags |= query_flags::page_size;
    if (p.paging_state) flags |= query_flags::paging_state;

    w.u16(static_cast<std::uint16_t>(p.consistency_level));
    write_flags(w, flags, version);
    if (!p.values.empty()) {
        w.u16(static_cast<std::uint16_t>(p.values.size()));
        for (std::size_t i = 0; i < p.values.size(); ++i) {
            if (!p.names.empty()) w.string(p.names[i]);
            write_value(w, p.values[i]);
        }
    }
    if (p.page_size > 0) w.i32(p.page_size);
    if (p.paging_state) w.bytes(*p.paging_state);
    tail.write(w);
}

void encode_query(byte_writer& w, std::string_view query, const query_parameters& p, int version) {
    w.long_string(query);
    encode_query_parameters(w, p, version);
}

void encode_prepare(byte_writer& w, std::string_view query, std::string_view keyspace, int version) {
    if (version < 5 && !keyspace.empty())
        refuse(protocol_errc::malformed, "PREPARE",
               "a keyspace needs protocol v5, connection is v" + std::to_string(version));
    w.long_string(query);
    if (version < 5) return;
    w.i32(keyspace.empty() ? 0 : static_cast<std::int32_t>(prepare_with_keyspace));
    if (!keyspace.empty()) w.string(keyspace);
}

void encode_execute(byte_writer& w, bytes_view id, bytes_view result_metadata_id, const query_parameters& p,
                    int version) {
    w.short_bytes(id);
    if (version >= 5) w.short_bytes(result_metadata_id);
    encode_query_parameters(w, p, version);
}

void encode_custom_payload(byte_writer& w, std::span<const std::pair<std::string, std::vector<std::byte>>> payload) {
    check_count(payload.size(), "custom payload entries");
    w.u16(static_cast<std::uint16_t>(payload.size()));
    for (const auto& [key, value] : payload) {
        w.string(key);
        w.bytes(value);
    }
}

void encode_batch(byte_writer& w, const batch_parameters& b, int version) {
    check_count(b.statements.size(), "BATCH statements");
    const trailing_fields tail{b.serial_consistency, b.default_timestamp, b.keyspace, b.now_in_seconds};
    const std::uint32_t flags = tail.flags(version, "BATCH");
    w.u8(static_cast<std::uint8_t>(b.type));
    w.u16(static_cast<std::uint16_t>(b.statements.size()));
    for (const auto& s : b.statements) {
        check_count(s.values.size(), "BATCH statement values");
        w.u8(s.prepared ? 1 : 0);
        if (s.prepared)
            w.short_bytes(s.id);
        else
            w.long_string(s.query);
        w.u16(static_cast<std::uint16_t>(s.values.size()));
        for (const auto& v : s.values) write_value(w, v);
    }
    w.u16(static_cast<std::uint16_t>(b.consistency_level));
    write_flags(w, flags, version);
    tail.write(w);
}

}  // namespace async_cassandra::protocol
