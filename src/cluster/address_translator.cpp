// The built-in address translators.
#include <async_cassandra/policies.hpp>

#include <stdexcept>
#include <string>

namespace async_cassandra {

namespace {

class identity_translator final : public address_translator {
public:
    node_address translate(const node_address& advertised) override { return advertised; }
};

class fixed_translator final : public address_translator {
public:
    explicit fixed_translator(std::map<node_address, node_address> map) : map_(std::move(map)) {
        for (const auto& [from, to] : map_)
            if (from.address.empty() || to.address.empty())
                throw std::invalid_argument("fixed_address_translator: the entry " + describe(from) + " -> " +
                                            describe(to) + " has an empty address");
    }

    node_address translate(const node_address& advertised) override {
        auto it = map_.find(advertised);  // the exact port first
        if (it == map_.end()) it = map_.find(node_address{advertised.address, 0});
        if (it == map_.end()) return advertised;
        return {it->second.address, it->second.port ? it->second.port : advertised.port};
    }

private:
    static std::string describe(const node_address& a) {
        return "'" + a.address + "'" + (a.port ? ":" + std::to_string(a.port) : std::string(" (any port)"));
    }
    std::map<node_address, node_address> map_;
};

}  // namespace

std::shared_ptr<address_translator> identity_address_translator() { return std::make_shared<identity_translator>(); }

std::shared_ptr<address_translator> fixed_address_translator(std::map<node_address, node_address> map) {
    return std::make_shared<fixed_translator>(std::move(map));
}

}  // namespace async_cassandra
