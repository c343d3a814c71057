// Native types, byte for byte from the layouts of spec section 5.
#include "value_test_util.hpp"

#include <async_cassandra/detail/vint.hpp>
#include <async_cassandra/statement.hpp>

#include <cmath>
#include <limits>

using namespace value_test;
namespace ac = async_cassandra;
using namespace std::chrono;

TEST(value_scalars, integers_are_big_endian_twos_complement_at_their_width) {
    EXPECT_EQ(encoded(std::int8_t{-128}), "80");
    EXPECT_EQ(encoded(std::int8_t{127}), "7f");
    EXPECT_EQ(encoded(std::int16_t{-32768}), "8000");
    EXPECT_EQ(encoded(std::int16_t{32767}), "7fff");
    EXPECT_EQ(encoded(std::numeric_limits<std::int32_t>::min()), "80000000");
    EXPECT_EQ(encoded(std::int32_t{-1}), "ffffffff");
    EXPECT_EQ(encoded(std::numeric_limits<std::int32_t>::max()), "7fffffff");
    EXPECT_EQ(encoded(std::numeric_limits<std::int64_t>::min()), "8000000000000000");
    EXPECT_EQ(encoded(std::numeric_limits<std::int64_t>::max()), "7fffffffffffffff");

    EXPECT_EQ(decoded<std::int8_t>(type(type_id::tinyint), hex("80")), -128);
    EXPECT_EQ(decoded<std::int16_t>(type(type_id::smallint), hex("7fff")), 32767);
    EXPECT_EQ(decoded<std::int32_t>(type(type_id::int_), hex("80000000")), std::numeric_limits<std::int32_t>::min());
    EXPECT_EQ(decoded<std::int64_t>(type(type_id::bigint), hex("8000000000000000")),
              std::numeric_limits<std::int64_t>::min());
    EXPECT_EQ(decoded<std::int64_t>(type(type_id::counter), hex("0000000000000005")), 5);
    // Raw wire forms of date, time, timestamp remain readable as integers.
    EXPECT_EQ(decoded<std::uint32_t>(type(type_id::date), hex("80000000")), 1u << 31);
    EXPECT_EQ(decoded<std::int64_t>(type(type_id::timestamp), hex("ffffffffffffffff")), -1);
}

TEST(value_scalars, integers_refuse_other_widths) {
    EXPECT_NE(error_of([] { (void)decoded<std::int32_t>(type(type_id::bigint), hex("00")); }).find("std::int32_t"),
              std::string::npos);
    EXPECT_NE(error_of([] { (void)decoded<std::int64_t>(type(type_id::int_), hex("00000001")); }).find("int"),
              std::string::npos);
    EXPECT_NE(
        error_of([] { (void)decoded<std::int32_t>(type(type_id::int_), hex("000001")); }).find("expected 4 bytes"),
        std::string::npos);
    EXPECT_THROW((void)decoded<std::int32_t>(type(type_id::int_), hex("")), ac::value_error);  // empty value
    EXPECT_THROW((void)decoded<std::int16_t>(type(type_id::smallint), hex("000001")), ac::value_error);
    EXPECT_THROW((void)decoded<std::int8_t>(type(type_id::tinyint), hex("0001")), ac::value_error);
}

TEST(value_scalars, boolean_float_double) {
    EXPECT_EQ(encoded(true), "01");
    EXPECT_EQ(encoded(false), "00");
    EXPECT_TRUE(decoded<bool>(type(type_id::boolean), hex("02")));  // any non-zero is true
    EXPECT_FALSE(decoded<bool>(type(type_id::boolean), hex("00")));
    EXPECT_THROW((void)decoded<bool>(type(type_id::boolean), hex("0001")), ac::value_error);

    EXPECT_EQ(encoded(1.0f), "3f800000");
    EXPECT_EQ(encoded(-0.0f), "80000000");
    EXPECT_EQ(encoded(std::numeric_limits<float>::infinity()), "7f800000");
    EXPECT_EQ(encoded(1.5), "3ff8000000000000");
    EXPECT_EQ(encoded(std::numeric_limits<double>::lowest()), "ffefffffffffffff");
    EXPECT_TRUE(std::isnan(decoded<float>(type(type_id::float_), hex("7fc00000"))));
    EXPECT_EQ(decoded<double>(type(type_id::double_), hex("3ff8000000000000")), 1.5);
    EXPECT_THROW((void)decoded<double>(type(type_id::float_), hex("3f800000")), ac::value_error);
    EXPECT_THROW((void)decoded<float>(type(type_id::float_), hex("3f8000")), ac::value_error);
}

