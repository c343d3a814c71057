// The wire limit for the client: one plain TCP socket, the handshake and
// PREPARE through the protocol layer, then EXECUTE frames encoded once per
// stream id and answers read only as far as their lengths. Whatever this
// loop reaches against a server, no client can beat on one connection.
#include "bench.hpp"
#include "run_control.hpp"

#include <async_cassandra/protocol/errors.hpp>
#include <async_cassandra/protocol/frame_decoder.hpp>
#include <async_cassandra/protocol/requests.hpp>
#include <async_cassandra/protocol/results.hpp>
#include <async_cassandra/protocol/segment.hpp>

#include <asio/connect.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/read.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>

#include <cstring>
#include <stdexcept>

namespace cqlbench {
namespace pr = async_cassandra::protocol;
using asio::use_awaitable;
using asio::ip::tcp;

namespace {

std::uint32_t be(const std::byte* p, int n) {
    std::uint32_t v = 0;
    for (int i = 0; i < n; ++i) v = (v << 8) | static_cast<std::uint8_t>(p[i]);
    return v;
}

// The few request/response exchanges before the loop, through the protocol layer.
class raw_connection {
public:
    raw_connection(tcp::socket& s, int version) : socket_(s), version_(version) {}

    template <class BodyFn>
    asio::awaitable<pr::envelope> request(pr::opcode op, BodyFn&& body) {
        pr::byte_buffer env;
        pr::write_envelope(env, static_cast<std::uint8_t>(version_), 0, 0, op, body);
        co_await asio::async_write(socket_, asio::buffer(frame(env)), use_awaitable);
        for (;;) {
            if (auto e = decoder_.next()) {
                if (!segments_ && version_ >= 5 &&
                    (e->header.opcode == pr::opcode::ready || e->header.opcode == pr::opcode::authenticate)) {
                    segments_ = true;
                    decoder_.enable_segments(false);
                }
                co_return std::move(*e);
            }
            auto space = decoder_.prepare();
            decoder_.commit(co_await socket_.async_read_some(asio::buffer(space.data(), space.size()), use_awaitable));
        }
    }

