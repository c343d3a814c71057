// One TCP (or TLS) connection to one node: the handshake, then any number of concurrent
// requests multiplexed by stream id. Threads: the connection's state lives on
// its executor (the cluster's; with io_threads > 1 its shard's strand, see
// own_strand). On such a strand, async_request and close() may be called
// from any thread (they hop onto it unless already there: here()) and the
// counters below (accepting(), reserved(), ...) are relaxed atomics any
// thread may read; everything else runs on the connection's executor.
#pragma once

#include "connection/body_writer.hpp"

#include <async_cassandra/auth.hpp>
#include <async_cassandra/detail/striped_counter.hpp>
#include <async_cassandra/error.hpp>
#include <async_cassandra/protocol/frame_decoder.hpp>
#include <async_cassandra/protocol/messages.hpp>

#include <asio/any_io_executor.hpp>
#include <asio/associated_cancellation_slot.hpp>
#include <asio/associated_executor.hpp>
#include <asio/async_result.hpp>
#include <asio/awaitable.hpp>
#include <asio/dispatch.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/post.hpp>
#include <asio/steady_timer.hpp>
#include <asio/strand.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace async_cassandra {
class request_metrics;
}

namespace async_cassandra::detail {

class tls_context;

struct connection_params {
    std::string host;
    std::uint16_t port = 9042;
    int protocol_version = 5;  // the version to offer; the caller falls back
    // v5: lz4 segments; v4: lz4 or snappy envelope bodies after STARTUP.
    async_cassandra::compression compression = async_cassandra::compression::none;
    std::chrono::milliseconds connect_timeout{5000};
    std::size_t max_frame_body = protocol::max_envelope_body;
    // Stream ids in use at once (requests in flight plus abandoned ones whose
    // answer is still due); capped at the protocol's 32768. Requests beyond
    // it wait in the connection's queue for an id.
    std::size_t max_requests = 2048;
    // Requests that may wait for an id when the caller brings no quota of its own.
    std::size_t max_queued = 8192;
    // More abandoned ids than this and the connection retires: it takes no
    // new requests and closes once those in flight (and queued) complete.
    std::size_t max_orphaned = 512;
    // TLS over the TCP socket when set (the cluster's shared context).
    std::shared_ptr<const tls_context> tls;
    // Answers AUTHENTICATE; without it such a server fails the handshake.
    std::shared_ptr<const auth_provider> auth;
    // The host's metrics block (connections, bytes, orphaned ids); null: not
    // counted. The pointer keeps the registry that holds the block alive.
    std::shared_ptr<request_metrics> metrics;
    // The executor is a strand other than the cluster's (a shard's, with
    // io_threads > 1): requests and close() from other strands hop onto it.
    bool own_strand = false;
    // Which of the cluster's shards that strand is (own_strand only).
    std::size_t shard = 0;
    // Gets each warning the connection has for the user (credentials about
    // to go out without TLS); the cluster logs them. Null: not told.
    std::function<void(const std::string&)> warn;
};

// Counters that other threads read (relaxed atomics). With one writer,
// bump/drop are a load and a store: no locked instruction. Counters written
// from several strands use add(..., true), a fetch_add.
inline void bump(std::atomic<std::size_t>& a, std::size_t by = 1) noexcept {
    a.store(a.load(std::memory_order_relaxed) + by, std::memory_order_relaxed);
}
inline void drop(std::atomic<std::size_t>& a, std::size_t by = 1) noexcept {
    a.store(a.load(std::memory_order_relaxed) - by, std::memory_order_relaxed);
}
inline void add(std::atomic<std::size_t>& a, bool up, bool many_writers) noexcept {
    if (many_writers)
        up ? a.fetch_add(1, std::memory_order_relaxed) : a.fetch_sub(1, std::memory_order_relaxed);
    else
        up ? bump(a) : drop(a);
}

// Counts one owner's requests waiting for a stream id, across connections,
// and bounds them. The owner (a session, or the connection itself) outlives
// its waiting requests.
// `waiting` changes on the strands of the owner's connections (several
// with io_threads > 1, hence `shared`) and is read by the owner.
struct queue_quota {
    std::atomic<std::size_t> waiting = 0;
    std::size_t limit = 0;
    bool shared = false;
};

// Totals a cluster's connections share.
// Relaxed atomics: read by session::stats() on any thread. requests_sent is
// written by every connection (fetch_add when they are on strands of their
// own); the others by the cluster's executor only.
struct connection_counters {
    striped_counter<std::size_t> requests_sent;  // requests handed to the wire (every shard's connections)
    std::atomic<std::size_t> retries{0};         // attempts the retry policy asked for
    std::atomic<std::size_t> speculative{0};     // speculative executions started
    bool many_writers = false;                   // io_threads > 1: requests on every shard count
    void count(std::atomic<std::size_t>& a) noexcept { add(a, true, many_writers); }
};

using response_signature = void(error_code, protocol::envelope);

class connection : public std::enable_shared_from_this<connection> {
public:
    connection(asio::any_io_executor ex, connection_params params,
               std::shared_ptr<connection_counters> counters = nullptr);
    ~connection();
    connection(const connection&) = delete;
    connection& operator=(const connection&) = delete;

