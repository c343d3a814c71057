#include "options.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <functional>
#include <stdexcept>

namespace cqlbench {
namespace ac = async_cassandra;

const char* to_string(workload w) noexcept {
    switch (w) {
        case workload::insert: return "insert";
        case workload::select: return "select";
        case workload::mixed: return "mixed";
        case workload::scan: return "scan";
    }
    return "?";
}

namespace {

// A bad value: the parser prefixes the option's name.
struct bad_value : std::runtime_error {
    using std::runtime_error::runtime_error;
};

std::uint64_t to_u64(std::string_view v, std::uint64_t lo, std::uint64_t hi) {
    std::uint64_t out = 0;
    auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
    if (ec != std::errc{} || end != v.data() + v.size() || out < lo || out > hi)
        throw bad_value("expected an integer from " + std::to_string(lo) + " to " + std::to_string(hi) + ", got '" +
                        std::string(v) + "'");
    return out;
}

std::string show(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", v);
    return buf;
}

double to_double(std::string_view v, double lo, double hi) {
    // from_chars for double is in libstdc++ 11+.
    double out = 0;
    auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
    if (ec != std::errc{} || end != v.data() + v.size() || !std::isfinite(out) || out < lo || out > hi)
        throw bad_value("expected a number from " + show(lo) + " to " + show(hi) + ", got '" + std::string(v) + "'");
    return out;
}

// One of `names` (parallel to `values`), else an error listing them.
template <class T, std::size_t N>
T one_of(std::string_view v, const std::string_view (&names)[N], const T (&values)[N]) {
    std::string list;
    for (std::size_t i = 0; i < N; ++i) {
        if (names[i] == v) return values[i];
        list += (i ? "|" : "") + std::string(names[i]);
    }
    throw bad_value("expected " + list + ", got '" + std::string(v) + "'");
}

double seconds(std::string_view v) {
    // 30, 30s, 500ms, 2m
    double scale = 1;
    if (v.ends_with("ms")) {
        scale = 0.001;
        v.remove_suffix(2);
    } else if (v.ends_with("s")) {
        v.remove_suffix(1);
    } else if (v.ends_with("m")) {
        scale = 60;
        v.remove_suffix(1);
    }
    try {
        return to_double(v, 0, 1e7) * scale;
    } catch (const bad_value&) {
        throw bad_value("expected a duration like 30, 30s, 500ms or 2m, got '" + std::string(v) + "'");
    }
}

struct option_spec {
    std::string_view name;
    bool takes_value;
    std::function<void(options&, std::string_view)> apply;
};

// `own` followed by the security options every tool shares
// (tools::security_args), so that they are spelled as in cql.
std::vector<option_spec> with_security(std::vector<option_spec> own) {
    for (const auto& sec : tools::security_args::options)
        own.push_back(
            {sec.name, sec.takes_value, [name = sec.name, takes = sec.takes_value](options& o, std::string_view v) {
                 if (takes && v.empty()) throw bad_value("expected a value, got ''");
                 try {
                     o.security.set(name, v);
                 } catch (const std::invalid_argument& e) {
                     throw bad_value(e.what());
                 }
             }});
    return own;
}

// The table of options.
const std::vector<option_spec>& specs() {
    static const std::vector<option_spec> table = with_security({
        {"--workload", true,
         [](options& o, std::string_view v) {
             static constexpr std::string_view names[] = {"insert", "select", "mixed", "scan"};
             static constexpr workload values[] = {workload::insert, workload::select, workload::mixed, workload::scan};
             o.work = one_of(v, names, values);
         }},
        {"--hosts", true,
         [](options& o, std::string_view v) {
             o.hosts.clear();
             while (!v.empty()) {
                 auto comma = v.find(',');
                 auto host = v.substr(0, comma);
                 if (host.empty()) throw bad_value("expected host[,host...], got an empty host");
                 o.hosts.emplace_back(host);
                 v = comma == std::string_view::npos ? std::string_view{} : v.substr(comma + 1);
             }
             if (o.hosts.empty()) throw bad_value("expected host[,host...]");
         }},
        {"--port", true,
         [](options& o, std::string_view v) { o.port = static_cast<std::uint16_t>(to_u64(v, 1, 65535)); }},
        {"--protocol", true, [](options& o, std::string_view v) { o.protocol = static_cast<int>(to_u64(v, 4, 5)); }},
        {"--compression", true,
         [](options& o, std::string_view v) {
             static constexpr std::string_view names[] = {"none", "lz4", "snappy"};
             static constexpr ac::compression values[] = {ac::compression::none, ac::compression::lz4,
                                                          ac::compression::snappy};
             o.compression = one_of(v, names, values);
         }},
        {"--concurrency", true, [](options& o, std::string_view v) { o.concurrency = to_u64(v, 1, 32768); }},
        {"--threads", true, [](options& o, std::string_view v) { o.threads = to_u64(v, 1, 256); }},
        {"--connections", true, [](options& o, std::string_view v) { o.connections = to_u64(v, 1, 64); }},
        {"--rate", true, [](options& o, std::string_view v) { o.rate = to_double(v, 0, 1e9); }},
        {"--duration", true,
         [](options& o, std::string_view v) {
             o.duration_s = seconds(v);
             if (o.duration_s <= 0) throw bad_value("expected a duration above 0");
         }},
        {"--ops", true, [](options& o, std::string_view v) { o.ops = to_u64(v, 1, UINT64_MAX); }},
        {"--warmup", true, [](options& o, std::string_view v) { o.warmup_s = seconds(v); }},
        {"--keys", true, [](options& o, std::string_view v) { o.keys = to_u64(v, 1, UINT64_MAX); }},
        {"--dist", true,
         [](options& o, std::string_view v) {
             if (v == "uniform") {
                 o.dist = key_distribution::uniform;
             } else if (v == "seq") {
                 o.dist = key_distribution::seq;
             } else if (v == "zipf" || v.starts_with("zipf:")) {
                 o.dist = key_distribution::zipf;
                 try {
                     if (v.size() > 5) o.zipf_s = to_double(v.substr(5), 0.01, 10);
                 } catch (const bad_value& e) {
                     throw bad_value(std::string("zipf:<s> ") + e.what());
                 }
             } else {
                 throw bad_value("expected uniform, zipf, zipf:<s> (s from 0.01 to 10) or seq, got '" + std::string(v) +
                                 "'");
             }
         }},
        {"--row-size", true, [](options& o, std::string_view v) { o.row_size = to_u64(v, 0, 64 * 1024 * 1024); }},
        {"--mix", true,
         [](options& o, std::string_view v) {
             auto colon = v.find(':');
             if (colon == std::string_view::npos)
                 throw bad_value("expected read:write, e.g. 80:20, got '" + std::string(v) + "'");
             auto r = to_u64(v.substr(0, colon), 0, 1000000), w = to_u64(v.substr(colon + 1), 0, 1000000);
             if (r + w == 0) throw bad_value("expected read:write with a non-zero sum, got '" + std::string(v) + "'");
             o.read_percent = static_cast<unsigned>((r * 100 + (r + w) / 2) / (r + w));
             o.work = workload::mixed;
         }},
        {"--scan-rows", true, [](options& o, std::string_view v) { o.scan_rows = to_u64(v, 1, 1u << 30); }},
        {"--page-size", true,
         [](options& o, std::string_view v) { o.page_size = static_cast<std::int32_t>(to_u64(v, 1, 1u << 30)); }},
        {"--keyspace", true,
         [](options& o, std::string_view v) {
             if (v.empty() || v.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_") != std::string_view::npos)
                 throw bad_value("expected a name of lower-case letters, digits and _, got '" + std::string(v) + "'");
             o.keyspace = v;
         }},
        {"--table", true,
         [](options& o, std::string_view v) {
             if (v.empty() || v.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_") != std::string_view::npos)
                 throw bad_value("expected a name of lower-case letters, digits and _, got '" + std::string(v) + "'");
             o.table = v;
         }},
        {"--create", false, [](options& o, std::string_view) { o.create = true; }},
        {"--rf", true,
         [](options& o, std::string_view v) { o.replication_factor = static_cast<int>(to_u64(v, 1, 100)); }},
        {"--consistency", true,
         [](options& o, std::string_view v) {
             static constexpr std::string_view names[] = {"any", "one",          "two",         "three",    "quorum",
                                                          "all", "local_quorum", "each_quorum", "local_one"};
             static constexpr ac::consistency values[] = {
                 ac::consistency::any,          ac::consistency::one,         ac::consistency::two,
                 ac::consistency::three,        ac::consistency::quorum,      ac::consistency::all,
                 ac::consistency::local_quorum, ac::consistency::each_quorum, ac::consistency::local_one};
             o.consistency = one_of(v, names, values);
         }},
        {"--json", false, [](options& o, std::string_view) { o.json = true; }},
        {"--ceiling", false, [](options& o, std::string_view) { o.ceiling = true; }},
        {"--no-metrics", false, [](options& o, std::string_view) { o.metrics = false; }},
        {"--progress", false, [](options& o, std::string_view) { o.progress = true; }},
        {"--no-progress", false, [](options& o, std::string_view) { o.progress = false; }},
    });
    return table;
}

}  // namespace

parse_result parse_options(std::span<const std::string_view> args) {
    parse_result r;
    for (std::size_t i = 0; i < args.size(); ++i) {
        std::string_view arg = args[i];
        try {
            tools::security_args::refuse_password(arg);  // before --help, so it is never echoed as unknown
        } catch (const std::invalid_argument& e) {
            r.error = e.what();
            return r;
        }
        if (arg == "--help" || arg == "-h") {
            r.help = true;
            return r;
        }
        std::string_view value;
        bool inline_value = false;
        if (auto eq = arg.find('='); arg.starts_with("--") && eq != std::string_view::npos) {
            value = arg.substr(eq + 1);
            arg = arg.substr(0, eq);
            inline_value = true;
        }
        const option_spec* spec = nullptr;
        for (const auto& s : specs())
            if (s.name == arg) spec = &s;
        if (!spec) {
            r.error = "unknown option '" + std::string(args[i]) + "' (see --help)";
            return r;
        }
        if (spec->takes_value && !inline_value) {
            if (i + 1 >= args.size()) {
                r.error = std::string(arg) + ": missing value";
                return r;
            }
            value = args[++i];
        } else if (!spec->takes_value && inline_value) {
            r.error = std::string(arg) + ": takes no value";
            return r;
        }
        try {
            spec->apply(r.opts, value);
        } catch (const bad_value& e) {
            r.error = std::string(arg) + ": " + e.what();
            return r;
        }
    }
    const auto& o = r.opts;
    if (o.ceiling && o.work != workload::insert && o.work != workload::select)
        r.error = "--ceiling: measures insert or select only, not " + std::string(to_string(o.work));
    else if (o.ceiling && o.security.any())
        r.error = "--ceiling: a raw plaintext socket, without TLS or authentication";
    else if (o.protocol == 5 && o.compression == ac::compression::snappy)
        r.error = "--compression: snappy needs --protocol 4 (v5 compresses with lz4 only)";
    else if (o.dist == key_distribution::zipf && o.keys < 2)
        r.error = "--dist: zipf needs --keys 2 or more";
    return r;
}

std::string usage() {
    return R"(cqlbench: load generator and client-overhead benchmark for async-cassandra

usage: cqlbench [options]
  --workload insert|select|mixed|scan   what each op does (default insert)
                 insert: INSERT INTO <ks>.<table> (k, v) VALUES (?, ?)   (prepared)
                 select: SELECT k, v FROM <ks>.<table> WHERE k = ?         (prepared)
                 mixed:  select or insert per op, see --mix
                 scan:   a token range of ~--scan-rows rows, read with execute_stream
  --mix R:W                     mixed workload with R reads to W writes (e.g. 80:20)
  --hosts h1[,h2...]            contact points (default 127.0.0.1)
  --port N                      (default 9042)
  --protocol 4|5                highest protocol version to offer (default 5)
  --compression none|lz4|snappy (default none; snappy needs --protocol 4)
  --concurrency N               requests in flight (default 64)
  --threads N                   cluster_config::io_threads: the cluster's event-loop threads, the
                                workers spread over them (default 1: all on the bench's one thread)
  --connections N               connections per host (default 1)
  --rate OPS                    limit to OPS ops/s; latency counts from the scheduled start
  --duration T                  run for T (30, 30s, 500ms, 2m; default 10s) ...
  --ops N                       ... or for N ops
  --warmup T                    run T first without measuring
  --keys N                      key space 0..N-1 (default 100000)
  --dist uniform|zipf[:s]|seq   key distribution (zipf exponent s default 0.99; seq: 0,1,2,...)
  --row-size BYTES              size of the blob column v (default 100)
  --scan-rows N                 scan: average rows per range (default 100)
  --page-size N                 scan: rows per page (default 5000)
  --keyspace NAME --table NAME  (default cqlbench.kv)
  --create                      create the keyspace (SimpleStrategy, --rf N, default 1) and table
  --consistency one|quorum|local_one|local_quorum|all|any|two|three|each_quorum (default local_one)
  --json                        print one JSON object instead of the table
  --ceiling                     the wire limit: one raw socket sending pre-encoded EXECUTEs
                                (insert or select), no client library
  --no-metrics                  the client with cluster_config::metrics = false (their cost)
  --progress / --no-progress    a progress line on stderr each second (default: when stderr is a tty)

TLS and authentication (the same options as cql):
)" + std::string(tools::security_args::usage);
}

}  // namespace cqlbench
