#include "options.hpp"

#include <cmath>
#include <cstring>
#include <string>

namespace acpy {
namespace {

PyObject* unset_marker = nullptr;

std::string text(nb::handle v) { return nb::cast<std::string>(v); }

}  // namespace

void set_unset_marker(nb::handle marker) {
    Py_XDECREF(unset_marker);
    unset_marker = marker.inc_ref().ptr();
}

ac::request_options parse_options(nb::handle opts) {
    ac::request_options o;
    if (opts.is_none()) return o;
    nb::tuple t = nb::borrow<nb::tuple>(opts);
    if (t.size() != 10 && t.size() != 11) throw nb::value_error("internal: request options need 10 or 11 fields");
    static const char* names[] = {
        "consistency_level", "serial_consistency_level", "fetch_size", "timeout", "is_idempotent", "keyspace", "trace",
        "paging_state",      "custom_payload",           "timestamp",  "profile"};
    std::size_t i = 0;
    try {
        for (; i < t.size(); ++i) {
            nb::handle v = t[i];
            if (v.is_none()) continue;
            switch (i) {
                case 0: o.consistency_level = static_cast<ac::consistency>(nb::cast<int>(v)); break;
                case 1: o.serial_consistency_level = static_cast<ac::consistency>(nb::cast<int>(v)); break;
                case 2: o.page_size = nb::cast<std::int32_t>(v); break;
                case 3: {
                    double s = nb::cast<double>(v);
                    if (!(s > 0)) throw nb::value_error("must be a positive number of seconds");
                    o.timeout = std::chrono::milliseconds(static_cast<long long>(s * 1000.0 + 0.999));
                    break;
                }
                case 4: o.idempotent = nb::cast<bool>(v); break;
                case 5: o.keyspace = text(v); break;
                case 6: o.tracing = nb::cast<bool>(v); break;
                case 7: {
                    auto b = nb::cast<nb::bytes>(v);
                    o.paging_state = std::string(b.c_str(), b.size());
                    break;
                }
                case 8:
                    for (auto [k, pv] : nb::cast<nb::dict>(v)) {
                        auto b = nb::cast<nb::bytes>(pv);
                        const auto* p = reinterpret_cast<const std::byte*>(b.c_str());
                        o.payload.emplace_back(text(k), std::vector<std::byte>(p, p + b.size()));
                    }
                    break;
                case 9: o.default_timestamp = nb::cast<std::int64_t>(v); break;
                case 10: o.profile = text(v); break;  // of host= and retry policies (pinned.hpp)
            }
        }
    } catch (nb::cast_error&) {
        throw nb::type_error((std::string(names[i]) + " has the wrong type").c_str());
    } catch (nb::builtin_exception& e) {
        throw nb::value_error((std::string(names[i]) + ": " + e.what()).c_str());
    }
    return o;
}

std::uint8_t value_kind_of(const ac::data_type& t) {
    switch (t.id) {
        case ac::type_id::varchar: return vk_text;
        case ac::type_id::ascii: return vk_ascii;
        case ac::type_id::blob: return vk_blob;
        case ac::type_id::boolean: return vk_boolean;
        case ac::type_id::tinyint: return vk_i8;
        case ac::type_id::smallint: return vk_i16;
        case ac::type_id::int_: return vk_i32;
        case ac::type_id::bigint:
        case ac::type_id::counter: return vk_i64;
        case ac::type_id::float_: return vk_f32;
        case ac::type_id::double_: return vk_f64;
        default: return vk_other;
    }
}

namespace {

ac::encoded_value big_endian(std::uint64_t v, std::size_t n) {
    ac::protocol::byte_buffer b(n);
    for (std::size_t i = 0; i < n; ++i) b[i] = static_cast<std::byte>(v >> (8 * (n - 1 - i)));
    return ac::encoded_value(std::move(b));
}

ac::encoded_value raw(const char* p, std::size_t n) {
    const auto* b = reinterpret_cast<const std::byte*>(p);
    return ac::encoded_value(ac::protocol::byte_buffer(b, b + n));
}

bool encode_integer(PyObject* v, std::size_t n, ac::encoded_value& out) {
    int overflow = 0;
    long long x = PyLong_AsLongLongAndOverflow(v, &overflow);
    if (overflow || (x == -1 && PyErr_Occurred())) {
        PyErr_Clear();
        return false;
    }
    if (n < 8) {
        const long long lim = 1LL << (8 * n - 1);
        if (x < -lim || x >= lim) return false;
    }
    out = big_endian(static_cast<std::uint64_t>(x), n);
    return true;
}

}  // namespace

bool encode_fast(std::uint8_t kind, PyObject* v, PyObject* serializer, PyObject* protocol_version,
                 ac::encoded_value& out) {
    if (v == Py_None) {
        out = ac::encoded_value::null_value();
        return true;
    }
    if (v == unset_marker) {
        out = ac::encoded_value::unset_value();
        return true;
    }
    switch (kind) {
        case vk_text:
        case vk_ascii:
            if (PyUnicode_CheckExact(v) && (kind == vk_text || PyUnicode_IS_ASCII(v))) {
                Py_ssize_t n;
                const char* p = PyUnicode_AsUTF8AndSize(v, &n);
                if (!p) {
                    PyErr_Clear();
                    return false;
                }
                out = raw(p, static_cast<std::size_t>(n));
                return true;
            }
            break;
        case vk_blob:
            if (PyBytes_CheckExact(v)) {
                out = raw(PyBytes_AS_STRING(v), static_cast<std::size_t>(PyBytes_GET_SIZE(v)));
                return true;
            }
            break;
        case vk_boolean:
            if (PyBool_Check(v)) {
                out = big_endian(v == Py_True ? 1 : 0, 1);
                return true;
            }
            break;
        case vk_i8:
        case vk_i16:
        case vk_i32:
        case vk_i64:
            if (PyLong_Check(v)) {
                const std::size_t n = kind == vk_i8 ? 1 : kind == vk_i16 ? 2 : kind == vk_i32 ? 4 : 8;
                if (encode_integer(v, n, out)) return true;
                return false;  // out of range: the driver's error
            }
            break;
        case vk_f32:
            if (PyFloat_CheckExact(v)) {
                const double d = PyFloat_AS_DOUBLE(v);
                const float f = static_cast<float>(d);
                if (std::isfinite(d) && !std::isfinite(f)) return false;  // the driver's OverflowError
                std::uint32_t bits;
                std::memcpy(&bits, &f, 4);
                out = big_endian(bits, 4);
                return true;
            }
            break;
        case vk_f64:
            if (PyFloat_CheckExact(v)) {
                double d = PyFloat_AS_DOUBLE(v);
                std::uint64_t bits;
                std::memcpy(&bits, &d, 8);
                out = big_endian(bits, 8);
                return true;
            }
            break;
        default: break;
    }
    // Any other type, or a Python type the native encoders do not take: the
    // driver's serializer for the column, exactly as BoundStatement.bind.
    if (!serializer) return false;
    PyObject* args[2] = {v, protocol_version};
    PyObject* b = PyObject_Vectorcall(serializer, args, 2, nullptr);
    if (!b) {
        PyErr_Clear();
        return false;
    }
    bool ok = PyBytes_Check(b);
    if (ok) out = raw(PyBytes_AS_STRING(b), static_cast<std::size_t>(PyBytes_GET_SIZE(b)));
    Py_DECREF(b);
    return ok;
}

std::vector<ac::encoded_value> parse_values(nb::handle values, const char* what) {
    std::vector<ac::encoded_value> out;
    if (values.is_none()) return out;
    std::size_t i = 0;
    for (nb::handle v : values) {
        if (v.is_none()) {
            out.push_back(ac::encoded_value::null_value());
        } else if (v.ptr() == unset_marker) {
            out.push_back(ac::encoded_value::unset_value());
        } else if (PyBytes_Check(v.ptr())) {
            const auto* p = reinterpret_cast<const std::byte*>(PyBytes_AS_STRING(v.ptr()));
            out.emplace_back(ac::protocol::byte_buffer(p, p + PyBytes_GET_SIZE(v.ptr())));
        } else {
            throw nb::type_error((std::string(what) + ": value " + std::to_string(i) +
                                  " is not serialized (bytes, None or UNSET_VALUE expected)")
                                     .c_str());
        }
        ++i;
    }
    return out;
}

}  // namespace acpy
