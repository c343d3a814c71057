// doc_blocks: the fragments of README.md and docs/*.md, compiled by their
// harnesses (tests/docs/harness/). Never run them: main prints which
// fragments are in the binary, one DOC:LINE a line, for extract_blocks.py
// check to compare with the docs.
#include "doc_harness.hpp"

#include <algorithm>
#include <vector>

namespace doc_blocks {
namespace {
std::vector<std::string>& registry() {
    static std::vector<std::string> blocks;
    return blocks;
}
}  // namespace

bool add(const char* doc_and_line) {
    registry().emplace_back(doc_and_line);
    return true;
}

}  // namespace doc_blocks

int main() {
    auto blocks = doc_blocks::registry();
    std::sort(blocks.begin(), blocks.end());
    for (const auto& b : blocks) std::cout << b << '\n';
}
