// One page of a result: its columns and rows, read in place from the received
// bytes (no copy per cell).
#pragma once

#include <async_cassandra/protocol/messages.hpp>
#include <async_cassandra/statement_options.hpp>
#include <async_cassandra/uuid.hpp>
#include <async_cassandra/value_codec.hpp>
#include <async_cassandra/value_view.hpp>

#include <array>
#include <cstdint>
#include <iterator>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace async_cassandra {

using protocol::column_spec;

class result_set;

// A row of a result_set. Views returned by get<> (string_view, span),
// value() and their nested views point into the result_set's buffer: valid
// while the result_set lives, like std::string_view into a std::string.
class row_view {
public:
    row_view(const result_set& rs, std::size_t row) noexcept : rs_(&rs), row_(row) {}

    std::size_t size() const noexcept;
    bool is_null(std::size_t column) const;
    // The raw cell; nullopt for null.
    std::optional<std::span<const std::byte>> raw(std::size_t column) const;

    // The cell with its type, for reading in place or walking composites.
    // Throws value_error when there is no such column.
    value_view value(std::size_t column) const;
    value_view value(std::string_view column_name) const;

    // Reads a column as T. Throws value_error naming the column and both
    // types when T does not fit the column's CQL type (checked recursively),
    // when the cell is null (use std::optional<T> to accept null; a null
    // collection reads as an empty container), or when the cell is malformed.
    // (Defined below result_set: reads the cell in place, no call out of line.)
    template <class T>
    T get(std::size_t column) const;
    template <class T>
    T get(std::string_view column_name) const {
        return value(column_name).as<T>();
    }

private:
    const result_set* rs_;
    std::size_t row_;
};

enum class result_kind { void_, rows, set_keyspace, prepared, schema_change };

class result_set {
public:
    result_set() = default;

    result_kind kind() const noexcept { return kind_; }
    const std::vector<column_spec>& columns() const noexcept { return columns_ ? *columns_ : no_columns(); }
    // Index of a column by name; throws value_error when there is none.
    std::size_t column_index(std::string_view name) const;
    std::size_t size() const noexcept { return rows_; }
    bool empty() const noexcept { return rows_ == 0; }
    row_view row(std::size_t i) const;
    // The first row; throws value_error when the page is empty.
    row_view first_row() const;

    // What a forward iterator over rows declares (this one and result_pages').
    struct row_iterator_types {
        using iterator_category = std::forward_iterator_tag;
        using value_type = row_view;
        using difference_type = std::ptrdiff_t;
        using pointer = void;
        using reference = row_view;
    };

    // for (auto row : rs) visits this page's rows (row_views into rs).
    class iterator : public row_iterator_types {
    public:
        iterator() = default;
        row_view operator*() const noexcept { return row_view(*rs_, i_); }
        iterator& operator++() noexcept {
            ++i_;
            return *this;
        }
        iterator operator++(int) noexcept {
            auto old = *this;
            ++i_;
            return old;
        }
        friend bool operator==(const iterator& a, const iterator& b) noexcept { return a.i_ == b.i_; }

    private:
        friend class result_set;
        iterator(const result_set* rs, std::size_t i) noexcept : rs_(rs), i_(i) {}
        const result_set* rs_ = nullptr;
        std::size_t i_ = 0;
    };
    iterator begin() const noexcept { return iterator(this, 0); }
    iterator end() const noexcept { return iterator(this, rows_); }

    bool has_more_pages() const noexcept { return paging_state_.has_value(); }
    // Opaque token for statement::set_paging_state; empty when this is the last page.
    const std::optional<std::string>& paging_state() const noexcept { return paging_state_; }
    const std::vector<std::string>& warnings() const noexcept { return extras().warnings; }
    // set_keyspace: the keyspace; schema_change: the change.
    const std::string& keyspace() const noexcept { return extras().keyspace; }
    const std::optional<protocol::schema_change>& schema_change() const noexcept { return extras().schema_change; }

