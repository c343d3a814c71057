// Harness "main": the block is the body of main, a program of its own that
// runs against the node on 127.0.0.1 (ctest label examples).
#include "doc_harness.hpp"

namespace ac = async_cassandra;

int main() {
    using namespace doc_helpers;
@BLOCK@
}