TEST(value_scalars, text_ascii_blob) {
    EXPECT_EQ(encoded(std::string("")), "");
    EXPECT_EQ(encoded("héllo"), "68c3a96c6c6f");
    EXPECT_EQ(encoded(std::string_view("\xF0\x9F\x98\x80")), "f09f9880");  // U+1F600
    EXPECT_EQ(decoded<std::string>(type(type_id::varchar), hex("68c3a96c6c6f")), "héllo");
    EXPECT_EQ(decoded<std::string_view>(type(type_id::ascii), hex("616263")), "abc");
    EXPECT_EQ(decoded<std::string>(type(type_id::varchar), hex("")), "");
    EXPECT_THROW((void)decoded<std::string>(type(type_id::blob), hex("61")), ac::value_error);

    const bytes blob = hex("0001ff");
    EXPECT_EQ(encoded(blob), "0001ff");
    EXPECT_EQ(encoded(std::span<const std::byte>(blob)), "0001ff");
    EXPECT_EQ(encoded(bytes{}), "");
    EXPECT_EQ(decoded<bytes>(type(type_id::blob), blob), blob);
    EXPECT_EQ(decoded<std::span<const std::byte>>(type(type_id::blob), blob).size(), 3u);
    EXPECT_THROW((void)decoded<bytes>(type(type_id::varchar), blob), ac::value_error);
}

TEST(value_scalars, uuid_is_16_bytes_in_rfc_4122_order) {
    const auto u = ac::uuid::parse("00112233-4455-6677-8899-AABBCCDDEEFF");
    EXPECT_EQ(encoded(u), "00112233445566778899aabbccddeeff");
    EXPECT_EQ(u.to_string(), "00112233-4455-6677-8899-aabbccddeeff");
    EXPECT_EQ(u.version(), 6);
    EXPECT_EQ(decoded<ac::uuid>(type(type_id::uuid), hex("00112233445566778899aabbccddeeff")), u);
    const auto tu = decoded<ac::uuid>(type(type_id::timeuuid), hex("0bbf4aa0ea5d11f1bc322718f666d9d6"));
    EXPECT_EQ(tu.version(), 1);
    EXPECT_LT(ac::uuid{}, u);
    EXPECT_EQ(ac::uuid{}.to_string(), "00000000-0000-0000-0000-000000000000");
    EXPECT_THROW((void)ac::uuid::parse("00112233-4455-6677-8899-aabbccddeef"), ac::value_error);
    EXPECT_THROW((void)ac::uuid::parse("00112233x4455-6677-8899-aabbccddeeff"), ac::value_error);
    EXPECT_THROW((void)ac::uuid::parse("g0112233-4455-6677-8899-aabbccddeeff"), ac::value_error);
    EXPECT_THROW((void)decoded<ac::uuid>(type(type_id::uuid), hex("0011")), ac::value_error);
}

