#include "cluster/control_connection.hpp"

#include "cluster/cluster_impl.hpp"
#include "cluster/host_rows.hpp"
#include "cluster/schema_builder.hpp"
#include "cluster/token_map.hpp"

#include <async_cassandra/inet_address.hpp>
#include <async_cassandra/result_set.hpp>

#include <asio/bind_cancellation_slot.hpp>
#include <asio/co_spawn.hpp>
#include <asio/redirect_error.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>

#include <algorithm>
#include <set>
#include <stdexcept>

namespace async_cassandra::detail {

control_connection::control_connection(cluster_impl& owner)
    : owner_(owner),
      cfg_(owner.config()),
      reconnect_wait_(owner.runtime().executor()),
      refresh_timer_(owner.runtime().executor(), asio::steady_timer::time_point::max()) {}

std::shared_ptr<const control_connection::schema_map> control_connection::schema() const {
    auto lock = owner_.routing().snapshot_lock();
    return schema_;
}

asio::awaitable<bool> control_connection::wait_schema_agreement() {
    auto op = [self = owner_.shared_from_this(), t = this] {
        return keep_alive_op<bool>(self, [t] { return t->agree_here(); });
    };
    co_return (co_await run_on<bool>(owner_.runtime().executor(), op)).second;
}

void control_connection::close() {
    if (conn_) conn_->close("cluster closed", client_errc::session_closed);
    refresh_timer_.cancel();
    reconnect_wait_.cancel();
}

asio::awaitable<error_code> control_connection::query(std::string_view cql, result_set& out, diagnostics& diag) {
    auto c = conn_;
    if (!c || !c->is_open()) {
        diag.assign("the control connection is closed");
        co_return make_error_code(client_errc::connection_closed);
    }
    auto signal = std::make_shared<asio::cancellation_signal>();
    auto done = std::make_shared<bool>(false);
    asio::steady_timer timer(owner_.runtime().executor(), cfg_.request_timeout);
    timer.async_wait([signal, done](error_code ec) {
        if (!ec && !*done) signal->emit(asio::cancellation_type::terminal);
    });
    error_code ec;
    const int version = c->protocol_version();
    auto env = co_await c->async_request(
        protocol::opcode::query, 0,
        [&](protocol::byte_writer& w) {
            protocol::query_parameters p;
            p.consistency_level = consistency::one;
            protocol::encode_query(w, cql, p, version);
        },
        asio::bind_cancellation_slot(signal->slot(), asio::redirect_error(asio::use_awaitable, ec)));
    *done = true;
    timer.cancel();
    if (ec) {
        diag.assign(std::string(cql) + " on " + c->endpoint() + ": " +
                        (ec == asio::error::operation_aborted ? "no answer within the request timeout" : ec.message()),
                    c->endpoint());
        co_return ec == asio::error::operation_aborted ? make_error_code(client_errc::request_timeout) : ec;
    }
    try {
        if (env.header.opcode == protocol::opcode::error) {
            protocol::byte_reader r(env.body);
            (void)protocol::decode_response_prefix(r, env.header.flags);
            auto e = protocol::decode_error(r, version);
            diag.assign(std::string(cql) + ": " + e.message, c->endpoint());
            co_return server_error_code(e.code);
        }
        if (env.header.opcode != protocol::opcode::result) {
            diag.assign(std::string(cql) + ": unexpected " + protocol::to_string(env.header.opcode), c->endpoint());
            co_return make_error_code(client_errc::unexpected_response);
        }
        out = result_set::from_body(std::move(env.body), env.header.flags, version);
    } catch (const std::exception& e) {
        diag.assign(std::string(cql) + ": malformed answer: " + e.what(), c->endpoint());
        co_return make_error_code(client_errc::protocol_violation);
    }
    co_return error_code{};
}

asio::awaitable<error_code> control_connection::refresh_topology(diagnostics& diag) {
    result_set local, peers;
    if (auto ec = co_await query("SELECT * FROM system.local WHERE key='local'", local, diag)) co_return ec;
    error_code ec;
    if (peers_v2_) {
        ec = co_await query("SELECT * FROM system.peers_v2", peers, diag);
        if (ec && ec.category() == server_category()) peers_v2_ = false;  // before Cassandra 4
    }
    if (!peers_v2_) ec = co_await query("SELECT * FROM system.peers", peers, diag);
    if (ec) co_return ec;
    if (!conn_ || local.empty()) {
        diag.assign("system.local has no row");
        co_return make_error_code(client_errc::unexpected_response);
    }
    try {
        apply(read_hosts(local, peers));
    } catch (const std::exception& e) {  // a column of an unexpected type
        diag.assign(std::string("cannot read system.local / system.peers: ") + e.what(), conn_->endpoint());
        co_return make_error_code(client_errc::unexpected_response);
    }
    co_return error_code{};
}

std::vector<host_ptr> control_connection::read_hosts(const result_set& local, const result_set& peers) const {
    auto rows = read_host_rows(local, peers, host_->address(), host_->port(), cfg_.port);
    for (const auto& w : rows.warnings) owner_.log().warn([&] { return w; });
    if (!rows.error.empty()) throw std::runtime_error(rows.error);
    std::vector<host_ptr> found;
    for (auto& r : rows.hosts) {
        // The reached node's endpoint is the one that worked: only peers are translated.
        if (!found.empty()) {
            auto to = translate(r.address, r.port);
            r.address = std::move(to.address);
            r.port = to.port;
        }
        auto h = owner_.routing().find_host(r.address, r.port);
        if (!h) h = std::make_shared<host>(r.address, r.port, r.advertised_address, r.advertised_port);
        // A new host_info, published only when something changed: requests
        // and users on other threads read the current one (issue 15).
        h->set_info(std::move(r.info));
        found.push_back(std::move(h));
    }
    return found;
}

node_address control_connection::translate(const std::string& address, std::uint16_t port) const {
    node_address advertised{address, port};
    if (!cfg_.address_translator) return advertised;
    auto unchanged = [&](const std::string& why) {
        owner_.log().warn([&] { return "address_translator: " + address + ":" + std::to_string(port) + " " + why; });
        return advertised;
    };
    node_address to;
    try {
        to = cfg_.address_translator->translate(advertised);
    } catch (const std::exception& e) {
        return unchanged(std::string("kept as advertised: the translator threw: ") + e.what());
    }
    if (to.address.empty()) return unchanged("kept as advertised: the translator gave an empty address");
    if (to == advertised)
        owner_.log().debug([&] {
            return "address_translator: no translation for " + address + ":" + std::to_string(port) +
                   ", connecting as advertised";
        });
    return to;
}

asio::awaitable<error_code> control_connection::refresh_schema(diagnostics& diag) {
    // One page each (no paging on the control connection's queries).
    result_set ks, tables, columns, types;
    if (auto ec = co_await query(schema_keyspaces_query, ks, diag)) co_return ec;
    if (auto ec = co_await query(schema_tables_query, tables, diag)) co_return ec;
    if (auto ec = co_await query(schema_columns_query, columns, diag)) co_return ec;
    if (auto ec = co_await query(schema_types_query, types, diag)) co_return ec;
    // Views, indexes, functions and aggregates: a server that cannot list
    // them still gets its tables (what routing needs).
    result_set objects[4];
    const std::string_view object_queries[] = {schema_views_query, schema_indexes_query, schema_functions_query,
                                               schema_aggregates_query};
    bool have_objects = true;
    for (std::size_t i = 0; i < 4 && have_objects; ++i) {
        diagnostics d;
        if (auto ec = co_await query(object_queries[i], objects[i], d)) {
            have_objects = false;
            owner_.log().warn([&] {
                return std::string(object_queries[i]) + " failed (" +
                       (d.message().empty() ? ec.message() : d.message()) +
                       "): the schema metadata has no views, indexes, functions or aggregates";
            });
        }
    }
    try {
        schema_rows rows{{&ks, 1}, {&tables, 1}, {&columns, 1}, {&types, 1}};
        if (have_objects) {
            rows.views = {&objects[0], 1};
            rows.indexes = {&objects[1], 1};
            rows.functions = {&objects[2], 1};
            rows.aggregates = {&objects[3], 1};
        }
        auto built = build_schema(rows);
        for (const auto& e : built.errors) owner_.log().warn([&] { return "schema metadata: " + e; });
        auto fresh = std::make_shared<const schema_map>(std::move(built.keyspaces));
        auto lock = owner_.routing().snapshot_write_lock();
        schema_ = std::move(fresh);
    } catch (const std::exception& e) {
        diag.assign(std::string("cannot read system_schema: ") + e.what(), conn_->endpoint());
    }
    std::map<std::string, std::map<std::string, std::string>> replication;
    try {
        for (std::size_t i = 0; i < ks.size(); ++i) {
            auto row = ks.row(i);
            replication[row.get<std::string>("keyspace_name")] = row.get<std::map<std::string, std::string>>(
                "replication");
        }
    } catch (const std::exception& e) {
        diag.assign(std::string("cannot read system_schema.keyspaces: ") + e.what(), conn_->endpoint());
        co_return make_error_code(client_errc::unexpected_response);
    }
    owner_.routing().set_replication(std::move(replication));
    co_return error_code{};
}

asio::awaitable<error_code> control_connection::open(const std::string& address, std::uint16_t port,
                                                     diagnostics& diag) {
    error_code ec;
    // Offer the configured version; step down once if the server refuses it.
    for (int v = version_ ? version_.load() : cfg_.protocol_version; v >= 4; --v) {
        diag.clear();
        auto c = co_await owner_.open_one(address, port, v, ec, diag, true);
        if (c) {
            version_ = v;
            conn_ = std::move(c);
            opened_at_ = std::chrono::steady_clock::now();
            if (!host_ || host_->address() != address || host_->port() != port)
                host_ = owner_.routing().find_host(address, port);
            if (!host_) host_ = std::make_shared<host>(address, port);
            conn_->on_event([w = owner_.weak_from_this()](const protocol::envelope& env) {
                if (auto self = w.lock()) self->control().on_event(env);
            });
            conn_->on_state_change([w = owner_.weak_from_this(), c = std::weak_ptr<connection>(conn_)] {
                auto self = w.lock();
                auto conn = c.lock();
                if (!self || !conn || conn->is_open() || self->shut_down() || self->control().conn_ != conn) return;
                self->log().warn([&] {
                    return "control connection to " + conn->endpoint() + " lost (" + conn->close_reason() +
                           "); reconnecting";
                });
                self->control().start_reconnection();
            });
            // Topology, status and schema events arrive on this connection.
            const std::string_view events[] = {protocol::event_type::topology_change,
                                               protocol::event_type::status_change,
                                               protocol::event_type::schema_change};
            auto ready = co_await conn_->async_request(
                protocol::opcode::register_, 0, [&](protocol::byte_writer& w) { protocol::encode_register(w, events); },
                asio::redirect_error(asio::use_awaitable, ec));
            // Without events the driver still works, on what it discovered at connect.
            (void)ready;
            co_return error_code{};
        }
        if (ec != client_errc::protocol_version_rejected) break;
    }
    co_return ec;
}

asio::awaitable<error_code> control_connection::connect(diagnostics& diag) {
    std::string failures;
    error_code ec;
    for (const auto& contact : cfg_.contact_points) {
        diagnostics d;
        ec = co_await open(contact, cfg_.port, d);
        if (!ec) break;
        if (!failures.empty()) failures += "; ";
        failures += d.message().empty() ? contact + ": " + ec.message() : d.message();
        // Credentials are the same for every host: trying the others would only repeat the refusal.
        if (ec == client_errc::authentication_required || ec == server_errc::bad_credentials) {
            diag.assign(d.message(), d.host());
            co_return ec;
        }
    }
    if (!conn_) {
        diag.assign("no contact point answered: " + failures);
        co_return make_error_code(client_errc::no_host_available);
    }
    diagnostics d;
    if ((ec = co_await refresh_topology(d))) {
        // A node whose system tables cannot be read: use it alone.
        apply({host_});
    }
    (void)co_await refresh_schema(d);
    start_event_loop();
    co_return error_code{};
}

void control_connection::apply(std::vector<host_ptr> found) {
    // The node this connection reached, as the routing table keeps it.
    for (const auto& h : found)
        if (h->address() == host_->address() && h->port() == host_->port()) host_ = h;
    owner_.routing().apply_hosts(std::move(found), host_);
}

void control_connection::on_event(const protocol::envelope& env) {
    protocol::event_body ev;
    try {
        protocol::byte_reader r(env.body);
        (void)protocol::decode_response_prefix(r, env.header.flags);
        ev = protocol::decode_event(r);
    } catch (const std::exception&) {
        return;  // an event we cannot read changes nothing; the next refresh corrects the view
    }
    if (auto* s = std::get_if<protocol::status_change_event>(&ev)) {
        if (s->change == "UP") {
            // Events name nodes as they advertise themselves.
            const auto at = translate(s->node.address, s->node.port);
            if (auto h = owner_.routing().find_host(at.address, at.port); h && h->pool) h->pool->wake_up();
        }
        // DOWN is not trusted alone: the pools find out from their connections.
        schedule_refresh(true, false);
    } else if (std::holds_alternative<protocol::topology_change_event>(ev)) {
        schedule_refresh(true, false);
    } else {
        schedule_refresh(false, true);
    }
}

void control_connection::schedule_refresh(bool topology, bool schema) {
    if (owner_.shut_down()) return;
    const auto now = std::chrono::steady_clock::now();
    if (!refresh_topology_ && !refresh_schema_) first_event_ = now;
    refresh_topology_ |= topology;
    refresh_schema_ |= schema;
    // Trailing debounce, but never later than 5 windows after the first event.
    auto due = std::min(now + cfg_.event_debounce, first_event_ + 5 * cfg_.event_debounce);
    refresh_timer_.expires_at(due);
}

asio::awaitable<void> control_connection::event_loop() {
    auto self = owner_.shared_from_this();
    while (!owner_.shut_down()) {
        error_code ec;
        co_await refresh_timer_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
        if (owner_.shut_down()) break;
        if (ec) continue;  // re-armed by another event
        refresh_timer_.expires_at(asio::steady_timer::time_point::max());
        const bool topology = std::exchange(refresh_topology_, false);
        const bool schema = std::exchange(refresh_schema_, false);
        diagnostics d;
        if (topology) (void)co_await refresh_topology(d);
        if (schema) (void)co_await refresh_schema(d);
    }
}

void control_connection::start_event_loop() {
    asio::co_spawn(owner_.runtime().executor(), event_loop(),
                   owner_.guard("the event loop (debounced refreshes)", [this] { start_event_loop(); }));
}

void control_connection::start_reconnection() {
    // Restarted while no control connection is open: without it, no events
    // and every DDL waits max_schema_agreement_wait.
    asio::co_spawn(owner_.runtime().executor(), reconnect(),
                   owner_.guard("the control connection's reconnection", [this] {
                       if (!conn_ || !conn_->is_open()) start_reconnection();
                   }));
}

asio::awaitable<void> control_connection::reconnect() {
    if (reconnecting_) co_return;
    reconnecting_ = true;
    // However the loop ends (an exception too), a later loss may start another.
    struct clear_flag {
        bool& f;
        ~clear_flag() { f = false; }
    } clear{reconnecting_};
    auto self = owner_.shared_from_this();
    auto& wait = reconnect_wait_;
    auto delay = [this](int failures) {
        return std::min(cfg_.reconnection.base_delay * (1 << std::min(failures, 6)), cfg_.reconnection.max_delay);
    };
    // A connection lost before host_pool::stable_after counts as a failed
    // round (a node that sends READY and hangs up): back off before the next.
    if (std::chrono::steady_clock::now() - opened_at_ < host_pool::stable_after) {
        wait.expires_after(delay(++short_lived_));
        error_code ec;
        co_await wait.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    } else {
        short_lived_ = 0;
    }
    int failures = short_lived_;
    while (!owner_.shut_down()) {
        // Up hosts first, in the policy's order, then the rest, then the contact points.
        std::vector<std::pair<std::string, std::uint16_t>> tries;
        std::vector<host_ptr> plan_hosts;
        owner_.routing().plan(request_routing{}, nullptr, plan_hosts);
        for (const auto& h : plan_hosts) tries.emplace_back(h->address(), h->port());
        for (const auto& h : owner_.routing().hosts_here()) tries.emplace_back(h->address(), h->port());
        for (const auto& c : cfg_.contact_points) tries.emplace_back(c, cfg_.port);
        for (const auto& attempt : tries) {
            const std::string& address = attempt.first;
            const std::uint16_t port = attempt.second;
            if (owner_.shut_down()) break;
            diagnostics d;
            if (auto ec = co_await open(address, port, d)) {
                owner_.log().warn([&] {
                    return "control connection to " + address + ":" + std::to_string(port) +
                           " failed: " + (d.message().empty() ? ec.message() : d.message());
                });
                continue;
            }
            owner_.log().info([&] { return "control connection reopened to " + address + ":" + std::to_string(port); });
            diagnostics rd;
            (void)co_await refresh_topology(rd);
            (void)co_await refresh_schema(rd);
            co_return;
        }
        wait.expires_after(delay(++failures));
        error_code ec;
        co_await wait.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    }
}

asio::awaitable<bool> control_connection::agree_here() {
    const auto until = std::chrono::steady_clock::now() + cfg_.max_schema_agreement_wait;
    asio::steady_timer pause(owner_.runtime().executor());
    auto self = owner_.shared_from_this();
    for (;;) {
        if (owner_.shut_down()) co_return false;
        result_set local, peers;
        diagnostics d;
        std::set<std::string> versions;
        bool ok = !co_await query("SELECT schema_version FROM system.local WHERE key='local'", local, d) &&
                  !co_await query(peers_v2_ ? "SELECT * FROM system.peers_v2" : "SELECT * FROM system.peers", peers, d);
        if (ok) {
            // A row we cannot read means no agreement this round, not a
            // failed DDL: the statement itself was applied (issue 15).
            try {
                for (std::size_t i = 0; i < local.size(); ++i)
                    if (auto v = local.row(i).get<std::optional<uuid>>("schema_version"))
                        versions.insert(v->to_string());
                for (std::size_t i = 0; i < peers.size(); ++i) {
                    auto row = peers.row(i);
                    auto port = peer_port(row, peers, cfg_.port);
                    const auto at = port ? translate(peer_address(row, peers), *port) : node_address{};
                    auto h = port ? owner_.routing().find_host(at.address, at.port) : nullptr;
                    if (!port || (h && !h->is_up())) continue;  // a down node cannot agree
                    if (auto v = column<uuid>(row, peers, "schema_version")) versions.insert(v->to_string());
                }
                if (versions.size() <= 1) co_return true;
            } catch (const std::exception& e) {
                owner_.log().warn(
                    [&] { return std::string("schema agreement: cannot read the schema versions: ") + e.what(); });
            }
        }
        if (std::chrono::steady_clock::now() + std::chrono::milliseconds(200) >= until) co_return false;
        pause.expires_after(std::chrono::milliseconds(200));
        error_code ec;
        co_await pause.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    }
}

}  // namespace async_cassandra::detail
