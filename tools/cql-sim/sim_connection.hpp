// One client connection to cql-sim: reads requests, answers them by the
// rules, frames answers as v4 envelopes (optionally body-compressed) or v5
// segments, and applies the rule's fault.
#pragma once

#include <cql_sim/detail.hpp>

#include <async_cassandra/protocol/frame_decoder.hpp>

#include <asio/awaitable.hpp>
#include <asio/steady_timer.hpp>

#include <deque>
#include <optional>
#include <functional>

namespace cql_sim {

class sim_connection : public std::enable_shared_from_this<sim_connection> {
public:
    sim_connection(std::shared_ptr<detail::shared_state> st, asio::ip::tcp::socket s, int node);

    static asio::awaitable<void> run(std::shared_ptr<sim_connection> self);
    void close();
    // Closes with TCP RST (SO_LINGER 0) rather than FIN.
    void reset();
    // Sends nothing more (what is being written still goes out).
    void mute() noexcept { muted_ = true; }
    // Reads nothing more (what it has read is still answered): the client's
    // writes fill the socket buffers, then stall.
    void stop_reading() noexcept { reading_stopped_ = true; }
    // Shuts down the sending side (FIN) and sends nothing more; still reads.
    void half_close();
    bool is_open() const noexcept { return !closed_; }
    int node() const noexcept { return node_; }
    // QUERY/PREPARE/EXECUTE/BATCH requests received so far.
    std::uint64_t statements() const noexcept { return statements_; }
    // Queues EVENT if this connection REGISTERed for `type`.
    bool push_event(std::string_view type, const pr::event_body& e);

private:
    using body_fn = std::function<void(pr::byte_writer&)>;

    void handle(const pr::envelope& req);
    // handle() once the version is settled and any handshake rule applied.
    void handle_request(const pr::envelope& req);
    void handle_startup(const pr::envelope& req);
    void handle_auth(const pr::envelope& req);
    void handle_statement(const pr::envelope& req);
    // ERROR Unprepared naming `id`.
    void answer_unprepared(std::int16_t stream, const std::string& id);
    void record_timestamp(std::optional<std::int64_t> ts);
    // Answers `req` with `r` after the rule's delay, applying its fault.
    void answer(std::int16_t stream, const rule& rl, const response& r, bool skip_metadata);
    static asio::awaitable<void> answer_later(std::shared_ptr<sim_connection> self, std::chrono::nanoseconds delay,
                                              pr::byte_buffer bytes, fault f);

    static void write_result(pr::byte_writer& w, const response& r, bool skip_metadata);
    // The RESULT body of rule `rl` (one of st_->rules), encoded on first use.
    pr::bytes_view cached_body(const rule& rl, bool skip_metadata);

    // Frames one response for the wire (v4 envelope or v5 segment); a
    // non-zero `version` replaces the connection's in the envelope header.
    pr::byte_buffer frame(std::int16_t stream, pr::opcode op, const body_fn& body, int version = 0) const;
    // Queues bytes framed by frame(), after every answer queued before them.
    void send(pr::byte_buffer bytes, bool close_after = false);
    // Queues a RESULT envelope; the write framing it may carry many.
    void send_result(std::int16_t stream, pr::bytes_view body);
    void frame_unframed();
    void start_writing();
    void send_faulty(pr::byte_buffer bytes, const fault& f);
    // Sends a handshake answer scripted by a rule: after `delay`, through `f`.
    void send_scripted(pr::byte_buffer bytes, std::chrono::nanoseconds delay, const fault& f);
    static asio::awaitable<void> write_loop(std::shared_ptr<sim_connection> self);

    std::shared_ptr<detail::shared_state> st_;
    asio::ip::tcp::socket socket_;
    int node_;
    pr::frame_decoder decoder_;
    int version_ = 0;  // 0 until the first request
    bool segments_ = false, lz4_segments_ = false;
    ac::compression body_compression_ = ac::compression::none;
    bool authenticated_ = false;
    std::size_t auth_round_ = 0;  // AUTH_CHALLENGEs sent
    std::vector<std::string> registered_;
    pr::byte_buffer unframed_;                             // whole RESULT envelopes not yet framed into outbox_
    std::deque<std::pair<pr::byte_buffer, bool>> outbox_;  // framed bytes, close after writing
    bool writing_ = false;
    bool muted_ = false;  // after mute_after: nothing more is sent
    bool reading_stopped_ = false;
    asio::steady_timer no_reads_{socket_.get_executor(),
                                 asio::steady_timer::time_point::max()};  // stop_reading: waits here until close()
    std::list<asio::steady_timer*> timers_;                               // delayed answers, cancelled by close()
    bool closed_ = false;
    std::uint64_t statements_ = 0;
    // The handshake rule for the answer being made (rule::on), while handle() runs.
    struct scripted {
        std::chrono::nanoseconds delay;
        fault f;
        std::int16_t stream;
    };
    std::optional<scripted> scripted_;
};

}  // namespace cql_sim
