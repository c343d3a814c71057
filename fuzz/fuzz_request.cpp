// Request bodies as a server (tools/cql-sim) reads them: the first byte picks
// the message and the protocol version.
#include <server_protocol/server_protocol.hpp>

#include <cstddef>
#include <cstdint>

using namespace async_cassandra::protocol;
namespace srv = async_cassandra::protocol::server;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1) return 0;
    const int version = (data[0] & 1) ? 5 : 4;
    byte_reader r(bytes_view(reinterpret_cast<const std::byte*>(data + 1), size - 1));
    try {
        switch ((data[0] >> 1) % 6) {
            case 0: (void)srv::decode_query(r, version); break;
            case 1: (void)srv::decode_prepare(r, version); break;
            case 2: (void)srv::decode_execute(r, version); break;
            case 3: (void)srv::decode_batch(r, version); break;
            case 4: (void)srv::decode_startup(r); break;
            default: (void)srv::decode_register(r); break;
        }
    } catch (const protocol_error&) {
    }
    return 0;
}
