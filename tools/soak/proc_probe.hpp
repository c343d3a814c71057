// The process's own footprint, from /proc/self: what the soak samples.
#pragma once

#include <cstddef>

namespace soak {

long rss_kib();  // resident set now (VmRSS), in KiB
// The resident set once the allocator has handed its free pages back
// (malloc_trim): what the process holds, not the high-water mark glibc
// keeps for reuse after a burst of requests in flight.
long held_rss_kib();
std::size_t open_fds();  // entries of /proc/self/fd

}  // namespace soak
