// One TCP connection to one node: the handshake, then any number of concurrent
// requests multiplexed by stream id. Not thread-safe: every member must be
// called on the connection's executor (the cluster's, a strand if needed).
#pragma once

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

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace async_cassandra::detail {

struct connection_params {
    std::string host;
    std::uint16_t port = 9042;
    int protocol_version = 5;  // the version to offer; the caller falls back
    // v5: lz4 segments; v4: lz4 or snappy envelope bodies after STARTUP.
    async_cassandra::compression compression = async_cassandra::compression::none;
    std::chrono::milliseconds connect_timeout{5000};
    std::size_t max_frame_body = protocol::max_envelope_body;
};

using response_signature = void(std::error_code, protocol::envelope);

class connection : public std::enable_shared_from_this<connection> {
public:
    connection(asio::any_io_executor ex, connection_params params);
    ~connection();
    connection(const connection&) = delete;
    connection& operator=(const connection&) = delete;

    // Connects and runs OPTIONS/STARTUP at params.protocol_version. On
    // client_errc::protocol_version_rejected the caller may retry with a lower
    // version on a new connection.
    asio::awaitable<std::error_code> start(diagnostics& diag);

    // Sends one request whose body `write_body(byte_writer&)` writes, and
    // completes with the response envelope (which may be an ERROR).
    // Cancellation (any type): completes at once with operation_aborted; the
    // stream id stays reserved until the server answers, then is reused.
    template <class BodyFn, class Token>
    auto async_request(protocol::opcode op, std::uint8_t flags, BodyFn&& write_body, Token&& token);

    // Ends the connection now; every pending request fails with connection_closed.
    void close(std::string reason = "closed by client");

    bool is_open() const noexcept { return state_ == state::ready || state_ == state::handshake; }
    int protocol_version() const noexcept { return version_; }
    const std::string& endpoint() const noexcept { return endpoint_; }
    std::size_t in_flight() const noexcept { return in_flight_; }
    const std::string& close_reason() const noexcept { return close_reason_; }
    const protocol::string_multimap& supported() const noexcept { return supported_; }
    asio::any_io_executor get_executor() noexcept { return socket_.get_executor(); }

private:
    struct pending_base {
        virtual ~pending_base() = default;
        virtual void complete(std::error_code ec, protocol::envelope env) = 0;
    };
    template <class Handler>
    struct pending;
    struct slot {
        std::unique_ptr<pending_base> op;
        bool reserved = false;  // id in use, maybe by an abandoned request
    };
    enum class state { idle, handshake, ready, closed };

    std::int16_t acquire_stream();
    void release_stream(std::int16_t id);
    void enqueue(protocol::opcode op, std::uint8_t flags, std::int16_t stream,
                 const std::function<void(protocol::byte_writer&)>& body);
    void flush();
    void read_some();
    void on_read(std::error_code ec, std::size_t n);
    void dispatch(protocol::envelope env);
    void cancel_stream(std::int16_t id);
    void fail_all(std::error_code ec);
    asio::awaitable<std::error_code> handshake(diagnostics& diag);

    asio::ip::tcp::socket socket_;
    connection_params params_;
    std::string endpoint_;
    int version_;
    state state_ = state::idle;
    bool framed_ = false;   // v5 segments in effect
    bool compress_bodies_ = false;  // v4 body compression in effect (after STARTUP)
    bool writing_ = false;
    protocol::byte_buffer pending_out_;  // envelopes not yet handed to the socket
    protocol::byte_buffer wire_out_;     // bytes being written
    protocol::frame_decoder decoder_;
    std::vector<slot> slots_;
    std::vector<std::int16_t> free_ids_;
    std::size_t in_flight_ = 0;
    std::string close_reason_;
    std::error_code close_code_;
    protocol::string_multimap supported_;
};

template <class Handler>
struct connection::pending final : connection::pending_base {
    explicit pending(Handler&& h) : handler(std::move(h)) {}
    void complete(std::error_code ec, protocol::envelope env) override {
        auto slot = asio::get_associated_cancellation_slot(handler);
        if (slot.is_connected()) slot.clear();
        auto ex = asio::get_associated_executor(handler);
        asio::dispatch(ex, [h = std::move(handler), ec, env = std::move(env)]() mutable {
            std::move(h)(ec, std::move(env));
        });
    }
    Handler handler;
};

template <class BodyFn, class Token>
auto connection::async_request(protocol::opcode op, std::uint8_t flags, BodyFn&& write_body, Token&& token) {
    return asio::async_initiate<Token, response_signature>(
        [this, op, flags](auto handler, auto&& body) {
            using handler_t = std::decay_t<decltype(handler)>;
            if (state_ == state::closed || state_ == state::idle) {
                auto ex = asio::get_associated_executor(handler, get_executor());
                asio::post(ex, [h = std::move(handler), ec = close_code_ ? close_code_
                                                                          : make_error_code(client_errc::connection_closed)]() mutable {
                    std::move(h)(ec, protocol::envelope{});
                });
                return;
            }
            auto id = acquire_stream();
            if (id < 0) {
                auto ex = asio::get_associated_executor(handler, get_executor());
                asio::post(ex, [h = std::move(handler)]() mutable {
                    std::move(h)(make_error_code(client_errc::too_many_requests), protocol::envelope{});
                });
                return;
            }
            try {
                enqueue(op, flags, id, std::function<void(protocol::byte_writer&)>(std::ref(body)));
            } catch (const protocol::protocol_error& e) {
                release_stream(id);
                // Too long for a length prefix, or not expressible at all (the
                // body function may keep e.what() for the caller's diagnostics).
                const auto code = e.code() == protocol::protocol_errc::value_too_large ? client_errc::request_too_large
                                                                                        : client_errc::invalid_request;
                auto ex = asio::get_associated_executor(handler, get_executor());
                asio::post(ex, [h = std::move(handler), code]() mutable {
                    std::move(h)(make_error_code(code), protocol::envelope{});
                });
                return;
            }
            auto cancel = asio::get_associated_cancellation_slot(handler);
            if (cancel.is_connected()) {
                cancel.assign([w = weak_from_this(), id](asio::cancellation_type) {
                    if (auto self = w.lock()) self->cancel_stream(id);
                });
            }
            slots_[static_cast<std::size_t>(id)].op = std::make_unique<pending<handler_t>>(std::move(handler));
            ++in_flight_;
            flush();
        },
        token, std::forward<BodyFn>(write_body));
}

}  // namespace async_cassandra::detail