    pr::byte_buffer frame(const pr::byte_buffer& envelope) const {
        if (!segments_) return envelope;
        pr::byte_buffer out;
        pr::encode_segment(out, envelope, true, false);
        return out;
    }
    bool segments() const noexcept { return segments_; }
    // Bytes the decoder read past the last answer (none expected).
    std::size_t leftover() const noexcept { return decoder_.buffered(); }

private:
    tcp::socket& socket_;
    int version_;
    pr::frame_decoder decoder_;
    bool segments_ = false;
};

[[noreturn]] void fail_with(const pr::envelope& e, int version, const std::string& what) {
    std::string msg = what + " answered with " + pr::to_string(e.header.opcode);
    if (e.header.opcode == pr::opcode::error) {
        pr::byte_reader r(e.body);
        msg += ": " + pr::decode_error(r, version).message;
    }
    throw std::runtime_error(msg);
}

}  // namespace

asio::awaitable<run_result> run_ceiling(const options& o) {
    auto ex = co_await asio::this_coro::executor;
    const int version = o.protocol;
    tcp::socket socket(ex);
    tcp::resolver resolver(ex);
    auto endpoints = co_await resolver.async_resolve(o.hosts.front(), std::to_string(o.port), use_awaitable);
    co_await asio::async_connect(socket, endpoints, use_awaitable);
    socket.set_option(tcp::no_delay(true));

    raw_connection conn(socket, version);
    const pr::string_map startup{{"CQL_VERSION", "3.0.0"}};
    auto ready = co_await conn.request(pr::opcode::startup,
                                       [&](pr::byte_writer& w) { pr::encode_startup(w, startup); });
    if (ready.header.opcode != pr::opcode::ready) fail_with(ready, version, "STARTUP");
    const bool is_select = o.work == workload::select;
    const std::string query = is_select ? select_query(o) : insert_query(o);
    auto prepared = co_await conn.request(pr::opcode::prepare,
                                          [&](pr::byte_writer& w) { pr::encode_prepare(w, query, "", version); });
    if (prepared.header.opcode != pr::opcode::result) fail_with(prepared, version, "PREPARE");
    pr::byte_reader reader(prepared.body);
    if (pr::decode_result_kind(reader) != pr::result_kind::prepared)
        throw std::runtime_error("PREPARE: not a Prepared result");
    const auto p = pr::decode_prepared(reader, version);
    const pr::byte_buffer id(p.id.begin(), p.id.end());
    pr::byte_buffer metadata_id;
    if (p.result_metadata_id) metadata_id.assign(p.result_metadata_id->begin(), p.result_metadata_id->end());
    if (conn.leftover() != 0) throw std::runtime_error("unexpected bytes after the PREPARE answer");

    // One frame per stream id, with the values the client would bind.
    const std::size_t n = o.concurrency;
    const pr::byte_buffer blob(o.row_size, std::byte{'a'});
    std::vector<pr::byte_buffer> frames(n);
    for (std::size_t s = 0; s < n; ++s) {
        pr::byte_buffer key(8);
        const auto k = static_cast<std::uint64_t>(s % o.keys);
        for (int b = 0; b < 8; ++b)
            key[static_cast<std::size_t>(7 - b)] = static_cast<std::byte>((k >> (8 * b)) & 0xFF);
        const pr::value_ref values[] = {pr::value_ref::of(key), pr::value_ref::of(blob)};
        pr::query_parameters qp;
        qp.consistency_level = o.consistency;
        qp.values = std::span<const pr::value_ref>(values, is_select ? 1 : 2);
        qp.skip_metadata = is_select && !p.result_metadata.columns.empty();
        qp.page_size = 5000;
        pr::byte_buffer env;
        pr::write_envelope(env, static_cast<std::uint8_t>(version), 0, static_cast<std::int16_t>(s),
                           pr::opcode::execute,
                           [&](pr::byte_writer& w) { pr::encode_execute(w, id, metadata_id, qp, version); });
        frames[s] = conn.frame(env);
    }

    auto ctl = std::make_shared<run_control>(ex, o, "ceiling", to_string(o.work));
    std::vector<op_ticket> tickets(n);
    pr::byte_buffer out;
    std::size_t in_flight = 0;
    auto send = [&](std::size_t s) {
        auto t = ctl->claim();
        if (!t) return;
        tickets[s] = *t;
        out.insert(out.end(), frames[s].begin(), frames[s].end());
        ++in_flight;
    };
    auto complete = [&](std::size_t stream, std::uint8_t opcode, bench_clock::time_point now) {
        if (stream >= n) throw std::runtime_error("answer on stream " + std::to_string(stream) + ", never used");
        --in_flight;
        ctl->record(tickets[stream], now, opcode == static_cast<std::uint8_t>(pr::opcode::error) ? "server error" : "",
                    0);
        send(stream);
    };

    ctl->begin();
    for (std::size_t s = 0; s < n; ++s) send(s);
    pr::byte_buffer in(256 * 1024);
    std::size_t have = 0;
    const bool segmented = conn.segments();
    while (in_flight > 0) {
        if (!out.empty()) {
            co_await asio::async_write(socket, asio::buffer(out), use_awaitable);
            out.clear();
        }
        if (have == in.size()) in.resize(in.size() * 2);
        have += co_await socket.async_read_some(asio::buffer(in.data() + have, in.size() - have), use_awaitable);
        const auto now = bench_clock::now();
        std::size_t pos = 0;
        if (segmented) {
            // Segment header: 17 bits of payload length, little-endian; then
            // the payload (whole envelopes) and a 4-byte CRC32.
            while (have - pos >= pr::segment_header_size) {
                const std::byte* h = in.data() + pos;
                const std::size_t len = (static_cast<std::size_t>(h[0]) | static_cast<std::size_t>(h[1]) << 8 |
                                         static_cast<std::size_t>(h[2]) << 16) &
                                        0x1FFFF;
                const std::size_t total = pr::segment_header_size + len + pr::segment_trailer_size;
                if (have - pos < total) break;
                const std::byte* payload = h + pr::segment_header_size;
                for (std::size_t e = 0; e + pr::envelope_header_size <= len;) {
                    complete(be(payload + e + 2, 2), static_cast<std::uint8_t>(payload[e + 4]), now);
                    e += pr::envelope_header_size + be(payload + e + 5, 4);
                }
                pos += total;
            }
        } else {
            while (have - pos >= pr::envelope_header_size) {
                const std::byte* h = in.data() + pos;
                const std::size_t total = pr::envelope_header_size + be(h + 5, 4);
                if (have - pos < total) break;
                complete(be(h + 2, 2), static_cast<std::uint8_t>(h[4]), now);
                pos += total;
            }
        }
        std::memmove(in.data(), in.data() + pos, have - pos);
        have -= pos;
    }
    auto result = ctl->finish();
    result.protocol_version = version;
    std::error_code ignored;
    socket.close(ignored);
    co_return result;
}

}  // namespace cqlbench
