// The one exception of the value layer: a cell that cannot be read as the
// requested C++ type, a malformed cell, or a C++ value CQL cannot represent.
#pragma once

#include <stdexcept>

namespace async_cassandra {

class value_error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

}  // namespace async_cassandra
