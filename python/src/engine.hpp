// The bridge's core: the engine's io_context on a thread of its own, and the
// one eventfd through which completions reach the asyncio loop.
//
// Threads: operations start and complete on the engine thread (the cluster
// runs with io_threads = 1 on it, so it needs no lock). A completion is put
// on a queue and the eventfd is written once per batch; the loop thread,
// woken by loop.add_reader, drains the queue with the GIL held and resolves
// the asyncio futures. The engine thread never touches a Python object.
#pragma once
#include <async_cassandra/cluster.hpp>
#include <async_cassandra/request_listener.hpp>
#include <async_cassandra/session.hpp>
#include <asio/cancellation_signal.hpp>
#include <asio/executor_work_guard.hpp>
#include <asio/io_context.hpp>
#include <asio/post.hpp>
#include <nanobind/nanobind.h>
#include <nanobind/stl/string.h>
#include <asio/error.hpp>
#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <system_error>
#include <thread>
#include <vector>

namespace acpy {

namespace nb = nanobind;
namespace ac = async_cassandra;

class core;

// One operation in flight: its asyncio future, its cancellation signal, and
// what it completed with. Subclasses turn the outcome into a Python object.
struct pending {
    virtual ~pending() = default;
    // Called on the loop thread with the GIL held, when ec is empty.
    virtual nb::object result(core& c) = 0;
    // Called on the loop thread with the GIL held once the future is
    // resolved (or abandoned): drops the Python references the operation holds.
    virtual void release() {}
    // Engine thread: starts an operation queued by core::start_batched (self is this).
    virtual void start(core&, std::shared_ptr<pending>) {}

    PyObject* future = nullptr;                 // strong reference, released by the loop thread only
    asio::cancellation_signal cancel_signal;    // emitted on the engine thread only
    bool finished = false;                      // engine thread only
    std::atomic<bool> cancel_requested{false};  // set by the loop thread, read when the operation starts
    std::error_code ec;
    ac::diagnostics diag;
    // What the engine's metrics measured of the request (core::set_recording):
    // its latency and the host that answered.
    bool takes_info = false;  // a request whose result or error carries it (execute, batch)
    bool has_info = false;
    std::chrono::nanoseconds latency{0};
    std::string host;
};

// What the engine thread runs: a function, or (fn empty) an operation's start().
struct submission {
    std::function<void()> fn;
    std::shared_ptr<pending> op;
};

class core : public std::enable_shared_from_this<core> {
public:
    core();
    ~core();
    core(const core&) = delete;
    core& operator=(const core&) = delete;

    int fileno() const noexcept { return efd_; }
    asio::io_context& io() noexcept { return io_; }
    // Runs f on the engine thread, in submission order. Submissions are
    // batched: the engine thread is woken once per batch, not per request.
    template <class F>
    void post(F&& f) {
        submit(submission{std::function<void()>(std::forward<F>(f)), nullptr});
    }
    // Loop thread only (GIL held): queues f for the engine thread, which gets
    // the whole queue at once when the loop runs the flush it scheduled with
    // loop.call_soon — one hand-over per loop iteration however many
    // requests the iteration's tasks started. Falls back to post() when no
    // loop is set (set_loop) or the engine stops.
    template <class F>
    void post_batched(F&& f) {
        queue_batched(submission{std::function<void()>(std::forward<F>(f)), nullptr});
    }
    // Loop thread only: as post_batched, for an operation whose start() runs
    // (never started if cancelled first): no closure to allocate.
    void start_batched(std::shared_ptr<pending> op) { queue_batched(submission{{}, std::move(op)}); }
    // Loop thread: the loop's call_soon, so post_batched can schedule its flush.
    void set_loop(nb::object call_soon);
    // Loop thread: hands the batched submissions to the engine thread.
    void flush();
    // Engine thread: queues a finished operation, waking the loop once per batch.
    void complete(std::shared_ptr<pending> p);
    // Loop thread, GIL held: resolves every queued future. direct: called by
    // the loop's reader, where no task runs, so an awaitable's task wakes now.
    void drain(bool direct);
    // Loop thread: stops the engine thread once everything is closed (GIL released while joining).
    void stop();
    bool stopped() const noexcept { return stopped_; }