    // Connects and runs OPTIONS/STARTUP at params.protocol_version. On
    // client_errc::protocol_version_rejected the caller may retry with a lower
    // version on a new connection.
    asio::awaitable<error_code> start(diagnostics& diag);

    // Sends one request whose body `write_body(byte_writer&)` writes (now, in
    // this call), and completes with the response envelope (which may be an
    // ERROR). When max_requests ids are in use the encoded request waits, in
    // order, for a free id, counted against `quota` (the connection's own
    // when null).
    // Errors: too_many_requests when the quota is exhausted,
    // request_too_large, connection_closed (or the code it closed with).
    // Cancellation: a waiting request (any type) leaves the queue unsent. A
    // sent request (terminal or partial; total alone is ignored, since it
    // may have reached the server) completes promptly with
    // operation_aborted; its stream id stays reserved ("orphaned") until the
    // server answers or the connection closes, so a late answer can never be
    // taken for another request's.
    template <class BodyFn, class Token>
    auto async_request(protocol::opcode op, std::uint8_t flags, BodyFn&& write_body, Token&& token,
                       queue_quota* quota = nullptr);

    // Ends the connection now; every pending request fails with `code`
    // (default connection_closed).
    void close(std::string reason = "closed by client", error_code code = {});

    bool is_open() const noexcept {
        auto s = state_.load(std::memory_order_relaxed);
        return s == state::ready || s == state::handshake;
    }
    // Open and not retiring: new requests may go here.
    bool accepting() const noexcept {
        return state_.load(std::memory_order_relaxed) == state::ready && !retiring_.load(std::memory_order_relaxed);
    }
    // Retiring after too many orphaned ids (or told to by retire()).
    bool retiring() const noexcept { return retiring_.load(std::memory_order_relaxed); }
    // Takes no new requests and closes once those in flight and queued complete.
    void retire(std::string reason);
    // A request sent now would get a stream id at once.
    bool has_room() const noexcept { return queued() == 0 && reserved() < max_requests_; }
    // Stream ids in use: requests awaiting their answer plus orphaned ids.
    std::size_t reserved() const noexcept { return in_flight() + orphaned(); }
    std::size_t in_flight() const noexcept { return in_flight_.load(std::memory_order_relaxed); }
    std::size_t orphaned() const noexcept { return orphaned_.load(std::memory_order_relaxed); }
    std::size_t queued() const noexcept { return queue_live_.load(std::memory_order_relaxed); }
    std::size_t max_requests() const noexcept { return max_requests_; }
    // Called (on the connection's executor) when it closes or starts
    // retiring, and when it has nothing in flight or queued any more.
    void on_state_change(std::function<void()> listener) { on_change_ = std::move(listener); }
    // Called with each EVENT the server pushes (after a REGISTER).
    void on_event(std::function<void(const protocol::envelope&)> listener) { on_event_ = std::move(listener); }
    // When bytes last arrived: heartbeats go out on connections silent for a while.
    std::chrono::steady_clock::time_point last_read() const noexcept {
        return last_read_.load(std::memory_order_relaxed);
    }
    // On a strand of its own (connection_params::own_strand).
    bool own_strand() const noexcept { return params_.own_strand; }
    // Its shard (own_strand), else 0.
    std::size_t shard() const noexcept { return params_.shard; }
    // The calling thread runs on this connection's strand (always true
    // without one): a request from here needs no hop.
    bool here() const noexcept { return !strand_ || strand_->running_in_this_thread(); }

