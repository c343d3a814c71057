// Big-endian primitives of the CQL notation (spec section 3): a bounded reader
// over received bytes and an appending writer. No I/O, no allocation in the reader.
#pragma once

#include <async_cassandra/protocol/protocol_error.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace async_cassandra::protocol {

using byte_buffer = std::vector<std::byte>;
using bytes_view = std::span<const std::byte>;

// Received bytes, owned: a message body is written once (copied from the
// read buffer or decompressed into) and then only read, so its storage starts
// uninitialised instead of zero-filled as a vector's would (a compressed body
// would pay a fill as large as itself). Reads as a bytes_view.
class owned_bytes {
public:
    owned_bytes() noexcept = default;
    // n bytes whose contents are unspecified until written.
    static owned_bytes for_overwrite(std::size_t n) {
        owned_bytes b;
        b.reserve(n);
        b.size_ = n;
        return b;
    }
    explicit owned_bytes(std::span<const std::byte> from) { append(from); }
    owned_bytes(const owned_bytes& o) : owned_bytes(std::span<const std::byte>(o)) {}
    owned_bytes& operator=(const owned_bytes& o) {
        if (this != &o) *this = owned_bytes(o);
        return *this;
    }
    owned_bytes(owned_bytes&& o) noexcept
        : data_(std::move(o.data_)), size_(std::exchange(o.size_, 0)), capacity_(std::exchange(o.capacity_, 0)) {}
    owned_bytes& operator=(owned_bytes&& o) noexcept {
        data_ = std::move(o.data_);
        size_ = std::exchange(o.size_, 0);
        capacity_ = std::exchange(o.capacity_, 0);
        return *this;
    }

    std::byte* data() noexcept { return data_.get(); }
    const std::byte* data() const noexcept { return data_.get(); }
    std::size_t size() const noexcept { return size_; }
    std::size_t capacity() const noexcept { return capacity_; }
    bool empty() const noexcept { return size_ == 0; }
    const std::byte* begin() const noexcept { return data_.get(); }
    const std::byte* end() const noexcept { return data_.get() + size_; }
    std::byte operator[](std::size_t i) const noexcept { return data_[i]; }
    operator std::span<const std::byte>() const noexcept { return {data_.get(), size_}; }

    // Room for n bytes in all, keeping the contents (none are initialised).
    void reserve(std::size_t n) {
        if (n <= capacity_) return;
        auto grown = std::make_unique_for_overwrite<std::byte[]>(n);
        if (size_ > 0) std::memcpy(grown.get(), data_.get(), size_);
        data_ = std::move(grown);
        capacity_ = n;
    }
    // n bytes (up to capacity()) whose contents are unspecified until written.
    void resize_for_overwrite(std::size_t n) {
        reserve(n);
        size_ = n;
    }
    void append(std::span<const std::byte> more) {
        if (more.empty()) return;
        if (more.size() > capacity_ - size_) reserve(std::max(size_ + more.size(), capacity_ * 2));
        std::memcpy(data_.get() + size_, more.data(), more.size());
        size_ += more.size();
    }

    friend bool operator==(const owned_bytes& a, std::span<const std::byte> b) noexcept {
        return a.size_ == b.size() && (a.size_ == 0 || std::memcmp(a.data_.get(), b.data(), a.size_) == 0);
    }

private:
    std::unique_ptr<std::byte[]> data_;
    std::size_t size_ = 0;
    std::size_t capacity_ = 0;
};

inline std::string_view as_chars(bytes_view b) noexcept { return {reinterpret_cast<const char*>(b.data()), b.size()}; }
inline bytes_view as_bytes(std::string_view s) noexcept {
    return {reinterpret_cast<const std::byte*>(s.data()), s.size()};
}

// Reads CQL notation from a span; every read checks bounds and throws
// protocol_error naming what it was reading, so a truncated or lying message
// can never read past its end.
class byte_reader {
public:
    explicit byte_reader(bytes_view data) noexcept : data_(data) {}

    std::size_t remaining() const noexcept { return data_.size() - pos_; }
    std::size_t position() const noexcept { return pos_; }
    bool empty() const noexcept { return remaining() == 0; }
    bytes_view rest() const noexcept { return data_.subspan(pos_); }

    bytes_view raw(std::size_t n, const char* what) {
        if (n > remaining()) throw_truncated(what, n);
        auto out = data_.subspan(pos_, n);
        pos_ += n;
        return out;
    }
    void skip(std::size_t n, const char* what) { (void)raw(n, what); }

    std::uint8_t u8(const char* what = "byte") { return static_cast<std::uint8_t>(raw(1, what)[0]); }
    std::uint16_t u16(const char* what = "short") { return static_cast<std::uint16_t>(be(raw(2, what))); }
    std::int32_t i32(const char* what = "int") { return static_cast<std::int32_t>(be(raw(4, what))); }
    std::int64_t i64(const char* what = "long") { return static_cast<std::int64_t>(be(raw(8, what))); }

