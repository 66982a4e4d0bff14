#include "target/scsi/dispatcher.h"

#include <cstring>
#include <vector>

#include "target/scsi/opcode_table.h"
#include "target/scsi/report_luns.h"
#include "target/scsi/sense.h"
#include "target/scsi/spc_inquiry.h"

namespace reftarget::scsi {
namespace {

ScsiResponse CheckCondition(SenseReason reason, bool descriptor) {
  ScsiResponse r;
  r.status = ScsiStatus::kCheckCondition;
  r.sense = BuildSense(reason, descriptor);
  return r;
}

// SPC-4 REQUEST SENSE: sent to a LUN the nexus cannot reach completes GOOD and returns
// LOGICAL UNIT NOT SUPPORTED as its sense data.
ScsiResponse RequestSenseForUnmappedLun(const ScsiCommand& cmd) {
  if (cmd.cdb.size() < 6) return CheckCondition(SenseReason::kLogicalUnitNotSupported, false);
  const bool desc = (cmd.cdb[1] & 0x01) != 0;
  std::vector<uint8_t> sense = BuildSense(SenseReason::kLogicalUnitNotSupported, desc);
  size_t n = std::min<size_t>(sense.size(), cmd.cdb[4]);
  ScsiResponse r;
  r.data_in = IoBuffer(n);
  if (n > 0) std::memcpy(r.data_in.data(), sense.data(), n);
  r.data_in_length = static_cast<uint32_t>(n);
  r.cdb_transfer_length = static_cast<uint32_t>(n);
  return r;
}

}  // namespace

void ExecuteCommand(const LunMap& map, ScsiCommand cmd, ScsiCompletion done) {
  auto it = map.find(cmd.lun);
  const bool mapped = it != map.end() && it->second.unit != nullptr;
  const uint8_t op = cmd.cdb.empty() ? 0xFF : cmd.cdb[0];

  if (op == kOpReportLuns) {
    // Answered from the map: only the LUNs this nexus may see (S15), whatever LUN it was sent
    // to. A mapped unit's pending 3F/0E is what this report answers, so it is cleared.
    std::vector<uint64_t> luns;
    luns.reserve(map.size());
    for (const auto& [lun, m] : map) {
      if (m.unit) luns.push_back(lun);
    }
    const bool desc = mapped && it->second.unit->DescriptorSense();
    ScsiResponse r = ReportLunsResponse(cmd.cdb, luns, desc);
    // SAM-5 (REPORTED LUNS DATA HAS CHANGED): the report answers the change for every
    // logical unit the nexus reaches, so the condition is cleared on all of them; the
    // initiator sees one 3F/0E per change, not one per LUN.
    if (r.status == ScsiStatus::kGood) {
      for (const auto& [lun, m] : map) {
        if (m.unit) m.unit->ReportLunsExecuted(cmd.nexus);
      }
    }
    return done(std::move(r));
  }
  if (!mapped) {
    if (op == kOpInquiry) return done(InquiryForUnmappedLun(cmd));
    if (op == kOpRequestSense) return done(RequestSenseForUnmappedLun(cmd));
    return done(CheckCondition(SenseReason::kLogicalUnitNotSupported, false));
  }
  const MappedLun& m = it->second;
  m.unit->Execute(cmd.nexus, std::move(cmd), m.write_protect, std::move(done));
}

}  // namespace reftarget::scsi