    int protocol_version() const noexcept { return version_; }
    // Protocol v4 has no per-request keyspace: a USE binds the connection.
    // Whether it is bound to `keyspace` (always so for ""), and recording a
    // USE's answer. Any thread; the requests of v5 never ask.
    bool bound_to(std::string_view keyspace) const {
        if (keyspace.empty()) return true;
        std::lock_guard lock(keyspace_mutex_);
        return keyspace_ == keyspace;
    }
    void set_bound_keyspace(std::string keyspace) {
        std::lock_guard lock(keyspace_mutex_);
        keyspace_ = std::move(keyspace);
    }
    // Counts into a cluster's shared counters (pool connections do; the control connection not).
    bool counters_shared() const noexcept { return counters_.use_count() > 1; }
    const std::string& endpoint() const noexcept { return endpoint_; }
    // The host's metrics block (connection_params::metrics), or null.
    request_metrics* metrics() const noexcept { return metrics_; }
    const std::string& close_reason() const noexcept { return close_reason_; }
    const protocol::string_multimap& supported() const noexcept { return supported_; }
    // The bytes the write buffers hold now (tests: no credential lingers there).
    std::pair<protocol::bytes_view, protocol::bytes_view> write_buffers() const noexcept {
        return {protocol::bytes_view(wire_out_), protocol::bytes_view(pending_out_)};
    }
    asio::any_io_executor get_executor() noexcept { return socket_.get_executor(); }

    // A request awaiting its answer, as the connection holds it. complete()
    // takes ownership (the object frees itself, before or after running its
    // handler); destroy() frees it without completing, when the connection
    // goes away with it still pending.
    struct pending_base {
        // `deferred`: post the handler rather than run it here (used when
        // called from inside a cancellation signal's emit, or from submit).
        virtual void complete(error_code ec, protocol::envelope env, const asio::any_io_executor& fallback,
                              bool deferred) = 0;
        // Where the connection hooks its cancellation (the request's).
        virtual asio::cancellation_slot cancellation_slot() const = 0;
        virtual void destroy() noexcept = 0;

    protected:
        ~pending_base() = default;
    };
    struct pending_deleter {
        void operator()(pending_base* p) const noexcept { p->destroy(); }
    };
    using pending_ptr = std::unique_ptr<pending_base, pending_deleter>;

    // The request path's entry (on the connection's executor: here()): `p`
    // is completed exactly once, with the answer or the reason there is
    // none; a failure before anything is sent completes it deferred.
    // Otherwise as async_request.
    void submit(protocol::opcode op, std::uint8_t flags, body_writer body, pending_ptr p, queue_quota* quota) {
        submit(op, flags, body, std::move(p), quota, nullptr);
    }

private:
    template <class Handler>
    struct pending;
    struct slot {
        pending_ptr op;
        bool reserved = false;         // id in use, maybe by an abandoned request
        std::uint32_t generation = 0;  // which use of the id a cancellation handler means
    };
    // A request waiting for a stream id: encoded, its id patched in later.
    // own_strand: where a request is, for a cancellation that hops over from
    // the requester's strand (the slot is assigned there, not here, so that
    // assigning and emitting never race). Touched on the connection's strand only.
    struct queued_request;
    struct cancel_ticket {
        std::int16_t id = -1;  // on the wire with this id and generation
        std::uint32_t generation = 0;
        std::weak_ptr<queued_request> queued;  // or waiting for an id
    };
    struct queued_request {
        protocol::byte_buffer envelope;
        pending_ptr op;  // null once cancelled
        queue_quota* quota = nullptr;
        std::shared_ptr<cancel_ticket> ticket;  // own_strand only
    };
    enum class state { idle, handshake, ready, closed };

    void submit(protocol::opcode op, std::uint8_t flags, body_writer body, pending_ptr p, queue_quota* quota,
                std::shared_ptr<cancel_ticket> ticket);
    // own_strand: submit from another thread, hopping onto the strand.
    void submit_from_outside(protocol::opcode op, std::uint8_t flags, body_writer body, pending_ptr p,
                             queue_quota* quota);
    void cancel_by_ticket(const cancel_ticket& t, asio::cancellation_type type);
    void close_here(std::string reason, error_code code = {});
    void start_on_wire(std::int16_t id, pending_ptr p, cancel_ticket* ticket = nullptr);
    void send_queued();
    void cancel_queued(const std::shared_ptr<queued_request>& q);
    std::int16_t acquire_stream();
    void release_stream(std::int16_t id);
    void encode(protocol::byte_buffer& out, protocol::opcode op, std::uint8_t flags, std::int16_t stream,
                body_writer body);
    void flush();
    void read_some();
    void on_read(error_code ec, std::size_t n);
    void dispatch(protocol::envelope env);
    void cancel_stream(std::int16_t id, std::uint32_t generation);
    void after_change();
    void fail_all(error_code ec);
    asio::awaitable<error_code> handshake(diagnostics& diag);
    asio::awaitable<error_code> tls_handshake(diagnostics& diag, const std::function<bool()>& timed_out);
    asio::awaitable<error_code> authenticate(const std::string& server_authenticator, diagnostics& diag);