    // Lightweight transactions (INSERT ... IF NOT EXISTS, UPDATE ... IF ...):
    // whether the change was made, read from the [applied] column of the
    // first row. True when there is no such column (not an LWT) or no row.
    // When false, the row also holds the values that stopped it.
    bool was_applied() const;
    // Set when the statement asked for tracing: pass it to session::get_trace.
    const std::optional<uuid>& tracing_id() const noexcept { return extras().tracing_id; }
    // The server's custom payload, if it sent one.
    const custom_payload& payload() const noexcept { return extras().payload; }

    // Builds from a RESULT body (for the session and tests). With
    // `prepared_columns`, Rows without metadata (EXECUTE with skip_metadata)
    // are read with those columns; a body with metadata uses its own.
    // `version`: the protocol the connection speaks (v5's flags are refused in v4).
    static result_set from_body(protocol::owned_bytes body, std::uint8_t flags, int version,
                                std::shared_ptr<const std::vector<column_spec>> prepared_columns = nullptr);
    // The same from a copy of `body`.
    static result_set from_body(protocol::bytes_view body, std::uint8_t flags, int version,
                                std::shared_ptr<const std::vector<column_spec>> prepared_columns = nullptr) {
        return from_body(protocol::owned_bytes(body), flags, version, std::move(prepared_columns));
    }

    // The columns, shared: a prepared statement keeps them to read later
    // results that come without metadata.
    const std::shared_ptr<const std::vector<column_spec>>& shared_columns() const noexcept { return columns_; }
    // v5: the new result metadata id when the server said the prepared
    // statement's result metadata changed (columns() are then the new ones).
    const std::optional<protocol::byte_buffer>& new_metadata_id() const noexcept { return extras().new_metadata_id; }

private:
    friend class row_view;

    // What most results lack, kept out of line: a result stays small to
    // move, and small enough for a caller's coroutine frame to be recycled.
    struct rare_parts {
        std::vector<std::string> warnings;
        std::string keyspace;
        std::optional<protocol::schema_change> schema_change;
        std::optional<uuid> tracing_id;
        custom_payload payload;
        std::optional<protocol::byte_buffer> new_metadata_id;
    };
    static const rare_parts& no_rare_parts() noexcept;
    static const std::vector<column_spec>& no_columns() noexcept;
    // Cell i (row-major): from_body checked every length, so this reads it unchecked.
    std::optional<std::span<const std::byte>> cell(std::size_t i) const noexcept {
        const std::byte* p = body_.data() + cell_offset(i);
        const auto n = static_cast<std::int32_t>(
            static_cast<std::uint32_t>(p[0]) << 24 | static_cast<std::uint32_t>(p[1]) << 16 |
            static_cast<std::uint32_t>(p[2]) << 8 | static_cast<std::uint32_t>(p[3]));
        if (n < 0) return std::nullopt;
        return std::span<const std::byte>(p + 4, static_cast<std::size_t>(n));
    }
    const rare_parts& extras() const noexcept { return rare_ ? *rare_ : no_rare_parts(); }
    rare_parts& extras_to_fill();

    result_kind kind_ = result_kind::void_;
    protocol::owned_bytes body_;
    std::shared_ptr<const std::vector<column_spec>> columns_;
    // Offset of each cell's [bytes] length, row-major: in small_cells_ when
    // there are at most small_cell_count (a lookup by key: no allocation).
    static constexpr std::size_t small_cell_count = 8;
    std::uint32_t cell_offset(std::size_t i) const noexcept { return cells_.empty() ? small_cells_[i] : cells_[i]; }
    std::array<std::uint32_t, small_cell_count> small_cells_{};
    std::vector<std::uint32_t> cells_;
    std::size_t rows_ = 0;
    std::optional<std::string> paging_state_;
    std::shared_ptr<const rare_parts> rare_;  // null: none of them
};

template <class T>
T row_view::get(std::size_t column) const {
    const auto& cols = rs_->columns();
    if (column >= cols.size()) return value(column).as<T>();  // throws, naming the column count
    const auto& spec = cols[column];
    return value_view(spec.type, rs_->cell(row_ * cols.size() + column), spec.name, false).as<T>();
}

}  // namespace async_cassandra
