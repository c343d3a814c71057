#include "options.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <limits>

namespace cql_tool {

namespace ac = async_cassandra;

namespace {

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

template <class I>
I parse_int(const std::string& option, const std::string& text, I lo, I hi) {
    I v{};
    const auto r = std::from_chars(text.data(), text.data() + text.size(), v);
    if (r.ec != std::errc() || r.ptr != text.data() + text.size() || v < lo || v > hi)
        throw usage_error(option + ": expected an integer from " + std::to_string(lo) + " to " + std::to_string(hi) +
                          ", got '" + text + "'");
    return v;
}

std::vector<std::string> split_hosts(const std::string& text) {
    std::vector<std::string> hosts;
    std::size_t start = 0;
    while (start <= text.size()) {
        const std::size_t comma = std::min(text.find(',', start), text.size());
        std::string h = text.substr(start, comma - start);
        h.erase(0, h.find_first_not_of(' '));
        h.erase(h.find_last_not_of(' ') + 1);
        if (h.empty()) throw usage_error("--hosts: empty host name in '" + text + "'");
        hosts.push_back(std::move(h));
        start = comma + 1;
    }
    return hosts;
}

}  // namespace

std::chrono::milliseconds parse_duration(const std::string& option, const std::string& text) {
    std::int64_t n = 0;
    const auto r = std::from_chars(text.data(), text.data() + text.size(), n);
    const std::string unit(r.ptr, text.data() + text.size());
    std::int64_t scale = 0;
    if (unit.empty() || unit == "s") scale = 1000;
    if (unit == "ms") scale = 1;
    if (unit == "m") scale = 60'000;
    if (r.ec != std::errc() || r.ptr == text.data() || scale == 0 || n <= 0 || n > 86'400'000 / scale)
        throw usage_error(
            option + ": expected a positive duration such as 10, 10s, 500ms or 2m (at most a day), got '" + text + "'");
    return std::chrono::milliseconds(n * scale);
}

ac::consistency parse_consistency(const std::string& text) {
    static const std::pair<const char*, ac::consistency> names[] = {
        {"any", ac::consistency::any},
        {"one", ac::consistency::one},
        {"two", ac::consistency::two},
        {"three", ac::consistency::three},
        {"quorum", ac::consistency::quorum},
        {"all", ac::consistency::all},
        {"local_quorum", ac::consistency::local_quorum},
        {"each_quorum", ac::consistency::each_quorum},
        {"serial", ac::consistency::serial},
        {"local_serial", ac::consistency::local_serial},
        {"local_one", ac::consistency::local_one},
    };
    const std::string l = lower(text);
    for (const auto& [name, c] : names)
        if (l == name) return c;
    throw usage_error("--consistency: unknown level '" + text +
                      "' (any, one, two, three, quorum, all, local_quorum, each_quorum, serial, local_serial, "
                      "local_one)");
}

output_format parse_format(const std::string& text) {
    const std::string l = lower(text);
    if (l == "table") return output_format::table;
    if (l == "csv") return output_format::csv;
    if (l == "json") return output_format::json;
    throw usage_error("--format: expected table, csv or json, got '" + text + "'");
}

shell_options parse_options(const std::vector<std::string>& args) {
    shell_options o;
    for (std::size_t i = 0; i < args.size(); ++i) {
        std::string name = args[i];
        try {
            tools::security_args::refuse_password(name);
        } catch (const std::invalid_argument& e) {
            throw usage_error(e.what());
        }
        std::optional<std::string> inline_value;
        if (name.starts_with("--")) {
            if (const auto eq = name.find('='); eq != std::string::npos) {
                inline_value = name.substr(eq + 1);
                name.resize(eq);
            }
        }
        // The option's value: after '=' or the next argument.
        const auto value = [&]() -> std::string {
            if (inline_value) return *inline_value;
            if (i + 1 >= args.size()) throw usage_error(name + ": missing value");
            return args[++i];
        };
        const auto flag = [&]() {
            if (inline_value) throw usage_error(name + ": takes no value");
        };

        if (name == "-h" || name == "--help") {
            flag();
            o.help = true;
        } else if (name == "--version") {
            flag();
            o.version = true;
        } else if (name == "--hosts") {
            o.hosts = split_hosts(value());
        } else if (name == "--port") {
            o.port = parse_int<std::uint16_t>(name, value(), 1, 65535);
        } else if (name == "-k" || name == "--keyspace") {
            o.keyspace = value();
        } else if (name == "--protocol") {
            o.protocol = parse_int<int>(name, value(), 4, 5);
        } else if (name == "--consistency") {
            o.consistency = parse_consistency(value());
        } else if (name == "--page-size") {
            o.page_size = parse_int<std::int32_t>(name, value(), 1, std::numeric_limits<std::int32_t>::max());
        } else if (name == "--timeout") {
            o.timeout = parse_duration(name, value());
        } else if (name == "--format") {
            o.format = parse_format(value());
        } else if (name == "-e" || name == "--execute") {
            o.execute.push_back(value());
        } else if (name == "-f" || name == "--file") {
            if (!o.file.empty()) throw usage_error(name + ": given twice");
            o.file = value();
            if (o.file.empty()) throw usage_error(name + ": empty file name");
        } else if (name == "--export") {
            o.export_table = value();
            // Names only: the text goes into SELECT * FROM <it>.
            if (o.export_table.empty() ||
                o.export_table.find_first_not_of(
                    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.\"") != std::string::npos)
                throw usage_error("--export: expected KEYSPACE.TABLE, got '" + o.export_table + "'");
        } else if (name == "-o" || name == "--output") {
            o.output = value();
            if (o.output.empty()) throw usage_error(name + ": empty file name");
        } else if (name == "--continue-on-error") {
            flag();
            o.continue_on_error = true;
        } else if (name == "--no-progress") {
            flag();
            o.progress = false;
        } else if (const auto* sec = tools::security_args::find(name)) {
            std::string v;
            if (sec->takes_value) {
                v = value();
            } else {
                flag();
            }
            try {
                o.security.set(name, v);
            } catch (const std::invalid_argument& e) {
                throw usage_error(e.what());
            }
        } else if (name.starts_with("-")) {
            throw usage_error("unknown option '" + name + "'");
        } else {
            throw usage_error("unexpected argument '" + name + "' (statements go with -e)");
        }
    }
    const int modes = (o.execute.empty() ? 0 : 1) + (o.file.empty() ? 0 : 1) + (o.export_table.empty() ? 0 : 1);
    if (modes > 1) throw usage_error("-e, -f and --export exclude each other");
    return o;
}

std::string usage_text() {
    return R"usage(Usage: cql [OPTIONS]                   interactive shell (statements end with ';')
       cql [OPTIONS] -e "STATEMENTS"    run statements and exit
       cql [OPTIONS] -f FILE            run a script ('-' reads standard input)
       cql [OPTIONS] --export KS.TABLE  stream a whole table out (CSV unless --format says otherwise)

Connection:
  --hosts H1,H2,...     contact points (default 127.0.0.1)
  --port N              native protocol port (default 9042)
  -k, --keyspace KS     keyspace of the session
  --protocol 4|5        highest protocol version to offer (default 5, falls back to 4)
  --consistency LEVEL   one, quorum, local_one (default), all, ...
  --page-size N         rows per page (default 100 for tables, 5000 for csv, json and exports)
  --timeout T           per-request timeout: 10 (seconds), 10s, 500ms, 2m (default 12s)
)usage" + std::string(tools::security_args::usage) +
           R"usage(
Output:
  --format table|csv|json  aligned table with a "(N rows)" footer, CSV (RFC 4180), or JSON lines
  -o, --output FILE     write results there instead of standard output
  --no-progress         no progress bar for --export (shown only when stderr is a terminal)

Scripts:
  --continue-on-error   with -e or -f, run the remaining statements after an error (exit status still 1)

Shell commands (interactive and scripts):
  USE ks;                                  switch keyspace
  COPY ks.table [(c1, c2)] TO 'file' [WITH FORMAT = csv|json];
  HELP; EXIT; QUIT;

Exit status: 0 success, 1 a statement or the connection failed, 2 bad command line.
)usage";
}

}  // namespace cql_tool
