// The hosts read from system.local and system.peers(_v2) rows
// (read_host_rows): the input is the rows themselves, one a line, so that the
// fuzzer reaches the reading logic (addresses, ports, tokens, types) rather
// than the RESULT decoder's checks (fuzz_result covers those).
//
//   T<types>      optional first line: one letter per column below, its type
//                 (a address as inet, t text, i int, u uuid, s set<text>,
//                 - the column is missing); default "aiattttus" (the real ones)
//   L<cells>      the system.local row; P<cells> a peer row
//   cells:        native_address|native_port|rpc_address|data_center|rack|
//                 release_version|partitioner|host_id|tokens (comma-separated)
//                 an empty cell is null
//
// read_host_rows must never throw, and what it returns must hold: the node
// that answered first under the address used, every port 1..65535, every
// address non-empty, tokens sorted; on an error, no hosts.
#include "row_text.hpp"
#include "cluster/host_rows.hpp"

#include <server_protocol/server_protocol.hpp>
#include <async_cassandra/inet_address.hpp>
#include <async_cassandra/value_codec.hpp>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <vector>

using namespace async_cassandra;
namespace pr = async_cassandra::protocol;

namespace {

using fuzz_rows::of;
using fuzz_rows::split;

constexpr const char* names[] = {"native_address",  "native_port", "rpc_address", "data_center", "rack",
                                 "release_version", "partitioner", "host_id",     "tokens"};
constexpr std::size_t n_columns = sizeof names / sizeof names[0];

data_type type_of(char c) {
    switch (c) {
        case 'a': return of(type_id::inet);
        case 'i': return of(type_id::int_);
        case 'u': return of(type_id::uuid);
        case 's': return of(type_id::set, {of(type_id::varchar)});
        default: return of(type_id::varchar);
    }
}

// The cell `text` as a value of the column's type; malformed input makes a
// null or a value of some other form, never an exception.
encoded_value cell(char type, std::string_view text) {
    if (text.empty()) return encoded_value::null_value();
    switch (type) {
        case 'a': {
            try {
                return encode_value(inet_address::parse(std::string(text)));
            } catch (const std::exception&) {
                return encoded_value::null_value();
            }
        }
        case 'i': {
            std::uint32_t v = 0;  // wraps: any int32, negative ones too
            for (char ch : text) v = v * 10u + (ch >= '0' && ch <= '9' ? static_cast<std::uint32_t>(ch - '0') : 0u);
            return encode_value(static_cast<std::int32_t>(text[0] == '-' ? 0u - v : v));
        }
        case 'u': {
            std::array<std::byte, 16> b{};
            for (std::size_t i = 0; i < b.size() && i < text.size(); ++i) b[i] = static_cast<std::byte>(text[i]);
            return encode_value(uuid::from_bytes(b));
        }
        case 's': {
            std::set<std::string> v;
            for (auto t : split(text, ',')) v.emplace(t);
            return encode_value(v);
        }
        default: return encode_value(text);
    }
}

result_set rows_of(const char* table, const std::string& types,
                   const std::vector<std::vector<std::string_view>>& rows) {
    pr::server::rows_header h;
    std::vector<std::size_t> present;
    for (std::size_t c = 0; c < n_columns; ++c) {
        if (types[c] == '-') continue;
        present.push_back(c);
        h.columns.push_back({"system", table, names[c], type_of(types[c])});
    }
    pr::byte_buffer body;
    pr::byte_writer w(body);
    pr::server::begin_rows_result(w, h, static_cast<std::int32_t>(rows.size()));
    for (const auto& row : rows)
        for (auto c : present) {
            auto v = cell(types[c], c < row.size() ? row[c] : std::string_view{});
            if (v.is_null())
                w.null_bytes();
            else
                w.bytes(v.bytes());
        }
    return result_set::from_body(std::move(body), 0, 5);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view in(reinterpret_cast<const char*>(data), size);
    std::string types = "aiattttus";
    std::vector<std::vector<std::string_view>> local, peers;
    for (auto line : split(in, '\n')) {
        if (line.empty()) continue;
        const auto rest = line.substr(1);
        switch (line[0]) {
            case 'T':
                for (std::size_t c = 0; c < n_columns && c < rest.size(); ++c) types[c] = rest[c];
                break;
            case 'L': local.push_back(split(rest, '|')); break;
            case 'P': peers.push_back(split(rest, '|')); break;
            default: break;
        }
    }
    const auto local_rs = rows_of("local", types, local);
    const auto peers_rs = rows_of("peers_v2", types, peers);
    const auto got = detail::read_host_rows(local_rs, peers_rs, "10.0.0.1", 9042, 9042);
    if (!got.error.empty()) {
        if (!got.hosts.empty()) __builtin_trap();
        return 0;
    }
    if (got.hosts.empty() || got.hosts[0].address != "10.0.0.1" || got.hosts[0].port != 9042) __builtin_trap();
    for (const auto& h : got.hosts) {
        if (h.address.empty() || h.port == 0) __builtin_trap();
        if (!std::is_sorted(h.info.tokens.begin(), h.info.tokens.end())) __builtin_trap();
    }
    return 0;
}
