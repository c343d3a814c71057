// Harness "file": the block is a whole translation unit without main
// (declarations at namespace scope), after doc_harness.hpp's includes.
#include "doc_harness.hpp"

@BLOCK@

namespace {
[[maybe_unused]] const bool registered_@ID@ = doc_blocks::add("@DOC@:@LINE@");
}  // namespace
