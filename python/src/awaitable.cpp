#include "awaitable.hpp"

#include "engine.hpp"

#include <new>

namespace acpy {
namespace {

enum class state : std::uint8_t { pending, finished, cancelled };

struct awaitable {
    PyObject ob_base;  // PyObject_HEAD
    PyObject* loop;
    PyObject* value;     // when finished without an error
    PyObject* error;     // when finished with one (an exception instance)
    PyObject* callback;  // the first done callback (the task's wake-up) and its context
    PyObject* context;
    PyObject* more;        // a list of (callback, context) after the first, or null
    PyObject* cancel_msg;  // cancel()'s message, or null
    state st;
    bool blocking;  // _asyncio_future_blocking
    // The operation, for cancel(); dropped when the awaitable is done.
    std::shared_ptr<core> owner;
    std::shared_ptr<pending> op;
};

PyTypeObject* type_ = nullptr;
PyObject* cancelled_error_ = nullptr;
PyObject* invalid_state_error_ = nullptr;
PyObject* s_call_soon_ = nullptr;
PyObject* s_context_ = nullptr;
PyObject* context_kwnames_ = nullptr;

awaitable* self_of(PyObject* o) { return reinterpret_cast<awaitable*>(o); }

// Runs cb(o) in ctx now, or schedules it as the loop's call_soon(cb, o, context=ctx) would.
void run_callback(PyObject* o, PyObject* cb, PyObject* ctx, bool direct) {
    PyObject* r;
    if (!direct) {
        PyObject* args[] = {self_of(o)->loop, cb, o, ctx ? ctx : Py_None};
        r = PyObject_VectorcallMethod(s_call_soon_, args, 3, context_kwnames_);
    } else if (ctx && ctx != Py_None) {
        if (PyContext_Enter(ctx) < 0) {
            PyErr_WriteUnraisable(cb);
            return;
        }
        r = PyObject_CallOneArg(cb, o);
        PyObject *type, *value, *tb;
        PyErr_Fetch(&type, &value, &tb);
        if (PyContext_Exit(ctx) < 0) PyErr_WriteUnraisable(cb);
        PyErr_Restore(type, value, tb);
    } else {
        r = PyObject_CallOneArg(cb, o);
    }
    if (!r) PyErr_WriteUnraisable(cb);
    Py_XDECREF(r);
}

// Hands every done callback over, in the order they were added.
void run_callbacks(PyObject* o, bool direct) {
    auto* a = self_of(o);
    PyObject* cb = a->callback;
    PyObject* ctx = a->context;
    PyObject* more = a->more;
    a->callback = a->context = a->more = nullptr;
    a->op.reset();
    a->owner.reset();
    if (cb) run_callback(o, cb, ctx, direct);
    Py_XDECREF(cb);
    Py_XDECREF(ctx);
    if (more) {
        for (Py_ssize_t i = 0; i < PyList_GET_SIZE(more); ++i) {
            PyObject* pair = PyList_GET_ITEM(more, i);
            run_callback(o, PyTuple_GET_ITEM(pair, 0), PyTuple_GET_ITEM(pair, 1), direct);
        }
        Py_DECREF(more);
    }
}

PyObject* cancelled_exception(awaitable* a) {
    return a->cancel_msg ? PyObject_CallOneArg(cancelled_error_, a->cancel_msg) : PyObject_CallNoArgs(cancelled_error_);
}

// Sets the error the awaitable ended with; null.
PyObject* raise_outcome(awaitable* a) {
    if (a->st == state::cancelled) {
        PyObject* e = cancelled_exception(a);
        if (e) {
            PyErr_SetObject(cancelled_error_, e);
            Py_DECREF(e);
        }
    } else {
        PyErr_SetObject(reinterpret_cast<PyObject*>(Py_TYPE(a->error)), a->error);
    }
    return nullptr;
}

PyObject* am_await(PyObject* o) { return Py_NewRef(o); }

// await: the first step yields the awaitable to the task; the one after the
// wake-up returns the result (StopIteration) or raises the error.
PyObject* iternext(PyObject* o) {
    auto* a = self_of(o);
    if (a->st == state::pending) {
        a->blocking = true;
        return Py_NewRef(o);
    }
    if (a->st == state::cancelled || a->error) return raise_outcome(a);
    // A tuple or an exception as StopIteration's argument would be taken
    // apart: such a value goes in an instance made here.
    if (PyTuple_Check(a->value) || PyExceptionInstance_Check(a->value)) {
        PyObject* stop = PyObject_CallOneArg(PyExc_StopIteration, a->value);
        if (stop) {
            PyErr_SetObject(PyExc_StopIteration, stop);
            Py_DECREF(stop);
        }
    } else {
        PyErr_SetObject(PyExc_StopIteration, a->value);
    }
    return nullptr;
}

PyObject* get_blocking(PyObject* o, void*) { return PyBool_FromLong(self_of(o)->blocking); }

int set_blocking(PyObject* o, PyObject* v, void*) {
    if (!v) {
        PyErr_SetString(PyExc_AttributeError, "cannot delete _asyncio_future_blocking");
        return -1;
    }
    int t = PyObject_IsTrue(v);
    if (t < 0) return -1;
    self_of(o)->blocking = t != 0;
    return 0;
}

PyObject* get_loop(PyObject* o, PyObject*) { return Py_NewRef(self_of(o)->loop); }

PyObject* done(PyObject* o, PyObject*) { return PyBool_FromLong(self_of(o)->st != state::pending); }

PyObject* cancelled(PyObject* o, PyObject*) { return PyBool_FromLong(self_of(o)->st == state::cancelled); }

PyObject* result(PyObject* o, PyObject*) {
    auto* a = self_of(o);
    if (a->st == state::pending) {
        PyErr_SetString(invalid_state_error_, "Result is not ready.");
        return nullptr;
    }
    if (a->st == state::cancelled || a->error) return raise_outcome(a);
    return Py_NewRef(a->value);
}

PyObject* exception(PyObject* o, PyObject*) {
    auto* a = self_of(o);
    if (a->st == state::pending) {
        PyErr_SetString(invalid_state_error_, "Exception is not set.");
        return nullptr;
    }
    if (a->st == state::cancelled) return raise_outcome(a);
    return Py_NewRef(a->error ? a->error : Py_None);
}

// add_done_callback(fn, *, context=None)
PyObject* add_done_callback(PyObject* o, PyObject* const* args, Py_ssize_t nargs, PyObject* kwnames) {
    auto* a = self_of(o);
    PyObject* ctx = nullptr;
    Py_ssize_t nkw = kwnames ? PyTuple_GET_SIZE(kwnames) : 0;
    if (nargs != 1) {
        PyErr_SetString(PyExc_TypeError, "add_done_callback() takes exactly one positional argument");
        return nullptr;
    }
    for (Py_ssize_t i = 0; i < nkw; ++i) {
        if (PyUnicode_Compare(PyTuple_GET_ITEM(kwnames, i), s_context_) != 0) {
            PyErr_Format(PyExc_TypeError, "add_done_callback() got an unexpected keyword argument '%U'",
                         PyTuple_GET_ITEM(kwnames, i));
            return nullptr;
        }
        ctx = args[nargs + i];
    }
    if (ctx == Py_None) ctx = nullptr;
    PyObject* fn = args[0];
    if (a->st != state::pending) {
        run_callback(o, fn, ctx, false);
        Py_RETURN_NONE;
    }
    if (!a->callback) {
        a->callback = Py_NewRef(fn);
        a->context = Py_XNewRef(ctx);
        Py_RETURN_NONE;
    }
    if (!a->more && !(a->more = PyList_New(0))) return nullptr;
    PyObject* pair = PyTuple_Pack(2, fn, ctx ? ctx : Py_None);
    if (!pair) return nullptr;
    int rc = PyList_Append(a->more, pair);
    Py_DECREF(pair);
    if (rc < 0) return nullptr;
    Py_RETURN_NONE;
}

PyObject* remove_done_callback(PyObject* o, PyObject* fn) {
    auto* a = self_of(o);
    Py_ssize_t removed = 0;
    if (a->callback) {
        int eq = PyObject_RichCompareBool(a->callback, fn, Py_EQ);
        if (eq < 0) return nullptr;
        if (eq) {
            Py_CLEAR(a->callback);
            Py_CLEAR(a->context);
            ++removed;
        }
    }
    if (a->more) {
        PyObject* kept = PyList_New(0);
        if (!kept) return nullptr;
        for (Py_ssize_t i = 0; i < PyList_GET_SIZE(a->more); ++i) {
            PyObject* pair = PyList_GET_ITEM(a->more, i);
            int eq = PyObject_RichCompareBool(PyTuple_GET_ITEM(pair, 0), fn, Py_EQ);
            if (eq < 0 || (!eq && PyList_Append(kept, pair) < 0)) {
                Py_DECREF(kept);
                return nullptr;
            }
            removed += eq;
        }
        Py_SETREF(a->more, kept);
    }
    return PyLong_FromSsize_t(removed);
}

// cancel(msg=None): abandons the request in the engine (its stream id is
// orphaned) and wakes the waiting task through the loop, as a future does.
PyObject* cancel(PyObject* o, PyObject* const* args, Py_ssize_t nargs, PyObject* kwnames) {
    auto* a = self_of(o);
    const Py_ssize_t nkw = kwnames ? PyTuple_GET_SIZE(kwnames) : 0;
    if (nargs + nkw > 1 || (nkw == 1 && PyUnicode_CompareWithASCIIString(PyTuple_GET_ITEM(kwnames, 0), "msg") != 0)) {
        PyErr_SetString(PyExc_TypeError, "cancel() takes at most one argument (msg)");
        return nullptr;
    }
    PyObject* msg = nargs + nkw == 1 ? args[0] : nullptr;
    if (a->st != state::pending) Py_RETURN_FALSE;
    a->st = state::cancelled;
    if (msg && msg != Py_None) a->cancel_msg = Py_NewRef(msg);
    if (a->owner && a->op) cancel_operation(a->owner, a->op);
    run_callbacks(o, false);
    Py_RETURN_TRUE;
}

int traverse(PyObject* o, visitproc visit, void* arg) {
    auto* a = self_of(o);
    Py_VISIT(Py_TYPE(o));
    Py_VISIT(a->loop);
    Py_VISIT(a->value);
    Py_VISIT(a->error);
    Py_VISIT(a->callback);
    Py_VISIT(a->context);
    Py_VISIT(a->more);
    Py_VISIT(a->cancel_msg);
    return 0;
}

int clear(PyObject* o) {
    auto* a = self_of(o);
    Py_CLEAR(a->loop);
    Py_CLEAR(a->value);
    Py_CLEAR(a->error);
    Py_CLEAR(a->callback);
    Py_CLEAR(a->context);
    Py_CLEAR(a->more);
    Py_CLEAR(a->cancel_msg);
    return 0;
}

void dealloc(PyObject* o) {
    PyTypeObject* tp = Py_TYPE(o);
    PyObject_GC_UnTrack(o);
    clear(o);
    auto* a = self_of(o);
    a->owner.~shared_ptr();
    a->op.~shared_ptr();
    tp->tp_free(o);
    Py_DECREF(tp);
}

PyObject* repr(PyObject* o) {
    static const char* names[] = {"pending", "finished", "cancelled"};
    return PyUnicode_FromFormat("<async_cassandra request %s>", names[static_cast<int>(self_of(o)->st)]);
}

PyMethodDef methods[] = {
    {"get_loop", get_loop, METH_NOARGS, nullptr},
    {"done", done, METH_NOARGS, nullptr},
    {"cancelled", cancelled, METH_NOARGS, nullptr},
    {"result", result, METH_NOARGS, nullptr},
    {"exception", exception, METH_NOARGS, nullptr},
    {"add_done_callback", reinterpret_cast<PyCFunction>(reinterpret_cast<void (*)()>(add_done_callback)),
     METH_FASTCALL | METH_KEYWORDS, nullptr},
    {"remove_done_callback", remove_done_callback, METH_O, nullptr},
    {"cancel", reinterpret_cast<PyCFunction>(reinterpret_cast<void (*)()>(cancel)), METH_FASTCALL | METH_KEYWORDS,
     nullptr},
    {nullptr, nullptr, 0, nullptr},
};

PyGetSetDef getset[] = {
    {"_asyncio_future_blocking", get_blocking, set_blocking, nullptr, nullptr},
    {nullptr, nullptr, nullptr, nullptr, nullptr},
};

}  // namespace

bool init_awaitable_type(PyObject* module) {
    PyType_Slot slots[] = {
        {Py_am_await, reinterpret_cast<void*>(am_await)},
        {Py_tp_iter, reinterpret_cast<void*>(am_await)},
        {Py_tp_iternext, reinterpret_cast<void*>(iternext)},
        {Py_tp_methods, methods},
        {Py_tp_getset, getset},
        {Py_tp_traverse, reinterpret_cast<void*>(traverse)},
        {Py_tp_clear, reinterpret_cast<void*>(clear)},
        {Py_tp_dealloc, reinterpret_cast<void*>(dealloc)},
        {Py_tp_repr, reinterpret_cast<void*>(repr)},
        {0, nullptr},
    };
    PyType_Spec spec{"async_cassandra._native.Awaitable", sizeof(awaitable), 0,
                     Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC | Py_TPFLAGS_DISALLOW_INSTANTIATION, slots};
    nb::object exceptions = nb::steal(PyImport_ImportModule("asyncio.exceptions"));
    if (!exceptions.is_valid()) return false;
    type_ = reinterpret_cast<PyTypeObject*>(PyType_FromModuleAndSpec(module, &spec, nullptr));
    cancelled_error_ = PyObject_GetAttrString(exceptions.ptr(), "CancelledError");
    invalid_state_error_ = PyObject_GetAttrString(exceptions.ptr(), "InvalidStateError");
    s_call_soon_ = PyUnicode_InternFromString("call_soon");
    s_context_ = PyUnicode_InternFromString("context");
    context_kwnames_ = PyTuple_Pack(1, s_context_);
    if (!type_ || !cancelled_error_ || !invalid_state_error_ || !s_call_soon_ || !context_kwnames_) return false;
    return PyModule_AddObjectRef(module, "Awaitable", reinterpret_cast<PyObject*>(type_)) == 0;
}

PyObject* make_awaitable(PyObject* loop, std::shared_ptr<core> c, std::shared_ptr<pending> p) {
    PyObject* o = type_->tp_alloc(type_, 0);
    if (!o) throw nb::python_error();
    auto* a = self_of(o);
    // tp_alloc zeroed the object: the Python fields are null, st pending.
    new (&a->owner) std::shared_ptr<core>(std::move(c));
    new (&a->op) std::shared_ptr<pending>(std::move(p));
    a->loop = Py_NewRef(loop);
    return o;
}

bool is_awaitable(PyObject* o) noexcept { return Py_TYPE(o) == type_; }

bool awaitable_done(PyObject* o) noexcept { return self_of(o)->st != state::pending; }

void awaitable_finish(PyObject* o, PyObject* value, PyObject* error, bool direct) {
    auto* a = self_of(o);
    if (a->st != state::pending) return;
    a->st = state::finished;
    if (value)
        a->value = Py_NewRef(value);
    else
        a->error = Py_NewRef(error);
    run_callbacks(o, direct);
}

}  // namespace acpy
