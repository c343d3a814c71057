// The cluster's retry policy from the package's: the seed's AsyncRetryPolicy
// natively (no Python on the engine thread), or any other driver
// RetryPolicy through a Python callable the engine thread calls with the
// GIL, only when an attempt fails.
#pragma once
#include "engine.hpp"

#include <async_cassandra/policies.hpp>

namespace acpy {

// spec: ("seed", max_retries) | ("fallthrough",) | ("python", decide) where
// decide(kind, consistency, a, b, c, retry_num, idempotent, error) returns
// (decision, consistency or None) as the driver's RetryPolicy methods do:
// kind 0 read timeout (a required, b received, c data_retrieved), 1 write
// timeout (a required, b received, c write type), 2 unavailable (a required,
// b alive), 3 request error (error: (category, code, message)).
// Throws ValueError/TypeError on a malformed spec.
std::shared_ptr<ac::retry_policy> make_retry_policy(nb::handle spec);

}  // namespace acpy
