// Paging: a SELECT returns one page of rows at a time. Three ways through a
// result of 250 rows in pages of 100:
//  1. by hand, with the paging state of each page (also how an API hands a
//     cursor to its client and resumes later, even in another process);
//  2. next_page(), which does the same for you;
//  3. all(), every page at once behind one iterator (capped by max_rows).
// For results too large for memory, see stream_export.cpp (execute_stream).
//   paging [host [keyspace]]   (default 127.0.0.1, examples)
#include "example_common.hpp"

#include <async_cassandra/async_cassandra.hpp>


#include <cstdint>
#include <iostream>
#include <optional>
#include <stdexcept>
#include <string>

namespace ac = async_cassandra;

constexpr int total_rows = 250;
constexpr int page_size = 100;

void check(bool ok, const std::string& what) {
    if (!ok) throw std::runtime_error(what);
}

asio::awaitable<void> run(std::string host, std::string keyspace) {
    ac::cluster_config config;  // a named config: g++ 12 mishandles braced temporaries inside co_await
    config.contact_points = {host};
    auto cluster = co_await ac::cluster::connect(config);
    auto session = co_await cluster.open_session();
    co_await create_keyspace(session, keyspace);
    const std::string table = keyspace + ".events";
    co_await session.execute("CREATE TABLE IF NOT EXISTS " + table +
                             " (stream text, seq int, payload text, PRIMARY KEY (stream, seq))");
    auto insert = co_await session.prepare("INSERT INTO " + table + " (stream, seq, payload) VALUES (?, ?, ?)");
    for (int seq = 0; seq < total_rows; ++seq)
        co_await session.execute(insert.bind("paging", seq, "event " + std::to_string(seq)));

    const std::string query = "SELECT seq, payload FROM " + table + " WHERE stream = ?";
    auto select = co_await session.prepare(query);

    // 1. By hand, here with a prepared statement. Each page carries the state to ask for the next; no state
    //    means the last page. The state is an opaque string: store it, send
    //    it to a client, and pass it back with set_paging_state().
    int rows = 0, pages = 0;
    std::optional<std::string> cursor;
    do {
        auto st = select.bind("paging").set_page_size(page_size);
        if (cursor) st.set_paging_state(*cursor);
        auto page = co_await session.execute(std::move(st));
        for (std::size_t i = 0; i < page.size(); ++i) {
            check(page.row(i).get<std::int32_t>("seq") == rows, "rows out of clustering order");
            ++rows;
        }
        ++pages;
        cursor = page.paging_state();
        std::cout << "manual: page " << pages << " has " << page.size() << " rows"
                  << (cursor ? ", more to come\n" : ", the last\n");
    } while (cursor);
    check(rows == total_rows && pages == 3, "manual paging: 250 rows in 3 pages expected");

    // 2. next_page(): the same loop without handling the state. (next_page,
    //    all and execute_stream take a bound prepared statement or a simple one.)
    auto st = select.bind("paging").set_page_size(page_size);
    auto page = co_await session.execute(st);
    rows = static_cast<int>(page.size());
    while (page.has_more_pages()) {
        page = co_await session.next_page(st, page);
        rows += static_cast<int>(page.size());
    }
    check(rows == total_rows, "next_page: 250 rows expected");

    // 3. all(): fetches every page (up to max_rows rows) and iterates over
    //    them as one sequence. Memory grows with the result.
    auto everything = co_await session.all(st, ac::no_row_limit);
    int expected = 0;
    for (auto row : everything) check(row.get<std::int32_t>(0) == expected++, "all(): rows out of order");
    check(everything.size() == total_rows, "all(): 250 rows expected");

    // With a cap, fetching stops early and says so.
    auto capped = co_await session.all(st, 150);
    check(capped.size() == 150 && capped.truncated(), "all(max_rows = 150) should stop at 150 and say truncated");

    std::cout << "paging: ok (" << total_rows << " rows each way)\n";
    co_await session.close();
    co_await cluster.close();
}

int main(int argc, char** argv) {
    return run_example("paging", run(argc > 1 ? argv[1] : "127.0.0.1", argc > 2 ? argv[2] : "examples"));
}
