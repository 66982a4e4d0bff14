#include "suites/durability/caching_page.h"

#include <string>

#include "harness/iscsi/cdb.h"

namespace harness::durability {
namespace {

constexpr uint16_t kAllocation = 255;
constexpr int kAttempts = 8;  // unit attentions after a restart (POWER ON, ...)

iscsi::CommandResult ExecuteSkippingAttentions(iscsi::Session& s, const iscsi::CommandRequest& r) {
  iscsi::CommandResult result;
  for (int i = 0; i < kAttempts; ++i) {
    result = s.Execute(r);
    if (!result.unit_attention()) break;
  }
  return result;
}

}  // namespace

Result<bool> ParseCachingWce(std::span<const uint8_t> data, bool ten) {
  // SPC-4 §7.5.5/§7.5.6: MODE SENSE(6) header is 4 bytes with the block descriptor length
  // in byte 3; MODE SENSE(10)'s is 8 bytes with it in bytes 6-7.
  const size_t header = ten ? 8 : 4;
  const char* cmd = ten ? "MODE SENSE(10)" : "MODE SENSE(6)";
  if (data.size() < header) {
    return Status::Error(std::string(cmd) + ": " + std::to_string(data.size()) +
                         " bytes, shorter than its header");
  }
  const size_t descriptors = ten ? (size_t{data[6]} << 8 | data[7]) : data[3];
  const size_t page = header + descriptors;
  if (data.size() < page + 3) {
    return Status::Error(std::string(cmd) + ": block descriptor length " +
                         std::to_string(descriptors) + " leaves no Caching page in " +
                         std::to_string(data.size()) + " bytes");
  }
  const uint8_t code = data[page] & 0x3f;
  if (code != kCachingPage) {
    return Status::Error(std::string(cmd) + ": page code " + std::to_string(code) +
                         " where the Caching page (08h) was asked for");
  }
  if (data[page + 1] < 1) {
    return Status::Error(std::string(cmd) + ": Caching page length 0 (no WCE byte)");
  }
  return (data[page + 2] & 0x04) != 0;  // SBC-3 §6.4.5: byte 2 bit 2 is WCE
}

Result<bool> ReadWriteCacheEnabled(iscsi::Session& session, int lun) {
  iscsi::CommandRequest r;
  r.lun = lun;
  r.direction = iscsi::DataDirection::kRead;
  r.data_in_length = kAllocation;
  r.limit = std::chrono::seconds(10);
  r.cdb = iscsi::cdb::ModeSense10(false, true, 0, kCachingPage, 0, kAllocation);
  iscsi::CommandResult result = ExecuteSkippingAttentions(session, r);
  if (result.good()) return ParseCachingWce(result.data_in, true);
  const std::string ten_failed = result.Describe();
  r.cdb = iscsi::cdb::ModeSense6(true, 0, kCachingPage, 0, static_cast<uint8_t>(kAllocation));
  result = ExecuteSkippingAttentions(session, r);
  if (result.good()) return ParseCachingWce(result.data_in, false);
  return Status::Error("MODE SENSE of the Caching page on LUN " + std::to_string(lun) + ": (10) " +
                       ten_failed + "; (6) " + result.Describe());
}

}  // namespace harness::durability
