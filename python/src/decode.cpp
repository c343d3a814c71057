#include "decode.hpp"

#include <cstdint>
#include <cstring>
#include <span>

namespace acpy {
namespace {

using cell = std::optional<std::span<const std::byte>>;

enum class native : std::uint8_t { none, text, blob, boolean, i8, i16, i32, i64, f32, f64 };

native native_kind(ac::type_id id) {
    switch (id) {
        case ac::type_id::ascii:
        case ac::type_id::varchar: return native::text;
        case ac::type_id::blob: return native::blob;
        case ac::type_id::boolean: return native::boolean;
        case ac::type_id::tinyint: return native::i8;
        case ac::type_id::smallint: return native::i16;
        case ac::type_id::int_: return native::i32;
        case ac::type_id::bigint:
        case ac::type_id::counter: return native::i64;
        case ac::type_id::float_: return native::f32;
        case ac::type_id::double_: return native::f64;
        default: return native::none;
    }
}

std::uint64_t read_be(const std::byte* p, std::size_t n) {
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < n; ++i) v = v << 8 | static_cast<std::uint8_t>(p[i]);
    return v;
}

template <class T>
T read_signed(const std::byte* p) {
    using U = std::make_unsigned_t<T>;
    return static_cast<T>(static_cast<U>(read_be(p, sizeof(T))));
}

// A new reference, or null with a Python error set.
PyObject* decode_native(native k, std::span<const std::byte> b) {
    const auto* p = b.data();
    const auto n = b.size();
    auto fixed = [&](std::size_t size) { return n == size; };
    switch (k) {
        case native::text:
            return PyUnicode_DecodeUTF8(reinterpret_cast<const char*>(p), static_cast<Py_ssize_t>(n), "strict");
        case native::blob:
            return PyBytes_FromStringAndSize(reinterpret_cast<const char*>(p), static_cast<Py_ssize_t>(n));
        case native::boolean:
            if (!fixed(1)) break;
            return PyBool_FromLong(p[0] != std::byte{0});
        case native::i8:
            if (!fixed(1)) break;
            return PyLong_FromLong(read_signed<std::int8_t>(p));
        case native::i16:
            if (!fixed(2)) break;
            return PyLong_FromLong(read_signed<std::int16_t>(p));
        case native::i32:
            if (!fixed(4)) break;
            return PyLong_FromLong(read_signed<std::int32_t>(p));
        case native::i64:
            if (!fixed(8)) break;
            return PyLong_FromLongLong(read_signed<std::int64_t>(p));
        case native::f32: {
            if (!fixed(4)) break;
            auto bits = static_cast<std::uint32_t>(read_be(p, 4));
            float f;
            std::memcpy(&f, &bits, 4);
            return PyFloat_FromDouble(f);
        }
        case native::f64: {
            if (!fixed(8)) break;
            auto bits = read_be(p, 8);
            double d;
            std::memcpy(&d, &bits, 8);
            return PyFloat_FromDouble(d);
        }
        case native::none: break;
    }
    // An empty value of a fixed-size type reads as None, as the driver does.
    if (n == 0) Py_RETURN_NONE;
    PyErr_Format(PyExc_ValueError, "malformed value: %zu bytes", n);
    return nullptr;
}

}  // namespace

nb::object describe_type(const ac::data_type& t) {
    nb::list params;
    for (const auto& p : t.params) params.append(describe_type(p));
    nb::list fields;
    for (const auto& f : t.field_names) fields.append(nb::str(f.c_str(), f.size()));
    return nb::make_tuple(static_cast<int>(t.id), nb::tuple(params), nb::str(t.keyspace.c_str(), t.keyspace.size()),
                          nb::str(t.name.c_str(), t.name.size()), nb::tuple(fields), t.dimension,
                          nb::str(t.custom_class.c_str(), t.custom_class.size()));
}

