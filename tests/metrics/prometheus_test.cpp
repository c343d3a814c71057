// to_prometheus: the output is parsed back line by line with a strict
// reader of the 0.0.4 text format, then names, labels and values checked.
#include <async_cassandra/error.hpp>
#include <async_cassandra/metrics.hpp>

#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <stdexcept>

namespace ac = async_cassandra;
using namespace std::chrono_literals;

namespace {

struct sample {
    std::string name;
    std::map<std::string, std::string> labels;
    double value;
};

struct exposition {
    std::map<std::string, std::string> types;  // family -> counter, gauge, summary
    std::map<std::string, std::string> helps;
    std::vector<sample> samples;

    // The value of `name` with exactly `labels`; throws when absent.
    double value(const std::string& name, const std::map<std::string, std::string>& labels = {}) const {
        for (const auto& s : samples)
            if (s.name == name && s.labels == labels) return s.value;
        throw std::runtime_error("no sample " + name);
    }
};

const std::regex metric_name("[a-zA-Z_:][a-zA-Z0-9_:]*");
const std::regex label_name("[a-zA-Z_][a-zA-Z0-9_]*");

// The family a sample belongs to: summaries own name_sum and name_count.
std::string family_of(const exposition& e, const std::string& name) {
    for (const char* suffix : {"_sum", "_count"}) {
        const std::string s = suffix;
        if (name.size() > s.size() && name.ends_with(s)) {
            auto base = name.substr(0, name.size() - s.size());
            auto it = e.types.find(base);
            if (it != e.types.end() && it->second == "summary") return base;
        }
    }
    return name;
}

// Parses the whole text, failing on anything the format does not allow.
exposition parse(const std::string& text) {
    exposition e;
    if (text.empty() || text.back() != '\n') throw std::runtime_error("the text must end with a line feed");
    std::istringstream in(text);
    std::string line;
    int n = 0;
    std::set<std::string> seen_series;
    while (std::getline(in, line)) {
        ++n;
        const auto where = "line " + std::to_string(n) + ": " + line;
        if (line.empty()) throw std::runtime_error("empty " + where);
        if (line.starts_with("# HELP ") || line.starts_with("# TYPE ")) {
            const bool help = line[2] == 'H';
            auto rest = line.substr(7);
            auto sp = rest.find(' ');
            if (sp == std::string::npos) throw std::runtime_error("no text in " + where);
            auto name = rest.substr(0, sp);
            if (!std::regex_match(name, metric_name)) throw std::runtime_error("bad name in " + where);
            auto& map = help ? e.helps : e.types;
            if (map.count(name)) throw std::runtime_error("repeated HELP/TYPE in " + where);
            if (!help) {
                auto type = rest.substr(sp + 1);
                if (type != "counter" && type != "gauge" && type != "summary" && type != "histogram" &&
                    type != "untyped")
                    throw std::runtime_error("bad type in " + where);
                if (std::any_of(e.samples.begin(), e.samples.end(),
                                [&](const sample& s) { return family_of(e, s.name) == name; }))
                    throw std::runtime_error("TYPE after samples in " + where);
            }
            map[name] = rest.substr(sp + 1);
            continue;
        }
        if (line[0] == '#') throw std::runtime_error("unexpected comment " + where);
        sample s;
        std::size_t i = 0;
        while (i < line.size() && line[i] != '{' && line[i] != ' ') ++i;
        s.name = line.substr(0, i);
        if (!std::regex_match(s.name, metric_name)) throw std::runtime_error("bad metric name in " + where);
        if (i < line.size() && line[i] == '{') {
            ++i;
            while (line.at(i) != '}') {
                auto eq = line.find('=', i);
                auto key = line.substr(i, eq - i);
                if (!std::regex_match(key, label_name)) throw std::runtime_error("bad label name in " + where);
                if (line.at(eq + 1) != '"') throw std::runtime_error("unquoted label value in " + where);
                std::string value;
                std::size_t j = eq + 2;
                for (;; ++j) {
                    char c = line.at(j);
                    if (c == '"') break;
                    if (c == '\\') {
                        char d = line.at(++j);
                        if (d == 'n')
                            value += '\n';
                        else if (d == '\\' || d == '"')
                            value += d;
                        else
                            throw std::runtime_error("bad escape in " + where);
                    } else {
                        value += c;
                    }
                }
                if (s.labels.count(key)) throw std::runtime_error("repeated label in " + where);
                s.labels[key] = value;
                i = j + 1;
                if (line.at(i) == ',') ++i;
            }
            ++i;
        }
        if (line.at(i) != ' ') throw std::runtime_error("no space before the value in " + where);
        auto v = line.substr(i + 1);
        if (v == "NaN")
            s.value = std::nan("");
        else {
            std::size_t used = 0;
            s.value = std::stod(v, &used);
            if (used != v.size()) throw std::runtime_error("bad value in " + where);
        }
        const auto family = family_of(e, s.name);
        if (!e.types.count(family)) throw std::runtime_error("sample without TYPE in " + where);
        if (e.types[family] == "counter" && !s.name.ends_with("_total"))
            throw std::runtime_error("counter not named _total in " + where);
        std::string key = s.name;
        for (const auto& [k, val] : s.labels) key += "|" + k + "=" + val;
        if (!seen_series.insert(key).second) throw std::runtime_error("repeated series in " + where);
        e.samples.push_back(std::move(s));
    }
    return e;
}

ac::metrics_snapshot sample_snapshot() {
    ac::metrics_registry reg;
    auto& cl = reg.requests();
    for (int i = 1; i <= 1000; ++i) {
        cl.on_request_start();
        cl.on_request_end(std::chrono::microseconds(i));
    }
    cl.on_request_start();  // one in flight
    cl.on_request_start();
    cl.on_request_end(5ms, ac::server_errc::write_timeout);
    cl.on_retry();
    auto& h = reg.host("127.0.0.1:9042");
    h.on_connection_opened();
    h.on_connection_opened();
    h.on_bytes_sent(1234);
    h.on_bytes_received(98765);
    h.on_orphaned_stream();
    h.on_request_start();
    h.on_request_end(2ms, ac::client_errc::request_timeout);
    h.on_timeout();
    auto& odd = reg.host("we\"ird\\host\nname:1");
    odd.on_speculative_execution();
    return reg.snapshot();
}

}  // namespace

