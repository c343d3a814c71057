#include <async_cassandra/udt.hpp>
#include <async_cassandra/value_view.hpp>

namespace async_cassandra {

namespace {
const data_type& null_type() noexcept {
    static const data_type t{};
    return t;
}
}  // namespace

value_view::value_view() noexcept : type_(&null_type()) {}

void value_view::check(bool accepted, std::string (*cpp_name)()) const {
    if (accepted) return;
    if (column_.empty() || nested_) {
        const std::string where = column_.empty() ? "" : "column '" + std::string(column_) + "': ";
        throw value_error(where + "a value of type " + to_string(*type_) + " cannot be read as " + cpp_name());
    }
    throw value_error("column '" + std::string(column_) + "' is " + to_string(*type_) + ", cannot read it as " +
                      cpp_name());
}

void value_view::throw_null() const {
    const std::string what = column_.empty() ? "the value" : "column '" + std::string(column_) + "'";
    throw value_error(what + " (" + to_string(*type_) + ") is null; read it as std::optional to accept null");
}

void value_view::rethrow_in_context(const value_error& e) const {
    if (column_.empty()) throw e;
    throw value_error("column '" + std::string(column_) + "' (" + to_string(*type_) + "): " + e.what());
}

detail::cell_cursor value_view::cursor() const {
    static constexpr std::byte none{};
    try {
        return detail::cell_cursor(*type_, bytes_.value_or(std::span<const std::byte>(&none, 0)));
    } catch (const value_error& e) {
        rethrow_in_context(e);
    }
}

bool value_view::is_map() const noexcept { return type_->id == type_id::map; }

std::size_t value_view::size() const {
    if (is_null()) {
        // A null collection is an empty one; a null tuple or UDT has no values.
        switch (type_->id) {
            case type_id::list:
            case type_id::set:
            case type_id::map:
            case type_id::tuple:
            case type_id::udt:
            case type_id::vector: return 0;
            default: (void)cursor();  // throws: not a composite
        }
    }
    const auto n = cursor().count();
    return is_map() ? n / 2 : n;
}

value_view value_view::operator[](std::size_t i) const {
    if (is_map()) throw value_error("operator[] on a map: use entries()");
    const auto n = size();
    if (i >= n)
        throw value_error("index " + std::to_string(i) + " out of range: the " + to_string(*type_) + " value has " +
                          std::to_string(n) + " items");
    auto c = cursor();
    try {
        c.skip_to(i);
        return item(c.next());
    } catch (const value_error& e) {
        rethrow_in_context(e);
    }
}

value_view value_view::field(std::string_view name) const {
    if (type_->id != type_id::udt)
        throw value_error("field('" + std::string(name) + "') on a value of type " + to_string(*type_) + ", not a UDT");
    const auto i = detail::udt_field_index(*type_, name);
    if (i >= type_->params.size())
        throw value_error("UDT " + to_string(*type_) + " has no field '" + std::string(name) + "'");
    if (is_null()) return item(detail::cell_item{&type_->params[i], std::nullopt});
    return (*this)[i];
}

element_range value_view::elements() const {
    if (is_map()) throw value_error("elements() on a map: use entries()");
    (void)size();  // checks the type and header now rather than at begin()
    return element_range(*this);
}

entry_range value_view::entries() const {
    if (!is_map()) throw value_error("entries() on a value of type " + to_string(*type_) + ", not a map");
    (void)size();
    return entry_range(*this);
}

namespace detail {

template <class View, class Item>
item_iterator<View, Item>::item_iterator(const View& parent) : parent_(parent) {
    if (parent.is_null()) return;
    cursor_.emplace(parent.cursor());
    advance();
}

template <class View, class Item>
void item_iterator<View, Item>::advance() {
    at_end_ = cursor_->done();
    if (at_end_) return;
    try {
        if constexpr (std::is_same_v<Item, value_view>) {
            current_ = parent_.item(cursor_->next());
        } else {
            auto key = parent_.item(cursor_->next());
            current_ = {key, parent_.item(cursor_->next())};
        }
    } catch (const value_error& e) {
        parent_.rethrow_in_context(e);
    }
}

template class item_iterator<value_view, value_view>;
template class item_iterator<value_view, std::pair<value_view, value_view>>;

}  // namespace detail

}  // namespace async_cassandra
