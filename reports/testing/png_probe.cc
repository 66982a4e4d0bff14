#include "reports/testing/png_probe.h"

#include <cstdlib>
#include <string>
#include <vector>

#include "reports/file_io.h"

#ifdef REPORTS_HAVE_ZLIB
#include <zlib.h>
#endif

namespace harness::reports::testing {
namespace {

uint32_t Be32(const std::string& s, size_t at) {
  return (uint32_t{static_cast<uint8_t>(s[at])} << 24) |
         (uint32_t{static_cast<uint8_t>(s[at + 1])} << 16) |
         (uint32_t{static_cast<uint8_t>(s[at + 2])} << 8) |
         uint32_t{static_cast<uint8_t>(s[at + 3])};
}

#ifdef REPORTS_HAVE_ZLIB
// Undoes the PNG row filters (PNG spec §9) and collects every pixel's RGB.
bool Decode(const std::string& idat, uint32_t width, uint32_t height, size_t bpp, PngInfo* info) {
  size_t stride = width * bpp;
  std::vector<uint8_t> raw((stride + 1) * height);
  uLongf raw_len = raw.size();
  if (uncompress(raw.data(), &raw_len, reinterpret_cast<const Bytef*>(idat.data()), idat.size()) !=
          Z_OK ||
      raw_len != raw.size()) {
    return false;
  }
  std::vector<uint8_t> prev(stride, 0), cur(stride);
  for (uint32_t y = 0; y < height; ++y) {
    const uint8_t* in = &raw[y * (stride + 1)];
    uint8_t filter = in[0];
    for (size_t x = 0; x < stride; ++x) {
      int a = x >= bpp ? cur[x - bpp] : 0;
      int b = prev[x];
      int c = x >= bpp ? prev[x - bpp] : 0;
      int pred = 0;
      switch (filter) {
        case 0:
          pred = 0;
          break;
        case 1:
          pred = a;
          break;
        case 2:
          pred = b;
          break;
        case 3:
          pred = (a + b) / 2;
          break;
        case 4: {
          int p = a + b - c, pa = std::abs(p - a), pb = std::abs(p - b), pc = std::abs(p - c);
          pred = (pa <= pb && pa <= pc) ? a : (pb <= pc ? b : c);
          break;
        }
        default:
          return false;
      }
      cur[x] = static_cast<uint8_t>(in[1 + x] + pred);
    }
    for (size_t x = 0; x < stride; x += bpp) {
      info->colors.insert((uint32_t{cur[x]} << 16) | (uint32_t{cur[x + 1]} << 8) | cur[x + 2]);
    }
    prev.swap(cur);
  }
  return true;
}
#endif

}  // namespace

Result<PngInfo> ProbePng(const std::filesystem::path& path) {
  Result<std::string> data = ReadWholeFile(path);
  if (!data.ok()) return data.status();
  const std::string& s = data.value();
  if (s.size() < 33 || s.compare(0, 8, "\x89PNG\r\n\x1a\n") != 0) {
    return Status::Error(path.string() + ": not a PNG file");
  }
  PngInfo info;
  info.width = Be32(s, 16);
  info.height = Be32(s, 20);
  uint8_t depth = static_cast<uint8_t>(s[24]);
  uint8_t color_type = static_cast<uint8_t>(s[25]);
  uint8_t interlace = static_cast<uint8_t>(s[28]);
  std::string idat;
  for (size_t at = 8; at + 12 <= s.size();) {
    uint32_t len = Be32(s, at);
    if (at + 12 + len > s.size()) return Status::Error(path.string() + ": truncated chunk");
    if (s.compare(at + 4, 4, "IDAT") == 0) idat.append(s, at + 8, len);
    at += 12 + len;
  }
#ifdef REPORTS_HAVE_ZLIB
  if (depth == 8 && (color_type == 2 || color_type == 6) && interlace == 0) {
    info.decoded = Decode(idat, info.width, info.height, color_type == 2 ? 3 : 4, &info);
  }
#else
  (void)depth, (void)color_type, (void)interlace;
#endif
  return info;
}

}  // namespace harness::reports::testing