    // The TCP socket always exists (connect, no_delay, shutdown and close act
    // on it). With TLS, an asio::ssl::stream layered over it by reference does
    // the reads and writes; without TLS the pointer is null and each read or
    // write costs one extra branch, nothing else: no virtual stream, no
    // std::variant visit, no OpenSSL state for plain connections.
    struct tls_stream;
    asio::ip::tcp::socket socket_;
    std::optional<asio::strand<asio::any_io_executor>> strand_;  // own_strand: the socket's executor
    std::unique_ptr<tls_stream> tls_;
    connection_params params_;
    std::shared_ptr<connection_counters> counters_;
    request_metrics* metrics_;   // params_.metrics, or null
    bool counted_open_ = false;  // on_connection_opened was called: close reports it once
    std::string endpoint_;
    int version_;
    mutable std::mutex keyspace_mutex_;  // bound_to() may be asked from another shard
    std::string keyspace_;               // the keyspace a USE bound it to (v4)
    std::atomic<state> state_{state::idle};
    bool framed_ = false;           // v5 segments in effect
    bool compress_bodies_ = false;  // v4 body compression in effect (after STARTUP)
    bool writing_ = false;
    bool secret_out_ = false;  // pending_out_ holds a credential: wiped once written
    // A write that failed during a TLS handshake without a client certificate:
    // the close waits for the read, which may still bring the server's alert.
    std::string write_error_;
    protocol::byte_buffer pending_out_;  // envelopes not yet handed to the socket
    protocol::byte_buffer wire_out_;     // bytes being written
    protocol::frame_decoder decoder_;
    std::vector<slot> slots_;
    // Free ids, reused oldest first (a ring of slots_.size()): an answer that
    // comes late or twice finds its id idle, not another request's.
    std::vector<std::int16_t> free_ids_;
    std::size_t free_head_ = 0, free_count_ = 0;
    // Written on the connection's executor only; read anywhere (pick(), stats).
    std::atomic<std::size_t> in_flight_{0};
    std::atomic<std::size_t> orphaned_{0};  // ids reserved for abandoned requests
    std::size_t max_requests_;
    std::deque<std::shared_ptr<queued_request>> queue_;  // cancelled entries linger until popped
    std::atomic<std::size_t> queue_live_{0};
    queue_quota own_quota_;
    std::atomic<bool> retiring_{false};
    std::function<void()> on_change_;
    std::function<void(const protocol::envelope&)> on_event_;
    std::atomic<std::chrono::steady_clock::time_point> last_read_{std::chrono::steady_clock::now()};
    std::string close_reason_;
    error_code close_code_;
    protocol::string_multimap supported_;
};

template <class Handler>
struct connection::pending final : connection::pending_base {
    explicit pending(Handler&& h) : handler(std::move(h)) {}
    void destroy() noexcept override { delete this; }
    void complete(error_code ec, protocol::envelope env, const asio::any_io_executor& fallback,
                  bool deferred) override {
        auto ex = asio::get_associated_executor(handler, fallback);
        auto h = std::move(handler);
        delete this;
        auto run = [h = std::move(h), ec, env = std::move(env)]() mutable {
            auto slot = asio::get_associated_cancellation_slot(h);
            if (slot.is_connected()) slot.clear();
            std::move(h)(ec, std::move(env));
        };
        if (deferred)
            asio::post(ex, std::move(run));
        else
            asio::dispatch(ex, std::move(run));
    }
    asio::cancellation_slot cancellation_slot() const override {
        return asio::get_associated_cancellation_slot(handler);
    }
    Handler handler;
};

template <class BodyFn, class Token>
auto connection::async_request(protocol::opcode op, std::uint8_t flags, BodyFn&& write_body, Token&& token,
                               queue_quota* quota) {
    return asio::async_initiate<Token, response_signature>(
        [this, op, flags, quota](auto handler, auto&& body) {
            using handler_t = std::decay_t<decltype(handler)>;
            // `body` lives until the request completes, which is after the
            // hop (if any) has encoded it.
            body_writer fn(body);
            pending_ptr p(new pending<handler_t>(std::move(handler)));
            if (!here())
                submit_from_outside(op, flags, fn, std::move(p), quota);
            else
                submit(op, flags, fn, std::move(p), quota, nullptr);
        },
        token, std::forward<BodyFn>(write_body));
}

}  // namespace async_cassandra::detail
