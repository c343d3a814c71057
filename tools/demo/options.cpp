#include "options.hpp"

#include <number_arg.hpp>

#include <algorithm>
#include <charconv>
#include <iterator>
#include <limits>
#include <string_view>

namespace demo {
namespace {

constexpr const char* usage =
    "usage: demo [options]\n"
    "Loads rows into a Cassandra table at high concurrency, streams them back,\n"
    "checks them, and prints throughput, latency percentiles and metrics.\n"
    "\n"
    "  --host H          node to connect to (127.0.0.1)\n"
    "  --port P          its CQL port (9042)\n"
    "  --rows N          rows to write and read back (1000000)\n"
    "  --concurrency N   INSERTs in flight at once, 1..32768 (512)\n"
    "  --page-size N     rows per page when streaming back (5000)\n"
    "  --keyspace K      keyspace to use; its table `rows` is replaced (async_cassandra_demo)\n"
    "  --keep            keep the table afterwards (default: drop it)\n"
    "  --no-prometheus   do not print the Prometheus metrics snapshot\n"
    "  --progress bar|lines  progress display (default: bar when stderr is a terminal)\n"
    "  --help\n";

using tools::number;

bool valid_identifier(std::string_view s) {
    if (s.empty() || s.size() > 48) return false;
    for (char c : s)
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
    return s.front() >= 'a' && s.front() <= 'z';
}

}  // namespace

parse_result parse(std::span<char* const> args) {
    parse_result r;
    auto fail = [&](std::string msg) {
        r.message = "demo: " + msg + "\n" + usage;
        return r;
    };
    for (std::size_t i = 0; i < args.size(); ++i) {
        std::string_view arg = args[i];
        if (arg == "--help" || arg == "-h") {
            r.message = usage;
            r.help = true;
            return r;
        }
        if (arg == "--keep") {
            r.opts.keep = true;
            continue;
        }
        if (arg == "--no-prometheus") {
            r.opts.prometheus = false;
            continue;
        }
        // The rest take a value: "--name value" or "--name=value".
        std::string_view value;
        const auto eq = arg.find('=');
        if (eq != std::string_view::npos) {
            value = arg.substr(eq + 1);
            arg = arg.substr(0, eq);
        }
        constexpr std::string_view with_value[] = {"--host",      "--port",     "--rows",    "--concurrency",
                                                   "--page-size", "--keyspace", "--progress"};
        if (std::find(std::begin(with_value), std::end(with_value), arg) == std::end(with_value))
            return fail("unknown option " + std::string(arg));
        if (eq == std::string_view::npos) {
            if (i + 1 == args.size()) return fail("option " + std::string(arg) + " needs a value");
            value = args[++i];
        }
        if (arg == "--host") {
            if (value.empty()) return fail("--host needs a host name or address");
            r.opts.host = value;
        } else if (arg == "--port") {
            auto n = number(value, 1, 65535);
            if (!n) return fail("--port wants a port number 1..65535, not '" + std::string(value) + "'");
            r.opts.port = static_cast<std::uint16_t>(*n);
        } else if (arg == "--rows") {
            auto n = number(value, 1, 1'000'000'000);
            if (!n) return fail("--rows wants a number of rows 1..1000000000, not '" + std::string(value) + "'");
            r.opts.rows = *n;
        } else if (arg == "--concurrency") {
            auto n = number(value, 1, 32768);
            if (!n) return fail("--concurrency wants 1..32768, not '" + std::string(value) + "'");
            r.opts.concurrency = static_cast<std::size_t>(*n);
        } else if (arg == "--page-size") {
            auto n = number(value, 1, std::numeric_limits<std::int32_t>::max());
            if (!n) return fail("--page-size wants a positive number, not '" + std::string(value) + "'");
            r.opts.page_size = static_cast<std::int32_t>(*n);
        } else if (arg == "--keyspace") {
            if (!valid_identifier(value))
                return fail("--keyspace wants a lower-case CQL identifier ([a-z][a-z0-9_]*, at most 48), not '" +
                            std::string(value) + "'");
            r.opts.keyspace = value;
        } else if (arg == "--progress") {
            if (value != "bar" && value != "lines")
                return fail("--progress wants bar or lines, not '" + std::string(value) + "'");
            r.opts.progress_tty = value == "bar";
        }
    }
    return r;
}

}  // namespace demo
