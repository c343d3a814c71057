// Uses the installed library: the version, protocol encoding and a connect
// that must fail cleanly (nothing listens on the port). Exit 0 on success.
#include <async_cassandra/async_cassandra.hpp>
#include <async_cassandra/protocol/requests.hpp>

#include <asio/io_context.hpp>

#include <chrono>
#include <cstdio>
#include <string_view>
#include <system_error>

namespace ac = async_cassandra;

static int fail(const char* what) {
    std::fprintf(stderr, "consumer: FAIL: %s\n", what);
    return 1;
}

int main(int argc, char** argv) {
    if (std::string_view{ac::version_string} != EXPECTED_VERSION)
        return fail("version_string differs from the package version");
    if (argc != 2) return fail("usage: consumer CLOSED_PORT");

    // STARTUP {CQL_VERSION: 3.0.0}: a [short] count, then two [string]s.
    ac::protocol::byte_buffer buf;
    ac::protocol::byte_writer w(buf);
    ac::protocol::encode_startup(w, {{"CQL_VERSION", "3.0.0"}});
    if (w.size() != 2 + 2 + 11 + 2 + 5) return fail("encode_startup wrote an unexpected number of bytes");

    // A validated config with nothing listening: connect reports no_host_available.
    ac::cluster_config cfg;
    cfg.contact_points = {"127.0.0.1"};
    cfg.port = static_cast<std::uint16_t>(std::stoi(argv[1]));
    cfg.connect_timeout = std::chrono::milliseconds{3000};
    asio::io_context io;
    ac::diagnostics diag;
    std::error_code result;
    bool done = false;
    ac::cluster::async_connect(io.get_executor(), cfg, diag, [&](std::error_code ec, ac::cluster) {
        result = ec;
        done = true;
    });
    io.run();
    if (!done) return fail("connect never completed");
    if (result != ac::client_errc::no_host_available) {
        std::fprintf(stderr, "consumer: got %s\n", result.message().c_str());
        return fail("connect to a closed port did not fail with no_host_available");
    }

    // A bad config is refused before any I/O.
    cfg.contact_points.clear();
    ac::cluster::async_connect(io.get_executor(), cfg, diag, [&](std::error_code ec, ac::cluster) { result = ec; });
    io.restart();
    io.run();
    if (result != ac::client_errc::bad_config) return fail("an empty contact point list was not bad_config");

    std::printf("consumer: ok (version %s)\n", ac::version_string);
    return 0;
}