TEST(prometheus, parses_back_with_names_labels_and_values) {
    const auto text = ac::to_prometheus(sample_snapshot());
    exposition e;
    ASSERT_NO_THROW(e = parse(text)) << text;
    EXPECT_EQ(e.types.at("async_cassandra_requests_total"), "counter");
    EXPECT_EQ(e.types.at("async_cassandra_requests_in_flight"), "gauge");
    EXPECT_EQ(e.types.at("async_cassandra_request_latency_seconds"), "summary");
    EXPECT_EQ(e.types.at("async_cassandra_host_connections_open"), "gauge");
    EXPECT_EQ(e.helps.size(), e.types.size());

    EXPECT_EQ(e.value("async_cassandra_requests_total"), 1002);
    EXPECT_EQ(e.value("async_cassandra_requests_in_flight"), 1);
    EXPECT_EQ(e.value("async_cassandra_retries_total"), 1);
    EXPECT_EQ(e.value("async_cassandra_request_errors_total", {{"kind", "write_timeout"}}), 1);
    EXPECT_EQ(e.value("async_cassandra_request_errors_total", {{"kind", "read_timeout"}}), 0);
    // Every kind appears, so rate() works from the first scrape.
    int kinds = 0;
    for (const auto& s : e.samples) kinds += s.name == "async_cassandra_request_errors_total";
    EXPECT_EQ(kinds, static_cast<int>(ac::error_kind_count));

    // Latencies in seconds: 1..1000 µs plus one 5 ms.
    EXPECT_NEAR(e.value("async_cassandra_request_latency_seconds", {{"quantile", "0.5"}}), 501e-6, 501e-6 * 0.005);
    EXPECT_NEAR(e.value("async_cassandra_request_latency_seconds", {{"quantile", "0.99"}}), 991e-6, 991e-6 * 0.005);
    EXPECT_NEAR(e.value("async_cassandra_request_latency_seconds", {{"quantile", "0.999"}}), 1000e-6, 1000e-6 * 0.005);
    EXPECT_EQ(e.value("async_cassandra_request_latency_seconds_count"), 1001);
    EXPECT_NEAR(e.value("async_cassandra_request_latency_seconds_sum"), 500500e-6 + 5e-3, 1e-9);
    EXPECT_DOUBLE_EQ(e.value("async_cassandra_request_latency_max_seconds"), 0.005);

    const std::map<std::string, std::string> host{{"host", "127.0.0.1:9042"}};
    EXPECT_EQ(e.value("async_cassandra_host_connections_open", host), 2);
    EXPECT_EQ(e.value("async_cassandra_host_sent_bytes_total", host), 1234);
    EXPECT_EQ(e.value("async_cassandra_host_received_bytes_total", host), 98765);
    EXPECT_EQ(e.value("async_cassandra_host_orphaned_streams_total", host), 1);
    EXPECT_EQ(e.value("async_cassandra_host_client_timeouts_total", host), 1);
    EXPECT_EQ(
        e.value("async_cassandra_host_request_errors_total", {{"host", "127.0.0.1:9042"}, {"kind", "request_timeout"}}),
        1);
    // The escaped host name reads back as it was.
    EXPECT_EQ(e.value("async_cassandra_host_speculative_executions_total", {{"host", "we\"ird\\host\nname:1"}}), 1);
    // A host with no latencies yet has NaN quantiles and a zero count.
    EXPECT_TRUE(std::isnan(e.value("async_cassandra_host_request_latency_seconds",
                                   {{"host", "we\"ird\\host\nname:1"}, {"quantile", "0.5"}})));
    EXPECT_EQ(e.value("async_cassandra_host_request_latency_seconds_count", {{"host", "we\"ird\\host\nname:1"}}), 0);
    // Cluster-wide samples carry no host label.
    for (const auto& s : e.samples)
        EXPECT_EQ(s.labels.count("host"), s.name.starts_with("async_cassandra_host_") ? 1u : 0u) << s.name;
}

