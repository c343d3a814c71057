// PREPARED results (spec 4.2.5.4), v4 and v5: the bind markers, the partition
// key indexes into them and the result metadata.
#include <async_cassandra/protocol/results.hpp>

#include <cstddef>
#include <cstdint>

using namespace async_cassandra::protocol;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1) return 0;
    const int version = (data[0] & 1) ? 5 : 4;
    try {
        byte_reader r(bytes_view(reinterpret_cast<const std::byte*>(data + 1), size - 1));
        const auto p = decode_prepared(r, version);
        // Every partition key index names one of the bind markers read.
        for (auto i : p.variables.pk_indexes)
            if (i >= p.variables.columns.size()) __builtin_trap();
        if ((version == 5) != p.result_metadata_id.has_value()) __builtin_trap();
    } catch (const protocol_error&) {
    }
    return 0;
}
