#include "engine.hpp"

#include "awaitable.hpp"
#include "errors.hpp"

#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <system_error>

namespace acpy {

namespace {

class info_listener final : public ac::request_listener {
public:
    // The core outlives every call: they run on its engine thread.
    explicit info_listener(core* c) : core_(c) {}
    void on_start(const ac::request_info&) override {}
    void on_end(const ac::request_info& info) override { core_->note_request(info); }
    void on_error(const ac::request_info& info) override { core_->note_request(info); }

private:
    core* core_;
};

// The info as Python sees it: (latency in seconds, address of the host or None).
nb::object info_tuple(const pending& p) {
    nb::object host = nb::none();
    if (!p.host.empty()) {
        auto colon = p.host.rfind(':');
        auto address = colon == std::string::npos ? p.host : p.host.substr(0, colon);
        host = nb::str(address.data(), address.size());
    }
    return nb::make_tuple(std::chrono::duration<double>(p.latency).count(), host);
}

}  // namespace

core::core() {
    efd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (efd_ < 0) throw std::system_error(errno, std::generic_category(), "eventfd");
    work_.emplace(io_.get_executor());
    thread_ = std::thread([this] { io_.run(); });
}

core::~core() {
    if (!stopped_) {
        // Not stopped by the package (a cluster dropped without shutdown):
        // stop without waiting for Python, which may be finalizing.
        work_.reset();
        io_.stop();
        if (thread_.joinable()) {
            if (thread_.get_id() == std::this_thread::get_id()) {
                thread_.detach();
            } else if (Py_IsInitialized() && PyGILState_Check()) {
                // A Python retry policy may be waiting for the GIL there.
                PyThreadState* st = PyEval_SaveThread();
                thread_.join();
                PyEval_RestoreThread(st);
            } else {
                thread_.join();
            }
        }
    }
    if (efd_ >= 0) ::close(efd_);
}

void core::submit(submission f) {
    bool wake = false;
    {
        std::lock_guard lock(submit_mu_);
        submitted_.push_back(std::move(f));
        if (!submit_scheduled_) submit_scheduled_ = wake = true;
    }
    if (wake) wake_engine();
}

void core::wake_engine() {
    asio::post(io_, [this] { run_submissions(); });
}

void core::run_submissions() {
    {
        std::lock_guard lock(submit_mu_);
        running_.swap(submitted_);
        submit_scheduled_ = false;
    }
    for (auto& s : running_) {
        if (s.fn) {
            s.fn();
        } else if (s.op->cancel_requested.load(std::memory_order_relaxed)) {  // cancelled before it started
            s.op->ec = asio::error::operation_aborted;
            complete(std::move(s.op));
        } else {
            auto& op = *s.op;
            op.start(*this, std::move(s.op));
        }
    }
    running_.clear();  // keeps its capacity for the next batch
}

void core::set_loop(nb::object call_soon) {
    call_soon_ = std::move(call_soon);
    std::weak_ptr<core> w = weak_from_this();
    flush_fn_ = nb::cpp_function([w] {
        if (auto c = w.lock()) c->flush();
    });
}

void core::schedule_flush() {
    flush_scheduled_ = true;
    PyObject* r = PyObject_CallOneArg(call_soon_.ptr(), flush_fn_.ptr());
    if (!r) {
        // The loop is closed: hand over now.
        PyErr_Clear();
        flush();
        return;
    }
    Py_DECREF(r);
}

void core::flush() {
    flush_scheduled_ = false;
    if (batched_.empty()) return;
    bool wake = false;
    {
        std::lock_guard lock(submit_mu_);
        if (submitted_.empty())
            submitted_.swap(batched_);
        else
            for (auto& f : batched_) submitted_.push_back(std::move(f));
        if (!submit_scheduled_) submit_scheduled_ = wake = true;
    }
    batched_.clear();
    if (wake) wake_engine();
}

void core::complete(std::shared_ptr<pending> p) {
    p->finished = true;
    bool wake = false;
    {
        std::lock_guard lock(mu_);
        done_.push_back(std::move(p));
        if (!signalled_) signalled_ = wake = true;
    }
    // The loop is woken once the engine thread has run what is ready now
    // (the other responses of the same read, typically), so one wake-up
    // carries the whole batch instead of the loop thread preempting the
    // engine thread at the first completion.
    if (wake) asio::post(io_, [this] { wake_loop(); });
}

void core::wake_loop() {
    const std::uint64_t one = 1;
    // A full counter (never in practice) still leaves the fd readable.
    [[maybe_unused]] auto n = ::write(efd_, &one, sizeof one);
}

void core::drain(bool direct) {
    std::uint64_t count;
    [[maybe_unused]] auto n = ::read(efd_, &count, sizeof count);
    std::vector<std::shared_ptr<pending>> batch;
    {
        std::lock_guard lock(mu_);
        batch.swap(done_);
        signalled_ = false;
    }
    // What the woken tasks start goes to the engine thread when the drain ends.
    struct flush_at_end {
        core& c;
        bool was;
        ~flush_at_end() {
            c.draining_ = was;
            if (!was && !c.batched_.empty() && !c.flush_scheduled_) c.flush();
        }
    } at_end{*this, draining_};
    draining_ = draining_ || direct;
    for (auto& p : batch) {
        try {
            resolve(*p, direct);
        } catch (nb::python_error& e) {
            // One future that cannot take its outcome does not strand the others.
            e.discard_as_unraisable("async_cassandra: resolving a request's future");
        }
    }
}

// A page (names, rows, paging state, warnings, tracing[, made]) gets the
// info as its 7th item; an AsyncResultSet as its _ac_request.
nb::object core::with_info(nb::object value, const pending& p) {
    PyObject* v = value.ptr();
    if (PyTuple_CheckExact(v) && (PyTuple_GET_SIZE(v) == 5 || PyTuple_GET_SIZE(v) == 6)) {
        nb::object made = PyTuple_GET_SIZE(v) == 6 ? nb::borrow(PyTuple_GET_ITEM(v, 5)) : nb::bool_(false);
        return nb::make_tuple(nb::borrow(PyTuple_GET_ITEM(v, 0)), nb::borrow(PyTuple_GET_ITEM(v, 1)),
                              nb::borrow(PyTuple_GET_ITEM(v, 2)), nb::borrow(PyTuple_GET_ITEM(v, 3)),
                              nb::borrow(PyTuple_GET_ITEM(v, 4)), made, info_tuple(p));
    }
    if (result_class.is_valid() && Py_TYPE(v) == reinterpret_cast<PyTypeObject*>(result_class.ptr())) {
        if (PyObject_SetAttrString(v, "_ac_request", info_tuple(p).ptr()) < 0) PyErr_Clear();
    }
    return value;
}

void core::resolve(pending& p, bool direct) {
    struct releaser {
        pending& p;
        ~releaser() { p.release(); }
    } release_at_end{p};
    nb::object fut = nb::steal(p.future);
    p.future = nullptr;
    if (!fut.is_valid()) return;
    if (!s_done_.is_valid()) {
        s_done_ = nb::steal(PyUnicode_InternFromString("done"));
        s_set_result_ = nb::steal(PyUnicode_InternFromString("set_result"));
        s_set_exception_ = nb::steal(PyUnicode_InternFromString("set_exception"));
    }
    // execute_fast's awaitable takes its outcome without method calls.
    const bool ours = is_awaitable(fut.ptr());
    // A future the task gave up on (cancel(), or wait_for's timeout) takes no result.
    if (ours) {
        if (awaitable_done(fut.ptr())) return;
    } else {
        PyObject* done = PyObject_CallMethodNoArgs(fut.ptr(), s_done_.ptr());
        if (!done) throw nb::python_error();
        const bool is_done = done == Py_True;
        Py_DECREF(done);
        if (is_done) return;
    }
    // One of value and error.
    auto set = [&](nb::handle value, nb::handle error) {
        if (ours) return awaitable_finish(fut.ptr(), value.ptr(), error.ptr(), direct);
        PyObject* name = value ? s_set_result_.ptr() : s_set_exception_.ptr();
        PyObject* r = PyObject_CallMethodOneArg(fut.ptr(), name, value ? value.ptr() : error.ptr());
        if (!r) throw nb::python_error();
        Py_DECREF(r);
    };
    try {
        if (p.ec) {
            nb::object exc = make_error(*this, p.ec, p.diag);
            if (p.has_info && PyObject_SetAttrString(exc.ptr(), "_ac_request", info_tuple(p).ptr()) < 0) PyErr_Clear();
            set({}, exc);
            return;
        }
        nb::object value = p.result(*this);
        if (p.has_info) value = with_info(value, p);
        set(value, {});
    } catch (nb::python_error& e) {
        set({}, e.value());
    } catch (const std::exception& e) {
        set({}, nb::module_::import_("builtins").attr("RuntimeError")(e.what()));
    }
}


std::shared_ptr<ac::request_listener> core::make_listener() { return std::make_shared<info_listener>(this); }

void core::note_request(const ac::request_info& info) {
    if (!recording()) return;
    last_.valid = true;
    last_.latency = info.latency;
    last_.host.assign(info.host);
    last_.error = info.error;
}

void core::stop() {
    if (stopped_) return;
    flush();
    call_soon_.reset();
    flush_fn_.reset();
    stopped_ = true;
    work_.reset();
    {
        nb::gil_scoped_release release;
        io_.stop();
        if (thread_.joinable()) thread_.join();
    }
}

void request_handle::cancel() { cancel_operation(core_, p_); }

void cancel_operation(const std::shared_ptr<core>& c, const std::shared_ptr<pending>& op) {
    auto p = op;
    if (c->stopped()) return;
    // An operation whose start has not run yet is never started (the flag);
    // one that has is cancelled through its slot. The emit goes through the
    // same queue as the start, which it must follow.
    p->cancel_requested.store(true, std::memory_order_relaxed);
    c->post_batched([p] {
        if (!p->finished) p->cancel_signal.emit(asio::cancellation_type::terminal);
    });
}

}  // namespace acpy
