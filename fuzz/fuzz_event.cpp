// EVENT bodies: topology, status and schema changes.
#include <async_cassandra/protocol/events.hpp>

#include <cstddef>
#include <cstdint>

using namespace async_cassandra::protocol;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    try {
        byte_reader r(bytes_view(reinterpret_cast<const std::byte*>(data), size));
        (void)decode_event(r);
    } catch (const protocol_error&) {
    }
    return 0;
}
