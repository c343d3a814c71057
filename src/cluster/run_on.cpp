#include "cluster/run_on.hpp"

#include <asio/io_context.hpp>
#include <asio/strand.hpp>

#include <typeinfo>

namespace async_cassandra::detail {

// The executors the library makes (an io_context's, strands of one or of
// any_io_executor); Asio 1.22's target<T>() does not check the type.
bool running_in_this_thread(const asio::any_io_executor& ex) noexcept {
    using io_ex = asio::io_context::executor_type;
    if (!ex) return false;
    if (ex.target_type() == typeid(io_ex)) return ex.target<io_ex>()->running_in_this_thread();
    if (ex.target_type() == typeid(asio::strand<asio::any_io_executor>))
        return ex.target<asio::strand<asio::any_io_executor>>()->running_in_this_thread();
    if (ex.target_type() == typeid(asio::strand<io_ex>))
        return ex.target<asio::strand<io_ex>>()->running_in_this_thread();
    return false;
}

}  // namespace async_cassandra::detail
