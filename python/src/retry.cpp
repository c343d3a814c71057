#include "retry.hpp"

#include <async_cassandra/error.hpp>

#include <string>

namespace acpy {
namespace {

using decision = ac::retry_decision;

bool is_request_error(const std::error_code& e) {
    return e == ac::server_errc::overloaded || e == ac::server_errc::is_bootstrapping ||
           e == ac::server_errc::server_error || e == ac::server_errc::truncate_error ||
           e == ac::client_errc::connection_closed || e == ac::client_errc::connect_failed ||
           e == ac::client_errc::protocol_violation || e == ac::client_errc::request_timeout;
}

// The seed's AsyncRetryPolicy (python/async_cassandra/retry_policy.py), rule
// for rule: read timeouts retried when data came back or enough replicas
// answered, write timeouts only for idempotent SIMPLE/BATCH/UNLOGGED_BATCH
// writes, unavailable on the next host then the same one, request errors on
// the next host; at most max_retries. (The engine also never resends a
// non-idempotent request that may have run.)
class seed_retry final : public ac::retry_policy {
public:
    explicit seed_retry(int max_retries) : max_(max_retries) {}
    decision decide(const ac::retry_context& c) override {
        if (c.retries >= max_) return decision::rethrow();
        const auto& e = c.error;
        if (e == ac::server_errc::read_timeout) {
            if (!c.details) return decision::rethrow();
            if (c.details->data_present || c.details->received >= c.details->block_for) return decision::same_host();
            return decision::rethrow();
        }
        if (e == ac::server_errc::write_timeout) {
            const std::string wt = c.details ? c.details->write_type : std::string();
            if (c.idempotent && (wt == "SIMPLE" || wt == "BATCH" || wt == "UNLOGGED_BATCH"))
                return decision::same_host();
            return decision::rethrow();
        }
        if (e == ac::server_errc::unavailable) return c.retries == 0 ? decision::next_host() : decision::same_host();
        if (is_request_error(e)) return decision::next_host();
        return decision::rethrow();
    }

private:
    int max_;
};

class never_retry final : public ac::retry_policy {
public:
    decision decide(const ac::retry_context&) override { return decision::rethrow(); }
};

bool python_usable() {
#if PY_VERSION_HEX >= 0x030D0000
    return Py_IsInitialized() && !Py_IsFinalizing();
#else
    return Py_IsInitialized() && !_Py_IsFinalizing();
#endif
}

// A driver RetryPolicy in Python, asked with the GIL on the engine thread.
class python_retry final : public ac::retry_policy {
public:
    explicit python_retry(nb::handle decide) : decide_(decide.inc_ref().ptr()) {}
    ~python_retry() override {
        if (!python_usable()) return;  // the interpreter is gone: leak the reference
        PyGILState_STATE g = PyGILState_Ensure();
        Py_DECREF(decide_);
        PyGILState_Release(g);
    }
    python_retry(const python_retry&) = delete;
    python_retry& operator=(const python_retry&) = delete;

    decision decide(const ac::retry_context& c) override {
        int kind;
        const auto& e = c.error;
        if (e == ac::server_errc::read_timeout)
            kind = 0;
        else if (e == ac::server_errc::write_timeout)
            kind = 1;
        else if (e == ac::server_errc::unavailable)
            kind = 2;
        else if (is_request_error(e))
            kind = 3;
        else
            return decision::rethrow();  // as the driver: other errors reach the caller
        if (!python_usable()) return decision::rethrow();
        PyGILState_STATE g = PyGILState_Ensure();
        decision out;
        try {
            out = ask(kind, c);
        } catch (nb::python_error& err) {
            err.discard_as_unraisable("async_cassandra: the retry policy failed (the error is raised instead)");
            out = decision::rethrow();
        } catch (const std::exception&) {
            out = decision::rethrow();
        }
        PyGILState_Release(g);
        return out;
    }

private:
    decision ask(int kind, const ac::retry_context& c) {
        const auto* d = c.details;
        nb::object a = nb::int_(0), b = nb::int_(0), third = nb::none(), error = nb::none();
        if (d) {
            if (kind == 2) {
                a = nb::int_(d->required);
                b = nb::int_(d->alive);
            } else {
                a = nb::int_(d->block_for);
                b = nb::int_(d->received);
            }
            if (kind == 0) third = nb::bool_(d->data_present);
            if (kind == 1) third = nb::str(d->write_type.c_str(), d->write_type.size());
        }
        if (kind == 3) {
            const char* category = e_category(c.error);
            const std::string msg = c.error.message();
            // server_error is wire code 0 (0 means success in an error_code), as errors.cpp.
            const int code = c.error == ac::server_errc::server_error ? 0 : c.error.value();
            error = nb::make_tuple(nb::str(category), code, nb::str(msg.c_str(), msg.size()));
        }
        nb::object r = nb::borrow(decide_)(kind, static_cast<int>(c.consistency_level), a, b, third, c.retries,
                                           c.idempotent, error);
        nb::tuple t = nb::cast<nb::tuple>(r);
        if (t.size() != 2) throw nb::value_error("the retry decider returns (decision, consistency)");
        decision out;
        switch (nb::cast<int>(t[0])) {
            case 0: out.what = decision::kind::retry_same_host; break;
            case 1: out.what = decision::kind::rethrow; break;
            case 2: out.what = decision::kind::ignore; break;
            case 3: out.what = decision::kind::retry_next_host; break;
            default: throw nb::value_error("unknown retry decision");
        }
        if (!t[1].is_none()) out.consistency_level = static_cast<ac::consistency>(nb::cast<int>(t[1]));
        return out;
    }
    static const char* e_category(const std::error_code& e) {
        if (e.category() == ac::server_category()) return "server";
        if (e.category() == ac::client_category()) return "client";
        return "other";
    }

    PyObject* decide_;
};

}  // namespace

std::shared_ptr<ac::retry_policy> make_retry_policy(nb::handle spec) {
    nb::tuple t = nb::cast<nb::tuple>(spec);
    if (t.size() == 0) throw nb::value_error("empty retry policy spec");
    const auto kind = nb::cast<std::string>(t[0]);
    if (kind == "seed") {
        if (t.size() != 2) throw nb::value_error("('seed', max_retries)");
        const int max = nb::cast<int>(t[1]);
        if (max < 0) throw nb::value_error("max_retries must be >= 0");
        return std::make_shared<seed_retry>(max);
    }
    if (kind == "fallthrough") return std::make_shared<never_retry>();
    if (kind == "python") {
        if (t.size() != 2 || !PyCallable_Check(t[1].ptr())) throw nb::type_error("('python', callable)");
        return std::make_shared<python_retry>(t[1]);
    }
    throw nb::value_error(("unknown retry policy kind '" + kind + "'").c_str());
}

}  // namespace acpy
