// Cluster, session and prepared-statement operations: each starts on the
// engine thread and completes through core::complete.
#include "awaitable.hpp"
#include "config.hpp"
#include "decode.hpp"
#include "handles.hpp"
#include "options.hpp"

#include <async_cassandra/batch.hpp>
#include <async_cassandra/query_trace.hpp>

namespace acpy {
namespace {

// Runs start(c, p) and turns an exception it throws (a bad value for a
// marker, ...) into the operation's error.
template <class P, class F>
request_handle launch(const std::shared_ptr<core>& c, std::shared_ptr<P> p, nb::handle fut, F f) {
    return start_op(c, std::move(p), fut, [f = std::move(f)](std::shared_ptr<core> c, std::shared_ptr<P> p) mutable {
        try {
            f(c, p);
        } catch (const std::exception& e) {
            p->ec = ac::client_errc::invalid_request;
            p->diag.assign(e.what());
            c->complete(p);
        }
    });
}

struct pending_void : pending {
    nb::object result(core&) override { return nb::none(); }
};

struct pending_rows : pending {
    pending_rows() { takes_info = true; }
    ac::result_set rs;
    nb::object result(core& c) override { return page_to_python(c, rs); }
};

struct pending_cluster : pending {
    std::shared_ptr<ac::cluster> cluster;
    int version = 0;
    std::shared_ptr<pinned_hosts> pins;
    nb::object result(core& c) override {
        return nb::cast(cluster_handle{c.shared_from_this(), std::move(cluster), version, std::move(pins)});
    }
};

// Hosts execute(host=...) may name per cluster, and retry policies besides
// the cluster's that requests may have (an execution profile each: pinned.hpp).
constexpr std::size_t pinned_host_slots = 64;
constexpr std::size_t retry_policy_slots = 32;

struct pending_session : pending {
    std::shared_ptr<ac::session> session;
    nb::object result(core& c) override { return nb::cast(session_handle{c.shared_from_this(), std::move(session)}); }
};

std::string to_string(std::span<const std::byte> b) { return {reinterpret_cast<const char*>(b.data()), b.size()}; }

struct pending_prepared : pending {
    prepared_handle h;
    nb::object result(core&) override { return nb::cast(std::move(h)); }
};

struct pending_metadata : pending {
    std::shared_ptr<const std::map<std::string, ac::keyspace_metadata, std::less<>>> meta;
    nb::object result(core&) override;
};

nb::object columns(const std::vector<ac::column_metadata>& cols) {
    nb::list out;
    for (const auto& col : cols) out.append(nb::make_tuple(nb::str(col.name.c_str()), describe_type(col.type)));
    return out;
}

nb::object clustering(const std::vector<ac::clustering_column_metadata>& cols) {
    nb::list out;
    for (const auto& col : cols)
        out.append(nb::make_tuple(nb::str(col.name.c_str()), describe_type(col.type),
                                  col.order == ac::clustering_order::descending));
    return out;
}

nb::str str(const std::string& s) { return nb::str(s.data(), s.size()); }

nb::dict strings(const std::map<std::string, std::string>& m) {
    nb::dict out;
    for (const auto& [k, v] : m) out[str(k)] = str(v);
    return out;
}

nb::list types(const std::vector<ac::data_type>& ts) {
    nb::list out;
    for (const auto& t : ts) out.append(describe_type(t));
    return out;
}

const char* kind_name(ac::index_kind k) {
    switch (k) {
        case ac::index_kind::keys: return "KEYS";
        case ac::index_kind::custom: return "CUSTOM";
        default: return "COMPOSITES";
    }
}

// {keyspace: (replication, durable_writes, {table: (partition key, clustering, static, regular,
//              {index: (kind, options)})}, {udt: fields},
//             {view: (base table, where clause, include_all_columns, partition key, clustering, static, regular)},
//             {signature: (name, argument names, argument types, return type, language, body, called_on_null_input)},
//             {signature: (name, argument types, state function, state type, final function or None,
//                          initial condition or None, return type)})}
// Columns are (name, type) and clustering columns (name, type, descending), types as describe_type.
nb::object pending_metadata::result(core&) {
    nb::dict out;
    if (!meta) return out;
    for (const auto& [name, ks] : *meta) {
        nb::dict tables;
        for (const auto& [tname, t] : ks.tables) {
            nb::dict indexes;
            for (const auto& [iname, i] : t.indexes)
                indexes[str(iname)] = nb::make_tuple(nb::str(kind_name(i.kind)), strings(i.options));
            tables[str(tname)] = nb::make_tuple(columns(t.partition_key), clustering(t.clustering_columns),
                                                columns(t.static_columns), columns(t.regular_columns), indexes);
        }
        nb::dict udts;
        for (const auto& [uname, u] : ks.user_types) {
            nb::list fields;
            for (std::size_t i = 0; i < u.field_names.size() && i < u.field_types.size(); ++i)
                fields.append(nb::make_tuple(str(u.field_names[i]), describe_type(u.field_types[i])));
            udts[str(uname)] = fields;
        }
        nb::dict views;
        for (const auto& [vname, v] : ks.views)
            views[str(vname)] = nb::make_tuple(str(v.base_table), str(v.where_clause), v.include_all_columns,
                                               columns(v.partition_key), clustering(v.clustering_columns),
                                               columns(v.static_columns), columns(v.regular_columns));
        nb::dict functions;
        for (const auto& [sig, f] : ks.functions) {
            nb::list arg_names;
            for (const auto& a : f.argument_names) arg_names.append(str(a));
            functions[str(sig)] = nb::make_tuple(str(f.name), arg_names, types(f.argument_types),
                                                 describe_type(f.return_type), str(f.language), str(f.body),
                                                 f.called_on_null_input);
        }
        nb::dict aggregates;
        for (const auto& [sig, a] : ks.aggregates) {
            nb::object final_function = a.final_function.empty() ? nb::none() : nb::object(str(a.final_function));
            nb::object init = a.initial_condition ? nb::object(str(*a.initial_condition)) : nb::none();
            aggregates[str(sig)] = nb::make_tuple(str(a.name), types(a.argument_types), str(a.state_function),
                                                  describe_type(a.state_type), final_function, init,
                                                  describe_type(a.return_type));
        }
        out[str(name)] = nb::make_tuple(strings(ks.replication), ks.durable_writes, tables, udts, views, functions,
                                        aggregates);
    }
    return out;
}

}  // namespace

request_handle engine_handle::connect(nb::dict config, nb::handle fut) {
    auto cfg = make_config(config);
    auto p = std::make_shared<pending_cluster>();
    p->pins = pinned_hosts::install(cfg, pinned_host_slots, retry_policy_slots);
    cfg.request_listener = core_->make_listener();
    return launch(core_, p, fut, [cfg = std::move(cfg)](std::shared_ptr<core> c, std::shared_ptr<pending_cluster> p) {
        ac::cluster::async_connect(c->io().get_executor(), cfg, p->diag,
                                   completion(c, p, [c](pending_cluster& q, ac::cluster cl) {
                                       q.version = cl.protocol_version();
                                       q.cluster = engine_owned(c, std::move(cl));
                                   }));
    });
}

request_handle cluster_handle::open_session(std::string keyspace, nb::handle fut) {
    auto p = std::make_shared<pending_session>();
    return launch(
        core_, p, fut,
        [cl = cluster, ks = std::move(keyspace)](std::shared_ptr<core> c, std::shared_ptr<pending_session> p) {
            cl->async_open_session(ks, p->diag, completion(c, p, [c](pending_session& q, ac::session s) {
                                       q.session = engine_owned(c, std::move(s));
                                   }));
        });
}

request_handle cluster_handle::close(nb::handle fut) {
    auto p = std::make_shared<pending_void>();
    return launch(core_, p, fut, [cl = cluster](std::shared_ptr<core> c, std::shared_ptr<pending_void> p) {
        cl->async_close(completion(c, p, [](pending_void&) {}));
    });
}

namespace {

struct pending_hosts : pending {
    struct info {
        std::string address, datacenter, rack, release_version;
        int port;
        bool up;
        std::uint64_t requests;
    };
    std::vector<info> hosts;
    nb::object result(core&) override {
        nb::list out;
        for (const auto& h : hosts)
            out.append(nb::make_tuple(nb::str(h.address.c_str()), h.port, nb::str(h.datacenter.c_str()),
                                      nb::str(h.rack.c_str()), nb::str(h.release_version.c_str()), h.up, h.requests));
        return out;
    }
};

}  // namespace

// [(address, port, datacenter, rack, release_version, up, requests sent)]
request_handle cluster_handle::hosts(nb::handle fut) {
    auto p = std::make_shared<pending_hosts>();
    return launch(core_, p, fut, [cl = cluster](std::shared_ptr<core> c, std::shared_ptr<pending_hosts> p) {
        for (const auto& h : cl->hosts())
            p->hosts.push_back({h->address(), h->datacenter(), h->rack(), h->release_version(), h->port(), h->is_up(),
                                h->requests_sent()});
        c->complete(p);
    });
}

namespace {

struct pending_text : pending {
    std::string text;
    nb::object result(core&) override { return nb::str(text.data(), text.size()); }
};

}  // namespace

// The engine's request metrics (docs/metrics.md) in the Prometheus text format.
request_handle cluster_handle::metrics_text(nb::handle fut) {
    auto p = std::make_shared<pending_text>();
    return launch(core_, p, fut, [cl = cluster](std::shared_ptr<core> c, std::shared_ptr<pending_text> p) {
        if (auto reg = cl->metrics()) p->text = ac::to_prometheus(reg->snapshot());
        c->complete(p);
    });
}

request_handle cluster_handle::metadata(nb::handle fut) {
    auto p = std::make_shared<pending_metadata>();
    return launch(core_, p, fut, [cl = cluster](std::shared_ptr<core> c, std::shared_ptr<pending_metadata> p) {
        p->meta = cl->metadata();
        c->complete(p);
    });
}

request_handle session_handle::execute(std::string query, nb::handle values, nb::handle names, nb::handle opts,
                                       nb::handle fut) {
    ac::statement st(std::move(query));
    apply_options(st, parse_options(opts));
    auto vals = parse_values(values, "parameters");
    if (!names.is_none()) {
        std::size_t i = 0;
        for (nb::handle n : names) {
            if (i >= vals.size()) throw nb::value_error("more parameter names than values");
            st.bind_named(nb::cast<std::string>(n), vals[i++]);
        }
        if (i != vals.size()) throw nb::value_error("fewer parameter names than values");
    } else {
        for (auto& v : vals) st.bind(v);
    }
    auto p = std::make_shared<pending_rows>();
    return launch(core_, p, fut,
                  [s = session, st = std::move(st)](std::shared_ptr<core> c, std::shared_ptr<pending_rows> p) mutable {
                      s->async_execute(std::move(st), p->diag, completion(c, p, [](pending_rows& q, ac::result_set rs) {
                                           q.rs = std::move(rs);
                                       }));
                  });
}

namespace {

// Binds values (already serialized) to a prepared statement, on the engine thread.
ac::bound_statement bind_all(const ac::prepared_statement& ps, std::vector<ac::encoded_value>& vals) {
    auto b = ps.bind();
    for (std::size_t i = 0; i < vals.size(); ++i) b.bind_at(i, std::move(vals[i]));
    return b;
}

std::vector<ac::encoded_value> checked_values(const prepared_handle& ph, nb::handle values) {
    auto vals = parse_values(values, "parameters");
    if (vals.size() != ph.variables.size())
        throw nb::value_error(("the prepared statement has " + std::to_string(ph.variables.size()) + " bind markers, " +
                               std::to_string(vals.size()) + " values given")
                                  .c_str());
    return vals;
}

}  // namespace

request_handle session_handle::execute_prepared(const prepared_handle& ph, nb::handle values, nb::handle opts,
                                                nb::handle fut) {
    auto vals = checked_values(ph, values);
    auto o = parse_options(opts);
    auto p = std::make_shared<pending_rows>();
    return launch(core_, p, fut,
                  [s = session, ps = ph.prepared, vals = std::move(vals), o = std::move(o)](
                      std::shared_ptr<core> c, std::shared_ptr<pending_rows> p) mutable {
                      auto b = bind_all(*ps, vals);
                      apply_options(b, o);
                      s->async_execute(std::move(b), p->diag, completion(c, p, [](pending_rows& q, ac::result_set rs) {
                                           q.rs = std::move(rs);
                                       }));
                  });
}

namespace {

PyObject* intern(const char* s) { return PyUnicode_InternFromString(s); }

// A request of execute_fast: what it sends, and its rows made with the
// statement's row class. Its own start() runs on the engine thread, so the
// submission needs no closure of its own.
struct pending_fast : pending {
    pending_fast() { takes_info = true; }
    std::shared_ptr<ac::session> session;
    std::shared_ptr<ac::prepared_statement> prepared;
    std::vector<ac::encoded_value> values;
    std::shared_ptr<const ac::request_options> opts;
    ac::result_set rs;
    std::shared_ptr<const std::vector<ac::column_spec>> expect;  // the prepared result columns
    PyObject* row_class = nullptr;                               // strong references, released on the loop thread
    PyObject* names = nullptr;

