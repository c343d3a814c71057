#include "report.hpp"

#include <cstdio>

namespace cqlbench {

std::string json_quote(const std::string& s) {
    std::string out = "\"";
    for (char c : s) {
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (static_cast<unsigned char>(c) < 0x20) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(c));
            out += buf;
        } else {
            out += c;
        }
    }
    return out + "\"";
}

namespace {
std::string num(double v, int decimals) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
    return buf;
}
}  // namespace

std::string to_json(const run_result& r) {
    std::string out = "{";
    auto field = [&](const char* name, const std::string& value) {
        if (out.size() > 1) out += ",";
        out += "\"";
        out += name;
        out += "\":";
        out += value;
    };
    field("mode", json_quote(r.mode));
    field("workload", json_quote(r.workload));
    field("concurrency", std::to_string(r.concurrency));
    field("protocol", std::to_string(r.protocol_version));
    field("ops", std::to_string(r.ops));
    field("duration_s", num(r.duration_s, 3));
    field("ops_per_s", num(r.ops_per_s(), 1));
    field("p50_us", num(r.percentile_us(50), 1));
    field("p90_us", num(r.percentile_us(90), 1));
    field("p99_us", num(r.percentile_us(99), 1));
    field("p999_us", num(r.percentile_us(99.9), 1));
    field("max_us", num(static_cast<double>(r.latency.max()) / 1000.0, 1));
    field("mean_us", num(r.latency.mean() / 1000.0, 1));
    field("cpu_us_per_op", num(r.cpu_us_per_op(), 3));
    field("rows", std::to_string(r.rows));
    field("errors", std::to_string(r.errors));
    std::string kinds = "{";
    for (const auto& [kind, n] : r.errors_by_kind) {
        if (kinds.size() > 1) kinds += ",";
        kinds += json_quote(kind) + ":" + std::to_string(n);
    }
    field("errors_by_kind", kinds + "}");
    return out + "}";
}

std::string to_table(const run_result& r) {
    std::string out;
    auto line = [&](const char* name, const std::string& value) {
        char buf[64];
        std::snprintf(buf, sizeof buf, "  %-16s ", name);
        out += buf + value + "\n";
    };
    out += r.mode == "ceiling" ? "ceiling (raw socket, pre-encoded EXECUTE)\n" : "cqlbench\n";
    line("workload", r.workload);
    line("concurrency", std::to_string(r.concurrency));
    line("protocol", "v" + std::to_string(r.protocol_version));
    line("ops", std::to_string(r.ops) + " in " + num(r.duration_s, 2) + " s");
    line("throughput", num(r.ops_per_s(), 0) + " ops/s");
    line("latency (us)", "p50 " + num(r.percentile_us(50), 1) + "  p90 " + num(r.percentile_us(90), 1) + "  p99 " +
                             num(r.percentile_us(99), 1) + "  p99.9 " + num(r.percentile_us(99.9), 1) + "  max " +
                             num(static_cast<double>(r.latency.max()) / 1000.0, 1));
    line("client cpu", num(r.cpu_us_per_op(), 2) + " us/op (user+sys " + num(r.cpu_s, 2) + " s)");
    if (r.rows) line("rows read", std::to_string(r.rows));
    line("errors", std::to_string(r.errors));
    for (const auto& [kind, n] : r.errors_by_kind) line("", std::to_string(n) + "  " + kind);
    return out;
}

}  // namespace cqlbench
