// The TLS and authentication options every command-line tool accepts, so
// that cql, cqlbench, ... spell them alike and mean the same:
//
//   tools::security_args sec;
//   for (int i = 1; i < argc; ++i)
//       if (int used = sec.parse(argc, argv, i)) i += used - 1; else ...the tool's own options...
//   sec.apply(cfg);   // cfg.tls and cfg.auth
//
// A tool with its own option parser (`--name=value` forms, a table) uses
// `options`, `set` and `refuse_password` instead of parse.
//
// The password is never an argument (other users see command lines in ps,
// and shells keep them in history): it comes from the environment variable
// AC_PASSWORD or from --password-file, and --password is refused.
#pragma once

#include <async_cassandra/auth.hpp>
#include <async_cassandra/config.hpp>
#include <async_cassandra/tls_options.hpp>

#include <cstdlib>
#include <fstream>
#include <stdexcept>
#include <string>
#include <string_view>

namespace tools {

struct security_args {
    static constexpr const char* usage =
        "  --tls                 connect with TLS (trusting the system's CAs unless --ca)\n"
        "  --ca FILE             trust the CA certificate(s) in FILE (PEM); implies --tls\n"
        "  --cert FILE --key FILE  client certificate and key (PEM) for mutual TLS; imply --tls\n"
        "  --server-name NAME    name to verify and send as SNI instead of the host; implies --tls\n"
        "  --no-verify-host      do not check that the certificate names the host\n"
        "  --user NAME           log in as NAME (PasswordAuthenticator); the password comes from\n"
        "                        $AC_PASSWORD or --password-file, never the command line\n"
        "  --password-file FILE  read the password from FILE (its first line)\n";

    struct option {
        std::string_view name;
        bool takes_value;
    };
    static constexpr option options[] = {
        {"--tls", false}, {"--no-verify-host", false}, {"--ca", true},   {"--cert", true},
        {"--key", true},  {"--server-name", true},     {"--user", true}, {"--password-file", true},
    };

    static constexpr const char* password_refused =
        "--password: a password on the command line is visible to other users (ps) and stays in shell "
        "history; set AC_PASSWORD or use --password-file FILE";

    async_cassandra::tls_options tls;
    std::string user;
    std::string password_file;

    // Throws std::invalid_argument (password_refused) if `arg` passes a
    // password: --password, --password=..., or cqlsh's -p. Call it on every
    // argument before anything else looks at it, so no parser takes the
    // password as the value of an option or reports it as a stray argument.
    static void refuse_password(std::string_view arg) {
        if (arg == "--password" || arg.starts_with("--password=") || arg == "-p")
            throw std::invalid_argument(password_refused);
    }

    // The entry of `options` named `name`, or nullptr.
    static const option* find(std::string_view name) {
        for (const auto& o : options)
            if (o.name == name) return &o;
        return nullptr;
    }

    // Sets option `name` (one of `options`) to `value` (ignored for flags).
    // Throws std::invalid_argument for an unknown name or an empty value.
    void set(std::string_view name, std::string_view value) {
        const option* o = find(name);
        if (!o) throw std::invalid_argument("unknown option '" + std::string(name) + "'");
        if (o->takes_value && value.empty()) throw std::invalid_argument(std::string(name) + ": empty value");
        auto tls_text = [&](std::string& field) {
            tls.enabled = true;
            field = value;
        };
        if (name == "--tls")
            tls.enabled = true;
        else if (name == "--no-verify-host")
            tls.verify_host = false;
        else if (name == "--ca")
            tls_text(tls.ca_file);
        else if (name == "--cert")
            tls_text(tls.cert_file);
        else if (name == "--key")
            tls_text(tls.key_file);
        else if (name == "--server-name")
            tls_text(tls.server_name);
        else if (name == "--user")
            user = value;
        else if (name == "--password-file")
            password_file = value;
    }

    // If argv[i] is one of the options above (`--name value` or
    // `--name=value`), takes it and returns how many arguments it used; else
    // returns 0. Throws std::invalid_argument for a missing value, a value
    // given to a flag, and --password.
    int parse(int argc, char** argv, int i) {
        std::string_view arg = argv[i];
        refuse_password(arg);
        std::string_view value;
        bool inline_value = false;
        if (const auto eq = arg.find('='); arg.starts_with("--") && eq != std::string_view::npos) {
            value = arg.substr(eq + 1);
            arg = arg.substr(0, eq);
            inline_value = true;
        }
        const option* o = find(arg);
        if (!o) return 0;
        if (!o->takes_value) {
            if (inline_value) throw std::invalid_argument(std::string(arg) + ": takes no value");
            set(arg, {});
            return 1;
        }
        if (inline_value) {
            set(arg, value);
            return 1;
        }
        if (i + 1 >= argc) throw std::invalid_argument(std::string(arg) + " needs a value");
        set(arg, argv[i + 1]);
        return 2;
    }

    // Whether any option asks for TLS or authentication.
    bool any() const { return tls.enabled || !tls.verify_host || !user.empty() || !password_file.empty(); }

    // Sets cfg.tls and, with --user, cfg.auth. Throws std::invalid_argument
    // for options that do not fit together and when the password cannot be
    // read (the message never holds it).
    void apply(async_cassandra::cluster_config& cfg) const {
        if (tls.cert_file.empty() != tls.key_file.empty())
            throw std::invalid_argument(tls.cert_file.empty() ? "--key needs --cert" : "--cert needs --key");
        if (!tls.verify_host && !tls.enabled) throw std::invalid_argument("--no-verify-host needs --tls");
        if (tls.enabled) cfg.tls = tls;
        if (user.empty()) {
            if (!password_file.empty()) throw std::invalid_argument("--password-file needs --user");
            return;
        }
        std::string password;
        if (!password_file.empty()) {
            std::ifstream in(password_file);
            if (!in) throw std::invalid_argument("--password-file " + password_file + ": cannot open");
            std::getline(in, password);
            if (!password.empty() && password.back() == '\r') password.pop_back();
        } else if (const char* p = std::getenv("AC_PASSWORD")) {
            password = p;
        } else {
            throw std::invalid_argument("--user " + user + " needs a password: set AC_PASSWORD or use --password-file");
        }
        cfg.auth = async_cassandra::password_auth(user, std::move(password));
    }
};

}  // namespace tools
