#include <async_cassandra/consistency.hpp>

namespace async_cassandra {

const char* to_string(consistency c) noexcept {
    switch (c) {
        case consistency::any: return "ANY";
        case consistency::one: return "ONE";
        case consistency::two: return "TWO";
        case consistency::three: return "THREE";
        case consistency::quorum: return "QUORUM";
        case consistency::all: return "ALL";
        case consistency::local_quorum: return "LOCAL_QUORUM";
        case consistency::each_quorum: return "EACH_QUORUM";
        case consistency::serial: return "SERIAL";
        case consistency::local_serial: return "LOCAL_SERIAL";
        case consistency::local_one: return "LOCAL_ONE";
    }
    return "UNKNOWN";
}

}  // namespace async_cassandra
