// murmur3_token and routing keys against tokens computed by Cassandra itself.
#include "cluster/murmur3.hpp"
#include "cluster/routing_key.hpp"

#include <gtest/gtest.h>

#include <limits>
#include <string>
#include <string_view>
#include <vector>

using namespace async_cassandra::detail;

namespace {

std::vector<std::byte> from_hex(std::string_view hex) {
    std::vector<std::byte> out;
    for (std::size_t i = 0; i + 1 < hex.size(); i += 2)
        out.push_back(static_cast<std::byte>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
    return out;
}

std::vector<std::byte> bytes_of(std::string_view s) {
    const auto* p = reinterpret_cast<const std::byte*>(s.data());
    return {p, p + s.size()};
}

// (serialized partition key, token) pairs. Obtained from the real Cassandra
// 5.0.8 node: tables tokens_ks.t_int (k int), t_bigint (k bigint), t_text
// (k text) and t_blob (k blob), keys inserted as CQL literals, then
// `SELECT token(k), k FROM tokens_ks.<table>`; the hex is the key's bytes as
// the server returned them. The blob keys put bytes >= 0x80 in the tail of
// every length class, where Cassandra reads them as signed.
struct vector_case {
    const char* what;
    const char* key_hex;
    std::int64_t token;
};
const vector_case server_vectors[] = {
    {"int 42", "0000002a", -7160136740246525330},
    {"int 1", "00000001", -4069959284402364209},
    {"int 0", "00000000", -3485513579396041028},
    {"int 2147483647", "7fffffff", -765994672030311617},
    {"int 123456789", "075bcd15", -567416363967733925},
    {"int -2147483648", "80000000", -420533958509279465},
    {"int -1", "ffffffff", 7297452126230313552},
    {"bigint max", "7fffffffffffffff", -1722304415079482439},
    {"bigint 0", "0000000000000000", 2945182322382062539},
    {"bigint 1", "0000000000000001", 6292367497774912474},
    {"bigint 1234567890123", "0000011f71fb04cb", 8056999751681019901},
    {"bigint min", "8000000000000000", 9204767954415360687},
    {"text a", "61", -8839064797231613815},
    {"text 17 chars", "3031323334353637383961626364656667", -8200385122730116642},
    {"text Cassandra", "43617373616e647261", -8102916151384655401},
    {"text hello", "68656c6c6f", -3758069500696749310},
    {"text 32 chars", "54686520717569636b2062726f776e20666f78206a756d7073206f7665722074", -2347790358364300593},
    {"text 43 chars", "54686520717569636b2062726f776e20666f78206a756d7073206f76657220746865206c617a7920646f67",
     -2068352364225029268},
    {"text 16 chars", "30313233343536373839616263646566", 5467490433528156583},
    {"text utf-8", "c3bc6ec3af63c3b664c3a9", 5863313100910821637},
    {"blob 15 high bytes", "f0f1f2f3f4f5f6f7f8f9fafbfcfdfe", -7737243313669454511},
    {"blob 80", "80", -5284281814142962636},
    {"blob ff", "ff", -4442228696663692417},
    {"blob 17 bytes", "8090a0b0c0d0e0f00102030405060708ff", 175921893515335797},
    {"blob 33 bytes", "fffefdfcfbfaf9f8f7f6f5f4f3f2f1f0efeeedecebeae9e8e7e6e5e4e3e2e1e0df", 3497712939828832803},
    {"blob 16 bytes", "000102030405060708090a0b0c0d0e0f", 4920504430128807728},
    {"blob 00", "00", 5048724184180415669},
    {"blob 7f", "7f", 5072634478945617755},
    {"blob 8 x ff", "ffffffffffffffff", 7071048584287372947},
    {"blob 9 high bytes", "808182838485868788", 7770289513489161555},
    {"blob deadbeef", "deadbeef", 8688864458149848315},
};

TEST(murmur3, matches_cassandra_tokens) {
    for (const auto& c : server_vectors) {
        const auto key = from_hex(c.key_hex);
        EXPECT_EQ(murmur3_token(key), c.token) << c.what;
    }
}

TEST(murmur3, empty_key_is_the_minimum_token) {
    EXPECT_EQ(murmur3_token({}), std::numeric_limits<std::int64_t>::min());
}

TEST(murmur3, signed_tail_bytes_matter) {
    // Unsigned tail reading (reference MurmurHash3) would give another value
    // for 0x80 than Cassandra's; the server vector above pins Cassandra's.
    EXPECT_NE(murmur3_token(from_hex("80")), murmur3_token(from_hex("7f")));
    EXPECT_EQ(murmur3_token(from_hex("80")), -5284281814142962636);
}

// Composite keys ((a int, b text)): `SELECT token(a, b), a, b FROM tokens_ks.t_comp`
// on the same node.
struct composite_case {
    std::int32_t a;
    const char* b;
    std::int64_t token;
};
const composite_case composite_vectors[] = {
    {0, "xyz\xc3\xa9", -2562922872736929501},
    {2147483647, "a somewhat longer text component", 706296649983906514},
    {-7, "", 4160193940506758205},
    {1, "a", 6516349416904725244},
    {42, "hello", 8282782378323162669},
};

std::vector<std::byte> int_bytes(std::int32_t v) {
    const auto u = static_cast<std::uint32_t>(v);
    return {std::byte(u >> 24), std::byte(u >> 16), std::byte(u >> 8), std::byte(u)};
}

TEST(routing_key, composite_matches_cassandra_tokens) {
    for (const auto& c : composite_vectors) {
        const auto a = int_bytes(c.a), b = bytes_of(c.b);
        const key_component parts[] = {a, b};
        EXPECT_EQ(routing_token(parts), c.token) << c.a << ", " << c.b;
        const auto key = make_routing_key(parts);
        ASSERT_TRUE(key.has_value());
        EXPECT_EQ(murmur3_token(*key), c.token);
    }
}

TEST(routing_key, single_component_is_as_is) {
    const auto a = from_hex("deadbeef");
    const key_component parts[] = {a};
    EXPECT_EQ(routing_key_size(parts), 4u);
    EXPECT_EQ(make_routing_key(parts), a);
    EXPECT_EQ(routing_token(parts), 8688864458149848315);
}

TEST(routing_key, composite_layout) {
    const auto a = from_hex("0102"), b = from_hex("");
    const key_component parts[] = {a, b};
    ASSERT_EQ(routing_key_size(parts), 5u + 3u);
    EXPECT_EQ(make_routing_key(parts), from_hex("00020102000000"
                                                "00"));
}

TEST(routing_key, writes_into_caller_buffer) {
    const auto a = from_hex("0a"), b = from_hex("0b0c");
    const key_component parts[] = {a, b};
    std::byte out[16]{};
    const auto n = write_routing_key(parts, out);
    ASSERT_EQ(n, 9u);
    EXPECT_EQ(std::vector<std::byte>(out, out + 9), from_hex("00010a0000020b0c00"));
    std::byte small[8]{};
    EXPECT_FALSE(write_routing_key(parts, small).has_value());
}

TEST(routing_key, rejects_what_cannot_be_encoded) {
    EXPECT_FALSE(make_routing_key({}).has_value());
    EXPECT_FALSE(routing_token({}).has_value());
    const std::vector<std::byte> big(max_composite_component + 1), one(1);
    const key_component parts[] = {one, big};
    EXPECT_FALSE(make_routing_key(parts).has_value());
    EXPECT_FALSE(routing_token(parts).has_value());
    // A single component has no length field, so any size is fine.
    const key_component alone[] = {big};
    EXPECT_EQ(routing_token(alone), murmur3_token(big));
}

TEST(routing_key, large_composite_uses_the_heap_path) {
    const std::vector<std::byte> a(300, std::byte{0x81}), b(5, std::byte{0x02});
    const key_component parts[] = {a, b};
    const auto key = make_routing_key(parts);
    ASSERT_TRUE(key.has_value());
    EXPECT_EQ(key->size(), 300u + 5u + 6u);
    EXPECT_EQ(routing_token(parts), murmur3_token(*key));
}

}  // namespace
