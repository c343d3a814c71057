// cql-sim: serves the scriptable CQL test server until SIGINT/SIGTERM.
//   cql-sim [--port P] [--nodes N] [--max-protocol 4|5] [--auth user:pass]
//         [--rules FILE]   (format: cql_sim/rules_file.hpp)
// Unmatched statements get the defaults (Void, or the fake topology for
// system.local / system.peers / system.peers_v2).
#include <cql_sim/rules_file.hpp>
#include <cql_sim/server.hpp>

#include <asio/io_context.hpp>
#include <asio/signal_set.hpp>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <iostream>
#include <string>

namespace {
[[noreturn]] void usage(const char* why) {
    std::cerr << "cql-sim: " << why
              << "\nusage: cql-sim [--port P] [--nodes N] [--max-protocol 4|5] [--auth user:pass] [--rules FILE]\n";
    std::exit(2);
}

int to_int(const std::string& s, int lo, int hi, const char* what) {
    try {
        std::size_t used = 0;
        const int v = std::stoi(s, &used);
        if (used == s.size() && v >= lo && v <= hi) return v;
    } catch (const std::exception&) {
    }
    usage(what);
}
}  // namespace

int main(int argc, char** argv) {
    cql_sim::config cfg;
    cfg.port = 9042;
    std::string rules_path;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (i + 1 >= argc) usage(("missing value for " + arg).c_str());
        const std::string value = argv[++i];
        if (arg == "--port") {
            cfg.port = static_cast<std::uint16_t>(to_int(value, 0, 65535, "bad --port"));
        } else if (arg == "--nodes") {
            cfg.nodes = to_int(value, 1, 254, "bad --nodes");
        } else if (arg == "--max-protocol") {
            cfg.max_protocol_version = to_int(value, 4, 5, "bad --max-protocol");
        } else if (arg == "--auth") {
            const auto colon = value.find(':');
            if (colon == std::string::npos || colon == 0) usage("--auth wants user:pass");
            cfg.user = value.substr(0, colon);
            cfg.password = value.substr(colon + 1);
        } else if (arg == "--rules") {
            rules_path = value;
        } else {
            usage(("unknown option " + arg).c_str());
        }
    }
    try {
        asio::io_context io;
        cql_sim::server srv(io.get_executor(), cfg);
        if (!rules_path.empty()) {
            std::ifstream in(rules_path);
            if (!in) usage(("cannot read " + rules_path).c_str());
            std::stringstream text;
            text << in.rdbuf();
            for (auto& r : cql_sim::parse_rules(text.str())) srv.add_rule(std::move(r));
        }
        srv.start();
        for (const auto& ep : srv.endpoints()) std::cout << "listening on " << ep << '\n';
        std::cout.flush();
        asio::signal_set signals(io, SIGINT, SIGTERM);
        signals.async_wait([&](async_cassandra::error_code, int) {
            srv.stop();
            io.stop();
        });
        io.run();
    } catch (const std::exception& e) {
        std::cerr << "cql-sim: " << e.what() << '\n';
        return 1;
    }
}
