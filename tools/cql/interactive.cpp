// The interactive shell: line editing and history through libedit (BSD
// licence; GNU readline's GPL would extend to the binary), statements over
// several lines until ';'.
#include "event_loop.hpp"
#include "shell.hpp"
#include "splitter.hpp"

#include <async_cassandra/session.hpp>

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <optional>
#include <string>

#include <unistd.h>

// libedit's readline-compatible interface.
#include <editline/readline.h>

namespace cql_tool {

namespace ac = async_cassandra;

namespace {

std::string history_path() {
    const char* home = std::getenv("HOME");
    return home && *home ? std::string(home) + "/.cql_history" : std::string();
}

// One line from the terminal, without its newline; nullopt at end of input.
std::optional<std::string> read_line(const std::string& prompt) {
    std::cout.flush();  // results before the prompt
    const std::unique_ptr<char, decltype(&std::free)> line(readline(prompt.c_str()), &std::free);
    if (!line) return std::nullopt;
    return std::string(line.get());
}

// EXIT, QUIT and HELP work without a ';' when they stand alone on a line.
bool is_bare_command(const std::string& line) {
    std::string w;
    for (char c : line)
        if (c != ' ' && c != '\t' && c != ';') w += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return w == "EXIT" || w == "QUIT" || w == "HELP";
}

}  // namespace

bool shell::want_next_page() {
    // Only a person reading a table on the terminal wants to be asked.
    if (!interactive_ || opts_.effective_format() != output_format::table || !opts_.output.empty() ||
        ::isatty(STDOUT_FILENO) != 1)
        return true;
    const auto answer = read_line("---MORE--- (Enter: next page, q: stop) ");
    return answer && (answer->empty() || (*answer)[0] != 'q');
}

int shell::run_interactive() {
    interactive_ = true;
    try {
        const auto rs = run_sync(io_, session_.execute("SELECT release_version FROM system.local"));
        std::cout << "Connected to " << opts_.hosts.front() << ':' << opts_.port << " (Cassandra "
                  << rs.first_row().get<std::string_view>(0) << ", protocol v" << cluster_.protocol_version()
                  << ").\nStatements end with ';'. HELP for help, EXIT or Ctrl-D to quit.\n";
    } catch (const std::exception& e) {
        report({}, error_text(e));
    }

    const std::string history = history_path();
    using_history();
    stifle_history(2000);
    if (!history.empty()) read_history(history.c_str());  // absent on first use: fine

    statement_splitter splitter;
    std::string entry;  // the lines of the statement being typed, for history
    std::vector<split_statement> ready;
    bool done = false;
    while (!done) {
        const std::string prompt =
            splitter.pending() ? "   ...> " : keyspace_.empty() ? "cql> " : "cql:" + keyspace_ + "> ";
        const auto line = read_line(prompt);
        if (!line) {
            std::cout << '\n';
            break;
        }
        if (!splitter.pending() && is_bare_command(*line)) {
            add_history(line->c_str());
            done = run_statement(*line) == outcome::exit;
            continue;
        }
        if (!entry.empty()) entry += ' ';
        entry += *line;
        splitter.feed(*line + "\n", ready);
        if (!splitter.pending() && !entry.empty()) {
            if (entry.find_first_not_of(" \t") != std::string::npos) add_history(entry.c_str());
            entry.clear();
        }
        for (const auto& st : ready) {
            if (run_statement(st.text) == outcome::exit) {
                done = true;
                break;
            }
        }
        ready.clear();
    }
    if (!history.empty() && write_history(history.c_str()) != 0)
        std::cerr << "warning: could not write the history to " << history << '\n';
    return 0;
}

}  // namespace cql_tool
