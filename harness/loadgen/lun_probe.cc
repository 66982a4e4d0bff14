#include "harness/loadgen/lun_probe.h"

#include "harness/iscsi/cdb.h"

namespace harness::loadgen {
namespace {

constexpr int kMaxUnitAttentions = 8;

// Runs `request` until it is not a unit attention (at most kMaxUnitAttentions times).
iscsi::CommandResult ExecuteThroughUas(iscsi::Session& session,
                                       const iscsi::CommandRequest& request, int* unit_attentions) {
  iscsi::CommandResult r;
  for (int i = 0; i <= kMaxUnitAttentions; ++i) {
    r = session.Execute(request);
    if (!r.unit_attention()) break;
    if (unit_attentions != nullptr) ++*unit_attentions;
  }
  return r;
}

}  // namespace

Result<LunCapacity> ReadCapacity(iscsi::Session& session, int lun,
                                 std::chrono::milliseconds limit) {
  iscsi::CommandRequest req;
  req.cdb = iscsi::cdb::ReadCapacity16(32);
  req.direction = iscsi::DataDirection::kRead;
  req.data_in_length = 32;
  req.lun = lun;
  req.limit = limit;
  const iscsi::CommandResult r = ExecuteThroughUas(session, req, nullptr);
  if (!r.good()) return Status::Error("LUN " + std::to_string(lun) + ": " + r.Describe());
  // SBC-3 Table 65: bytes 0-7 RETURNED LOGICAL BLOCK ADDRESS, 8-11 LOGICAL BLOCK LENGTH.
  if (r.data_in.size() < 12) {
    return Status::Error("LUN " + std::to_string(lun) + ": READ CAPACITY(16) returned " +
                         std::to_string(r.data_in.size()) + " bytes, fewer than 12");
  }
  uint64_t last = 0;
  for (int i = 0; i < 8; ++i) last = (last << 8) | r.data_in[i];
  uint32_t block = 0;
  for (int i = 8; i < 12; ++i) block = (block << 8) | r.data_in[i];
  if (last == UINT64_MAX) {
    return Status::Error("LUN " + std::to_string(lun) + ": READ CAPACITY(16) last LBA is 2^64-1");
  }
  return LunCapacity{last + 1, block};
}

Status ClearUnitAttentions(iscsi::Session& session, int lun, std::chrono::milliseconds limit,
                           int* unit_attentions) {
  iscsi::CommandRequest req;
  req.cdb = iscsi::cdb::TestUnitReady();
  req.lun = lun;
  req.limit = limit;
  const iscsi::CommandResult r = ExecuteThroughUas(session, req, unit_attentions);
  if (!r.good()) return Status::Error("LUN " + std::to_string(lun) + " not ready: " + r.Describe());
  return Status::Ok();
}

}  // namespace harness::loadgen
