#include "cluster/cql_type.hpp"

#include <async_cassandra/protocol/protocol_error.hpp>
#include <async_cassandra/protocol/results.hpp>

#include <array>
#include <cctype>
#include <charconv>
#include <utility>

namespace async_cassandra::detail {

namespace {

// Deeper nesting is no schema anyone wrote.
constexpr int max_depth = 64;

constexpr std::array<std::pair<std::string_view, type_id>, 21> native_types{{
    {"ascii", type_id::ascii},         {"bigint", type_id::bigint},     {"blob", type_id::blob},
    {"boolean", type_id::boolean},     {"counter", type_id::counter},   {"date", type_id::date},
    {"decimal", type_id::decimal},     {"double", type_id::double_},    {"duration", type_id::duration},
    {"float", type_id::float_},        {"inet", type_id::inet},         {"int", type_id::int_},
    {"smallint", type_id::smallint},   {"text", type_id::varchar},      {"time", type_id::time},
    {"timestamp", type_id::timestamp}, {"timeuuid", type_id::timeuuid}, {"tinyint", type_id::tinyint},
    {"uuid", type_id::uuid},           {"varchar", type_id::varchar},   {"varint", type_id::varint},
}};

struct parse_failure {
    std::size_t at;
    std::string why;
};

class cql_type_parser {
public:
    cql_type_parser(std::string_view text, const udt_resolver& resolve) : s_(text), resolve_(resolve) {}

    data_type parse(int depth) {
        if (depth > max_depth) fail("nested more than " + std::to_string(max_depth) + " levels");
        skip_ws();
        if (peek() == '\'') return custom();
        const auto start = pos_;
        bool quoted = false;
        std::string word = identifier(quoted);
        if (!quoted) {
            for (const auto& [n, id] : native_types)
                if (n == word) {
                    data_type t;
                    t.id = id;
                    return t;
                }
            if (at('<')) return parameterized(word, start, depth);
        }
        std::string keyspace;
        if (accept('.')) {
            keyspace = std::move(word);
            word = identifier(quoted);
        }
        return user_type(keyspace, word, start);
    }

    void expect_end() {
        skip_ws();
        if (pos_ != s_.size()) fail(std::string("unexpected '") + s_[pos_] + "' after the type");
    }

private:
    data_type parameterized(const std::string& word, std::size_t start, int depth) {
        data_type t;
        expect('<');
        if (word == "frozen") {
            t = parse(depth + 1);
        } else if (word == "list" || word == "set") {
            t.id = word == "list" ? type_id::list : type_id::set;
            t.params.push_back(parse(depth + 1));
        } else if (word == "map") {
            t.id = type_id::map;
            t.params.push_back(parse(depth + 1));
            if (!accept(',')) fail("expected ',' and the value type of the map" + found());
            t.params.push_back(parse(depth + 1));
        } else if (word == "tuple") {
            t.id = type_id::tuple;
            do t.params.push_back(parse(depth + 1));
            while (accept(','));
        } else if (word == "vector") {
            t.id = type_id::vector;
            t.params.push_back(parse(depth + 1));
            if (!accept(',')) fail("expected ',' and the dimension of the vector" + found());
            t.dimension = dimension();
        } else {
            pos_ = start;
            fail("'" + word + "' takes no type parameters");
        }
        if (!accept('>'))
            fail((word == "tuple" ? "expected ',' or '>'" : "expected '>' closing " + word + "<") + found());
        return t;
    }

    data_type user_type(const std::string& keyspace, const std::string& name, std::size_t start) {
        if (!resolve_) {
            data_type t;
            t.id = type_id::udt;
            t.keyspace = keyspace;
            t.name = name;
            return t;
        }
        auto t = resolve_(keyspace, name);
        if (!t) {
            pos_ = start;
            fail("unknown type '" + (keyspace.empty() ? name : keyspace + "." + name) + "'");
        }
        return std::move(*t);
    }

    // '<class>', quotes doubled inside.
    data_type custom() {
        auto cls = quoted_text('\'', "unterminated quoted custom type");
        try {
            return protocol::parse_marshal_type(cls);
        } catch (const protocol::protocol_error&) {
            data_type t;  // a known class with odd parameters: keep it opaque
            t.id = type_id::custom;
            t.custom_class = std::move(cls);
            return t;
        }
    }

    // An unquoted identifier (case-folded) or a "quoted" one ("" for a quote).
    std::string identifier(bool& quoted) {
        skip_ws();
        std::string out;
        quoted = peek() == '"';
        if (quoted) {
            out = quoted_text('"', "unterminated quoted name");
            if (out.empty()) fail("empty quoted name");
            return out;
        }
        while (pos_ < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[pos_])) || s_[pos_] == '_'))
            out += static_cast<char>(std::tolower(static_cast<unsigned char>(s_[pos_++])));
        if (out.empty()) fail("expected a type" + found());
        return out;
    }

    // From the opening quote at pos_ to the closing one; a doubled quote is one.
    std::string quoted_text(char quote, const char* unterminated) {
        ++pos_;
        std::string out;
        for (;;) {
            if (pos_ >= s_.size()) fail(unterminated);
            const char c = s_[pos_++];
            if (c == quote) {
                if (peek() != quote) return out;
                ++pos_;
            }
            out += c;
        }
    }

    std::int32_t dimension() {
        skip_ws();
        const auto start = pos_;
        while (pos_ < s_.size() && s_[pos_] >= '0' && s_[pos_] <= '9') ++pos_;
        std::int32_t v = 0;
        const auto [p, ec] = std::from_chars(s_.data() + start, s_.data() + pos_, v);
        if (start == pos_ || ec != std::errc{} || v <= 0) {
            pos_ = start;
            fail("expected a vector dimension from 1 to 2147483647");
        }
        return v;
    }

    std::string found() const {
        return pos_ < s_.size() ? std::string(", found '") + s_[pos_] + "'" : std::string(", found the end");
    }
    char peek() const noexcept { return pos_ < s_.size() ? s_[pos_] : '\0'; }
    void skip_ws() noexcept {
        while (pos_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[pos_]))) ++pos_;
    }
    bool at(char c) {
        skip_ws();
        return peek() == c;
    }
    bool accept(char c) {
        if (!at(c)) return false;
        ++pos_;
        return true;
    }
    void expect(char c) {
        if (!accept(c)) fail(std::string("expected '") + c + "'" + found());
    }
    [[noreturn]] void fail(std::string why) const { throw parse_failure{pos_, std::move(why)}; }

    std::string_view s_;
    const udt_resolver& resolve_;
    std::size_t pos_ = 0;
};

}  // namespace

cql_type_result parse_cql_type(std::string_view text, const udt_resolver& resolve) {
    cql_type_result r;
    try {
        cql_type_parser p(text, resolve);
        r.type = p.parse(0);
        p.expect_end();
    } catch (const parse_failure& f) {
        r.type = {};
        r.error = "CQL type '" + std::string(text) + "': " + f.why + " at offset " + std::to_string(f.at);
    }
    return r;
}

}  // namespace async_cassandra::detail
