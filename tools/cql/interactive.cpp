// The interactive shell: line editing and history through libedit (BSD
// licence; GNU readline's GPL would extend to the binary), statements over
// several lines until ';'.
#include "event_loop.hpp"
#include "shell.hpp"
#include "splitter.hpp"

#include <async_cassandra/session.hpp>

#include <cctype>
#include <csignal>
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

volatile std::sig_atomic_t got_sigint = 0;
extern "C" void on_interrupt(int) { got_sigint = 1; }

// While the shell waits for a line, Ctrl-C discards the line being typed
// instead of ending the process (statements cancel on it: see run_sync).
class interrupt_guard {
public:
    interrupt_guard() {
        struct sigaction sa {};
        sa.sa_handler = &on_interrupt;
        sigemptyset(&sa.sa_mask);
        sa.sa_flags = 0;  // no SA_RESTART: the terminal read returns
        sigaction(SIGINT, &sa, &old_);
    }
    ~interrupt_guard() { sigaction(SIGINT, &old_, nullptr); }
    interrupt_guard(const interrupt_guard&) = delete;
    interrupt_guard& operator=(const interrupt_guard&) = delete;

private:
    struct sigaction old_ {};
};

enum class read_status { line, interrupted, end };

// One line from the terminal, without its newline.
read_status read_line(const std::string& prompt, std::string& line) {
    std::cout.flush();  // results before the prompt
    got_sigint = 0;
    const interrupt_guard guard;
    const std::unique_ptr<char, decltype(&std::free)> text(readline(prompt.c_str()), &std::free);
    if (got_sigint) return read_status::interrupted;
    if (!text) return read_status::end;
    line = text.get();
    return read_status::line;
}

// Saved at once, whatever ends the shell later.
void remember(const std::string& entry, const std::string& history) {
    add_history(entry.c_str());
    if (!history.empty()) write_history(history.c_str());
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
    std::string answer;
    if (read_line("---MORE--- (Enter: next page, q: stop) ", answer) != read_status::line) return false;
    return answer.empty() || answer[0] != 'q';
}

int shell::run_interactive() {
    interactive_ = true;
    interrupt_.emplace(io_);
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
        const std::string prompt = splitter.pending()  ? "   ...> "
                                   : keyspace_.empty() ? "cql> "
                                                       : "cql:" + keyspace_ + "> ";
        std::string line;
        const auto status = read_line(prompt, line);
        if (status == read_status::end) {
            std::cout << '\n';
            break;
        }
        if (status == read_status::interrupted) {
            std::cout << "^C\n";
            splitter.reset();
            entry.clear();
            continue;
        }
        if (!splitter.pending() && is_bare_command(line)) {
            remember(line, history);
            done = run_statement(line) == outcome::exit;
            continue;
        }
        if (!entry.empty()) entry += ' ';
        entry += line;
        splitter.feed(line + "\n", ready);
        if (!splitter.pending() && !entry.empty()) {
            if (entry.find_first_not_of(" \t") != std::string::npos) remember(entry, history);
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
    interrupt_.reset();  // SIGINT's default action again
    return 0;
}

}  // namespace cql_tool
