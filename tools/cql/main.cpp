// cql: an interactive and scripted CQL shell on the public async_cassandra API.
#include "connect.hpp"
#include "options.hpp"
#include "shell.hpp"

#include <async_cassandra/version.hpp>

#include <asio/io_context.hpp>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>

#include <unistd.h>

namespace {

int run(const cql_tool::shell_options& opts) {
    using namespace cql_tool;
    // Open files first: a missing script fails before any connection.
    std::ifstream script;
    if (!opts.file.empty() && opts.file != "-") {
        script.open(opts.file);
        if (!script) {
            std::cerr << "cql: cannot read '" << opts.file << "': " << std::strerror(errno) << '\n';
            return 1;
        }
    }
    std::ofstream file_out;
    if (!opts.output.empty()) {
        file_out.open(opts.output, std::ios::binary | std::ios::trunc);
        if (!file_out) {
            std::cerr << "cql: cannot write '" << opts.output << "': " << std::strerror(errno) << '\n';
            return 1;
        }
    }
    std::ostream& out = opts.output.empty() ? std::cout : file_out;

    asio::io_context io;
    shell sh(io, opts, out);
    try {
        sh.connect();
    } catch (const usage_error&) {
        throw;
    } catch (const std::exception& e) {
        std::cerr << "error: " << error_text(e) << '\n';
        return 1;
    }
    int status = 0;
    if (!opts.export_table.empty()) {
        status = sh.run_export(opts.export_table);
    } else if (!opts.execute.empty()) {
        for (const auto& text : opts.execute) {
            status = sh.run_text(text);
            if (status != 0 && !opts.continue_on_error) break;
        }
    } else if (!opts.file.empty()) {
        status = opts.file == "-" ? sh.run_script(std::cin, "<stdin>") : sh.run_script(script, opts.file);
    } else if (::isatty(STDIN_FILENO) == 1) {
        status = sh.run_interactive();
    } else {
        status = sh.run_script(std::cin, "<stdin>");
    }
    sh.close();
    return status;
}

}  // namespace

int main(int argc, char** argv) {
    std::ios::sync_with_stdio(false);  // results go through a buffered stream
    try {
        const auto opts = cql_tool::parse_options(std::vector<std::string>(argv + 1, argv + argc));
        if (opts.help) {
            std::cout << cql_tool::usage_text();
            return 0;
        }
        if (opts.version) {
            std::cout << "cql " << async_cassandra::version_string << '\n';
            return 0;
        }
        cql_tool::make_cluster_config(opts);  // bad security options are usage errors, before connecting
        return run(opts);
    } catch (const cql_tool::usage_error& e) {
        std::cerr << "cql: " << e.what() << "\nTry 'cql --help'.\n";
        return 2;
    } catch (const std::exception& e) {
        std::cerr << "cql: " << e.what() << '\n';
        return 1;
    }
}
