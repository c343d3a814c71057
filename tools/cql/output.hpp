// Writers that turn result pages into table, CSV or JSON-lines text. They
// see one page at a time, so memory stays at a page whatever the result.
#pragma once

#include "options.hpp"

#include <async_cassandra/result_set.hpp>

#include <cstddef>
#include <memory>
#include <ostream>

namespace cql_tool {

class result_writer {
public:
    virtual ~result_writer() = default;
    // One page of rows; the first page's columns name the output's columns.
    virtual void page(const async_cassandra::result_set& rs) = 0;
    // After the last page: a table's "(N rows)" footer.
    virtual void finish() {}
    std::size_t rows() const noexcept { return rows_; }

protected:
    std::size_t rows_ = 0;
};

// Writes to `out`, which must outlive the writer.
std::unique_ptr<result_writer> make_writer(output_format f, std::ostream& out);

}  // namespace cql_tool
