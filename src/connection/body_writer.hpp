// A non-owning reference to "write a message body": what a request hands the
// connection to encode, now, into its write buffer. No allocation and no
// copy of the callable (unlike std::function); the callable must outlive
// the call that takes it (a temporary lambda in a co_await expression lives
// until the coroutine resumes).
#pragma once

#include <async_cassandra/protocol/bytes.hpp>

#include <memory>
#include <type_traits>
#include <utility>

namespace async_cassandra::detail {

class body_writer {
public:
    template <class F>
        requires(!std::is_same_v<std::remove_cvref_t<F>, body_writer> &&
                 std::is_invocable_v<F&, protocol::byte_writer&>)
    body_writer(F&& f)
    noexcept  // NOLINT: implicit, like a function reference
        : obj_(const_cast<void*>(static_cast<const void*>(std::addressof(f)))),
          call_([](void* o, protocol::byte_writer& w) { (*static_cast<std::remove_reference_t<F>*>(o))(w); }) {}

    void operator()(protocol::byte_writer& w) const { call_(obj_, w); }

private:
    void* obj_;
    void (*call_)(void*, protocol::byte_writer&);
};

}  // namespace async_cassandra::detail
