#include "cluster/routing_key.hpp"

#include "cluster/murmur3.hpp"

#include <array>
#include <cstring>

namespace async_cassandra::detail {

std::size_t routing_key_size(std::span<const key_component> components) noexcept {
    if (components.size() == 1) return components[0].size();
    std::size_t n = 0;
    for (const auto& c : components) n += 2 + c.size() + 1;
    return n;
}

std::optional<std::size_t> write_routing_key(std::span<const key_component> components,
                                             std::span<std::byte> out) noexcept {
    if (components.empty()) return std::nullopt;
    const auto size = routing_key_size(components);
    if (out.size() < size) return std::nullopt;
    if (components.size() == 1) {
        if (size) std::memcpy(out.data(), components[0].data(), size);
        return size;
    }
    std::byte* p = out.data();
    for (const auto& c : components) {
        if (c.size() > max_composite_component) return std::nullopt;
        *p++ = static_cast<std::byte>(c.size() >> 8);
        *p++ = static_cast<std::byte>(c.size() & 0xFF);
        if (!c.empty()) std::memcpy(p, c.data(), c.size());
        p += c.size();
        *p++ = std::byte{0};
    }
    return size;
}

std::optional<std::vector<std::byte>> make_routing_key(std::span<const key_component> components) {
    std::vector<std::byte> key(routing_key_size(components));
    if (!write_routing_key(components, key)) return std::nullopt;
    return key;
}

std::optional<std::int64_t> routing_token(std::span<const key_component> components) {
    if (components.size() == 1) return murmur3_token(components[0]);
    std::array<std::byte, 256> stack;
    const auto size = routing_key_size(components);
    if (size <= stack.size()) {
        const auto n = write_routing_key(components, stack);
        if (!n) return std::nullopt;
        return murmur3_token(std::span<const std::byte>(stack.data(), *n));
    }
    const auto key = make_routing_key(components);
    if (!key) return std::nullopt;
    return murmur3_token(*key);
}

}  // namespace async_cassandra::detail
