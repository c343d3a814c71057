// Cassandra's marshal class names, as sent for custom types: Cassandra 5
// sends vectors this way, e.g.
//   org.apache.cassandra.db.marshal.VectorType(org.apache.cassandra.db.marshal.FloatType , 3)
// and nests the classes of ordinary types inside (ListType(...),
// UserType(ks,<hex name>,<hex field>:<type>,...), FrozenType(...)).
#include <async_cassandra/protocol/messages.hpp>
#include <async_cassandra/protocol/protocol_error.hpp>

#include <array>
#include <limits>
#include <utility>

namespace async_cassandra::protocol {

namespace {

constexpr std::string_view marshal_package = "org.apache.cassandra.db.marshal.";
// Nesting beyond this is not a schema anyone wrote; it is a hostile frame.
constexpr int max_depth = 64;

constexpr std::array<std::pair<std::string_view, type_id>, 21> native_classes{{
    {"AsciiType", type_id::ascii},
    {"LongType", type_id::bigint},
    {"BytesType", type_id::blob},
    {"BooleanType", type_id::boolean},
    {"CounterColumnType", type_id::counter},
    {"DecimalType", type_id::decimal},
    {"DoubleType", type_id::double_},
    {"DurationType", type_id::duration},
    {"FloatType", type_id::float_},
    {"InetAddressType", type_id::inet},
    {"Int32Type", type_id::int_},
    {"ShortType", type_id::smallint},
    {"ByteType", type_id::tinyint},
    {"SimpleDateType", type_id::date},
    {"TimeType", type_id::time},
    {"TimestampType", type_id::timestamp},
    {"DateType", type_id::timestamp},  // the pre-2.0 name of timestamp
    {"TimeUUIDType", type_id::timeuuid},
    {"UUIDType", type_id::uuid},
    {"UTF8Type", type_id::varchar},
    {"IntegerType", type_id::varint},
}};

constexpr std::array<std::string_view, 9> composite_classes{
    "ListType", "SetType", "MapType", "TupleType", "UserType", "VectorType", "FrozenType", "ReversedType",
};

// Class names may come with or without the package.
std::string_view short_name(std::string_view name) noexcept {
    if (name.starts_with(marshal_package)) name.remove_prefix(marshal_package.size());
    return name;
}

bool is_known(std::string_view name) noexcept {
    const auto s = short_name(name);
    for (const auto& [n, id] : native_classes)
        if (n == s) return true;
    for (const auto& n : composite_classes)
        if (n == s) return true;
    return false;
}

class marshal_parser {
public:
    explicit marshal_parser(std::string_view text) noexcept : s_(text) {}

    data_type parse_type(int depth) {
        if (depth > max_depth) fail("nested more than " + std::to_string(max_depth) + " levels");
        skip_ws();
        const auto start = pos_;
        const auto full = name("a class name");
        const auto cls = short_name(full);
        for (const auto& [n, id] : native_classes) {
            if (n == cls) {
                data_type t;
                t.id = id;
                return t;
            }
        }
        data_type t;
        if (cls == "ListType" || cls == "SetType" || cls == "MapType" || cls == "TupleType") {
            t.id = cls == "ListType"  ? type_id::list
                   : cls == "SetType" ? type_id::set
                   : cls == "MapType" ? type_id::map
                                      : type_id::tuple;
            expect('(');
            do t.params.push_back(parse_type(depth + 1));
            while (accept(','));
            expect(')');
            const std::size_t wanted = t.id == type_id::map ? 2 : 1;
            if (t.id != type_id::tuple && t.params.size() != wanted)
                fail(std::string(cls) + " takes " + std::to_string(wanted) + " type parameter(s), not " +
                     std::to_string(t.params.size()));
        } else if (cls == "FrozenType" || cls == "ReversedType") {
            // Neither changes the values' format; frozen is not tracked.
            expect('(');
            t = parse_type(depth + 1);
            expect(')');
        } else if (cls == "UserType") {
            t.id = type_id::udt;
            expect('(');
            t.keyspace = std::string(name("a keyspace"));
            expect(',');
            t.name = hex_string("the UDT name");
            while (accept(',')) {
                t.field_names.push_back(hex_string("a field name"));
                expect(':');
                t.params.push_back(parse_type(depth + 1));
            }
            expect(')');
        } else if (cls == "VectorType") {
            t.id = type_id::vector;
            expect('(');
            t.params.push_back(parse_type(depth + 1));
            expect(',');
            t.dimension = dimension();
            expect(')');
        } else {
            // A class we do not know: its parameters are its own business.
            t.id = type_id::custom;
            skip_ws();
            if (pos_ < s_.size() && s_[pos_] == '(') skip_parameters();
            t.custom_class = std::string(s_.substr(start, pos_ - start));
        }
        return t;
    }

