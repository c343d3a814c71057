// Errors from the engine as Python exceptions (the package's factory picks
// the DataStax driver's class for each code).
#pragma once
#include "engine.hpp"

namespace acpy {

// The exception for ec with the server's or the client's message.
nb::object make_error(core& c, std::error_code ec, const ac::diagnostics& diag);

}  // namespace acpy