TEST(value_scalars, inet_is_4_or_16_bytes) {
    const auto v4 = ac::inet_address::parse("127.0.0.1");
    EXPECT_TRUE(v4.is_v4());
    EXPECT_EQ(encoded(v4), "7f000001");
    const auto v6 = ac::inet_address::parse("2001:db8::ff00:42:8329");
    EXPECT_TRUE(v6.is_v6());
    EXPECT_EQ(encoded(v6), "20010db8000000000000ff0000428329");
    EXPECT_EQ(v6.to_string(), "2001:db8::ff00:42:8329");
    EXPECT_EQ(encoded(ac::inet_address::parse("::1")), "00000000000000000000000000000001");
    EXPECT_EQ(decoded<ac::inet_address>(type(type_id::inet), hex("c0a80001")).to_string(), "192.168.0.1");
    EXPECT_EQ(decoded<ac::inet_address>(type(type_id::inet), hex("00000000000000000000000000000001")).to_string(),
              "::1");
    EXPECT_LT(v4, v6);
    EXPECT_THROW((void)ac::inet_address::parse("1.2.3"), ac::value_error);
    EXPECT_THROW((void)ac::inet_address::parse("localhost"), ac::value_error);
    EXPECT_THROW((void)decoded<ac::inet_address>(type(type_id::inet), hex("0102030405")), ac::value_error);
    EXPECT_THROW((void)decoded<ac::inet_address>(type(type_id::inet), hex("")), ac::value_error);
}

TEST(value_scalars, date_has_its_epoch_at_2_pow_31) {
    const sys_days epoch = 1970y / January / 1;
    EXPECT_EQ(encoded(epoch), "80000000");
    EXPECT_EQ(encoded(epoch - days(1)), "7fffffff");
    EXPECT_EQ(encoded(sys_days(2024y / February / 29)), "80004d46");  // 19782 days
    EXPECT_EQ(decoded<sys_days>(type(type_id::date), hex("80000001")), epoch + days(1));
    // The spec's examples: 0 is -5877641-06-23, 2^31 is 1970-01-01.
    EXPECT_EQ(ac::date{0}.to_string(), "-5877641-06-23");
    EXPECT_EQ(ac::date{}.to_string(), "1970-01-01");
    EXPECT_EQ(ac::date{0xFFFFFFFF}.to_string(), "5881580-07-11");
    EXPECT_EQ(decoded<ac::date>(type(type_id::date), hex("00000000")).raw, 0u);
    EXPECT_EQ(encoded(ac::date{0xFFFFFFFF}), "ffffffff");
    EXPECT_EQ(ac::date::from_sys_days(epoch - days(std::int64_t{1} << 31)).raw, 0u);
    EXPECT_THROW((void)ac::date::from_sys_days(epoch - days((std::int64_t{1} << 31) + 1)), ac::value_error);
    EXPECT_THROW((void)ac::encode_value(epoch + days(std::int64_t{1} << 31)), ac::value_error);
    EXPECT_THROW((void)decoded<sys_days>(type(type_id::date), hex("800000")), ac::value_error);
}

TEST(value_scalars, time_is_nanoseconds_since_midnight_range_checked) {
    EXPECT_EQ(encoded(nanoseconds(0)), "0000000000000000");
    EXPECT_EQ(encoded(ac::max_time_of_day), "00004e94914effff");
    EXPECT_EQ(encoded(hours(1) + seconds(1) + nanoseconds(1)), "000003466c536a01");
    EXPECT_EQ(decoded<nanoseconds>(type(type_id::time), hex("00004e94914effff")), ac::max_time_of_day);
    EXPECT_THROW((void)ac::encode_value(nanoseconds(-1)), ac::value_error);
    EXPECT_THROW((void)ac::encode_value(nanoseconds(hours(24))), ac::value_error);
    EXPECT_THROW((void)decoded<nanoseconds>(type(type_id::time), hex("00004e94914f0000")), ac::value_error);
    EXPECT_THROW((void)decoded<nanoseconds>(type(type_id::time), hex("ffffffffffffffff")), ac::value_error);
}

TEST(value_scalars, timestamp_is_milliseconds_since_the_unix_epoch) {
    using ms_time = sys_time<milliseconds>;
    EXPECT_EQ(encoded(ms_time(milliseconds(1))), "0000000000000001");
    EXPECT_EQ(encoded(ms_time(milliseconds(-1))), "ffffffffffffffff");
    EXPECT_EQ(encoded(ms_time(sys_days(2000y / January / 1))), "000000dc6acfac00");  // 946684800000
    EXPECT_EQ(decoded<ms_time>(type(type_id::timestamp), hex("ffffffffffffffff")), ms_time(milliseconds(-1)));
    EXPECT_THROW((void)decoded<ms_time>(type(type_id::bigint), hex("0000000000000001")), ac::value_error);
}

