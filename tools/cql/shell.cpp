#include "shell.hpp"

#include "connect.hpp"
#include "output.hpp"
#include "splitter.hpp"

#include <async_cassandra/error.hpp>
#include <async_cassandra/value_error.hpp>

#include <asio/error.hpp>

#include <cctype>
#include <iostream>
#include <sstream>
#include <utility>

namespace cql_tool {

namespace ac = async_cassandra;

std::string error_text(const std::exception& e) {
    const auto* sys = dynamic_cast<const std::system_error*>(&e);
    if (sys && sys->code() == asio::error::operation_aborted) return "cancelled";  // Ctrl-C in the shell
    const auto* err = dynamic_cast<const ac::error*>(&e);
    if (!err) return e.what();
    std::string kind = err->code().message();
    if (!kind.empty()) kind[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(kind[0])));
    const auto& d = err->diag();
    std::string text = "[" + kind + "] " + (d.message().empty() ? err->code().message() : d.message());
    if (!d.host().empty() && d.message().find(d.host()) == std::string::npos) text += " (" + d.host() + ")";
    return text;
}

namespace {
// The statement's first word, upper-cased ("SELECT", "USE", ...).
std::string first_word(const std::string& text) {
    std::string w;
    for (char c : text) {
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') break;  // "exit_log" is no EXIT
        w += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
    return w;
}
}  // namespace

shell::shell(asio::io_context& io, shell_options opts, std::ostream& out)
    : io_(io), opts_(std::move(opts)), out_(out), keyspace_(opts_.keyspace) {}

void shell::connect() {
    const ac::cluster_config cfg = make_cluster_config(opts_);
    cluster_ = run_sync(io_, ac::cluster::connect(cfg));
    session_ = run_sync(io_, cluster_.open_session(opts_.keyspace));
}

void shell::close() noexcept {
    try {
        run_sync(io_, session_.close());
        run_sync(io_, cluster_.close());
    } catch (const std::exception&) {
        // The connection is already gone: nothing left to close.
    }
}

void shell::report(const std::string& where, const std::string& message) const {
    out_.flush();  // keep results and errors in order on a shared terminal
    std::cerr << (where.empty() ? "" : where + ": ") << "error: " << message << std::endl;
}

void shell::check_interrupt() const {
    if (interrupt_ && interrupt_->requested()) throw std::system_error(asio::error::operation_aborted);
}

outcome shell::run_statement(const std::string& text, const std::string& where) {
    if (interrupt_) interrupt_->clear();  // a Ctrl-C before this statement is not for it
    const std::string word = first_word(text);
    try {
        if (word == "EXIT" || word == "QUIT") return outcome::exit;
        if (word == "HELP") {
            out_ << usage_text() << std::flush;
        } else if (word == "COPY") {
            run_copy(text);
        } else {
            run_select(text);
        }
        return outcome::ok;
    } catch (const std::exception& e) {
        report(where, error_text(e));
        return outcome::failed;
    }
}

void shell::run_select(const std::string& text) {
    const ac::statement st(text);
    auto rs = run_sync(io_, session_.execute(st), watch());
    for (const auto& w : rs.warnings()) std::cerr << "warning: " << w << '\n';
    if (rs.kind() == ac::result_kind::set_keyspace) {
        use_keyspace(rs.keyspace());
        return;
    }
    if (rs.kind() != ac::result_kind::rows) return;
    // One page in memory at a time: each is written before the next is asked for.
    const auto writer = make_writer(opts_.effective_format(), out_);
    for (;;) {
        writer->page(rs);
        out_.flush();
        if (!out_) throw std::runtime_error("writing the output failed");
        check_interrupt();
        if (!rs.has_more_pages() || !want_next_page()) break;
        rs = run_sync(io_, session_.next_page(st, rs), watch());
    }
    writer->finish();
    out_.flush();
}

// The server accepted USE on one connection; the session carries the
// keyspace for every later request, so a new session takes over.
void shell::use_keyspace(const std::string& keyspace) {
    auto next = run_sync(io_, cluster_.open_session(keyspace));
    auto old = std::exchange(session_, std::move(next));
    run_sync(io_, old.close());
    keyspace_ = keyspace;
}

int shell::run_text(const std::string& text) {
    int status = 0;
    for (const auto& st : split_statements(text)) {
        const auto r = run_statement(st.text);
        if (r == outcome::exit) break;
        if (r == outcome::failed) {
            status = 1;
            if (!opts_.continue_on_error) break;
        }
    }
    return status;
}

int shell::run_script(std::istream& in, const std::string& name) {
    // Line by line: a large script is never held whole, and each statement
    // runs as soon as its ';' is read.
    statement_splitter splitter;
    std::vector<split_statement> ready;
    std::string line;
    int status = 0;
    bool more = true;
    while (more) {
        if (std::getline(in, line)) {
            line += '\n';
            splitter.feed(line, ready);
        } else {
            more = false;
            if (in.bad()) {
                report(name, "reading failed");
                return 1;
            }
            if (auto last = splitter.finish()) ready.push_back(std::move(*last));
        }
        for (const auto& st : ready) {
            const auto r = run_statement(st.text, name + ":" + std::to_string(st.line));
            if (r == outcome::exit) return status;
            if (r == outcome::failed) {
                status = 1;
                if (!opts_.continue_on_error) return status;
            }
        }
        ready.clear();
    }
    return status;
}

}  // namespace cql_tool
