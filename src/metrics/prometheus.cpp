// The Prometheus text exposition format, version 0.0.4.
#include <async_cassandra/metrics.hpp>

#include <charconv>
#include <cmath>
#include <stdexcept>

namespace async_cassandra {

namespace {

bool name_char(char c, bool first) {
    const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
    return alpha || (!first && c >= '0' && c <= '9');
}

void check_prefix(std::string_view prefix) {
    for (std::size_t i = 0; i < prefix.size(); ++i)
        if (!name_char(prefix[i], i == 0))
            throw std::invalid_argument("to_prometheus: prefix '" + std::string(prefix) + "' is not a metric name: '" +
                                        std::string(1, prefix[i]) + "' at position " + std::to_string(i) +
                                        " (allowed: [a-zA-Z_:][a-zA-Z0-9_:]*)");
}

// Label values escape backslash, double quote and line feed.
void append_escaped(std::string& out, std::string_view v) {
    for (char c : v) {
        if (c == '\\')
            out += "\\\\";
        else if (c == '"')
            out += "\\\"";
        else if (c == '\n')
            out += "\\n";
        else
            out += c;
    }
}

void append_number(std::string& out, std::uint64_t v) {
    char buf[24];
    auto r = std::to_chars(buf, buf + sizeof buf, v);
    out.append(buf, r.ptr);
}

void append_number(std::string& out, double v) {
    if (std::isnan(v)) {
        out += "NaN";
        return;
    }
    char buf[40];
    auto r = std::to_chars(buf, buf + sizeof buf, v);
    out.append(buf, r.ptr);
}

double seconds(std::chrono::nanoseconds ns) { return static_cast<double>(ns.count()) / 1e9; }
double seconds(std::uint64_t ns) { return static_cast<double>(ns) / 1e9; }

// One scope's samples: the cluster's (no host) or one host's.
struct scope {
    bool per_host;  // false for the cluster scope, which has no host label
    std::string_view host;
    const request_metrics_snapshot* m;
};

class writer {
public:
    writer(std::string& out, std::string_view prefix, std::string_view scope_infix)
        : out_(out), prefix_(prefix), infix_(scope_infix) {}

    void header(std::string_view name, std::string_view type, std::string_view help) {
        out_ += "# HELP ";
        full_name(name);
        out_ += ' ';
        out_ += help;
        out_ += "\n# TYPE ";
        full_name(name);
        out_ += ' ';
        out_ += type;
        out_ += '\n';
    }
    // name{host="..",extra_key="extra_value"} value
    template <class V>
    void sample(std::string_view name, const scope& s, V value, std::string_view extra_key = {},
                std::string_view extra_value = {}) {
        full_name(name);
        bool any = false;
        auto label = [&](std::string_view k, std::string_view v) {
            out_ += any ? ',' : '{';
            any = true;
            out_ += k;
            out_ += "=\"";
            append_escaped(out_, v);
            out_ += '"';
        };
        if (s.per_host) label("host", s.host);
        if (!extra_key.empty()) label(extra_key, extra_value);
        if (any) out_ += '}';
        out_ += ' ';
        append_number(out_, value);
        out_ += '\n';
    }

private:
    void full_name(std::string_view name) {
        if (!prefix_.empty()) {
            out_ += prefix_;
            out_ += '_';
        }
        out_ += infix_;
        out_ += name;
    }

    std::string& out_;
    std::string_view prefix_;
    std::string_view infix_;
};

// Every family for a list of scopes (all of one kind: cluster or hosts).
void write_families(std::string& out, std::string_view prefix, std::string_view infix,
                    const std::vector<scope>& scopes) {
    if (scopes.empty()) return;
    writer w(out, prefix, infix);
    using field = std::uint64_t request_metrics_snapshot::*;
    struct simple {
        std::string_view name, type, help;
        field f;
    };
    static constexpr simple simple_families[] = {
        {"requests_total", "counter", "Requests started.", &request_metrics_snapshot::requests},
        {"requests_in_flight", "gauge", "Requests started and not yet completed.",
         &request_metrics_snapshot::in_flight},
        {"retries_total", "counter", "Requests sent again after a failure.", &request_metrics_snapshot::retries},
        {"speculative_executions_total", "counter", "Speculative executions started.",
         &request_metrics_snapshot::speculative_executions},
        {"client_timeouts_total", "counter", "Attempts that got no answer within the client's timeout.",
         &request_metrics_snapshot::timeouts},
        {"orphaned_streams_total", "counter",
         "Stream ids abandoned by cancelled or timed-out requests, held until the server answers.",
         &request_metrics_snapshot::orphaned_streams},
        {"connections_open", "gauge", "Connections open.", &request_metrics_snapshot::connections_open},
        {"sent_bytes_total", "counter", "Bytes written to connections.", &request_metrics_snapshot::bytes_sent},
        {"received_bytes_total", "counter", "Bytes read from connections.", &request_metrics_snapshot::bytes_received},
    };
    for (const auto& fam : simple_families) {
        w.header(fam.name, fam.type, fam.help);
        for (const auto& s : scopes) w.sample(fam.name, s, s.m->*fam.f);
    }

    w.header("request_errors_total", "counter", "Requests that failed, by kind of error.");
    for (const auto& s : scopes)
        for (std::size_t k = 0; k < error_kind_count; ++k)
            w.sample("request_errors_total", s, s.m->errors[k], "kind", to_string(static_cast<error_kind>(k)));

    w.header("request_latency_seconds", "summary",
             "Latency of completed requests, failed ones included (quantiles within 0.4 %).");
    static constexpr std::pair<std::string_view, double> quantiles[] = {
        {"0.5", 50.0}, {"0.95", 95.0}, {"0.99", 99.0}, {"0.999", 99.9}};
    for (const auto& s : scopes) {
        const auto& h = s.m->latency;
        for (const auto& [label, p] : quantiles)
            w.sample("request_latency_seconds", s, h.count ? seconds(h.percentile(p)) : std::nan(""), "quantile",
                     label);
        w.sample("request_latency_seconds_sum", s, seconds(h.sum_ns));
        w.sample("request_latency_seconds_count", s, h.count);
    }
    w.header("request_latency_max_seconds", "gauge", "The longest request latency seen.");
    for (const auto& s : scopes) w.sample("request_latency_max_seconds", s, seconds(s.m->latency.max_ns));
}

}  // namespace

std::string to_prometheus(const metrics_snapshot& snapshot, std::string_view prefix) {
    check_prefix(prefix);
    std::string out;
    out.reserve(4096 + 4096 * snapshot.hosts.size());
    write_families(out, prefix, "", {scope{false, {}, &snapshot.requests}});
    std::vector<scope> hosts;
    hosts.reserve(snapshot.hosts.size());
    for (const auto& h : snapshot.hosts) hosts.push_back({true, h.endpoint, &h.metrics});
    write_families(out, prefix, "host_", hosts);
    return out;
}

}  // namespace async_cassandra
