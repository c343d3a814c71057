// Where an operation writes its diagnostics: the caller's, or one of its
// own when the caller passed none. Cleared at the start.
#pragma once

#include <async_cassandra/error.hpp>

namespace async_cassandra::detail {

class diag_target {
public:
    explicit diag_target(diagnostics* out) noexcept : to_(out ? *out : local_) { to_.clear(); }
    diag_target(const diag_target&) = delete;
    diag_target& operator=(const diag_target&) = delete;
    diagnostics& get() noexcept { return to_; }

private:
    diagnostics local_;  // before to_, which may refer to it
    diagnostics& to_;
};

}  // namespace async_cassandra::detail
