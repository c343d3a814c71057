#include "options.hpp"

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
    if (t.size() != 10) throw nb::value_error("internal: request options need 10 fields");
    static const char* names[] = {"consistency_level", "serial_consistency_level", "fetch_size", "timeout",
                                  "is_idempotent", "keyspace", "trace", "paging_state", "custom_payload",
                                  "timestamp"};
    std::size_t i = 0;
    try {
        for (; i < 10; ++i) {
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
            }
        }
    } catch (nb::cast_error&) {
        throw nb::type_error((std::string(names[i]) + " has the wrong type").c_str());
    } catch (nb::builtin_exception& e) {
        throw nb::value_error((std::string(names[i]) + ": " + e.what()).c_str());
    }
    return o;
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