    // Per-request metrics for the package's collectors (MetricsMiddleware):
    // while on, every request's latency and host, as the engine's metrics
    // recorded them (request_listener), reach Python with its outcome.
    void set_recording(bool on) noexcept { recording_.store(on, std::memory_order_relaxed); }
    bool recording() const noexcept { return recording_.load(std::memory_order_relaxed); }
    // Engine thread: the listener's report of a request that ended, then
    // the completion handler of that request, which takes it (the engine
    // calls the handler right after the report; a report whose error is not
    // the completion's is dropped).
    void note_request(const ac::request_info& info);
    void take_request_info(pending& p, const std::error_code& ec) {
        if (!last_.valid || !p.takes_info) return;
        last_.valid = false;
        if (last_.error != ec) return;
        p.has_info = true;
        p.latency = last_.latency;
        p.host.swap(last_.host);
    }
    // A listener for cluster_config::request_listener that reports to this core.
    std::shared_ptr<ac::request_listener> make_listener();

    // Python callables set once by the package (GIL held when used).
    nb::object error_factory;  // (category, code, message, host, details) -> exception
    nb::object converter_for;  // (type description) -> callable(bytes) -> value
    nb::object result_class;   // AsyncResultSet, which execute_fast's results are made as

private:
    void resolve(pending& p, bool direct);
    nb::object with_info(nb::object value, const pending& p);
    void submit(submission s);
    void queue_batched(submission s) {
        if (!call_soon_.is_valid()) return submit(std::move(s));
        batched_.push_back(std::move(s));
        // A drain flushes when it ends, so what its tasks start needs no
        // loop iteration (a Handle, a select) of its own.
        if (!flush_scheduled_ && !draining_) schedule_flush();
    }
    void run_submissions();  // engine thread
    void wake_engine();      // posts run_submissions
    void schedule_flush();
    void wake_loop();  // engine thread: writes the eventfd

    asio::io_context io_{1};
    std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work_;
    std::thread thread_;
    int efd_ = -1;
    std::mutex mu_;
    std::vector<std::shared_ptr<pending>> done_;
    bool signalled_ = false;
    bool stopped_ = false;
    // Submissions: queued under submit_mu_, the engine thread woken once per batch.
    std::mutex submit_mu_;
    std::vector<submission> submitted_;
    bool submit_scheduled_ = false;
    std::vector<submission> running_;  // engine thread only
    // Loop thread only.
    nb::object call_soon_, flush_fn_;
    std::vector<submission> batched_;
    bool flush_scheduled_ = false;
    bool draining_ = false;
    std::atomic<bool> recording_{false};
    struct {
        bool valid = false;
        std::chrono::nanoseconds latency{0};
        std::string host;
        std::error_code error;
    } last_;  // engine thread only
    // Interned method names for resolve().
    nb::object s_done_, s_set_result_, s_set_exception_;
};

// Loop thread: abandons p in the engine (terminal cancellation; a request on
// the wire orphans its stream id).
void cancel_operation(const std::shared_ptr<core>& c, const std::shared_ptr<pending>& p);

// A handle to an operation in flight, returned to Python: cancel() abandons
// it in the engine (terminal cancellation; a request on the wire orphans its
// stream id).
class request_handle {
public:
    request_handle(std::shared_ptr<core> c, std::shared_ptr<pending> p) : core_(std::move(c)), p_(std::move(p)) {}
    void cancel();

private:
    std::shared_ptr<core> core_;
    std::shared_ptr<pending> p_;
};

// Starts an operation: takes a reference to the future, then runs
// start(p, handler) on the engine thread, where handler carries p's
// cancellation slot. Returns the handle for Python.
template <class P, class Start>
request_handle start_op(const std::shared_ptr<core>& c, std::shared_ptr<P> p, nb::handle future, Start start) {
    if (c->stopped()) throw std::runtime_error("the cluster is shut down");
    p->future = future.inc_ref().ptr();
    // Batched like execute_fast's requests, so that operations and their
    // cancellations reach the engine thread in the order they were made.
    c->post_batched([c, p, start = std::move(start)]() mutable {
        if (p->cancel_requested.load(std::memory_order_relaxed)) {
            p->ec = asio::error::operation_aborted;
            c->complete(std::move(p));
            return;
        }
        start(c, p);
    });
    return request_handle(c, p);
}

// The completion handler for an operation whose result type is T: stores
// the outcome with `store` and queues p.
template <class P, class Store>
auto completion(std::shared_ptr<core> c, std::shared_ptr<P> p, Store store) {
    auto slot = p->cancel_signal.slot();
    return asio::bind_cancellation_slot(
        slot, [c = std::move(c), p = std::move(p), store](std::error_code ec, auto&&... v) mutable {
            p->ec = ec;
            if (c->recording()) c->take_request_info(*p, ec);
            if (!ec) store(*p, std::forward<decltype(v)>(v)...);
            c->complete(std::move(p));
        });
}

}  // namespace acpy
