// Walks the items of a composite cell (list, set, map, tuple, UDT, vector)
// without copying, checking every count and length against the cell.
#pragma once

#include <async_cassandra/data_type.hpp>

#include <cstddef>
#include <optional>
#include <span>
#include <string>

namespace async_cassandra::detail {

// One item of a composite cell: its CQL type and bytes (nullopt: null).
struct cell_item {
    const data_type* type = nullptr;
    std::optional<std::span<const std::byte>> bytes;
};

// Items come in wire order; a map yields key, value, key, value... A UDT or
// tuple cell may stop early (spec 6): the missing trailing items are null.
// Anything malformed (a count the bytes cannot hold, a length below -1, a
// truncated item, bytes after the last item) throws value_error saying what
// and at which offset of the cell; nothing is read past the cell.
class cell_cursor {
public:
    // Throws value_error when `type` is not composite or the header is malformed.
    cell_cursor(const data_type& type, std::span<const std::byte> cell);

    // Items in all (a map has two per entry); bounded by the cell's size, so
    // safe to reserve().
    std::size_t count() const noexcept { return count_; }
    std::size_t index() const noexcept { return index_; }
    bool done() const noexcept { return index_ == count_; }
    // Precondition: !done().
    cell_item next();
    // Skips to item i (i >= index()); for random access.
    void skip_to(std::size_t i);
    // "element 2", "key of entry 1", "value of entry 1", "component 0", "field 'street'".
    std::string item_name(std::size_t i) const;

private:
    const data_type& item_type(std::size_t i) const noexcept;
    [[noreturn]] void fail(const std::string& what) const;

    const data_type* type_;
    std::span<const std::byte> cell_;
    std::size_t pos_ = 0;
    std::size_t index_ = 0;
    std::size_t count_ = 0;
    std::size_t fixed_size_ = 0;  // vector of a fixed-size type: bytes per element
};

// Bytes per element when `t` is a fixed-size type inside a vector, else 0.
// Cassandra 5.0 treats only these as fixed: boolean, int, bigint, float,
// double, timestamp, uuid, timeuuid, and vectors of them; every other type
// (tinyint, smallint, date, time, counter included) is preceded by its size
// as an [unsigned vint].
std::size_t fixed_vector_element_size(const data_type& t) noexcept;

}  // namespace async_cassandra::detail
