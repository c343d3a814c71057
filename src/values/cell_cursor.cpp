#include <async_cassandra/detail/cell_cursor.hpp>
#include <async_cassandra/detail/vint.hpp>
#include <async_cassandra/value_error.hpp>

#include <cstdint>
#include <limits>

namespace async_cassandra::detail {

namespace {
std::int32_t read_i32(std::span<const std::byte> b, std::size_t pos) noexcept {
    std::uint32_t u = 0;
    for (std::size_t i = 0; i < 4; ++i) u = (u << 8) | static_cast<std::uint8_t>(b[pos + i]);
    return static_cast<std::int32_t>(u);
}
std::size_t checked_mul(std::size_t a, std::size_t b) noexcept {
    std::size_t r = 0;
    return __builtin_mul_overflow(a, b, &r) ? std::numeric_limits<std::size_t>::max() : r;
}
}  // namespace

std::size_t fixed_vector_element_size(const data_type& t) noexcept {
    switch (t.id) {
        case type_id::boolean: return 1;
        case type_id::int_:
        case type_id::float_: return 4;
        case type_id::bigint:
        case type_id::double_:
        case type_id::timestamp: return 8;
        case type_id::uuid:
        case type_id::timeuuid: return 16;
        case type_id::vector: {
            if (t.params.size() != 1 || t.dimension <= 0) return 0;
            const auto inner = fixed_vector_element_size(t.params[0]);
            const auto total = checked_mul(inner, static_cast<std::size_t>(t.dimension));
            // An overflowing size is no size: the cell will not match it.
            return total == std::numeric_limits<std::size_t>::max() ? 0 : total;
        }
        default: return 0;
    }
}

cell_cursor::cell_cursor(const data_type& type, std::span<const std::byte> cell) : type_(&type), cell_(cell) {
    auto read_count = [&](std::size_t per_item_min, std::size_t params) {
        if (type.params.size() != params) fail("type " + to_string(type) + " lacks its parameter types");
        if (cell.size() < 4) fail("needs a 4-byte count, the cell has " + std::to_string(cell.size()) + " bytes");
        const auto n = read_i32(cell, 0);
        if (n < 0) fail("negative count " + std::to_string(n));
        pos_ = 4;
        // Every item has a 4-byte length: a count beyond that is a lie, not a reason to allocate.
        if (static_cast<std::size_t>(n) > (cell.size() - 4) / per_item_min)
            fail("count " + std::to_string(n) + " cannot fit in the " + std::to_string(cell.size() - 4) +
                 " bytes that follow it");
        return static_cast<std::size_t>(n);
    };
    switch (type.id) {
        case type_id::list:
        case type_id::set: count_ = read_count(4, 1); break;
        case type_id::map: count_ = 2 * read_count(8, 2); break;
        case type_id::tuple: count_ = type.params.size(); break;
        case type_id::udt:
            if (type.field_names.size() != type.params.size()) fail("UDT type with mismatched field names");
            count_ = type.params.size();
            break;
        case type_id::vector: {
            if (type.params.size() != 1 || type.dimension <= 0) fail("vector type without element type or dimension");
            const auto dim = static_cast<std::size_t>(type.dimension);
            fixed_size_ = fixed_vector_element_size(type.params[0]);
            if (fixed_size_ > 0) {
                const auto expected = checked_mul(fixed_size_, dim);
                if (cell.size() != expected)
                    fail("expected " + std::to_string(dim) + " elements of " + std::to_string(fixed_size_) +
                         " bytes, the cell has " + std::to_string(cell.size()) + " bytes");
            } else if (dim > cell.size()) {
                // Each element has at least its 1-byte size.
                fail(std::to_string(dim) + " elements cannot fit in " + std::to_string(cell.size()) + " bytes");
            }
            count_ = dim;
            break;
        }
        default: fail("type " + to_string(type) + " is not a collection, tuple, UDT or vector");
    }
    if (count_ == 0 && pos_ != cell_.size()) fail(std::to_string(cell_.size() - pos_) + " bytes after the last item");
}

const data_type& cell_cursor::item_type(std::size_t i) const noexcept {
    switch (type_->id) {
        case type_id::map: return type_->params[i % 2];
        case type_id::tuple:
        case type_id::udt: return type_->params[i];
        default: return type_->params[0];
    }
}

cell_item cell_cursor::next() {
    const auto i = index_;
    cell_item item{&item_type(i), std::nullopt};
    const auto left = cell_.size() - pos_;
    if (type_->id == type_id::vector) {
        std::size_t n = fixed_size_;
        if (n == 0) {
            const auto size = read_unsigned_vint(cell_, pos_, item_name(i).c_str());
            if (size > cell_.size() - pos_)
                fail(item_name(i) + ": size " + std::to_string(size) + " at offset " + std::to_string(pos_) +
                     " exceeds the " + std::to_string(cell_.size() - pos_) + " bytes left");
            n = static_cast<std::size_t>(size);
        }
        item.bytes = cell_.subspan(pos_, n);
        pos_ += n;
    } else if ((type_->id == type_id::tuple || type_->id == type_id::udt) && left == 0) {
        // Fewer values than the type has: the rest are null (spec 6).
    } else {
        if (left < 4)
            fail(item_name(i) + ": needs a 4-byte length at offset " + std::to_string(pos_) + ", only " +
                 std::to_string(left) + " bytes left");
        const auto n = read_i32(cell_, pos_);
        if (n < -1) fail(item_name(i) + ": invalid length " + std::to_string(n) + " at offset " + std::to_string(pos_));
        pos_ += 4;
        if (n >= 0) {
            if (static_cast<std::size_t>(n) > left - 4)
                fail(item_name(i) + ": length " + std::to_string(n) + " at offset " + std::to_string(pos_ - 4) +
                     " exceeds the " + std::to_string(left - 4) + " bytes left");
            item.bytes = cell_.subspan(pos_, static_cast<std::size_t>(n));
            pos_ += static_cast<std::size_t>(n);
        }
    }
    ++index_;
    if (index_ == count_ && pos_ != cell_.size())
        fail(std::to_string(cell_.size() - pos_) + " bytes after the last item, at offset " + std::to_string(pos_));
    return item;
}

void cell_cursor::skip_to(std::size_t i) {
    while (index_ < i && !done()) (void)next();
}

std::string cell_cursor::item_name(std::size_t i) const {
    switch (type_->id) {
        case type_id::map: return std::string(i % 2 == 0 ? "key" : "value") + " of entry " + std::to_string(i / 2);
        case type_id::tuple: return "component " + std::to_string(i);
        case type_id::udt: return "field '" + type_->field_names[i] + "'";
        default: return "element " + std::to_string(i);
    }
}

void cell_cursor::fail(const std::string& what) const { throw value_error(to_string(*type_) + " cell: " + what); }

}  // namespace async_cassandra::detail
