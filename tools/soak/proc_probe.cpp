#include "proc_probe.hpp"

#include <malloc.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>

namespace soak {

long rss_kib() {
    long kib = -1;
    if (FILE* f = std::fopen("/proc/self/status", "r")) {
        char line[256];
        while (std::fgets(line, sizeof line, f))
            if (std::strncmp(line, "VmRSS:", 6) == 0) kib = std::strtol(line + 6, nullptr, 10);
        std::fclose(f);
    }
    return kib;
}

long held_rss_kib() {
    malloc_trim(0);
    return rss_kib();
}

std::size_t open_fds() {
    std::size_t n = 0;
    std::error_code ec;
    for (auto it = std::filesystem::directory_iterator("/proc/self/fd", ec);
         !ec && it != std::filesystem::directory_iterator(); it.increment(ec))
        ++n;
    return n > 0 ? n - 1 : 0;  // less the directory handle the listing itself holds
}

}  // namespace soak
