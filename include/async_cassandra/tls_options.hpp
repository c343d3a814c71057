// TLS settings for client connections (cluster_config::tls). OpenSSL does
// the work; the context is built once per cluster when it connects, and a
// file that is missing or does not hold what it should fails connect with
// client_errc::bad_config naming the file.
#pragma once

#include <string>

namespace async_cassandra {

// Every member has a default initializer, so designated initializers
// ({.enabled = true, .ca_file = "..."}) may leave any out.
struct tls_options {
    // Off: plain TCP, and every other field is ignored.
    bool enabled = false;

    // Certificate authorities to trust: a PEM file, PEM text, or (both empty)
    // the system's default store (Debian: /etc/ssl/certs).
    std::string ca_file{};
    std::string ca_pem{};

    // Check the server's certificate chain against those authorities.
    bool verify_peer = true;
    // Also check that the certificate names the host connected to: its DNS
    // name, or for an address its IP subjectAltName. Turn off only when the
    // certificates cannot name the hosts (and the network is trusted).
    bool verify_host = true;
    // The name to send as SNI and to verify instead of the host connected
    // to (e.g. when connecting through a proxy). Empty: the host's name, and
    // no SNI for an IP address.
    std::string server_name{};

    // Mutual TLS: the client's certificate (chain) and private key, each as
    // a PEM file or PEM text. key_password decrypts an encrypted key.
    std::string cert_file{};
    std::string cert_pem{};
    std::string key_file{};
    std::string key_pem{};
    std::string key_password{};
};

}  // namespace async_cassandra
