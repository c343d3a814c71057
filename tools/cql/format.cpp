#include "format.hpp"

#include <async_cassandra/date_time.hpp>
#include <async_cassandra/decimal.hpp>
#include <async_cassandra/duration.hpp>
#include <async_cassandra/inet_address.hpp>
#include <async_cassandra/uuid.hpp>
#include <async_cassandra/varint.hpp>

#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <span>

namespace cql_tool {

namespace ac = async_cassandra;
using ac::type_id;

namespace {

constexpr char hex_digits[] = "0123456789abcdef";

// How a scalar's text is written in each style.
enum class shape {
    bare,    // numbers, booleans: bare in JSON and CQL
    word,    // uuid, blob, duration: bare in CQL, a string in JSON
    quoted,  // text, timestamp, date, time, inet: quoted when nested in CQL, a string in JSON
};

void append_hex(std::string& out, std::span<const std::byte> b) {
    out += "0x";
    for (std::byte x : b) {
        const auto u = std::to_integer<unsigned>(x);
        out += hex_digits[u >> 4];
        out += hex_digits[u & 15U];
    }
}

template <class I>
void append_int(std::string& out, I v) {
    char buf[24];
    const auto r = std::to_chars(buf, buf + sizeof buf, v);
    out.append(buf, r.ptr);
}

// Control characters would break a table's rows: show them as escapes.
void append_table_text(std::string& out, std::string_view s) {
    for (char c : s) {
        const auto u = static_cast<unsigned char>(c);
        if (u >= 0x20 && u != 0x7f) {
            out += c;
        } else if (c == '\n') {
            out += "\\n";
        } else if (c == '\t') {
            out += "\\t";
        } else if (c == '\r') {
            out += "\\r";
        } else {
            out += "\\x";
            out += hex_digits[u >> 4];
            out += hex_digits[u & 15U];
        }
    }
}

// A CQL string literal: 'it''s'.
void append_cql_quoted(std::string& out, std::string_view s, value_style style) {
    out += '\'';
    for (char c : s) {
        if (c == '\'') {
            out += "''";
        } else if (style == value_style::table) {
            append_table_text(out, std::string_view(&c, 1));
        } else {
            out += c;
        }
    }
    out += '\'';
}

void append_shaped(std::string& out, std::string_view text, shape sh, value_style style, bool nested) {
    if (sh == shape::bare) {
        out += text;
    } else if (style == value_style::json) {
        append_json_string(out, text);
    } else if (sh == shape::word) {
        out += text;
    } else if (nested) {
        append_cql_quoted(out, text, style);
    } else if (style == value_style::table) {
        append_table_text(out, text);
    } else {
        out += text;
    }
}

template <class F>
void append_floating(std::string& out, F v, value_style style) {
    // JSON has no NaN or infinities: they go as strings there.
    const char* special = std::isnan(v) ? "NaN" : std::isinf(v) ? (v > 0 ? "Infinity" : "-Infinity") : nullptr;
    if (special) {
        append_shaped(out, special, shape::word, style, false);
        return;
    }
    char buf[64];
    const auto r = std::to_chars(buf, buf + sizeof buf, v);  // shortest text that reads back exactly
    out.append(buf, r.ptr);
}

// "2024-02-29 13:45:01.250Z" for years 1..9999; milliseconds since the epoch beyond.
std::string timestamp_text(std::int64_t ms) {
    constexpr std::int64_t min_ms = -62135596800000;  // 0001-01-01
    constexpr std::int64_t max_ms = 253402300800000;  // 10000-01-01
    if (ms < min_ms || ms >= max_ms) return std::to_string(ms);
    using namespace std::chrono;
    const sys_time<milliseconds> tp{milliseconds(ms)};
    const auto day = floor<days>(tp);
    const year_month_day ymd{day};
    const hh_mm_ss hms{tp - day};
    char buf[40];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02u %02d:%02d:%02d.%03dZ", static_cast<int>(ymd.year()),
                  static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                  static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                  static_cast<int>(hms.seconds().count()), static_cast<int>(hms.subseconds().count()));
    return buf;
}

// "13:45:01.250000000", as cqlsh writes a time.
std::string time_text(std::int64_t ns) {
    const std::int64_t s = ns / 1'000'000'000;
    char buf[40];
    std::snprintf(buf, sizeof buf, "%02lld:%02lld:%02lld.%09lld", static_cast<long long>(s / 3600),
                  static_cast<long long>(s / 60 % 60), static_cast<long long>(s % 60),
                  static_cast<long long>(ns % 1'000'000'000));
    return buf;
}

void append_any(std::string& out, const ac::value_view& v, value_style style, bool nested);

// A map key in JSON must be a string: text as it is, anything else as its CQL text.
void append_json_key(std::string& out, const ac::value_view& k) {
    if (!k.is_null() && (k.type().id == type_id::varchar || k.type().id == type_id::ascii)) {
        append_json_string(out, k.as<std::string_view>());
        return;
    }
    std::string text;
    append_any(text, k, value_style::csv, false);
    append_json_string(out, k.is_null() ? std::string_view("null") : std::string_view(text));
}

void append_sequence(std::string& out, const ac::value_view& v, value_style style, char open, char close) {
    const bool json = style == value_style::json;
    out += json ? '[' : open;
    bool first = true;
    for (const auto& e : v.elements()) {
        if (!first) out += json ? "," : ", ";
        first = false;
        append_any(out, e, style, true);
    }
    out += json ? ']' : close;
}

void append_map(std::string& out, const ac::value_view& v, value_style style) {
    const bool json = style == value_style::json;
    out += '{';
    bool first = true;
    for (const auto& [k, val] : v.entries()) {
        if (!first) out += json ? "," : ", ";
        first = false;
        if (json) {
            append_json_key(out, k);
            out += ':';
        } else {
            append_any(out, k, style, true);
            out += ": ";
        }
        append_any(out, val, style, true);
    }
    out += '}';
}

void append_udt(std::string& out, const ac::value_view& v, value_style style) {
    const bool json = style == value_style::json;
    const auto& names = v.type().field_names;
    out += '{';
    std::size_t i = 0;
    for (const auto& f : v.elements()) {
        if (i > 0) out += json ? "," : ", ";
        const std::string_view name = i < names.size() ? std::string_view(names[i]) : std::string_view("?");
        if (json) {
            append_json_string(out, name);
            out += ':';
        } else {
            out += name;
            out += ": ";
        }
        append_any(out, f, style, true);
        ++i;
    }
    out += '}';
}

void append_any(std::string& out, const ac::value_view& v, value_style style, bool nested) {
    if (v.is_null()) {
        if (nested || style != value_style::csv) out += "null";
        return;
    }
    switch (v.type().id) {
        case type_id::ascii:
        case type_id::varchar: append_shaped(out, v.as<std::string_view>(), shape::quoted, style, nested); return;
        case type_id::tinyint: append_int(out, v.as<std::int8_t>()); return;
        case type_id::smallint: append_int(out, v.as<std::int16_t>()); return;
        case type_id::int_: append_int(out, v.as<std::int32_t>()); return;
        case type_id::bigint:
        case type_id::counter: append_int(out, v.as<std::int64_t>()); return;
        case type_id::boolean: out += v.as<bool>() ? "true" : "false"; return;
        case type_id::float_: append_floating(out, v.as<float>(), style); return;
        case type_id::double_: append_floating(out, v.as<double>(), style); return;
        case type_id::varint: out += v.as<ac::varint>().to_string(); return;
        case type_id::decimal: out += v.as<ac::decimal>().to_string(); return;
        case type_id::timestamp:
            append_shaped(out, timestamp_text(v.as<std::int64_t>()), shape::quoted, style, nested);
            return;
        case type_id::date: append_shaped(out, v.as<ac::date>().to_string(), shape::quoted, style, nested); return;
        case type_id::time:
            append_shaped(out, time_text(v.as<std::chrono::nanoseconds>().count()), shape::quoted, style, nested);
            return;
        case type_id::uuid:
        case type_id::timeuuid: append_shaped(out, v.as<ac::uuid>().to_string(), shape::word, style, nested); return;
        case type_id::inet:
            append_shaped(out, v.as<ac::inet_address>().to_string(), shape::quoted, style, nested);
            return;
        case type_id::duration:
            append_shaped(out, ac::to_string(v.as<ac::duration>()), shape::word, style, nested);
            return;
        case type_id::list:
        case type_id::vector: append_sequence(out, v, style, '[', ']'); return;
        case type_id::set: append_sequence(out, v, style, '{', '}'); return;
        case type_id::tuple: append_sequence(out, v, style, '(', ')'); return;
        case type_id::map: append_map(out, v, style); return;
        case type_id::udt: append_udt(out, v, style); return;
        case type_id::blob:
        case type_id::custom: break;  // bytes we cannot interpret: hex, like a blob
    }
    std::string hex;
    append_hex(hex, *v.raw());
    append_shaped(out, hex, shape::word, style, nested);
}

}  // namespace

void append_value(std::string& out, const ac::value_view& v, value_style style) {
    const std::size_t mark = out.size();
    try {
        append_any(out, v, style, false);
    } catch (const std::exception& e) {
        // Keep what came before the value, drop its partial text.
        out.resize(mark);
        const std::string note = "<malformed " + ac::to_string(v.type()) + ": " + e.what() + ">";
        append_shaped(out, note, shape::word, style, false);
    }
}

std::string format_value(const ac::value_view& v, value_style style) {
    std::string out;
    append_value(out, v, style);
    return out;
}

namespace {
// Length of the valid UTF-8 sequence at s[i], or 0 when it is not one.
std::size_t utf8_sequence(std::string_view s, std::size_t i) {
    const auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
    const unsigned c = b(i);
    std::size_t n;
    unsigned lo = 0x80, hi = 0xbf;  // the second byte's range
    if (c < 0x80) return 1;
    if (c >= 0xc2 && c <= 0xdf) {
        n = 2;
    } else if (c >= 0xe0 && c <= 0xef) {
        n = 3;
        if (c == 0xe0) lo = 0xa0;  // overlong
        if (c == 0xed) hi = 0x9f;  // surrogates
    } else if (c >= 0xf0 && c <= 0xf4) {
        n = 4;
        if (c == 0xf0) lo = 0x90;  // overlong
        if (c == 0xf4) hi = 0x8f;  // above U+10FFFF
    } else {
        return 0;
    }
    if (i + n > s.size()) return 0;
    if (b(i + 1) < lo || b(i + 1) > hi) return 0;
    for (std::size_t k = 2; k < n; ++k)
        if (b(i + k) < 0x80 || b(i + k) > 0xbf) return 0;
    return n;
}
}  // namespace

void append_json_string(std::string& out, std::string_view s) {
    out += '"';
    for (std::size_t i = 0; i < s.size();) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (c >= 0x80) {
            const std::size_t n = utf8_sequence(s, i);
            if (n == 0) {
                out += "\xef\xbf\xbd";  // U+FFFD for a byte that is not UTF-8
                ++i;
            } else {
                out.append(s.substr(i, n));
                i += n;
            }
            continue;
        }
        switch (c) {
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            case '\n': out += "\\n"; break;
            case '\r': out += "\\r"; break;
            case '\t': out += "\\t"; break;
            case '\b': out += "\\b"; break;
            case '\f': out += "\\f"; break;
            default:
                if (c < 0x20) {
                    out += "\\u00";
                    out += hex_digits[c >> 4];
                    out += hex_digits[c & 15U];
                } else {
                    out += static_cast<char>(c);
                }
        }
        ++i;
    }
    out += '"';
}

void append_csv_field(std::string& out, std::string_view s) {
    const bool quote = s.find_first_of(",\"\r\n") != std::string_view::npos ||
                       (!s.empty() && (s.front() == ' ' || s.back() == ' '));
    if (!quote) {
        out += s;
        return;
    }
    out += '"';
    for (char c : s) {
        if (c == '"') out += '"';
        out += c;
    }
    out += '"';
}

bool is_numeric(const ac::data_type& t) noexcept {
    switch (t.id) {
        case type_id::tinyint:
        case type_id::smallint:
        case type_id::int_:
        case type_id::bigint:
        case type_id::counter:
        case type_id::float_:
        case type_id::double_:
        case type_id::varint:
        case type_id::decimal: return true;
        default: return false;
    }
}

std::size_t display_width(std::string_view utf8) noexcept {
    std::size_t n = 0;
    for (char c : utf8)
        if ((static_cast<unsigned char>(c) & 0xc0) != 0x80) ++n;  // not a continuation byte
    return n;
}

}  // namespace cql_tool
