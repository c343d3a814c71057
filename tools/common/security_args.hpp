// The TLS and authentication options every command-line tool accepts, so
// that cql, cqlbench, ... spell them alike:
//
//   tools::security_args sec;
//   for (int i = 1; i < argc; ++i)
//       if (int used = sec.parse(argc, argv, i)) i += used - 1; else ...the tool's own options...
//   sec.apply(cfg);   // cfg.tls and cfg.auth
//
// The password is never an argument (other users see command lines in ps):
// it comes from the environment variable AC_PASSWORD or from --password-file.
#pragma once

#include <async_cassandra/config.hpp>

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <string_view>

namespace tools {

struct security_args {
    static constexpr const char* usage =
        "  --tls                 connect with TLS (trusting the system's CAs unless --ca)\n"
        "  --ca FILE             trust the CA certificate(s) in FILE (PEM)\n"
        "  --cert FILE --key FILE  client certificate and key (PEM) for mutual TLS\n"
        "  --server-name NAME    name to verify and send as SNI instead of the host\n"
        "  --no-verify-host      do not check that the certificate names the host\n"
        "  --user NAME           log in as NAME; password from $AC_PASSWORD or --password-file\n"
        "  --password-file FILE  read the password from FILE (first line)\n";

    async_cassandra::tls_options tls;
    std::string user;
    std::string password_file;

    // If argv[i] is one of the options above, takes it (and its value) and
    // returns how many arguments it used; else returns 0. Throws
    // std::invalid_argument for a missing value.
    int parse(int argc, char** argv, int i) {
        const std::string_view arg = argv[i];
        auto value = [&]() -> std::string {
            if (i + 1 >= argc) throw std::invalid_argument(std::string(arg) + " needs a value");
            return argv[i + 1];
        };
        auto flag = [](auto& field, auto v) {
            field = std::move(v);
            return 1;
        };
        auto tls_file = [&](std::string& field) {
            tls.enabled = true;
            field = value();
            return 2;
        };
        if (arg == "--tls") return flag(tls.enabled, true);
        if (arg == "--no-verify-host") return flag(tls.verify_host, false);
        if (arg == "--ca") return tls_file(tls.ca_file);
        if (arg == "--cert") return tls_file(tls.cert_file);
        if (arg == "--key") return tls_file(tls.key_file);
        if (arg == "--server-name") return tls_file(tls.server_name);
        auto text = [&](std::string& field) {
            field = value();
            return 2;
        };
        if (arg == "--user") return text(user);
        if (arg == "--password-file") return text(password_file);
        return 0;
    }

    // Sets cfg.tls and, with --user, cfg.auth. Throws std::invalid_argument
    // when the password cannot be read (the message never holds it).
    void apply(async_cassandra::cluster_config& cfg) const {
        if (tls.enabled || !tls.verify_host) cfg.tls = tls;
        if (user.empty()) {
            if (!password_file.empty()) throw std::invalid_argument("--password-file needs --user");
            return;
        }
        std::string password;
        if (!password_file.empty()) {
            std::ifstream in(password_file);
            if (!in) throw std::invalid_argument("--password-file " + password_file + ": cannot open");
            std::getline(in, password);
        } else if (const char* p = std::getenv("AC_PASSWORD")) {
            password = p;
        } else {
            throw std::invalid_argument("--user " + user + " needs a password: set AC_PASSWORD or --password-file");
        }
        cfg.auth = async_cassandra::password_auth(user, std::move(password));
    }
};

}  // namespace tools
