#include "harness/loadgen/config.h"

#include <cctype>
#include <limits>

namespace harness::loadgen {
namespace {

Status Range(const std::string& field, int64_t value, int64_t lo, int64_t hi) {
  if (value < lo || value > hi) {
    return Status::Error(field + ": " + std::to_string(value) + " is out of range " +
                         std::to_string(lo) + ".." + std::to_string(hi));
  }
  return Status::Ok();
}

// The largest I/O: libiscsi 1.19 sends at most MaxBurstLength (256 KiB) per sequence and
// needs R2Ts beyond it; 16 MiB keeps one command's buffers reasonable.
constexpr uint64_t kMaxIoBytes = uint64_t{16} << 20;

}  // namespace

Result<uint64_t> ParseSize(const std::string& text) {
  if (text.empty()) return Status::Error("empty size");
  size_t i = 0;
  uint64_t v = 0;
  while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) {
    const uint64_t digit = static_cast<uint64_t>(text[i] - '0');
    if (v > (std::numeric_limits<uint64_t>::max() - digit) / 10) {
      return Status::Error("size '" + text + "' is too large");
    }
    v = v * 10 + digit;
    ++i;
  }
  if (i == 0) return Status::Error("size '" + text + "' does not start with a number");
  int shift = 0;
  if (i < text.size()) {
    switch (std::tolower(static_cast<unsigned char>(text[i]))) {
      case 'k':
        shift = 10;
        break;
      case 'm':
        shift = 20;
        break;
      case 'g':
        shift = 30;
        break;
      default:
        return Status::Error("size '" + text + "': unknown unit '" + text.substr(i) + "'");
    }
    ++i;
    if (i < text.size() && std::tolower(static_cast<unsigned char>(text[i])) == 'i') ++i;  // "KiB"
    if (i < text.size() && std::tolower(static_cast<unsigned char>(text[i])) == 'b') ++i;
    if (i != text.size())
      return Status::Error("size '" + text + "': trailing '" + text.substr(i) + "'");
  }
  if (shift > 0 && v > (std::numeric_limits<uint64_t>::max() >> shift)) {
    return Status::Error("size '" + text + "' is too large");
  }
  return v << shift;
}

