#include <cql_sim/server.hpp>

#include "sim_connection.hpp"

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/use_awaitable.hpp>

#include <algorithm>

namespace cql_sim {
namespace detail {

namespace {
template <class Pred>
rule* first_hit(std::vector<rule>& rules, std::vector<std::uint64_t>& hits, Pred pred) {
    for (std::size_t i = 0; i < rules.size(); ++i) {
        auto& r = rules[i];
        if (pred(r)) {
            if (r.max_hits) --*r.max_hits;
            ++hits[i];
            return &r;
        }
    }
    return nullptr;
}
}  // namespace

rule* shared_state::match(std::string_view text, std::string_view id, int node) {
    return first_hit(rules, hits, [&](const rule& r) { return r.matches(text, id, node); });
}

rule* shared_state::match_handshake(pr::opcode request, int node) {
    return first_hit(rules, hits, [&](const rule& r) { return r.matches_handshake(request, node); });
}

void shared_state::count_request(int node, pr::opcode op) {
    const auto i = static_cast<std::uint8_t>(op);
    ++counters.requests[i];
    ++counters.nodes[static_cast<std::size_t>(node)].requests[i];
}

}  // namespace detail

namespace {
asio::awaitable<void> accept_loop(std::shared_ptr<detail::shared_state> st, asio::ip::tcp::acceptor& acceptor,
                                  int node) {
    try {
        for (;;) {
            auto s = co_await acceptor.async_accept(asio::use_awaitable);
            if (st->stopped) co_return;
            ++st->counters.connections_accepted;
            ++st->counters.nodes[static_cast<std::size_t>(node)].connections_accepted;
            auto c = std::make_shared<sim_connection>(st, std::move(s), node);
            // Forget connections that ended, so a long benchmark does not grow the list.
            st->connections.remove_if([](const auto& w) { return w.expired(); });
            st->connections.push_back(c);
            asio::co_spawn(st->ex, sim_connection::run(c), asio::detached);
        }
    } catch (const std::exception&) {
        // The acceptor was closed by stop().
    }
}
// Applies f to every open connection (of `node` only, when given); returns how many.
template <class F>
std::size_t for_each_open(detail::shared_state& st, std::optional<int> node, F f) {
    std::size_t n = 0;
    for (auto& w : st.connections)
        if (auto c = w.lock(); c && c->is_open() && (!node || c->node() == *node)) {
            f(*c);
            ++n;
        }
    return n;
}
}  // namespace

server::server(asio::any_io_executor ex, config cfg) : state_(std::make_shared<detail::shared_state>()) {
    state_->ex = std::move(ex);
    state_->cfg = std::move(cfg);
    state_->topo.nodes = state_->cfg.nodes;
    state_->topo.data_center = state_->cfg.data_center;
    state_->topo.node_data_centers = state_->cfg.node_data_centers;
    state_->topo.advertised_addresses = state_->cfg.advertised_addresses;
    state_->topo.advertised_port = state_->cfg.advertised_port;
    state_->counters.nodes.resize(static_cast<std::size_t>(std::max(state_->cfg.nodes, 1)));
}

server::~server() { stop(); }

void server::start() {
    auto& st = *state_;
    std::uint16_t port = st.cfg.port;
    for (int i = 0; i < st.cfg.nodes; ++i) {
        const asio::ip::tcp::endpoint ep(asio::ip::make_address(topology::address(i)), port);
        auto a = std::make_unique<asio::ip::tcp::acceptor>(st.ex);
        a->open(ep.protocol());
        a->set_option(asio::ip::tcp::acceptor::reuse_address(true));
        a->bind(ep);
        a->listen();
        port = a->local_endpoint().port();  // node 1's ephemeral port is every node's port
        st.acceptors.push_back(std::move(a));
    }
    st.cfg.port = port;
    st.topo.port = port;
    for (std::size_t i = 0; i < st.acceptors.size(); ++i)
        asio::co_spawn(st.ex, accept_loop(state_, *st.acceptors[i], static_cast<int>(i)), asio::detached);
}

void server::stop() {
    auto& st = *state_;
    st.stopped = true;
    for (auto& a : st.acceptors) {
        async_cassandra::error_code ec;
        a->close(ec);
    }
    for (auto& w : st.connections)
        if (auto c = w.lock()) c->close();
    st.connections.clear();
}

std::uint16_t server::port() const { return state_->cfg.port; }

std::vector<asio::ip::tcp::endpoint> server::endpoints() const {
    std::vector<asio::ip::tcp::endpoint> out;
    for (auto& a : state_->acceptors) {
        async_cassandra::error_code ec;
        auto ep = a->local_endpoint(ec);
        if (!ec) out.push_back(ep);
    }
    return out;
}

std::size_t server::add_rule(rule r) {
    state_->rules.push_back(std::move(r));
    state_->hits.push_back(0);
    state_->bodies.clear();
    return state_->rules.size() - 1;
}
void server::clear_rules() {
    state_->rules.clear();
    state_->hits.clear();
    state_->bodies.clear();
}
std::uint64_t server::hits(std::size_t index) const { return index < state_->hits.size() ? state_->hits[index] : 0; }

std::size_t server::reset_connections(std::optional<int> node) {
    return for_each_open(*state_, node, [](sim_connection& c) { c.reset(); });
}

std::size_t server::mute_connections(std::optional<int> node) {
    return for_each_open(*state_, node, [](sim_connection& c) { c.mute(); });
}

std::size_t server::stop_reading(std::optional<int> node) {
    return for_each_open(*state_, node, [](sim_connection& c) { c.stop_reading(); });
}

std::size_t server::half_close(std::optional<int> node) {
    return for_each_open(*state_, node, [](sim_connection& c) { c.half_close(); });
}

void server::forget_prepared() { state_->prepared.clear(); }

std::size_t server::push_event(const pr::event_body& e) {
    static constexpr std::string_view types[] = {pr::event_type::topology_change, pr::event_type::status_change,
                                                 pr::event_type::schema_change};
    const auto type = types[e.index()];
    std::size_t sent = 0;
    for (auto& w : state_->connections)
        if (auto c = w.lock(); c && c->push_event(type, e)) ++sent;
    return sent;
}

const stats& server::stats() const { return state_->counters; }

std::size_t server::open_connections(std::optional<int> node) const {
    return for_each_open(*state_, node, [](sim_connection&) {});
}

std::vector<std::uint64_t> server::statements_per_connection(std::optional<int> node) const {
    std::vector<std::uint64_t> out;
    for_each_open(*state_, node, [&](sim_connection& c) { out.push_back(c.statements()); });
    return out;
}

}  // namespace cql_sim
