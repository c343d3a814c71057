// All the pages of a result, as session::all fetches them.
#pragma once

#include <async_cassandra/result_set.hpp>

#include <cstddef>
#include <iterator>
#include <limits>
#include <optional>
#include <string>
#include <vector>

namespace async_cassandra {

// No cap on the rows session::all fetches.
inline constexpr std::size_t no_row_limit = std::numeric_limits<std::size_t>::max();

// The pages of one result and their rows as one sequence, capped at the
// max_rows given to session::all. Row views point into the pages: valid
// while this object lives (moving it keeps them valid).
// Thread safety: distinct objects safe; shared objects safe for reading.
class result_pages {
public:
    class iterator : public result_set::row_iterator_types {
    public:
        iterator() = default;
        row_view operator*() const { return (*pages_)[page_].row(row_); }
        iterator& operator++() {
            ++index_;
            if (++row_ >= (*pages_)[page_].size()) {
                row_ = 0;
                ++page_;
                skip_empty();
            }
            return *this;
        }
        iterator operator++(int) {
            auto old = *this;
            ++*this;
            return old;
        }
        friend bool operator==(const iterator& a, const iterator& b) noexcept { return a.index_ == b.index_; }

    private:
        friend class result_pages;
        iterator(const std::vector<result_set>* pages, std::size_t index) : pages_(pages), index_(index) {
            skip_empty();
        }
        void skip_empty() {
            while (page_ < pages_->size() && (*pages_)[page_].empty()) ++page_;
        }
        const std::vector<result_set>* pages_ = nullptr;
        std::size_t page_ = 0, row_ = 0;
        std::size_t index_ = 0;  // rows before this one: compares with end()
    };

    result_pages() = default;
    result_pages(std::vector<result_set> pages, std::size_t max_rows);

    // Rows, at most the max_rows asked for.
    std::size_t size() const noexcept { return size_; }
    bool empty() const noexcept { return size_ == 0; }
    // Row i of the whole result; throws value_error out of range.
    row_view row(std::size_t i) const;
    iterator begin() const { return iterator(&pages_, 0); }
    iterator end() const { return iterator(&pages_, size_); }

    // The pages as they came; the last may hold rows beyond max_rows.
    const std::vector<result_set>& pages() const noexcept { return pages_; }
    // True when the result had more rows than max_rows: fetching stopped
    // there, and the rows beyond it are not in size() or the iteration.
    bool truncated() const noexcept { return truncated_; }
    // Resumes after the last page fetched (statement::set_paging_state);
    // nullopt when that page was the result's last.
    const std::optional<std::string>& paging_state() const noexcept;

private:
    std::vector<result_set> pages_;
    std::size_t size_ = 0;
    bool truncated_ = false;
};

}  // namespace async_cassandra
