// The iterators of value_view::elements() and entries(). View is always
// value_view (a parameter only because value_view is not yet complete
// here); value_view.cpp defines the members for its two Item types.
#pragma once

#include <async_cassandra/detail/cell_cursor.hpp>

#include <cstddef>
#include <iterator>
#include <optional>

namespace async_cassandra::detail {

// Input iterator over the items of a composite value: value_view for the
// elements of a list, set, vector, tuple or UDT; a key-value pair of views for
// the entries of a map. Ends at std::default_sentinel.
template <class View, class Item>
class item_iterator {
public:
    using value_type = Item;
    using difference_type = std::ptrdiff_t;
    using iterator_concept = std::input_iterator_tag;

    item_iterator() noexcept = default;
    explicit item_iterator(const View& parent);

    const Item& operator*() const noexcept { return current_; }
    const Item* operator->() const noexcept { return &current_; }
    item_iterator& operator++() {
        advance();
        return *this;
    }
    void operator++(int) { advance(); }
    friend bool operator==(const item_iterator& i, std::default_sentinel_t) noexcept { return i.at_end_; }

private:
    void advance();

    View parent_;
    std::optional<cell_cursor> cursor_;
    Item current_{};
    bool at_end_ = true;
};

template <class View, class Item>
class item_range {
public:
    explicit item_range(const View& v) : v_(v) {}
    item_iterator<View, Item> begin() const { return item_iterator<View, Item>(v_); }
    std::default_sentinel_t end() const noexcept { return {}; }

private:
    View v_;
};

}  // namespace async_cassandra::detail
