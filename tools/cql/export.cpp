// Exports: a whole table streamed page by page (execute_stream), with a
// progress bar on stderr when it is a terminal. Memory stays at the
// stream's prefetch + 1 pages however large the table.
#include "event_loop.hpp"
#include "output.hpp"
#include "shell.hpp"

#include <async_cassandra/session.hpp>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <regex>
#include <sstream>

#include <unistd.h>

namespace cql_tool {

namespace ac = async_cassandra;

namespace {

// "\r 123456 rows  45678 rows/s  25 pages  3.2 s", redrawn at most ten
// times a second.
class progress_bar {
public:
    explicit progress_bar(bool enabled) : enabled_(enabled) {}

    void update(const ac::stream_progress& p, bool final = false) {
        if (!enabled_) return;
        const auto now = clock::now();
        if (!final && now - last_ < std::chrono::milliseconds(100)) return;
        last_ = now;
        const double secs = std::chrono::duration<double>(now - start_).count();
        // A rate over the first instants would be noise.
        const double rate = secs >= 0.5 ? static_cast<double>(p.rows) / secs : 0.0;
        std::fprintf(stderr, "\r %zu rows  %.0f rows/s  %zu pages  %.1f s ", p.rows, rate, p.pages, secs);
        if (final) std::fputc('\n', stderr);
        std::fflush(stderr);
    }

private:
    using clock = std::chrono::steady_clock;
    bool enabled_;
    clock::time_point start_ = clock::now();
    clock::time_point last_{};
};

std::string select_for(const std::string& table, const std::vector<std::string>& columns) {
    std::string cols;
    for (const auto& c : columns) cols += (cols.empty() ? "" : ", ") + c;
    return "SELECT " + (cols.empty() ? std::string("*") : cols) + " FROM " + table;
}

}  // namespace

std::size_t shell::export_rows(const std::string& table, const std::vector<std::string>& columns, output_format f,
                               std::ostream& out) {
    ac::stream_config sc;
    sc.page_size = opts_.page_size.value_or(5000);
    sc.prefetch = 1;  // the next page is on the wire while this one is written
    if (opts_.timeout) sc.page_timeout = *opts_.timeout;
    auto stream = run_sync(io_, session_.execute_stream(select_for(table, columns), sc), watch());

    progress_bar bar(opts_.progress && ::isatty(STDERR_FILENO) == 1);
    const auto writer = make_writer(f, out);
    bool any = false;
    while (auto page = run_sync(io_, stream.next_page(), watch())) {
        writer->page(*page);
        any = true;
        if (!out) throw std::runtime_error(std::string("writing the output failed: ") + std::strerror(errno));
        bar.update(stream.progress());
        check_interrupt();
    }
    if (!any) {
        // An empty table: still a header (CSV) or an empty table.
        ac::result_set none = run_sync(io_, session_.execute(select_for(table, columns) + " LIMIT 0"));
        writer->page(none);
    }
    writer->finish();
    out.flush();
    if (!out) throw std::runtime_error(std::string("writing the output failed: ") + std::strerror(errno));
    bar.update(stream.progress(), true);
    return writer->rows();
}

int shell::run_export(const std::string& table) {
    try {
        export_rows(table, {}, opts_.effective_format(), out_);
        return 0;
    } catch (const std::exception& e) {
        report({}, error_text(e));
        return 1;
    }
}

void shell::run_copy(const std::string& text) {
    // COPY ks.table [(c1, c2)] TO 'file' [WITH FORMAT = csv|json]
    static const std::regex copy_re(
        R"(^\s*copy\s+([A-Za-z0-9_."]+)\s*(?:\(([^)]*)\))?\s*to\s+'((?:[^']|'')*)'\s*(?:with\s+format\s*=\s*'?(\w+)'?)?\s*$)",
        std::regex::icase);
    std::smatch m;
    if (!std::regex_match(text, m, copy_re))
        throw std::runtime_error("COPY: expected COPY ks.table [(c1, c2, ...)] TO 'file' [WITH FORMAT = csv|json]");
    std::vector<std::string> columns;
    std::stringstream cols(m[2].str());
    for (std::string c; std::getline(cols, c, ',');) {
        c.erase(0, c.find_first_not_of(" \t\n"));
        c.erase(c.find_last_not_of(" \t\n") + 1);
        if (c.empty()) throw std::runtime_error("COPY: empty column name in (" + m[2].str() + ")");
        columns.push_back(c);
    }
    const std::string file = std::regex_replace(m[3].str(), std::regex("''"), "'");
    const output_format f = m[4].matched ? parse_format(m[4].str()) : output_format::csv;
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    if (!out) throw std::runtime_error("COPY: cannot open '" + file + "': " + std::strerror(errno));
    const std::size_t rows = export_rows(m[1].str(), columns, f, out);
    std::cerr << rows << " rows exported to '" << file << "'\n";
}

}  // namespace cql_tool
