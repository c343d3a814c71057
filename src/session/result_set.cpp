#include <async_cassandra/result_set.hpp>

namespace async_cassandra {

result_set result_set::from_body(protocol::byte_buffer body, std::uint8_t flags, int version) {
    (void)version;
    result_set rs;
    rs.body_ = std::move(body);
    protocol::byte_reader r(rs.body_);
    rs.warnings_ = protocol::decode_response_prefix(r, flags).warnings;
    switch (protocol::decode_result_kind(r)) {
        case protocol::result_kind::void_: rs.kind_ = result_kind::void_; break;
        case protocol::result_kind::set_keyspace:
            rs.kind_ = result_kind::set_keyspace;
            rs.keyspace_ = r.string("keyspace");
            break;
        case protocol::result_kind::schema_change:
            rs.kind_ = result_kind::schema_change;
            rs.schema_change_ = protocol::decode_schema_change(r);
            rs.keyspace_ = rs.schema_change_->keyspace;
            break;
        case protocol::result_kind::prepared: rs.kind_ = result_kind::prepared; break;
        case protocol::result_kind::rows: {
            rs.kind_ = result_kind::rows;
            auto meta = protocol::decode_rows_metadata(r);
            if (meta.paging_state) rs.paging_state_ = std::string(protocol::as_chars(*meta.paging_state));
            rs.columns_ = std::move(meta.columns);
            auto rows = r.i32("rows count");
            if (rows < 0) throw protocol::protocol_error(protocol::protocol_errc::malformed, "negative rows count");
            const auto ncols = static_cast<std::size_t>(meta.column_count);
            // Rows always have columns; zero columns would let a tiny body claim 2^31 rows.
            if (rows > 0 && ncols == 0)
                throw protocol::protocol_error(protocol::protocol_errc::malformed,
                                               std::to_string(rows) + " rows without columns");
            const auto cells = static_cast<std::size_t>(rows) * ncols;
            // Every cell has a 4-byte length: a count beyond that is a lie, not a reason to allocate.
            if (cells > r.remaining() / 4)
                throw protocol::protocol_error(protocol::protocol_errc::malformed,
                                               std::to_string(rows) + " rows of " + std::to_string(ncols) +
                                                   " columns cannot fit in " + std::to_string(r.remaining()) + " bytes");
            rs.cells_.reserve(cells);
            for (std::size_t i = 0; i < cells; ++i) {
                rs.cells_.push_back(static_cast<std::uint32_t>(r.position()));
                (void)r.bytes("cell");
            }
            rs.rows_ = static_cast<std::size_t>(rows);
            break;
        }
    }
    return rs;
}

std::size_t result_set::column_index(std::string_view name) const {
    for (std::size_t i = 0; i < columns_.size(); ++i)
        if (columns_[i].name == name) return i;
    throw value_error("no column named '" + std::string(name) + "' in the result");
}

row_view result_set::row(std::size_t i) const {
    if (i >= rows_)
        throw value_error("row " + std::to_string(i) + " out of range: the page has " + std::to_string(rows_) + " rows");
    return row_view(*this, i);
}

row_view result_set::first_row() const {
    if (rows_ == 0) throw value_error("first_row(): the result has no rows");
    return row_view(*this, 0);
}

std::size_t row_view::size() const noexcept { return rs_->columns_.size(); }

std::optional<std::span<const std::byte>> row_view::raw(std::size_t column) const {
    const auto ncols = rs_->columns_.size();
    if (column >= ncols)
        throw value_error("column " + std::to_string(column) + " out of range: the row has " + std::to_string(ncols) +
                          " columns");
    auto off = rs_->cells_[row_ * ncols + column];
    protocol::byte_reader r(std::span<const std::byte>(rs_->body_).subspan(off));
    return r.bytes("cell");
}

bool row_view::is_null(std::size_t column) const { return !raw(column).has_value(); }

value_view row_view::value(std::size_t column) const {
    auto cell = raw(column);  // checks the index
    const auto& spec = rs_->columns_[column];
    return value_view(spec.type, cell, spec.name, false);
}

value_view row_view::value(std::string_view column_name) const { return value(rs_->column_index(column_name)); }

}  // namespace async_cassandra
