// async_cassandra._native: the classes the Python package drives.
#include "awaitable.hpp"
#include "decode.hpp"
#include "handles.hpp"
#include "options.hpp"

#include <nanobind/stl/string.h>

namespace acpy {
namespace {

nb::list columns(const std::vector<ac::column_spec>& cols) {
    nb::list out;
    for (const auto& c : cols)
        out.append(nb::make_tuple(nb::str(c.keyspace.c_str()), nb::str(c.table.c_str()), nb::str(c.name.c_str()),
                                  describe_type(c.type)));
    return out;
}

}  // namespace
}  // namespace acpy

NB_MODULE(_native, m) {
    using namespace acpy;
    using namespace nb::literals;
    m.doc() = "The C++ engine under async_cassandra (internal: use the package's classes)";
    m.def("set_unset_marker", &set_unset_marker);
    if (!init_awaitable_type(m.ptr())) throw nb::python_error();

    nb::class_<request_handle>(m, "Request").def("cancel", &request_handle::cancel);

    nb::class_<engine_handle>(m, "Engine")
        .def(nb::init<>())
        .def("fileno", [](engine_handle& e) { return e.core_->fileno(); })
        // The loop's reader drains with direct wake-ups; anything else (a
        // shutdown's last drain, from a task) through the loop.
        .def("drain", [](engine_handle& e) { e.core_->drain(true); })
        .def("drain_later", [](engine_handle& e) { e.core_->drain(false); })
        .def("stop", [](engine_handle& e) { e.core_->stop(); })
        .def("set_factories",
             [](engine_handle& e, nb::object error_factory, nb::object converter_for) {
                 e.core_->error_factory = std::move(error_factory);
                 e.core_->converter_for = std::move(converter_for);
             })
        .def("set_result_class", [](engine_handle& e, nb::type_object cls) { e.core_->result_class = std::move(cls); })
        .def("set_recording", [](engine_handle& e, bool on) { e.core_->set_recording(on); })
        .def("set_loop", [](engine_handle& e, nb::object call_soon) { e.core_->set_loop(std::move(call_soon)); })
        .def("connect", &engine_handle::connect);

    nb::class_<cluster_handle>(m, "Cluster")
        .def_ro("protocol_version", &cluster_handle::protocol_version)
        .def(
            "profile",
            [](cluster_handle& c, const std::string& endpoint, const std::string& retry_key, nb::handle retry_spec) {
                return c.pins->profile_for(endpoint, retry_key, retry_spec);
            },
            "endpoint"_a, "retry_key"_a, "retry_spec"_a.none())
        .def("open_session", &cluster_handle::open_session)
        .def("close", &cluster_handle::close)
        .def("metadata", &cluster_handle::metadata)
        .def("hosts", &cluster_handle::hosts)
        .def("metrics_text", &cluster_handle::metrics_text);

    nb::class_<prepared_handle>(m, "Prepared")
        .def_prop_ro("id", [](const prepared_handle& p) { return nb::bytes(p.id.data(), p.id.size()); })
        .def_prop_ro("result_metadata_id",
                     [](const prepared_handle& p) {
                         return nb::bytes(p.result_metadata_id.data(), p.result_metadata_id.size());
                     })
        .def_ro("query", &prepared_handle::query)
        .def_ro("keyspace", &prepared_handle::keyspace)
        .def_prop_ro("variables", [](const prepared_handle& p) { return columns(p.variables); })
        .def_prop_ro("result_columns", [](const prepared_handle& p) { return columns(p.result_columns); })
        .def("setup_fast",
             [](prepared_handle& p, nb::list serializers, nb::object protocol_version, nb::object row_class) {
                 if (serializers.size() != p.variables.size())
                     throw nb::value_error("setup_fast: one serializer per bind marker");
                 auto f = std::make_shared<prepared_fast>();
                 for (std::size_t i = 0; i < p.variables.size(); ++i) {
                     f->kinds.push_back(value_kind_of(p.variables[i].type));
                     f->serializers.push_back(serializers[i]);
                 }
                 f->protocol_version = std::move(protocol_version);
                 f->expect = std::make_shared<const std::vector<ac::column_spec>>(p.result_columns);
                 f->row_class = std::move(row_class);
                 nb::object names = nb::steal(PyTuple_New(static_cast<Py_ssize_t>(p.result_columns.size())));
                 for (std::size_t i = 0; i < p.result_columns.size(); ++i) {
                     const auto& n = p.result_columns[i].name;
                     PyTuple_SET_ITEM(names.ptr(), i, PyUnicode_FromStringAndSize(n.data(), n.size()));
                 }
                 f->names = std::move(names);
                 p.fast = std::move(f);
             })
        .def_prop_ro("pk_indexes", [](const prepared_handle& p) {
            nb::list out;
            for (auto i : p.pk_indexes) out.append(i);
            return out;
        });

    nb::class_<session_handle>(m, "Session")
        .def("execute", &session_handle::execute, "query"_a, "values"_a.none(), "names"_a.none(), "opts"_a.none(),
             "future"_a)
        .def("execute_prepared", &session_handle::execute_prepared, "prepared"_a, "values"_a.none(), "opts"_a.none(),
             "future"_a)
        .def("execute_fast", &session_handle::execute_fast, "prepared"_a, "statement"_a, "values"_a.none(), "profile"_a,
             "named_rows"_a, "loop"_a, "retry_profile"_a)
        .def("prepare", &session_handle::prepare, "query"_a, "keyspace"_a, "opts"_a.none(), "future"_a)
        .def("execute_batch", &session_handle::execute_batch, "type"_a, "entries"_a, "opts"_a.none(), "future"_a)
        .def("execute_stream", &session_handle::execute_stream, "statement"_a, "values"_a.none(), "opts"_a.none(),
             "config"_a, "future"_a)
        .def("close", &session_handle::close)
        .def("get_trace", &session_handle::get_trace)
        .def("stats", &session_handle::stats);

    nb::class_<stream_handle>(m, "Stream")
        .def("next_page", &stream_handle::next_page)
        .def("close", &stream_handle::close);
}