namespace {

nb::object page_impl(core& c, const ac::result_set& rs, PyTypeObject* row_type, PyObject* cached_names) {
    const auto& cols = rs.columns();
    const std::size_t ncols = cols.size();
    nb::object names;
    if (cached_names) {
        names = nb::borrow(cached_names);
    } else {
        names = nb::steal(PyTuple_New(static_cast<Py_ssize_t>(ncols)));
        for (std::size_t i = 0; i < ncols; ++i)
            PyTuple_SET_ITEM(names.ptr(), i, PyUnicode_FromStringAndSize(cols[i].name.data(), cols[i].name.size()));
    }
    std::vector<native> kinds(ncols);
    std::vector<nb::object> converters(ncols);
    for (std::size_t i = 0; i < ncols; ++i) {
        kinds[i] = native_kind(cols[i].type.id);
        if (kinds[i] == native::none) converters[i] = c.converter_for(describe_type(cols[i].type));
    }
    const std::size_t nrows = rs.size();
    nb::object rows = nb::steal(PyList_New(static_cast<Py_ssize_t>(nrows)));
    for (std::size_t r = 0; r < nrows; ++r) {
        auto row = rs.row(r);
        // A named-tuple class is a tuple subclass without slots of its own:
        // its instances are made as tuple.__new__ makes them.
        PyObject* tup = row_type ? row_type->tp_alloc(row_type, static_cast<Py_ssize_t>(ncols))
                                 : PyTuple_New(static_cast<Py_ssize_t>(ncols));
        if (!tup) throw nb::python_error();
        PyList_SET_ITEM(rows.ptr(), r, tup);
        for (std::size_t i = 0; i < ncols; ++i) {
            cell v = row.raw(i);
            PyObject* obj;
            if (!v) {
                obj = Py_NewRef(Py_None);
            } else if (kinds[i] != native::none) {
                obj = decode_native(kinds[i], *v);
            } else {
                PyObject* b = PyBytes_FromStringAndSize(reinterpret_cast<const char*>(v->data()),
                                                        static_cast<Py_ssize_t>(v->size()));
                obj = b ? PyObject_CallOneArg(converters[i].ptr(), b) : nullptr;
                Py_XDECREF(b);
            }
            if (!obj) {
                // Name the column and row in the error.
                nb::python_error err;
                nb::object msg =
                    nb::str("column '{}' (row {}): {}").format(nb::str(cols[i].name.c_str()), r, nb::str(err.value()));
                throw nb::value_error(nb::cast<std::string>(msg).c_str());
            }
            PyTuple_SET_ITEM(tup, i, obj);
        }
    }
    nb::object paging = nb::none();
    if (rs.paging_state()) paging = nb::bytes(rs.paging_state()->data(), rs.paging_state()->size());
    nb::object warnings = nb::steal(PyList_New(0));
    for (const auto& w : rs.warnings()) PyList_Append(warnings.ptr(), nb::str(w.c_str(), w.size()).ptr());
    nb::object tracing = nb::none();
    if (rs.tracing_id()) {
        const auto& id = *rs.tracing_id();
        tracing = nb::bytes(reinterpret_cast<const char*>(id.bytes().data()), id.bytes().size());
    }
    if (cached_names || row_type) return nb::make_tuple(names, rows, paging, warnings, tracing, row_type != nullptr);
    return nb::make_tuple(names, rows, paging, warnings, tracing);
}

bool same_names(const ac::result_set& rs, const std::vector<ac::column_spec>& expect) {
    const auto& cols = rs.columns();
    if (cols.size() != expect.size()) return false;
    for (std::size_t i = 0; i < cols.size(); ++i)
        if (cols[i].name != expect[i].name) return false;
    return true;
}

}  // namespace

nb::object page_to_python(core& c, const ac::result_set& rs) { return page_impl(c, rs, nullptr, nullptr); }

nb::object page_to_python(core& c, const ac::result_set& rs, PyObject* row_class, PyObject* names,
                          const std::vector<ac::column_spec>& expect) {
    if (!same_names(rs, expect)) {
        auto page = page_impl(c, rs, nullptr, nullptr);
        nb::tuple t = nb::borrow<nb::tuple>(page);
        return nb::make_tuple(t[0], t[1], t[2], t[3], t[4], false);
    }
    auto* type = (row_class && row_class != Py_None) ? reinterpret_cast<PyTypeObject*>(row_class) : nullptr;
    if (!type) {
        auto page = page_impl(c, rs, nullptr, names);
        // No columns (an INSERT): no rows to make, so they are made.
        if (expect.empty()) return nb::make_tuple(page[0], page[1], page[2], page[3], page[4], true);
        return page;  // 6 items; made is false
    }
    return page_impl(c, rs, type, names);
}

}  // namespace acpy
