// Harness "coroutine": the block is the body of a coroutine, as if in a
// program that connected already. In scope: the helpers of doc_harness.hpp
// and these, which a block may also declare itself (shadowing them).
#include "doc_harness.hpp"

namespace ac = async_cassandra;

asio::awaitable<void> @ID@([[maybe_unused]] asio::io_context& io, [[maybe_unused]] ac::cluster& cluster,
                           [[maybe_unused]] ac::session& session, [[maybe_unused]] ac::statement& stmt,
                           [[maybe_unused]] ac::prepared_statement& insert, [[maybe_unused]] ac::stream_config& sc,
                           [[maybe_unused]] ac::row_stream& stream, [[maybe_unused]] ac::diagnostics& diag,
                           [[maybe_unused]] std::error_code& ec, [[maybe_unused]] const std::string& secret) {
    using namespace doc_helpers;
    {
@BLOCK@
    }
    co_return;
}

namespace {
[[maybe_unused]] const bool registered_@ID@ = doc_blocks::add("@DOC@:@LINE@");
}  // namespace
