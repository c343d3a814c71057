// What a task awaits while an execute_fast request is in flight, in place of
// an asyncio.Future and the Request handle beside it.
//
// It speaks the protocol asyncio's Task uses for a future that is not its
// own (_asyncio_future_blocking, get_loop, add_done_callback, result,
// cancel), so the task waits on it as on a future. The difference is in
// finish(): when the loop's reader drains the engine's completions, the
// waiting task's wake-up runs there and then, in the task's context, instead
// of going through loop.call_soon (a Handle and a trip through the loop's
// ready queue, in Python code, for every request). cancel() cancels the
// request in the engine, as Request.cancel did.
#pragma once
#include <nanobind/nanobind.h>

#include <memory>

namespace acpy {

class core;
struct pending;

// Creates the type; once, at module import. False with a Python error set.
bool init_awaitable_type(PyObject* module);

// A new reference: an awaitable of loop for the operation p of c.
PyObject* make_awaitable(PyObject* loop, std::shared_ptr<core> c, std::shared_ptr<pending> p);

bool is_awaitable(PyObject* o) noexcept;
bool awaitable_done(PyObject* o) noexcept;

// Loop thread, GIL held: completes o with value, or with error (an exception
// instance) when value is null. Its done callbacks run now when direct (the
// reader's drain, where no task is running), else through loop.call_soon.
void awaitable_finish(PyObject* o, PyObject* value, PyObject* error, bool direct);

}  // namespace acpy