TEST(value_scalars, varint_matches_the_spec_table) {
    // Spec 5.24.
    EXPECT_EQ(encoded(ac::varint(0)), "00");
    EXPECT_EQ(encoded(ac::varint(1)), "01");
    EXPECT_EQ(encoded(ac::varint(127)), "7f");
    EXPECT_EQ(encoded(ac::varint(128)), "0080");
    EXPECT_EQ(encoded(ac::varint(129)), "0081");
    EXPECT_EQ(encoded(ac::varint(-1)), "ff");
    EXPECT_EQ(encoded(ac::varint(-128)), "80");
    EXPECT_EQ(encoded(ac::varint(-129)), "ff7f");
    EXPECT_EQ(encoded(ac::varint(std::numeric_limits<std::int64_t>::min())), "8000000000000000");
    EXPECT_EQ(encoded(ac::varint(std::numeric_limits<std::uint64_t>::max())), "00ffffffffffffffff");
    EXPECT_EQ(encoded(ac::varint::parse("18446744073709551616")), "010000000000000000");  // 2^64
    EXPECT_EQ(encoded(ac::varint::parse("-170141183460469231731687303715884105728")),
              "80000000000000000000000000000000");  // -2^127
    for (std::int64_t v : {std::int64_t{0}, std::int64_t{-129}, std::int64_t{255}, std::int64_t{-32768},
                           std::numeric_limits<std::int64_t>::min(), std::numeric_limits<std::int64_t>::max()}) {
        const ac::varint x(v);
        EXPECT_EQ(x.to_int64(), v);
        EXPECT_EQ(x.to_string(), std::to_string(v));
        EXPECT_EQ(ac::varint::parse(std::to_string(v)), x);
        EXPECT_EQ(decoded<ac::varint>(type(type_id::varint), bytes(x.bytes().begin(), x.bytes().end())), x);
    }
    const auto big = ac::varint::parse("-123456789012345678901234567890");
    EXPECT_EQ(big.to_string(), "-123456789012345678901234567890");
    EXPECT_FALSE(big.fits_int64());
    EXPECT_THROW((void)big.to_int64(), ac::value_error);
    EXPECT_THROW((void)ac::varint::parse("9223372036854775808").to_int64(), ac::value_error);
    EXPECT_EQ(ac::varint::parse("+1000000000").to_string(), "1000000000");
    EXPECT_LT(big, ac::varint(-1));
    EXPECT_LT(ac::varint(-1), ac::varint(0));
    EXPECT_LT(ac::varint(127), ac::varint(128));
    EXPECT_LT(ac::varint(-129), ac::varint(-128));
    // Redundant sign bytes on the wire read as the same number.
    EXPECT_EQ(decoded<ac::varint>(type(type_id::varint), hex("0000ff")), ac::varint(255));
    EXPECT_EQ(decoded<ac::varint>(type(type_id::varint), hex("ffff80")), ac::varint(-128));
    EXPECT_THROW((void)decoded<ac::varint>(type(type_id::varint), hex("")), ac::value_error);
    EXPECT_THROW((void)ac::varint::parse(""), ac::value_error);
    EXPECT_THROW((void)ac::varint::parse("-"), ac::value_error);
    EXPECT_THROW((void)ac::varint::parse("12a"), ac::value_error);
}

