// SASL PLAIN for PasswordAuthenticator: one token, "\0user\0password".
#include <async_cassandra/auth.hpp>

#include <openssl/crypto.h>

#include <cstring>

namespace async_cassandra {

namespace {

// Wipes the bytes before freeing them, so a secret does not linger in memory.
void wipe(std::string& s) noexcept {
    if (!s.empty()) OPENSSL_cleanse(s.data(), s.size());
}

class plain_authenticator final : public authenticator {
public:
    explicit plain_authenticator(const std::string& token) : token_(token) {}
    ~plain_authenticator() override { wipe(token_); }
    auth_token initial_response() override { return bytes(); }
    // PasswordAuthenticator sends no challenge; a server that does gets the same answer.
    auth_token evaluate_challenge(std::span<const std::byte>) override { return bytes(); }

private:
    auth_token bytes() const {
        auth_token t(token_.size());
        std::memcpy(t.data(), token_.data(), token_.size());
        return t;
    }
    std::string token_;
};

class password_provider final : public auth_provider {
public:
    password_provider(std::string user, std::string password) {
        token_.reserve(user.size() + password.size() + 2);
        token_.push_back('\0');
        token_ += user;
        token_.push_back('\0');
        token_ += password;
        wipe(user);
        wipe(password);
    }
    ~password_provider() override { wipe(token_); }
    std::unique_ptr<authenticator> new_authenticator(const std::string&, const std::string&) const override {
        return std::make_unique<plain_authenticator>(token_);
    }

private:
    std::string token_;
};

}  // namespace

std::shared_ptr<auth_provider> password_auth(std::string user, std::string password) {
    return std::make_shared<password_provider>(std::move(user), std::move(password));
}

}  // namespace async_cassandra
