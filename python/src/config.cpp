#include "config.hpp"

#include "retry.hpp"

#include <async_cassandra/auth.hpp>

#include <chrono>
#include <string>

namespace acpy {
namespace {

std::chrono::milliseconds seconds_to_ms(nb::handle v, const std::string& key) {
    double s = nb::cast<double>(v);
    if (!(s >= 0)) throw nb::value_error((key + " must be a number of seconds >= 0").c_str());
    return std::chrono::milliseconds(static_cast<long long>(s * 1000.0 + 0.5));
}

}  // namespace

ac::cluster_config make_config(nb::dict d) {
    ac::cluster_config cfg;
    cfg.log_level = ac::log_level::off;
    std::string user, password;
    bool have_auth = false;
    for (auto [k, v] : d) {
        std::string key = nb::cast<std::string>(k);
        try {
            if (key == "contact_points") {
                cfg.contact_points.clear();
                for (auto h : v) cfg.contact_points.push_back(nb::cast<std::string>(h));
            } else if (key == "port") {
                long port = nb::cast<long>(v);
                if (port <= 0 || port > 65535) throw nb::value_error("port must be in 1..65535");
                cfg.port = static_cast<std::uint16_t>(port);
            } else if (key == "protocol_version") {
                cfg.protocol_version = nb::cast<int>(v);
            } else if (key == "connect_timeout") {
                cfg.connect_timeout = seconds_to_ms(v, key);
            } else if (key == "request_timeout") {
                cfg.request_timeout = seconds_to_ms(v, key);
            } else if (key == "close_timeout") {
                cfg.close_timeout = seconds_to_ms(v, key);
            } else if (key == "idle_heartbeat_interval") {
                cfg.heartbeat_interval = seconds_to_ms(v, key);
            } else if (key == "max_schema_agreement_wait") {
                cfg.max_schema_agreement_wait = seconds_to_ms(v, key);
            } else if (key == "default_consistency") {
                cfg.default_consistency = static_cast<ac::consistency>(nb::cast<int>(v));
            } else if (key == "default_page_size") {
                cfg.default_page_size = nb::cast<std::int32_t>(v);
            } else if (key == "connections_per_host") {
                cfg.connections_per_host = nb::cast<std::size_t>(v);
            } else if (key == "max_requests_per_connection") {
                cfg.max_requests_per_connection = nb::cast<std::size_t>(v);
            } else if (key == "max_queued_requests") {
                cfg.max_queued_requests = nb::cast<std::size_t>(v);
            } else if (key == "compression") {
                auto c = nb::cast<std::string>(v);
                if (c == "none")
                    cfg.compression = ac::compression::none;
                else if (c == "lz4")
                    cfg.compression = ac::compression::lz4;
                else if (c == "snappy")
                    cfg.compression = ac::compression::snappy;
                else
                    throw nb::value_error("compression must be 'lz4', 'snappy' or None");
            } else if (key == "retry") {
                cfg.retry = make_retry_policy(v);
            } else if (key == "username") {
                user = nb::cast<std::string>(v);
                have_auth = true;
            } else if (key == "password") {
                password = nb::cast<std::string>(v);
                have_auth = true;
            } else if (key == "tls") {
                nb::dict t = nb::cast<nb::dict>(v);
                cfg.tls.enabled = true;
                for (auto [tk, tv] : t) {
                    auto tkey = nb::cast<std::string>(tk);
                    if (tkey == "ca_file")
                        cfg.tls.ca_file = nb::cast<std::string>(tv);
                    else if (tkey == "cert_file")
                        cfg.tls.cert_file = nb::cast<std::string>(tv);
                    else if (tkey == "key_file")
                        cfg.tls.key_file = nb::cast<std::string>(tv);
                    else if (tkey == "key_password")
                        cfg.tls.key_password = nb::cast<std::string>(tv);
                    else if (tkey == "verify_peer")
                        cfg.tls.verify_peer = nb::cast<bool>(tv);
                    else if (tkey == "verify_host")
                        cfg.tls.verify_host = nb::cast<bool>(tv);
                    else if (tkey == "server_name")
                        cfg.tls.server_name = nb::cast<std::string>(tv);
                    else
                        throw nb::value_error(("unknown TLS option '" + tkey + "'").c_str());
                }
            } else {
                throw nb::value_error("unknown option");
            }
        } catch (nb::cast_error&) {
            throw nb::type_error(("cluster option '" + key + "' has the wrong type").c_str());
        } catch (nb::builtin_exception& e) {
            throw nb::value_error(("cluster option '" + key + "': " + e.what()).c_str());
        }
    }
    if (have_auth) cfg.auth = ac::password_auth(user, password);
    return cfg;
}

}  // namespace acpy