Result<std::vector<BlockSizeWeight>> ParseBlockSizes(const std::string& text) {
  std::vector<BlockSizeWeight> out;
  size_t start = 0;
  while (start <= text.size()) {
    const size_t comma = text.find(',', start);
    const std::string item =
        text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (item.empty()) return Status::Error("block size list '" + text + "' has an empty item");
    BlockSizeWeight bw;
    const size_t colon = item.find(':');
    Result<uint64_t> size = ParseSize(item.substr(0, colon));
    if (!size.ok()) return size.status();
    if (size.value() == 0 || size.value() > kMaxIoBytes) {
      return Status::Error("block size '" + item + "' is out of range 1..16m");
    }
    bw.bytes = static_cast<uint32_t>(size.value());
    if (colon != std::string::npos) {
      const std::string w = item.substr(colon + 1);
      if (w.empty() || w.size() > 6 || w.find_first_not_of("0123456789") != std::string::npos ||
          std::stoul(w) == 0) {
        return Status::Error("block size weight '" + w + "' in '" + item +
                             "' is not a number in 1..999999");
      }
      bw.weight = static_cast<uint32_t>(std::stoul(w));
    }
    out.push_back(bw);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

std::string FormatBlockSizes(const std::vector<BlockSizeWeight>& sizes) {
  std::string s;
  for (const BlockSizeWeight& b : sizes) {
    if (!s.empty()) s += ',';
    if (b.bytes % (1u << 20) == 0) {
      s += std::to_string(b.bytes >> 20) + "m";
    } else if (b.bytes % 1024 == 0) {
      s += std::to_string(b.bytes >> 10) + "k";
    } else {
      s += std::to_string(b.bytes);
    }
    s += ":" + std::to_string(b.weight);
  }
  return s;
}

Status ValidateWorkload(const Workload& w) {
  if (Status st = Range("Workload.read_percent", w.read_percent, 0, 100); !st.ok()) return st;
  if (w.block_sizes.empty()) return Status::Error("Workload.block_sizes: empty");
  for (const BlockSizeWeight& b : w.block_sizes) {
    if (b.bytes < kMinBlockSize || b.bytes > kMaxIoBytes) {
      return Status::Error("Workload.block_sizes: " + std::to_string(b.bytes) +
                           " bytes is out of range 64..16m");
    }
    if (b.weight == 0)
      return Status::Error("Workload.block_sizes: weight 0 for " + std::to_string(b.bytes));
  }
  if (!(w.rate_iops >= 0) || w.rate_iops > 10'000'000) {
    return Status::Error("Workload.rate_iops: " + std::to_string(w.rate_iops) +
                         " is out of range 0..10000000");
  }
  if (Status st = Range("Workload.fua_percent", w.fua_percent, 0, 100); !st.ok()) return st;
  if (w.sync_interval.count() < 0) {
    return Status::Error("Workload.sync_interval: " + std::to_string(w.sync_interval.count()) +
                         " ms is negative");
  }
  if (w.io_count == 0 && w.duration.count() <= 0) {
    return Status::Error("Workload.duration: must be > 0 when io_count is 0");
  }
  return Status::Ok();
}

Status Validate(const LoadConfig& c) {
  if (c.portal.empty()) return Status::Error("LoadConfig.portal: empty");
  if (c.target.empty()) return Status::Error("LoadConfig.target: empty");
  if (c.initiator.empty()) return Status::Error("LoadConfig.initiator: empty");
  if (c.luns.empty()) return Status::Error("LoadConfig.luns: empty");
  for (size_t i = 0; i < c.luns.size(); ++i) {
    // SAM-5 §4.7.3: flat and peripheral addressing reach LUNs 0..16383.
    if (Status st = Range("LoadConfig.luns[" + std::to_string(i) + "]", c.luns[i], 0, 16383);
        !st.ok()) {
      return st;
    }
    for (size_t j = 0; j < i; ++j) {
      if (c.luns[j] == c.luns[i]) {
        return Status::Error("LoadConfig.luns: LUN " + std::to_string(c.luns[i]) +
                             " is listed twice");
      }
    }
  }
  for (const auto& [lun, range] : c.ranges) {
    bool known = false;
    for (int l : c.luns) known |= l == lun;
    if (!known)
      return Status::Error("LoadConfig.ranges: LUN " + std::to_string(lun) + " is not in luns");
    if (range.count > c.max_tracked_blocks) {
      return Status::Error(
          "LoadConfig.ranges[" + std::to_string(lun) + "].count: " + std::to_string(range.count) +
          " blocks is above max_tracked_blocks " + std::to_string(c.max_tracked_blocks));
    }
  }
  // The writer field of the block header is 16 bits.
  if (Status st = Range("LoadConfig.sessions", c.sessions, 1, 1024); !st.ok()) return st;
  if (Status st = Range("LoadConfig.queue_depth", c.queue_depth, 1, 1024); !st.ok()) return st;
  if (c.max_tracked_blocks == 0 || c.max_tracked_blocks > (uint64_t{1} << 28)) {
    return Status::Error("LoadConfig.max_tracked_blocks: " + std::to_string(c.max_tracked_blocks) +
                         " is out of range 1..268435456");
  }
  if (Status st = Range("LoadConfig.retry.max_retries", c.retry.max_retries, 0, 1000); !st.ok())
    return st;
  if (c.retry.command_limit.count() <= 0)
    return Status::Error("LoadConfig.retry.command_limit: must be > 0");
  if (c.retry.min_backoff.count() < 0 || c.retry.max_backoff < c.retry.min_backoff) {
    return Status::Error("LoadConfig.retry: need 0 <= min_backoff <= max_backoff");
  }
  if (c.connect_limit.count() <= 0) return Status::Error("LoadConfig.connect_limit: must be > 0");
  if (c.reconnect_limit.count() < 0)
    return Status::Error("LoadConfig.reconnect_limit: must be >= 0");
  if (c.journal.flush_interval.count() < 0) {
    return Status::Error("LoadConfig.journal.flush_interval: must be >= 0");
  }
  return ValidateWorkload(c.workload);
}

}  // namespace harness::loadgen
