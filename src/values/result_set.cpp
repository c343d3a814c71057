#include <async_cassandra/result_set.hpp>

namespace async_cassandra {

const std::vector<column_spec>& result_set::no_columns() noexcept {
    static const std::vector<column_spec> none;
    return none;
}

const result_set::rare_parts& result_set::no_rare_parts() noexcept {
    static const rare_parts none;
    return none;
}

result_set::rare_parts& result_set::extras_to_fill() {
    if (!rare_) rare_ = std::make_shared<rare_parts>();
    return const_cast<rare_parts&>(*rare_);  // made here, not yet shared
}

result_set result_set::from_body(protocol::owned_bytes body, std::uint8_t flags, int version,
                                 std::shared_ptr<const std::vector<column_spec>> prepared_columns) {
    result_set rs;
    rs.body_ = std::move(body);
    protocol::byte_reader r(rs.body_);
    auto prefix = protocol::decode_response_prefix(r, flags);
    if (!prefix.warnings.empty()) rs.extras_to_fill().warnings = std::move(prefix.warnings);
    if (prefix.tracing_id) rs.extras_to_fill().tracing_id = uuid(*prefix.tracing_id);
    for (auto& [key, value] : prefix.custom_payload)
        rs.extras_to_fill().payload.emplace_back(
            std::move(key), value ? std::vector<std::byte>(value->begin(), value->end()) : std::vector<std::byte>{});
    switch (protocol::decode_result_kind(r)) {
        case protocol::result_kind::void_: rs.kind_ = result_kind::void_; break;
        case protocol::result_kind::set_keyspace:
            rs.kind_ = result_kind::set_keyspace;
            rs.extras_to_fill().keyspace = r.string("keyspace");
            break;
        case protocol::result_kind::schema_change: {
            rs.kind_ = result_kind::schema_change;
            auto& x = rs.extras_to_fill();
            x.schema_change = protocol::decode_schema_change(r);
            x.keyspace = x.schema_change->keyspace;
            break;
        }
        case protocol::result_kind::prepared: rs.kind_ = result_kind::prepared; break;
        case protocol::result_kind::rows: {
            rs.kind_ = result_kind::rows;
            auto meta = protocol::decode_rows_metadata(r);
            if (meta.paging_state) rs.paging_state_ = std::string(protocol::as_chars(*meta.paging_state));
            // Metadata_changed (a new result metadata id) is v5's: a v4
            // server that sets it speaks another protocol than agreed.
            if (meta.new_metadata_id && version < 5)
                throw protocol::protocol_error(
                    protocol::protocol_errc::malformed,
                    "a v4 RESULT with the v5 flag metadata_changed (a new result metadata id)");
            if (meta.new_metadata_id)
                rs.extras_to_fill().new_metadata_id = protocol::byte_buffer(meta.new_metadata_id->begin(),
                                                                            meta.new_metadata_id->end());
            const auto ncols = static_cast<std::size_t>(meta.column_count);
            if (meta.flags & protocol::rows_flags::no_metadata) {
                // Only an EXECUTE with skip_metadata gets here; its statement's columns must match.
                if (!prepared_columns || prepared_columns->size() != ncols)
                    throw protocol::protocol_error(protocol::protocol_errc::malformed,
                                                   "rows without metadata: " + std::to_string(ncols) +
                                                       " columns, the prepared statement has " +
                                                       std::to_string(prepared_columns ? prepared_columns->size() : 0));
                rs.columns_ = std::move(prepared_columns);
            } else {
                rs.columns_ = std::make_shared<const std::vector<column_spec>>(std::move(meta.columns));
            }
            auto rows = r.i32("rows count");
            if (rows < 0) throw protocol::protocol_error(protocol::protocol_errc::malformed, "negative rows count");
            // Rows always have columns; zero columns would let a tiny body claim 2^31 rows.
            if (rows > 0 && ncols == 0)
                throw protocol::protocol_error(protocol::protocol_errc::malformed,
                                               std::to_string(rows) + " rows without columns");
            const auto cells = static_cast<std::size_t>(rows) * ncols;
            // Every cell has a 4-byte length: a count beyond that is a lie, not a reason to allocate.
            if (cells > r.remaining() / 4)
                throw protocol::protocol_error(protocol::protocol_errc::malformed,
                                               std::to_string(rows) + " rows of " + std::to_string(ncols) +
                                                   " columns cannot fit in " + std::to_string(r.remaining()) +
                                                   " bytes");
            std::uint32_t* offsets = rs.small_cells_.data();
            if (cells > small_cell_count) {
                rs.cells_.resize(cells);
                offsets = rs.cells_.data();
            }
            for (std::size_t i = 0; i < cells; ++i) {
                offsets[i] = static_cast<std::uint32_t>(r.position());
                (void)r.bytes("cell");
            }
            rs.rows_ = static_cast<std::size_t>(rows);
            break;
        }
    }
    return rs;
}


bool result_set::was_applied() const {
    if (kind_ != result_kind::rows || rows_ == 0) return true;
    const auto& cols = columns();
    for (std::size_t i = 0; i < cols.size(); ++i) {
        if (cols[i].name != "[applied]") continue;
        if (cols[i].type.id != type_id::boolean) return true;
        return first_row().get<std::optional<bool>>(i).value_or(false);
    }
    return true;
}

std::size_t result_set::column_index(std::string_view name) const {
    const auto& cols = columns();
    for (std::size_t i = 0; i < cols.size(); ++i)
        if (cols[i].name == name) return i;
    throw value_error("no column named '" + std::string(name) + "' in the result");
}

row_view result_set::row(std::size_t i) const {
    if (i >= rows_)
        throw value_error("row " + std::to_string(i) + " out of range: the page has " + std::to_string(rows_) +
                          " rows");
    return row_view(*this, i);
}

row_view result_set::first_row() const {
    if (rows_ == 0) throw value_error("first_row(): the result has no rows");
    return row_view(*this, 0);
}

std::size_t row_view::size() const noexcept { return rs_->columns().size(); }

std::optional<std::span<const std::byte>> row_view::raw(std::size_t column) const {
    const auto ncols = rs_->columns().size();
    if (column >= ncols)
        throw value_error("column " + std::to_string(column) + " out of range: the row has " + std::to_string(ncols) +
                          " columns");
    auto off = rs_->cell_offset(row_ * ncols + column);
    protocol::byte_reader r(std::span<const std::byte>(rs_->body_).subspan(off));
    return r.bytes("cell");
}

bool row_view::is_null(std::size_t column) const { return !raw(column).has_value(); }

value_view row_view::value(std::size_t column) const {
    auto cell = raw(column);  // checks the index
    const auto& spec = rs_->columns()[column];
    return value_view(spec.type, cell, spec.name, false);
}

value_view row_view::value(std::string_view column_name) const { return value(rs_->column_index(column_name)); }

}  // namespace async_cassandra
