// What a PREPARE leaves behind (include/async_cassandra/detail/prepared_data.hpp)
// and the errors of binding values to its markers: the cluster layer's, as
// the cache keeps prepared_data; session/prepared.cpp runs PREPARE itself.
#include <async_cassandra/prepared_statement.hpp>

#include <mutex>
#include <string>

namespace async_cassandra {

namespace detail {

namespace {
std::string marker_names(const prepared_data& d) {
    std::string names;
    for (const auto& v : d.variables()) names += (names.empty() ? "" : ", ") + v.name;
    return names.empty() ? "none" : names;
}
}  // namespace

void throw_bind_mismatch(const column_spec& marker, std::size_t index, const std::string& cpp_name) {
    throw value_error("bind marker " + std::to_string(index) + " ('" + marker.name + "') is " + to_string(marker.type) +
                      ", cannot bind " + cpp_name);
}

void throw_bind_count(const prepared_data* d, std::size_t given) {
    if (!d) throw value_error("bind() on an empty prepared_statement");
    throw value_error(std::to_string(given) + " values bound, the statement has " +
                      std::to_string(d->variables().size()) + " bind markers: " + d->query);
}

void throw_no_marker(const prepared_data& d, std::string_view name) {
    throw value_error("no bind marker named '" + std::string(name) + "'; the markers are: " + marker_names(d));
}

void throw_marker_index(const prepared_data& d, std::size_t index) {
    throw value_error("bind marker " + std::to_string(index) + " out of range: the statement has " +
                      std::to_string(d.variables().size()));
}

void prepared_state_cell::publish(std::shared_ptr<prepared_state> next) {
    if (next->result_columns)
        for (auto& c : next->stripe_columns) {
            // An owner of its own (a count of its own) around the one vector.
            auto owner = std::make_shared<std::shared_ptr<const std::vector<column_spec>>>(next->result_columns);
            c = std::shared_ptr<const std::vector<column_spec>>(owner, owner->get());
        }
    std::lock_guard lock(mutex_);
    kept_.push_back(next);
    current_.store(next.get(), std::memory_order_release);
}

void prepared_state_cell::adopt(const prepared_state_cell& other) {
    std::shared_ptr<const prepared_state> theirs;
    {
        std::lock_guard lock(other.mutex_);
        theirs = other.kept_.back();
    }
    std::lock_guard lock(mutex_);
    if (!kept_.empty() && kept_.back() == theirs) return;
    kept_.push_back(theirs);
    current_.store(theirs.get(), std::memory_order_release);
}

}  // namespace detail

const std::vector<column_spec>& prepared_statement::result_columns() const noexcept {
    static const std::vector<column_spec> none;
    const auto& cols = data_->state.get().result_columns;
    return cols ? *cols : none;
}

const request_options& prepared_statement::default_options() const noexcept {
    static const request_options none;
    return defaults_ ? *defaults_ : none;
}

}  // namespace async_cassandra
