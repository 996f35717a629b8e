#pragma once
// Fresh temporary folders for tests that write files.
#include <string>

namespace spw::test {

// A fresh empty folder under the system's temporary directory, removed by the caller when wanted.
std::string makeTempDir(const std::string& prefix);

} // namespace spw::test
