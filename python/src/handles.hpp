// The native objects the package holds: cluster, session, prepared statement
// and stream. Each keeps its engine object on the engine thread (created,
// used and destroyed there) and hands Python plain values.
#pragma once
#include "engine.hpp"
#include "pinned.hpp"

#include <async_cassandra/row_stream.hpp>

#include <string>
#include <vector>

namespace acpy {

// Owns a T that lives on the engine thread: the last reference deletes it there.
template <class T>
std::shared_ptr<T> engine_owned(const std::shared_ptr<core>& c, T value) {
    std::weak_ptr<core> wc = c;
    return std::shared_ptr<T>(new T(std::move(value)), [wc](T* p) {
        auto c = wc.lock();
        if (c && !c->stopped() && !c->io().get_executor().running_in_this_thread())
            c->post([p] { delete p; });
        else
            delete p;
    });
}

struct cluster_handle {
    std::shared_ptr<core> core_;
    std::shared_ptr<ac::cluster> cluster;
    int protocol_version = 5;
    std::shared_ptr<pinned_hosts> pins;  // execute(host=...) and retry policies of profiles and statements

    request_handle open_session(std::string keyspace, nb::handle fut);
    request_handle close(nb::handle fut);
    request_handle metadata(nb::handle fut);
    request_handle hosts(nb::handle fut);
    request_handle metrics_text(nb::handle fut);
};

// What execute_fast keeps per prepared statement; loop thread (GIL) only.
struct prepared_fast {
    std::vector<std::uint8_t> kinds;      // per bind marker: how to encode (options.hpp, value_kind)
    std::vector<nb::object> serializers;  // per bind marker: the driver's cqltype.serialize
    nb::object protocol_version;          // int, for the serializers
    std::shared_ptr<const std::vector<ac::column_spec>> expect;  // the result columns the row class is for
    nb::object row_class;  // the named-tuple row class of the result columns, or None
    nb::object names;      // tuple of the result column names
    // The options last derived from the statement's and the profile's
    // attributes (retry policies included), reused while those attributes
    // are the same objects.
    nb::object key[10];
    std::shared_ptr<const ac::request_options> opts;  // shared with the requests that use them
    bool have_opts = false;
};

struct prepared_handle {
    std::shared_ptr<ac::prepared_statement> prepared;  // engine thread only
    std::string id, result_metadata_id, query, keyspace;
    std::vector<ac::column_spec> variables, result_columns;
    std::vector<std::uint16_t> pk_indexes;
    std::shared_ptr<prepared_fast> fast;  // set by setup_fast, on the loop thread
};

struct stream_handle {
    std::shared_ptr<core> core_;
    std::shared_ptr<ac::row_stream> stream;

    request_handle next_page(nb::handle fut);
    request_handle close(nb::handle fut);
};

struct session_handle {
    std::shared_ptr<core> core_;
    std::shared_ptr<ac::session> session;

    // query: str; values: list of bytes/None/UNSET or None; names: list of str or None.
    request_handle execute(std::string query, nb::handle values, nb::handle names, nb::handle opts, nb::handle fut);
    request_handle execute_prepared(const prepared_handle& p, nb::handle values, nb::handle opts, nb::handle fut);
    // The hot path: a prepared statement with positional values and the
    // statement's and profile's attributes. Values of the common types are
    // encoded here, the others by the driver's serializer of the column;
    // rows come back as the prepared statement's row class when named_rows.
    // Returns None (nothing started) when the call needs the general path:
    // a value the serializer refuses, a values count that differs from the
    // markers, a dict of values, a custom payload. The caller then takes it,
    // which raises the driver's own errors. retry_profile(statement's
    // retry_policy, profile's retry_policy) gives the engine profile of the
    // request's retry policy (or None); called only when those change.
    // Otherwise returns the request's awaitable (awaitable.hpp) on loop.
    nb::object execute_fast(prepared_handle& p, nb::handle stmt, nb::handle values, nb::handle profile, bool named_rows,
                            nb::handle loop, nb::handle retry_profile);
    request_handle prepare(std::string query, std::string keyspace, nb::handle opts, nb::handle fut);
    // entries: list of (str query | prepared_handle, values list)
    request_handle execute_batch(int type, nb::handle entries, nb::handle opts, nb::handle fut);
    // stmt: str query or prepared_handle; cfg: (page_size, max_pages, timeout seconds or None)
    request_handle execute_stream(nb::handle stmt, nb::handle values, nb::handle opts, nb::handle cfg, nb::handle fut);
    request_handle close(nb::handle fut);
    // The trace of a request run with tracing (system_traces, read by the engine), waiting
    // up to max_wait seconds for it to be complete.
    request_handle get_trace(nb::bytes id, double max_wait, nb::handle fut);
    // The engine's counters of this session, its connections and cluster.
    request_handle stats(nb::handle fut);
};

// Engine entry point for Python: the core plus connect().
struct engine_handle {
    std::shared_ptr<core> core_ = std::make_shared<core>();
    request_handle connect(nb::dict config, nb::handle fut);
};

// The UNSET_VALUE sentinel of cassandra.query (set by the package).
void set_unset_marker(nb::handle marker);

}  // namespace acpy