    void start(core& c, std::shared_ptr<pending> self) override {
        auto p = std::static_pointer_cast<pending_fast>(std::move(self));
        try {
            auto b = prepared->bind();
            for (std::size_t i = 0; i < values.size(); ++i) b.bind_at(i, std::move(values[i]));
            apply_options(b, *opts);
            session->async_execute(
                std::move(b), diag,
                completion(c.shared_from_this(), p, [](pending_fast& q, ac::result_set rs) { q.rs = std::move(rs); }));
        } catch (const std::exception& e) {
            ec = ac::client_errc::invalid_request;
            diag.assign(e.what());
            c.complete(std::move(p));
        }
    }

    nb::object result(core& c) override {
        nb::object page = page_to_python(c, rs, row_class, names, *expect);
        PyObject* t = page.ptr();
        if (PyTuple_GET_ITEM(t, 5) != Py_True || !c.result_class.is_valid() || PyTuple_GET_ITEM(t, 4) != Py_None)
            return page;
        // The rows are made: the AsyncResultSet itself, as AsyncResultSet._from_page
        // makes it, its __dict__ a copy of one holding what every such result shares.
        static PyObject* const s_rows = intern("_rows");
        static PyObject* const s_column_names = intern("column_names");
        static PyObject* const s_paging_state = intern("paging_state");
        static PyObject* const s_warnings = intern("warnings");
        static PyObject* const s_dict = intern("__dict__");
        static PyObject* const shared = [] {
            PyObject* d = PyDict_New();
            for (const char* k : {"_rows", "response_future", "column_names", "paging_state", "warnings", "trace_id"})
                PyDict_SetItemString(d, k, Py_None);
            nb::object zero = nb::int_(0);
            PyDict_SetItemString(d, "_aiter", zero.ptr());
            return d;
        }();
        nb::object d = nb::steal(PyDict_Copy(shared));
        nb::object names_list = nb::steal(PySequence_List(PyTuple_GET_ITEM(t, 0)));
        if (!d.is_valid() || !names_list.is_valid() || PyDict_SetItem(d.ptr(), s_rows, PyTuple_GET_ITEM(t, 1)) < 0 ||
            PyDict_SetItem(d.ptr(), s_column_names, names_list.ptr()) < 0 ||
            PyDict_SetItem(d.ptr(), s_paging_state, PyTuple_GET_ITEM(t, 2)) < 0 ||
            PyDict_SetItem(d.ptr(), s_warnings, PyTuple_GET_ITEM(t, 3)) < 0)
            throw nb::python_error();
        auto* cls = reinterpret_cast<PyTypeObject*>(c.result_class.ptr());
        nb::object rs_obj = nb::steal(cls->tp_alloc(cls, 0));
        if (!rs_obj.is_valid() || PyObject_SetAttr(rs_obj.ptr(), s_dict, d.ptr()) < 0) throw nb::python_error();
        return rs_obj;
    }
    void release() override {
        Py_CLEAR(row_class);
        Py_CLEAR(names);
    }
};

// Reads attr of o into slot; false when it differs (by identity) from what slot held.
bool same_attr(nb::handle o, PyObject* name, nb::object& slot) {
    PyObject* v = PyObject_GetAttr(o.ptr(), name);
    if (!v) throw nb::python_error();
    bool same = slot.is_valid() && slot.ptr() == v;
    slot = nb::steal(v);
    return same;
}

std::optional<ac::consistency> level(const nb::object& stmt_value, const nb::object& profile_value) {
    const nb::object& v = stmt_value.is_none() ? profile_value : stmt_value;
    if (v.is_none()) return std::nullopt;
    return static_cast<ac::consistency>(nb::cast<int>(v));
}

}  // namespace

nb::object session_handle::execute_fast(prepared_handle& ph, nb::handle stmt, nb::handle values, nb::handle profile,
                                        bool named_rows, nb::handle loop, nb::handle retry_profile) {
    auto* fast = ph.fast.get();
    if (!fast || core_->stopped()) return nb::none();
    PyObject* seq = values.ptr();
    const std::size_t n = ph.variables.size();
    if (seq == Py_None) {
        if (n != 0) return nb::none();
    } else if (!PyList_CheckExact(seq) && !PyTuple_CheckExact(seq)) {
        return nb::none();
    } else if (static_cast<std::size_t>(PySequence_Fast_GET_SIZE(seq)) != n) {
        return nb::none();
    }
    std::vector<ac::encoded_value> vals(n);
    PyObject** items = n ? PySequence_Fast_ITEMS(seq) : nullptr;
    for (std::size_t i = 0; i < n; ++i)
        if (!encode_fast(fast->kinds[i], items[i], fast->serializers[i].ptr(), fast->protocol_version.ptr(), vals[i]))
            return nb::none();

    // The options: the statement's attributes over the profile's, derived
    // again only when one of them is another object than last time.
    static PyObject* names[10] = {intern("consistency_level"), intern("serial_consistency_level"),
                                  intern("fetch_size"),        intern("is_idempotent"),
                                  intern("custom_payload"),    intern("retry_policy"),
                                  intern("consistency_level"), intern("serial_consistency_level"),
                                  intern("request_timeout"),   intern("retry_policy")};
    bool same = fast->have_opts;
    for (int i = 0; i < 10; ++i) same &= same_attr(i < 6 ? stmt : profile, names[i], fast->key[i]);
    if (!same) {
        fast->have_opts = false;
        const auto& k = fast->key;
        if (!k[4].is_none()) return nb::none();  // a custom payload: the general path
        ac::request_options o;
        o.consistency_level = level(k[0], k[6]);
        o.serial_consistency_level = level(k[1], k[7]);
        if (PyLong_CheckExact(k[2].ptr())) o.page_size = nb::cast<std::int32_t>(k[2]);
        int idem = PyObject_IsTrue(k[3].ptr());
        if (idem < 0) throw nb::python_error();
        o.idempotent = idem != 0;
        if (!k[8].is_none()) {
            int truthy = PyObject_IsTrue(k[8].ptr());
            if (truthy < 0) throw nb::python_error();
            if (truthy) {
                double s = PyFloat_AsDouble(k[8].ptr());
                if (s == -1.0 && PyErr_Occurred()) {
                    PyErr_Clear();
                    return nb::none();
                }
                if (!(s > 0)) return nb::none();
                o.timeout = std::chrono::milliseconds(static_cast<long long>(s * 1000.0 + 0.999));
            }
        }
        // The statement's retry policy over the profile's, as the engine
        // profile that has it (None: the cluster's); raises for a policy the
        // engine cannot run.
        nb::object name = retry_profile(k[5], k[9]);
        if (!name.is_none()) o.profile = nb::cast<std::string>(name);
        fast->opts = std::make_shared<const ac::request_options>(std::move(o));
        fast->have_opts = true;
    }

    auto p = std::make_shared<pending_fast>();
    p->session = session;
    p->prepared = ph.prepared;
    p->values = std::move(vals);
    p->opts = fast->opts;
    p->expect = fast->expect;
    if (named_rows && !fast->row_class.is_none()) p->row_class = Py_NewRef(fast->row_class.ptr());
    p->names = Py_NewRef(fast->names.ptr());
    nb::object awaitable = nb::steal(make_awaitable(loop.ptr(), core_, p));
    p->future = Py_NewRef(awaitable.ptr());
    core_->start_batched(std::move(p));
    return awaitable;
}

request_handle session_handle::prepare(std::string query, std::string keyspace, nb::handle opts, nb::handle fut) {
    ac::statement st(std::move(query));
    auto o = parse_options(opts);
    if (!keyspace.empty()) o.keyspace = keyspace;
    apply_options(st, o);
    auto p = std::make_shared<pending_prepared>();
    return launch(
        core_, p, fut,
        [s = session, st = std::move(st)](std::shared_ptr<core> c, std::shared_ptr<pending_prepared> p) mutable {
            s->async_prepare(std::move(st), p->diag,
                             completion(c, p, [c](pending_prepared& q, ac::prepared_statement ps) {
                                 auto& h = q.h;
                                 h.id = to_string(ps.id());
                                 h.result_metadata_id = to_string(ps.result_metadata_id());
                                 h.query = ps.query();
                                 h.keyspace = ps.keyspace();
                                 h.variables = ps.variables();
                                 h.result_columns = ps.result_columns();
                                 h.pk_indexes = ps.partition_key_indexes();
                                 h.prepared = engine_owned(c, std::move(ps));
                             }));
        });
}

request_handle session_handle::execute_batch(int type, nb::handle entries, nb::handle opts, nb::handle fut) {
    if (type < 0 || type > 2) throw nb::value_error("batch_type must be LOGGED (0), UNLOGGED (1) or COUNTER (2)");
    struct entry {
        std::string query;
        std::shared_ptr<ac::prepared_statement> prepared;
        std::vector<ac::encoded_value> values;
    };
    std::vector<entry> items;
    for (nb::handle e : entries) {
        nb::tuple t = nb::borrow<nb::tuple>(e);
        entry it;
        if (nb::isinstance<prepared_handle>(t[0])) {
            const auto& ph = nb::cast<const prepared_handle&>(t[0]);
            it.prepared = ph.prepared;
            it.values = checked_values(ph, t[1]);
        } else {
            it.query = nb::cast<std::string>(t[0]);
            it.values = parse_values(t[1], "batch statement parameters");
        }
        items.push_back(std::move(it));
    }
    auto o = parse_options(opts);
    auto p = std::make_shared<pending_rows>();
    return launch(core_, p, fut,
                  [s = session, type, items = std::move(items), o = std::move(o)](
                      std::shared_ptr<core> c, std::shared_ptr<pending_rows> p) mutable {
                      ac::batch b(static_cast<ac::batch_type>(type));
                      apply_options(b, o);
                      for (auto& it : items) {
                          if (it.prepared) {
                              b.add(bind_all(*it.prepared, it.values));
                          } else {
                              ac::statement st(std::move(it.query));
                              for (auto& v : it.values) st.bind(v);
                              b.add(std::move(st));
                          }
                      }
                      s->async_execute(std::move(b), p->diag, completion(c, p, [](pending_rows& q, ac::result_set rs) {
                                           q.rs = std::move(rs);
                                       }));
                  });
}

namespace {

struct pending_stats : pending {
    ac::session_stats stats;
    nb::object result(core&) override {
        nb::dict d;
        d["in_flight"] = stats.in_flight;
        d["queued"] = stats.queued;
        d["connection_in_flight"] = stats.connection_in_flight;
        d["connection_orphaned"] = stats.connection_orphaned;
        d["connection_queued"] = stats.connection_queued;
        d["connections_opened"] = stats.connections_opened;
        d["connections_replaced"] = stats.connections_replaced;
        d["requests_sent"] = stats.requests_sent;
        d["retries"] = stats.retries;
        d["speculative_executions"] = stats.speculative_executions;
        d["open_connections"] = stats.open_connections;
        return d;
    }
};

}  // namespace

request_handle session_handle::stats(nb::handle fut) {
    auto p = std::make_shared<pending_stats>();
    return launch(core_, p, fut, [s = session](std::shared_ptr<core> c, std::shared_ptr<pending_stats> p) {
        p->stats = s->stats();
        c->complete(p);
    });
}

namespace {

struct pending_trace : pending {
    ac::query_trace t;
    nb::object result(core&) override {
        auto str = [](const std::string& v) { return nb::str(v.data(), v.size()); };
        auto id = [](const ac::uuid& u) {
            return nb::bytes(reinterpret_cast<const char*>(u.bytes().data()), u.bytes().size());
        };
        nb::dict params;
        for (const auto& [k, v] : t.parameters) params[str(k)] = str(v);
        nb::list events;
        for (const auto& e : t.events) {
            nb::object elapsed = e.source_elapsed_us ? nb::object(nb::int_(*e.source_elapsed_us)) : nb::none();
            events.append(
                nb::make_tuple(id(e.event_id), str(e.activity), str(e.source.to_string()), elapsed, str(e.thread)));
        }
        return nb::make_tuple(str(t.request), str(t.command), str(t.coordinator.to_string()), str(t.client.to_string()),
                              static_cast<long long>(t.duration.count()),
                              static_cast<long long>(t.started_at.time_since_epoch().count()), params, events);
    }
};

}  // namespace

// (request, command, coordinator, client, duration µs, started_at ms since the epoch,
//  parameters, [(event id bytes, activity, source, source_elapsed µs or None, thread)])
request_handle session_handle::get_trace(nb::bytes id, double max_wait, nb::handle fut) {
    if (id.size() != 16) throw nb::value_error("a trace id is 16 bytes");
    if (!(max_wait > 0)) throw nb::value_error("max_wait must be a positive number of seconds");
    const auto* b = reinterpret_cast<const std::byte*>(id.c_str());
    auto uid = ac::uuid::from_bytes(std::span<const std::byte>(b, 16));
    auto wait = std::chrono::milliseconds(static_cast<long long>(max_wait * 1000.0 + 0.999));
    auto p = std::make_shared<pending_trace>();
    return launch(core_, p, fut, [s = session, uid, wait](std::shared_ptr<core> c, std::shared_ptr<pending_trace> p) {
        s->async_get_trace(uid, wait, p->diag,
                           completion(c, p, [](pending_trace& q, ac::query_trace t) { q.t = std::move(t); }));
    });
}

request_handle session_handle::close(nb::handle fut) {
    auto p = std::make_shared<pending_void>();
    return launch(core_, p, fut, [s = session](std::shared_ptr<core> c, std::shared_ptr<pending_void> p) {
        s->async_close(completion(c, p, [](pending_void&) {}));
    });
}

}  // namespace acpy