TEST(value_scalars, decimal_is_scale_then_varint) {
    EXPECT_EQ(encoded(ac::decimal::parse("123.45")),
              "00000002"
              "3039");
    EXPECT_EQ(encoded(ac::decimal::parse("-1.5")),
              "00000001"
              "f1");
    EXPECT_EQ(encoded(ac::decimal::parse("0.001")),
              "00000003"
              "01");
    EXPECT_EQ(encoded(ac::decimal::parse("1E+3")),
              "fffffffd"
              "01");
    EXPECT_EQ(encoded(ac::decimal::parse("-0.00")),
              "00000002"
              "00");
    EXPECT_EQ(encoded(ac::decimal{ac::varint(-129), 0}),
              "00000000"
              "ff7f");
    const auto d = decoded<ac::decimal>(type(type_id::decimal), hex("00000002"
                                                                    "3039"));
    EXPECT_EQ(d.unscaled, ac::varint(12345));
    EXPECT_EQ(d.scale, 2);
    EXPECT_EQ(d.to_string(), "123.45");
    EXPECT_EQ((ac::decimal{ac::varint(-15), 1}).to_string(), "-1.5");
    EXPECT_EQ((ac::decimal{ac::varint(1), -3}).to_string(), "1E+3");
    EXPECT_EQ((ac::decimal{ac::varint(1), 6}).to_string(), "0.000001");
    EXPECT_EQ((ac::decimal{ac::varint(1), 7}).to_string(), "1E-7");
    EXPECT_EQ((ac::decimal{ac::varint(12345), 9}).to_string(), "0.000012345");
    EXPECT_EQ((ac::decimal{ac::varint(0), 2}).to_string(), "0.00");
    EXPECT_EQ((ac::decimal{ac::varint(1), std::numeric_limits<std::int32_t>::max()}).to_string(), "1E-2147483647");
    EXPECT_EQ(ac::decimal::parse("1.5e-7").to_string(), "1.5E-7");
    EXPECT_NE(ac::decimal::parse("1.5"), ac::decimal::parse("1.50"));  // like BigDecimal.equals
    EXPECT_THROW((void)ac::decimal::parse("1.2.3"), ac::value_error);
    EXPECT_THROW((void)ac::decimal::parse("."), ac::value_error);
    EXPECT_THROW((void)ac::decimal::parse("1e"), ac::value_error);
    EXPECT_THROW((void)ac::decimal::parse("1e99999999999"), ac::value_error);
    EXPECT_THROW((void)decoded<ac::decimal>(type(type_id::decimal), hex("00000002")), ac::value_error);
    EXPECT_THROW((void)decoded<ac::decimal>(type(type_id::decimal), hex("000002")), ac::value_error);
}

TEST(value_scalars, unsigned_vint_follows_the_spec_notation) {
    auto vint = [](std::uint64_t v) {
        bytes b;
        ac::protocol::byte_writer w(b);
        ac::detail::write_unsigned_vint(w, v);
        std::size_t pos = 0;
        EXPECT_EQ(ac::detail::read_unsigned_vint(b, pos, "test"), v);
        EXPECT_EQ(pos, b.size());
        return to_hex(b);
    };
    EXPECT_EQ(vint(0), "00");
    EXPECT_EQ(vint(127), "7f");
    EXPECT_EQ(vint(128), "8080");
    EXPECT_EQ(vint(256000), "c3e800");  // the spec's example: [110]00011 11101000 00000000
    EXPECT_EQ(vint((std::uint64_t{1} << 56) - 1), "feffffffffffffff");
    EXPECT_EQ(vint(std::uint64_t{1} << 56), "ff0100000000000000");
    EXPECT_EQ(vint(~std::uint64_t{0}), "ffffffffffffffffff");
    // Zig-zag (spec section 3): 0, -1, 1, -2, 2 -> 0, 1, 2, 3, 4.
    EXPECT_EQ(ac::detail::zigzag(-1), 1u);
    EXPECT_EQ(ac::detail::zigzag(2), 4u);
    EXPECT_EQ(ac::detail::zigzag(std::numeric_limits<std::int64_t>::min()), ~std::uint64_t{0});
    EXPECT_EQ(ac::detail::unzigzag(3), -2);
    const auto cut = hex("c3e8");
    std::size_t pos = 0;
    EXPECT_THROW((void)ac::detail::read_unsigned_vint(cut, pos, "test"), ac::value_error);
}

