#include "connection/timeout_queue.hpp"

#include <async_cassandra/detail/error_code.hpp>

#include <algorithm>

namespace async_cassandra::detail {

timeout_queue::timeout_queue(asio::any_io_executor ex) : timer_(std::move(ex)) {}

int timeout_queue::lane_for(std::chrono::milliseconds timeout) {
    int free_lane = -1;
    int nearest = 0;
    auto distance = [&](const lane& l) { return l.timeout > timeout ? l.timeout - timeout : timeout - l.timeout; };
    for (int i = 0; i < static_cast<int>(lane_count); ++i) {
        auto& l = lanes_[static_cast<std::size_t>(i)];
        if (l.timeout == timeout) return i;
        if (!l.head && free_lane < 0) free_lane = i;
        if (distance(l) < distance(lanes_[static_cast<std::size_t>(nearest)])) nearest = i;
    }
    if (free_lane >= 0) {
        lanes_[static_cast<std::size_t>(free_lane)].timeout = timeout;
        return free_lane;
    }
    // Every lane busy with other timeouts: the nearest one (sorted insertion keeps it right).
    return nearest;
}

void timeout_queue::insert(lane& l, timeout_entry& e) {
    // From the tail back to the last entry due no later than `e`.
    timeout_entry* after = l.tail;
    while (after && after->deadline_ > e.deadline_) after = after->prev_;
    e.prev_ = after;
    e.next_ = after ? after->next_ : l.head;
    if (e.next_)
        e.next_->prev_ = &e;
    else
        l.tail = &e;
    if (after)
        after->next_ = &e;
    else
        l.head = &e;
}

void timeout_queue::add(timeout_entry& e, clock::time_point now, std::chrono::milliseconds timeout) {
    remove(e);
    e.deadline_ = now + timeout;
    e.lane_ = lane_for(timeout);
    insert(lanes_[static_cast<std::size_t>(e.lane_)], e);
    ++size_;
    if (e.deadline_ < armed_) arm(e.deadline_);
}

void timeout_queue::remove(timeout_entry& e) noexcept {
    if (e.lane_ < 0) return;
    auto& l = lanes_[static_cast<std::size_t>(e.lane_)];
    (e.prev_ ? e.prev_->next_ : l.head) = e.next_;
    (e.next_ ? e.next_->prev_ : l.tail) = e.prev_;
    e.prev_ = e.next_ = nullptr;
    e.lane_ = -1;
    --size_;
    // The timer stays armed for a deadline that may now be nobody's: it
    // fires, finds nothing due, and re-arms for the new earliest.
}

void timeout_queue::arm(clock::time_point when) {
    armed_ = when;
    timer_.expires_at(when);  // cancels the wait for the later deadline
    timer_.async_wait([w = weak_from_this()](error_code ec) {
        if (ec) return;  // re-armed (a newer wait fires instead) or destroyed
        if (auto self = w.lock()) self->fire();
    });
}

void timeout_queue::fire() {
    armed_ = clock::time_point::max();
    const auto now = clock::now();
    // Late (a busy loop), several lanes may hold due entries: they expire in
    // deadline order across lanes, the earliest head first. expire() only
    // emits a cancellation (whose completion is deferred), so the lists
    // change only here while this runs.
    for (;;) {
        lane* first = nullptr;
        for (auto& l : lanes_)
            if (l.head && l.head->deadline_ <= now && (!first || l.head->deadline_ < first->head->deadline_))
                first = &l;
        if (!first) break;
        auto* e = first->head;
        remove(*e);
        e->expire();
    }
    auto next = clock::time_point::max();
    for (auto& l : lanes_)
        if (l.head) next = std::min(next, l.head->deadline_);
    if (next != clock::time_point::max()) arm(next);
}

}  // namespace async_cassandra::detail
