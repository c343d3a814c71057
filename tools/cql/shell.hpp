// The shell: one connection, statements run one at a time, results written
// page by page. Synchronous between requests (see event_loop.hpp).
#pragma once

#include "event_loop.hpp"
#include "options.hpp"

#include <async_cassandra/cluster.hpp>

#include <asio/io_context.hpp>

#include <exception>
#include <istream>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace cql_tool {

enum class outcome { ok, failed, exit };

// "[Invalid query] unconfigured table foo (127.0.0.1:9042)": the error's
// kind, the server's (or client's) message and the host it concerns.
std::string error_text(const std::exception& e);

class shell {
public:
    // `out` receives results and must outlive the shell.
    shell(asio::io_context& io, shell_options opts, std::ostream& out);

    // Connects and opens the session (in --keyspace). Throws async_cassandra::error.
    void connect();
    // Closes session and cluster, ignoring errors of a connection already gone.
    void close() noexcept;

    // Runs one statement or shell command (USE, COPY, HELP, EXIT) and writes
    // its rows. Errors go to stderr as "WHERE: error: ..." (or "error: ...").
    outcome run_statement(const std::string& text, const std::string& where = {});
    // -e: every statement of `text`; stops at the first error unless
    // --continue-on-error. Returns the exit status.
    int run_text(const std::string& text);
    // -f: as run_text, errors located as "NAME:LINE".
    int run_script(std::istream& in, const std::string& name);
    // The interactive shell with line editing and history (interactive.cpp).
    int run_interactive();
    // --export: streams every row of `table` to `out` (export.cpp).
    int run_export(const std::string& table);

private:
    void run_select(const std::string& text);
    void use_keyspace(const std::string& keyspace);
    // COPY ks.table [(c1, ...)] TO 'file' [WITH FORMAT = csv|json]
    void run_copy(const std::string& text);
    // Streams SELECT cols FROM table to `out` with a progress bar when
    // stderr is a terminal; returns the rows written.
    std::size_t export_rows(const std::string& table, const std::vector<std::string>& columns, output_format f,
                            std::ostream& out);
    // Interactive table output: asks before each further page.
    bool want_next_page();
    // Interactive only: Ctrl-C cancels the statement (see interrupt_watch).
    interrupt_watch* watch() noexcept { return interrupt_ ? &*interrupt_ : nullptr; }
    // Throws "cancelled" when Ctrl-C came while pages were being written.
    void check_interrupt() const;
    void report(const std::string& where, const std::string& message) const;

    asio::io_context& io_;
    shell_options opts_;
    std::ostream& out_;
    async_cassandra::cluster cluster_;
    async_cassandra::session session_;
    std::string keyspace_;
    bool interactive_ = false;  // pages on request
    std::optional<interrupt_watch> interrupt_;
};

}  // namespace cql_tool
