// Test helper: reads a PNG screenshot's size and, when zlib is available, its colors, to
// tell a rendered report from a blank page.
#pragma once

#include <cstdint>
#include <filesystem>
#include <set>

#include "reports/status.h"

namespace harness::reports::testing {

struct PngInfo {
  uint32_t width = 0;
  uint32_t height = 0;
  bool decoded = false;       // false without zlib: only the header was read
  std::set<uint32_t> colors;  // 0xRRGGBB of every pixel, when decoded
};

// Reads `path`; 8-bit RGB or RGBA, non-interlaced (what Chromium writes).
Result<PngInfo> ProbePng(const std::filesystem::path& path);

}  // namespace harness::reports::testing
