// RESULT bodies: every kind, rows metadata, and every cell of every row.
#include <async_cassandra/result_set.hpp>

#include <cstddef>
#include <cstdint>

using namespace async_cassandra;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1) return 0;
    const int version = (data[0] & 1) ? 5 : 4;
    const auto flags = static_cast<std::uint8_t>((data[0] >> 1) & 0x0E);
    const auto* p = reinterpret_cast<const std::byte*>(data + 1);
    try {
        auto rs = result_set::from_body(protocol::byte_buffer(p, p + size - 1), flags, version);
        for (std::size_t i = 0; i < rs.size(); ++i) {
            auto row = rs.row(i);
            for (std::size_t c = 0; c < row.size(); ++c) (void)row.raw(c);
        }
    } catch (const protocol::protocol_error&) {
    } catch (const value_error&) {
    }
    return 0;
}
