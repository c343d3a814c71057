#include "cluster/prepared_cache.hpp"

namespace async_cassandra::detail {

std::shared_ptr<prepared_data> prepared_cache::find(const key& k) {
    auto it = entries_.find(k);
    if (it == entries_.end()) return nullptr;
    lru_.splice(lru_.begin(), lru_, it->second.lru);
    return it->second.data;
}

std::shared_ptr<prepared_cache::flight> prepared_cache::in_flight(const key& k) const {
    auto it = flights_.find(k);
    return it == flights_.end() ? nullptr : it->second;
}

std::shared_ptr<prepared_cache::flight> prepared_cache::begin(const key& k, const asio::any_io_executor& ex) {
    auto f = std::make_shared<flight>(ex);
    flights_[k] = f;
    return f;
}

void prepared_cache::finish(const key& k, const std::shared_ptr<flight>& f) {
    if (auto it = flights_.find(k); it != flights_.end() && it->second == f) flights_.erase(it);
    if (!f->ec && f->result) store(k, f->result);
    f->finished = true;
    f->done.cancel();
}

void prepared_cache::store(const key& k, std::shared_ptr<prepared_data> d) {
    if (auto it = entries_.find(k); it != entries_.end()) {
        it->second.data = std::move(d);
        lru_.splice(lru_.begin(), lru_, it->second.lru);
        return;
    }
    if (capacity_ == 0) return;
    lru_.push_front(k);
    entries_.emplace(k, entry{std::move(d), lru_.begin()});
    while (entries_.size() > capacity_) {
        entries_.erase(lru_.back());
        lru_.pop_back();
    }
}

}  // namespace async_cassandra::detail
