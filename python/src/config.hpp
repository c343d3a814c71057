// cluster_config from the dict the package builds out of AsyncCluster's arguments.
#pragma once
#include "engine.hpp"

namespace acpy {

// Throws ValueError/TypeError naming the key for a bad or unknown entry.
ac::cluster_config make_config(nb::dict d);

}  // namespace acpy
