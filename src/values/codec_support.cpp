// The non-template parts of value_traits and its composites.
#include <async_cassandra/detail/vint.hpp>
#include <async_cassandra/udt.hpp>
#include <async_cassandra/value_traits.hpp>

#include <limits>

namespace async_cassandra::detail {

namespace {
constexpr std::size_t max_length = std::numeric_limits<std::int32_t>::max();
}

void throw_wrong_size(std::size_t expected, std::size_t got) {
    throw value_error("expected " + std::to_string(expected) + " bytes, the cell has " + std::to_string(got));
}

void throw_null_item() { throw value_error("null; read it as std::optional to accept null"); }

void write_count(protocol::byte_writer& w, std::size_t n) {
    if (n > max_length)
        throw value_error("a collection of " + std::to_string(n) + " items exceeds the protocol's limit of " +
                          std::to_string(max_length));
    w.i32(static_cast<std::int32_t>(n));
}

void patch_length(protocol::byte_writer& w, std::size_t at) {
    const auto n = w.size() - at - 4;
    if (n > max_length)
        throw value_error("an item of " + std::to_string(n) + " bytes exceeds the protocol's limit of " +
                          std::to_string(max_length));
    w.patch_i32(at, static_cast<std::int32_t>(n));
}

void insert_vint_length(protocol::byte_writer& w, std::size_t at) {
    protocol::byte_buffer size;
    protocol::byte_writer sw(size);
    write_unsigned_vint(sw, w.size() - at);
    auto& out = w.buffer();
    out.insert(out.begin() + static_cast<std::ptrdiff_t>(at), size.begin(), size.end());
}

std::size_t udt_field_index(const data_type& t, std::string_view name) noexcept {
    for (std::size_t i = 0; i < t.field_names.size(); ++i)
        if (t.field_names[i] == name) return i;
    return static_cast<std::size_t>(-1);
}

namespace {
bool same_sign(const duration& d) noexcept {
    return (d.months >= 0 && d.days >= 0 && d.nanoseconds >= 0) || (d.months <= 0 && d.days <= 0 && d.nanoseconds <= 0);
}
std::int32_t to_int32(std::int64_t v, const char* what) {
    if (v < std::numeric_limits<std::int32_t>::min() || v > std::numeric_limits<std::int32_t>::max())
        throw value_error(std::string("duration: ") + what + " " + std::to_string(v) + " overflows a 32-bit int");
    return static_cast<std::int32_t>(v);
}
}  // namespace

void encode_duration(protocol::byte_writer& w, const duration& d) {
    if (!same_sign(d))
        throw value_error("duration " + std::to_string(d.months) + " months, " + std::to_string(d.days) + " days, " +
                          std::to_string(d.nanoseconds) + " ns mixes signs; CQL durations cannot");
    write_unsigned_vint(w, zigzag(d.months));
    write_unsigned_vint(w, zigzag(d.days));
    write_unsigned_vint(w, zigzag(d.nanoseconds));
}

duration decode_duration(std::span<const std::byte> b) {
    std::size_t pos = 0;
    duration d;
    d.months = to_int32(unzigzag(read_unsigned_vint(b, pos, "duration months")), "months");
    d.days = to_int32(unzigzag(read_unsigned_vint(b, pos, "duration days")), "days");
    d.nanoseconds = unzigzag(read_unsigned_vint(b, pos, "duration nanoseconds"));
    if (pos != b.size())
        throw value_error("duration: " + std::to_string(b.size() - pos) + " bytes after the nanoseconds");
    if (!same_sign(d)) throw value_error("duration: months, days and nanoseconds have mixed signs");
    return d;
}

decimal decode_decimal(std::span<const std::byte> b) {
    if (b.size() < 5)
        throw value_error("decimal needs a 4-byte scale and at least 1 byte of unscaled value, the cell has " +
                          std::to_string(b.size()) + " bytes");
    decimal d;
    d.scale = read_be<std::int32_t>(b.first(4));
    d.unscaled = varint::from_bytes(b.subspan(4));
    return d;
}

}  // namespace async_cassandra::detail