TEST(prometheus, prefix_is_applied_or_omitted) {
    const auto snap = sample_snapshot();
    const auto custom = parse(ac::to_prometheus(snap, "app:db"));
    EXPECT_EQ(custom.value("app:db_requests_total"), 1002);
    const auto none = parse(ac::to_prometheus(snap, ""));
    EXPECT_EQ(none.value("requests_total"), 1002);
    EXPECT_EQ(none.value("host_connections_open", {{"host", "127.0.0.1:9042"}}), 2);
}

TEST(prometheus, bad_prefix_is_refused_with_the_position) {
    try {
        (void)ac::to_prometheus(ac::metrics_snapshot{}, "my-app");
        FAIL() << "no exception";
    } catch (const std::invalid_argument& e) {
        EXPECT_NE(std::string(e.what()).find("'-' at position 2"), std::string::npos) << e.what();
    }
    EXPECT_THROW((void)ac::to_prometheus(ac::metrics_snapshot{}, "9lives"), std::invalid_argument);
}

TEST(prometheus, empty_snapshot_is_valid_and_has_no_host_families) {
    const auto text = ac::to_prometheus(ac::metrics_snapshot{});
    const auto e = parse(text);
    EXPECT_EQ(e.value("async_cassandra_requests_total"), 0);
    EXPECT_EQ(text.find("_host_"), std::string::npos);
}
