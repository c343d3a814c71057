#include "options.hpp"

#include <number_arg.hpp>

#include <charconv>
#include <cstdlib>
#include <optional>
#include <sstream>
#include <string_view>

namespace soak {
namespace {

constexpr const char* usage =
    "usage: soak --hosts A,B,C --cassandra-script PATH [options]\n"
    "A chaos soak against a 3-node cluster run by scripts/cassandra: a mixed\n"
    "workload at a fixed rate while nodes are killed (-9), restarted, paused\n"
    "and resumed; samples every 10 s; reads back every acknowledged write at\n"
    "QUORUM; exits 1 if a pass criterion fails (docs/reliability.md).\n"
    "\n"
    "  --hosts A,B,C          the nodes, in scripts/cassandra's order (default: $AC_CLUSTER_HOSTS)\n"
    "  --cassandra-script P   scripts/cassandra, with its environment set for the cluster\n"
    "  --minutes N            whole run, warm-up and cool-down included (3)\n"
    "  --seconds N            the same in seconds (for short runs)\n"
    "  --warm-up N            seconds before the first chaos event (30)\n"
    "  --cool-down N          seconds after the last one (30)\n"
    "  --rate N               requests started per second (300)\n"
    "  --write-percent N      writes among them, the rest reads (70)\n"
    "  --keyspace K           keyspace (replication factor 3); its table kv is replaced (ac_soak)\n";

using tools::number;

std::vector<std::string> split_hosts(std::string_view s) {
    std::vector<std::string> out;
    std::stringstream ss{std::string(s)};
    for (std::string h; std::getline(ss, h, ',');)
        if (!h.empty()) out.push_back(h);
    return out;
}

}  // namespace

parse_result parse(std::span<char* const> args) {
    parse_result r;
    auto fail = [&](const std::string& msg) {
        r.message = "soak: " + msg + "\n" + usage;
        return r;
    };
    if (const char* env = std::getenv("AC_CLUSTER_HOSTS")) r.opts.hosts = split_hosts(env);
    for (std::size_t i = 0; i < args.size(); ++i) {
        std::string_view arg = args[i];
        if (arg == "--help" || arg == "-h") {
            r.message = usage;
            r.help = true;
            return r;
        }
        if (i + 1 == args.size()) return fail("option " + std::string(arg) + " needs a value (or is unknown)");
        const std::string_view value = args[++i];
        auto num = [&](std::uint64_t lo, std::uint64_t hi) { return number(value, lo, hi); };
        std::optional<std::uint64_t> n;
        if (arg == "--hosts") {
            r.opts.hosts = split_hosts(value);
        } else if (arg == "--cassandra-script") {
            r.opts.cassandra_script = value;
        } else if (arg == "--keyspace") {
            r.opts.keyspace = value;
        } else if (arg == "--minutes" && (n = num(1, 24 * 60))) {
            r.opts.duration = std::chrono::minutes(*n);
        } else if (arg == "--seconds" && (n = num(30, 24 * 3600))) {
            r.opts.duration = std::chrono::seconds(*n);
        } else if (arg == "--warm-up" && (n = num(10, 3600))) {
            r.opts.warm_up = std::chrono::seconds(*n);
        } else if (arg == "--cool-down" && (n = num(10, 3600))) {
            r.opts.cool_down = std::chrono::seconds(*n);
        } else if (arg == "--rate" && (n = num(10, 100000))) {
            r.opts.rate = *n;
        } else if (arg == "--write-percent" && (n = num(1, 100))) {
            r.opts.write_percent = static_cast<unsigned>(*n);
        } else {
            return fail("bad option or value: " + std::string(arg) + " " + std::string(value));
        }
    }
    if (r.opts.hosts.size() != 3) return fail("--hosts must name the 3 nodes");
    if (r.opts.cassandra_script.empty()) return fail("--cassandra-script is required");
    if (r.opts.duration < r.opts.warm_up + r.opts.cool_down + std::chrono::seconds(30))
        return fail("the run must leave at least 30 s of chaos between warm-up and cool-down");
    return r;
}

}  // namespace soak
