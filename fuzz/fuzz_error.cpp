// ERROR bodies (every code, v4 and v5 layouts).
#include <async_cassandra/protocol/messages.hpp>

#include <cstddef>
#include <cstdint>

using namespace async_cassandra::protocol;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1) return 0;
    const int version = (data[0] & 1) ? 5 : 4;
    bytes_view in(reinterpret_cast<const std::byte*>(data + 1), size - 1);
    try {
        byte_reader r(in);
        (void)decode_error(r, version);
    } catch (const protocol_error&) {
    }
    return 0;
}
