// The helpers the docs' fragments call (doc_harness.hpp): bodies that do
// nothing, for the fragments to link.
#include "doc_harness.hpp"

namespace doc_helpers {

void consume(std::int64_t, std::string_view) {}
void consume(const async_cassandra::row_view&) {}
void use(const async_cassandra::row_view&) {}
std::string read_secret() { return "secret"; }
asio::awaitable<void> worker(async_cassandra::session&) { co_return; }

}  // namespace doc_helpers
