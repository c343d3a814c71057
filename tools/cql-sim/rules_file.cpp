#include <cql_sim/rules_file.hpp>

#include <stdexcept>
#include <string>

namespace cql_sim {
namespace {

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
    return s;
}

long long number(std::string_view s) {
    const std::string text(s);
    std::size_t used = 0;
    const long long v = std::stoll(text, &used, 0);  // base 0: accepts 0x..
    if (used != text.size() || v < 0) throw std::invalid_argument("bad number " + text);
    return v;
}

void apply_option(rule& r, std::string_view opt) {
    const auto eq = opt.find('=');
    const auto key = opt.substr(0, eq);
    const auto value = eq == std::string_view::npos ? std::string_view{} : opt.substr(eq + 1);
    if (key == "substring") {
        r.substring = true;
    } else if (key == "delay") {
        r.delay = std::chrono::milliseconds(number(value));
    } else if (key == "node") {
        r.node = static_cast<int>(number(value));
    } else if (key == "max_hits") {
        r.max_hits = static_cast<int>(number(value));
    } else if (key == "error") {
        pr::error_response e;
        e.code = static_cast<std::int32_t>(number(value));
        e.message = "cql-sim error";
        r.result = e;
    } else if (key == "fault") {
        if (value == "drop") r.fault.kind = fault_kind::drop_connection;
        else if (value == "stall") r.fault.kind = fault_kind::stall;
        else if (value == "wrong_stream") r.fault.kind = fault_kind::wrong_stream;
        else if (value == "corrupt_crc") r.fault.kind = fault_kind::corrupt_crc;
        else if (value == "reset") r.fault.kind = fault_kind::reset;
        else if (value.starts_with("close_after:")) r.fault = {fault_kind::close_after, static_cast<std::size_t>(number(value.substr(12))), {}};
        else if (value.starts_with("mute_after:")) r.fault = {fault_kind::mute_after, static_cast<std::size_t>(number(value.substr(11))), {}};
        else throw std::invalid_argument("unknown fault " + std::string(value));
    } else {
        throw std::invalid_argument("unknown option " + std::string(opt));
    }
}

}  // namespace

std::vector<rule> parse_rules(std::string_view text) {
    std::vector<rule> out;
    int line_no = 0;
    while (!text.empty()) {
        const auto nl = text.find('\n');
        const auto line = trim(text.substr(0, nl));
        text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
        ++line_no;
        if (line.empty() || line.front() == '#') continue;
        rule r;
        const auto arrow = line.find(" => ");
        r.query = std::string(trim(line.substr(0, arrow)));
        try {
            auto opts = arrow == std::string_view::npos ? std::string_view{} : line.substr(arrow + 4);
            while (!(opts = trim(opts)).empty()) {
                const auto sp = opts.find(' ');
                apply_option(r, opts.substr(0, sp));
                opts = sp == std::string_view::npos ? std::string_view{} : opts.substr(sp);
            }
        } catch (const std::exception& e) {
            throw std::invalid_argument("line " + std::to_string(line_no) + ": " + e.what());
        }
        out.push_back(std::move(r));
    }
    return out;
}

}  // namespace cql_sim
