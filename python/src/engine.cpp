#include "engine.hpp"

#include "errors.hpp"

#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <system_error>

namespace acpy {

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
            if (thread_.get_id() == std::this_thread::get_id())
                thread_.detach();
            else
                thread_.join();
        }
    }
    if (efd_ >= 0) ::close(efd_);
}

void core::submit(std::function<void()> f) {
    bool schedule = false;
    {
        std::lock_guard lock(submit_mu_);
        submitted_.push_back(std::move(f));
        if (!submit_scheduled_) submit_scheduled_ = schedule = true;
    }
    if (schedule) asio::post(io_, [this] { run_submissions(); });
}

void core::run_submissions() {
    std::vector<std::function<void()>> batch;
    {
        std::lock_guard lock(submit_mu_);
        batch.swap(submitted_);
        submit_scheduled_ = false;
    }
    for (auto& f : batch) f();
}

void core::complete(std::shared_ptr<pending> p) {
    p->finished = true;
    bool wake = false;
    {
        std::lock_guard lock(mu_);
        done_.push_back(std::move(p));
        if (!signalled_) signalled_ = wake = true;
    }
    if (wake) {
        const std::uint64_t one = 1;
        // A full counter (never in practice) still leaves the fd readable.
        [[maybe_unused]] auto n = ::write(efd_, &one, sizeof one);
    }
}

void core::drain() {
    std::uint64_t count;
    [[maybe_unused]] auto n = ::read(efd_, &count, sizeof count);
    std::vector<std::shared_ptr<pending>> batch;
    {
        std::lock_guard lock(mu_);
        batch.swap(done_);
        signalled_ = false;
    }
    for (auto& p : batch) resolve(*p);
}

void core::resolve(pending& p) {
    nb::object fut = nb::steal(p.future);
    p.future = nullptr;
    if (!fut.is_valid()) return;
    // A future the task gave up on (cancel(), or wait_for's timeout) takes no result.
    if (nb::cast<bool>(fut.attr("done")())) return;
    try {
        if (p.ec) {
            fut.attr("set_exception")(make_error(*this, p.ec, p.diag));
            return;
        }
        nb::object value = p.result(*this);
        fut.attr("set_result")(value);
    } catch (nb::python_error& e) {
        fut.attr("set_exception")(e.value());
    } catch (const std::exception& e) {
        fut.attr("set_exception")(nb::module_::import_("builtins").attr("RuntimeError")(e.what()));
    }
}

void core::stop() {
    if (stopped_) return;
    stopped_ = true;
    work_.reset();
    {
        nb::gil_scoped_release release;
        io_.stop();
        if (thread_.joinable()) thread_.join();
    }
}

void request_handle::cancel() {
    auto p = p_;
    if (core_->stopped()) return;
    core_->post([p] {
        if (!p->finished) p->cancel_signal.emit(asio::cancellation_type::terminal);
    });
}

}  // namespace acpy