TEST(value_scalars, duration_is_three_zigzag_vints) {
    EXPECT_EQ(encoded(ac::duration{1, 2, 3}), "020406");
    EXPECT_EQ(encoded(ac::duration{-1, -2, -3}), "010305");
    EXPECT_EQ(encoded(ac::duration{0, 0, 1000}),
              "0000"
              "87d0");
    EXPECT_EQ(encoded(ac::duration{0, 0, 0}), "000000");
    EXPECT_EQ(encoded(ac::duration{0, 0, std::numeric_limits<std::int64_t>::max()}),
              "0000"
              "fffffffffffffffffe");
    EXPECT_EQ(encoded(ac::duration{std::numeric_limits<std::int32_t>::min(), 0, 0}),
              "f0ffffffff"
              "0000");
    EXPECT_EQ(decoded<ac::duration>(type(type_id::duration), hex("020406")), (ac::duration{1, 2, 3}));
    EXPECT_EQ(decoded<ac::duration>(type(type_id::duration), hex("f0ffffffff"
                                                                 "00"
                                                                 "00")),
              (ac::duration{std::numeric_limits<std::int32_t>::min(), 0, 0}));
    EXPECT_EQ(decoded<ac::duration>(type(type_id::duration), hex("00"
                                                                 "00"
                                                                 "ffffffffffffffffff")),
              (ac::duration{0, 0, std::numeric_limits<std::int64_t>::min()}));
    EXPECT_EQ(ac::to_string(ac::duration{14, 3, 3'723'004'005'006}), "1y2mo3d1h2m3s4ms5us6ns");
    EXPECT_EQ(ac::to_string(ac::duration{0, -3, 0}), "-3d");
    EXPECT_EQ(ac::to_string(ac::duration{}), "0s");

    EXPECT_THROW((void)ac::encode_value(ac::duration{1, -1, 0}), ac::value_error);  // mixed signs
    EXPECT_THROW((void)decoded<ac::duration>(type(type_id::duration), hex("020306")), ac::value_error);
    // 2^31 months overflows the 32-bit field.
    EXPECT_NE(error_of([] {
                  (void)decoded<ac::duration>(type(type_id::duration), hex("f100000000"
                                                                           "00"
                                                                           "00"));
              }).find("overflows"),
              std::string::npos);
    EXPECT_THROW((void)decoded<ac::duration>(type(type_id::duration), hex("0204")), ac::value_error);
    EXPECT_THROW((void)decoded<ac::duration>(type(type_id::duration), hex("0204"
                                                                          "87")),
                 ac::value_error);
    EXPECT_THROW((void)decoded<ac::duration>(type(type_id::duration), hex("020406"
                                                                          "00")),
                 ac::value_error);
}

TEST(value_scalars, null_unset_and_optional_binding) {
    EXPECT_TRUE(ac::encode_value(std::nullopt).is_null());
    EXPECT_TRUE(ac::encode_value(std::optional<std::int32_t>{}).is_null());
    EXPECT_TRUE(ac::encode_value(ac::unset).is_unset());
    EXPECT_TRUE(ac::encode_value(static_cast<const char*>(nullptr)).is_null());
    EXPECT_EQ(to_hex(ac::encode_value(std::optional<std::int32_t>{7}).bytes()), "00000007");
    ac::statement st("INSERT INTO t (a, b, c, d) VALUES (?, ?, ?, ?)");
    st.bind(1, std::nullopt, ac::unset, "x");
    ASSERT_EQ(st.values().size(), 4u);
    EXPECT_EQ(to_hex(st.values()[0].bytes()), "00000001");
    EXPECT_TRUE(st.values()[1].is_null());
    EXPECT_TRUE(st.values()[2].is_unset());
    EXPECT_EQ(to_hex(st.values()[3].bytes()), "78");
    // An empty string is a value, not null.
    EXPECT_EQ(ac::encode_value(std::string()).get_kind(), ac::encoded_value::kind::bytes);
}

TEST(value_scalars, null_needs_optional) {
    const auto t = type(type_id::int_);
    ac::value_view null_int(t, std::nullopt);
    EXPECT_TRUE(null_int.is_null());
    EXPECT_EQ(null_int.as<std::optional<std::int32_t>>(), std::nullopt);
    EXPECT_NE(error_of([&] { (void)null_int.as<std::int32_t>(); }).find("null"), std::string::npos);
    // The type is still checked for null values.
    EXPECT_THROW((void)null_int.as<std::optional<std::string>>(), ac::value_error);
}
