// The backing files suites create themselves (on faultfs, for a loop device, or to outlive a
// LUN), rather than through an adapter.
#pragma once

#include <cstdint>
#include <filesystem>

#include "harness/common/status.h"

namespace harness::suites {

// Creates (replacing) a sparse file of `bytes` at `path`; the failure names the file.
Status CreateSparseFile(const std::filesystem::path& path, uint64_t bytes);

}  // namespace harness::suites