    void expect_end() {
        skip_ws();
        if (pos_ != s_.size()) fail("unexpected '" + std::string(1, s_[pos_]) + "'");
    }

private:
    void skip_ws() noexcept {
        while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\n' || s_[pos_] == '\r'))
            ++pos_;
    }
    bool accept(char c) {
        skip_ws();
        if (pos_ < s_.size() && s_[pos_] == c) {
            ++pos_;
            return true;
        }
        return false;
    }
    void expect(char c) {
        if (!accept(c)) fail(std::string("expected '") + c + "'");
    }
    static bool name_char(char c) noexcept {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
               c == '$';
    }
    std::string_view name(const char* what) {
        skip_ws();
        const auto start = pos_;
        while (pos_ < s_.size() && name_char(s_[pos_])) ++pos_;
        if (pos_ == start) fail(std::string("expected ") + what);
        return s_.substr(start, pos_ - start);
    }
    std::string hex_string(const char* what) {
        const auto hex = name(what);
        auto digit = [](char c) {
            if (c >= '0' && c <= '9') return c - '0';
            if (c >= 'a' && c <= 'f') return c - 'a' + 10;
            if (c >= 'A' && c <= 'F') return c - 'A' + 10;
            return -1;
        };
        std::string out;
        for (std::size_t i = 0; i < hex.size(); i += 2) {
            const int hi = digit(hex[i]), lo = i + 1 < hex.size() ? digit(hex[i + 1]) : -1;
            if (hi < 0 || lo < 0) {
                pos_ -= hex.size() - i;
                fail(std::string(what) + " is not hex");
            }
            out += static_cast<char>(hi * 16 + lo);
        }
        return out;
    }
    std::int32_t dimension() {
        skip_ws();
        const auto start = pos_;
        std::int64_t v = 0;
        while (pos_ < s_.size() && s_[pos_] >= '0' && s_[pos_] <= '9') {
            v = v * 10 + (s_[pos_++] - '0');
            if (v > std::numeric_limits<std::int32_t>::max()) {
                pos_ = start;
                fail("vector dimension out of range");
            }
        }
        if (pos_ == start || v == 0) {
            pos_ = start;
            fail("expected a vector dimension of at least 1");
        }
        return static_cast<std::int32_t>(v);
    }
    void skip_parameters() {
        int open = 0;
        do {
            if (pos_ == s_.size()) fail("unbalanced '('");
            if (s_[pos_] == '(') ++open;
            if (s_[pos_] == ')') --open;
            ++pos_;
        } while (open > 0);
    }
    [[noreturn]] void fail(const std::string& what) const {
        throw protocol_error(protocol_errc::malformed,
                             "marshal type '" + std::string(s_) + "': " + what + " at offset " + std::to_string(pos_));
    }

    std::string_view s_;
    std::size_t pos_ = 0;
};

}  // namespace

data_type parse_marshal_type(std::string_view class_name) {
    // Classes we do not know stay opaque, whatever their syntax.
    std::size_t end = 0;
    while (end < class_name.size() && class_name[end] != '(') ++end;
    auto head = class_name.substr(0, end);
    while (!head.empty() && head.back() == ' ') head.remove_suffix(1);
    if (!is_known(head)) {
        data_type t;
        t.id = type_id::custom;
        t.custom_class = std::string(class_name);
        return t;
    }
    marshal_parser p(class_name);
    auto t = p.parse_type(0);
    p.expect_end();
    return t;
}

}  // namespace async_cassandra::protocol