    // [string]: a [short] n followed by n bytes of UTF-8.
    std::string_view string(const char* what = "string") {
        auto n = u16(what);
        return as_chars(raw(n, what));
    }
    // [long string]: an [int] n followed by n bytes.
    std::string_view long_string(const char* what = "long string") {
        auto n = i32(what);
        if (n < 0) fail(protocol_errc::malformed, what, "negative length " + std::to_string(n), 4);
        return as_chars(raw(static_cast<std::size_t>(n), what));
    }
    // [bytes]: an [int] n, then n bytes; n < 0 means null (nullopt).
    std::optional<bytes_view> bytes(const char* what = "bytes") {
        auto n = i32(what);
        if (n < 0) return std::nullopt;
        return raw(static_cast<std::size_t>(n), what);
    }
    // [short bytes]: a [short] n, then n bytes.
    bytes_view short_bytes(const char* what = "short bytes") { return raw(u16(what), what); }

    // A count of items that each take at least `min_size` bytes: a count the
    // remaining bytes cannot hold is refused before anyone sizes a container by it.
    std::size_t count(std::int64_t n, std::size_t min_size, const char* what) const {
        if (n < 0) fail(protocol_errc::malformed, what, "negative count " + std::to_string(n));
        if (min_size > 0 && static_cast<std::uint64_t>(n) > remaining() / min_size)
            fail(protocol_errc::malformed, what,
                 std::to_string(n) + " items cannot fit in the " + std::to_string(remaining()) + " bytes left");
        return static_cast<std::size_t>(n);
    }

    // Throws protocol_error "<what>: <detail> at offset N"; `back` names a
    // field already read (its offset is `back` bytes behind the position).
    [[noreturn]] void fail(protocol_errc code, const char* what, const std::string& detail,
                           std::size_t back = 0) const {
        throw protocol_error(code, std::string(what) + ": " + detail + " at offset " + std::to_string(pos_ - back));
    }

private:
    static std::uint64_t be(bytes_view b) noexcept {
        std::uint64_t v = 0;
        for (auto x : b) v = (v << 8) | static_cast<std::uint8_t>(x);
        return v;
    }
    [[noreturn]] void throw_truncated(const char* what, std::size_t n) const {
        throw protocol_error(protocol_errc::truncated, std::string(what) + ": needs " + std::to_string(n) +
                                                           " bytes at offset " + std::to_string(pos_) + ", only " +
                                                           std::to_string(remaining()) + " left");
    }

    bytes_view data_;
    std::size_t pos_ = 0;
};

// Appends CQL notation to a byte_buffer it does not own, so callers can encode
// straight into a connection's output buffer.
class byte_writer {
public:
    explicit byte_writer(byte_buffer& out) noexcept : out_(out) {}

    byte_buffer& buffer() noexcept { return out_; }
    std::size_t size() const noexcept { return out_.size(); }

    void raw(bytes_view b) { out_.insert(out_.end(), b.begin(), b.end()); }
    void u8(std::uint8_t v) { out_.push_back(static_cast<std::byte>(v)); }
    void u16(std::uint16_t v) { put_be(v, 2); }
    void i32(std::int32_t v) { put_be(static_cast<std::uint32_t>(v), 4); }
    void i64(std::int64_t v) { put_be(static_cast<std::uint64_t>(v), 8); }

    void string(std::string_view s) {
        check_len(s.size(), 0xFFFF, "string");
        u16(static_cast<std::uint16_t>(s.size()));
        raw(as_bytes(s));
    }
    void long_string(std::string_view s) {
        check_len(s.size(), 0x7FFFFFFF, "long string");
        i32(static_cast<std::int32_t>(s.size()));
        raw(as_bytes(s));
    }
    void bytes(bytes_view b) {
        check_len(b.size(), 0x7FFFFFFF, "bytes");
        i32(static_cast<std::int32_t>(b.size()));
        raw(b);
    }
    void null_bytes() { i32(-1); }
    void unset_value() { i32(-2); }
    void short_bytes(bytes_view b) {
        check_len(b.size(), 0xFFFF, "short bytes");
        u16(static_cast<std::uint16_t>(b.size()));
        raw(b);
    }

    // Writes a big-endian int at an earlier offset (for lengths known only after the body).
    void patch_i32(std::size_t offset, std::int32_t v) noexcept {
        auto u = static_cast<std::uint32_t>(v);
        for (int i = 0; i < 4; ++i) out_[offset + i] = static_cast<std::byte>(u >> (24 - 8 * i));
    }

private:
    void put_be(std::uint64_t v, int n) {
        for (int i = n - 1; i >= 0; --i) out_.push_back(static_cast<std::byte>(v >> (8 * i)));
    }
    static void check_len(std::size_t n, std::size_t max, const char* what) {
        if (n > max)
            throw protocol_error(
                protocol_errc::value_too_large,
                std::string(what) + " of " + std::to_string(n) + " bytes exceeds the limit of " + std::to_string(max));
    }

    byte_buffer& out_;
};

}  // namespace async_cassandra::protocol
