// An error category whose messages come from one function: each enum of
// error codes then needs only its switch of texts, not a class of its own.
#pragma once

#include <async_cassandra/detail/error_code.hpp>

#include <string>

namespace async_cassandra::detail {

// boost::system::error_category's destructor is protected and not virtual.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wnon-virtual-dtor"
class enum_category final : public error_category {
public:
    using describe_fn = std::string (*)(int);
    constexpr enum_category(const char* name, describe_fn describe) noexcept : name_(name), describe_(describe) {}
    const char* name() const noexcept override { return name_; }
    std::string message(int ev) const override { return describe_(ev); }

private:
    const char* name_;
    describe_fn describe_;
};
#pragma GCC diagnostic pop

}  // namespace async_cassandra::detail
