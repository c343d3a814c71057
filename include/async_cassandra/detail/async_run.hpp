// Runs a compiled coroutine that yields {error_code, T} as an Asio async
// operation with signature void(error_code, T), for any completion token.
#pragma once

#include <async_cassandra/error.hpp>

#include <async_cassandra/detail/net.hpp>

#include <exception>
#include <memory>
#include <string>
#include <type_traits>
#include <typeinfo>
#include <utility>
#include <variant>

namespace async_cassandra::detail {

// An operation's outcome; op_result<void> carries only the error.
template <class T>
using op_result = std::pair<error_code, std::conditional_t<std::is_void_v<T>, std::monostate, T>>;

// void(error_code) for T = void, else void(error_code, T).
template <class T>
struct op_signature_of {
    using type = void(error_code, T);
};
template <>
struct op_signature_of<void> {
    using type = void(error_code);
};
template <class T>
using op_signature = typename op_signature_of<T>::type;

template <class T, class Handler>
void complete_op(Handler& h, op_result<T>& r) {
    if constexpr (std::is_void_v<T>)
        std::move(h)(r.first);
    else
        std::move(h)(r.first, std::move(r.second));
}

// A cluster with io_threads > 1 runs on a strand<any_io_executor>, and so
// does each of its shards; callers may be on other threads. (Asio 1.22's target<T>() does not check the
// type: compare target_type().)
inline bool is_cluster_strand(const asio::any_io_executor& ex) noexcept {
    return ex && ex.target_type() == typeid(asio::strand<asio::any_io_executor>);
}

// What an exception that escaped an operation's coroutine said: operations
// catch their own, so this is a bug of ours, reported as internal_error
// with the exception's text in the caller's diagnostics.
inline void report_escaped(std::exception_ptr e, diagnostics* diag) noexcept {
    if (!diag) return;
    try {
        std::rethrow_exception(e);
    } catch (const std::exception& x) {
        diag->assign(std::string("internal error: an exception escaped the operation: ") + x.what());
    } catch (...) {
        diag->assign("internal error: an exception of an unknown type escaped the operation");
    }
}

// `make` returns asio::awaitable<op_result<T>>; the operation completes
// with op_signature<T>; `diag`, when given, gets the text of an exception
// that escaped it. The token's executor receives
// the completion; its cancellation slot reaches the coroutine (on a cluster
// strand, through a signal emitted there: Asio 1.22's co_spawn would run the
// coroutine's cancellation handlers on the thread that emits).
template <class T, class Token, class Make>
auto async_run(asio::any_io_executor ex, Token&& token, Make make, diagnostics* diag = nullptr) {
    return asio::async_initiate<Token, op_signature<T>>(
        [ex, diag](auto handler, Make op) {
            auto slot = asio::get_associated_cancellation_slot(handler);
            auto hex = asio::get_associated_executor(handler, ex);
            if (slot.is_connected() && is_cluster_strand(ex)) {
                auto sig = std::make_shared<asio::cancellation_signal>();
                slot.assign([sig, ex](asio::cancellation_type t) { asio::dispatch(ex, [sig, t] { sig->emit(t); }); });
                asio::co_spawn(
                    ex, op(),
                    asio::bind_cancellation_slot(
                        sig->slot(), asio::bind_executor(hex, [h = std::move(handler), sig, diag](
                                                                  std::exception_ptr e, op_result<T> r) mutable {
                            // On the caller's executor, where its slot is emitted.
                            auto s = asio::get_associated_cancellation_slot(h);
                            if (s.is_connected()) s.clear();
                            if (e) {
                                r.first = make_error_code(client_errc::internal_error);
                                report_escaped(e, diag);
                            }
                            complete_op<T>(h, r);
                        })));
                return;
            }
            asio::co_spawn(ex, op(),
                           asio::bind_cancellation_slot(
                               slot, asio::bind_executor(hex, [h = std::move(handler), diag](std::exception_ptr e,
                                                                                             op_result<T> r) mutable {
                                   if (e) {
                                       r.first = make_error_code(client_errc::internal_error);
                                       report_escaped(e, diag);
                                   }
                                   complete_op<T>(h, r);
                               })));
        },
        token, std::move(make));
}

}  // namespace async_cassandra::detail
