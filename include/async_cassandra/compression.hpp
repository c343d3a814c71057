// Compression a connection negotiates in STARTUP ("COMPRESSION").
#pragma once

namespace async_cassandra {

// v5 compresses whole segments and knows only lz4; v4 compresses each
// envelope body after STARTUP with lz4 or snappy.
enum class compression {
    none,
    lz4,
    snappy,  // v4 only
};

// The STARTUP option value: "lz4", "snappy", or "" for none.
constexpr const char* to_string(compression c) noexcept {
    switch (c) {
        case compression::lz4: return "lz4";
        case compression::snappy: return "snappy";
        case compression::none: break;
    }
    return "";
}

}  // namespace async_cassandra
