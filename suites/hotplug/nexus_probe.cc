#include "suites/hotplug/nexus_probe.h"

#include "harness/iscsi/cdb.h"

namespace harness::hotplug {
namespace {

// REPORT LUNS allocation length: room for 2047 LUNs, more than any target here exports.
constexpr uint32_t kReportLunsBytes = 16384;

std::string Answer(const iscsi::CommandResult& r) { return r.Describe(); }

uint64_t Be64(const std::vector<uint8_t>& d, size_t at) {
  uint64_t v = 0;
  for (size_t i = 0; i < 8; ++i) v = v << 8 | d[at + i];
  return v;
}

}  // namespace

uint8_t PatternByte(uint32_t seed, uint64_t lba, uint32_t offset) {
  // A cheap mix (splitmix64's finaliser) so that a block from another LBA, another seed or
  // another offset never matches by accident.
  uint64_t x = (uint64_t{seed} << 32) ^ (lba * 0x9e3779b97f4a7c15ull) ^ (offset / 8);
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  x ^= x >> 31;
  return static_cast<uint8_t>(x >> (8 * (offset % 8)));
}

iscsi::CommandResult ExecuteThroughAttentions(iscsi::Session& session,
                                              const iscsi::CommandRequest& request,
                                              std::vector<std::string>* attentions) {
  iscsi::CommandResult r;
  for (int attempt = 0; attempt < kMaxProbeAttempts; ++attempt) {
    r = session.Execute(request);
    if (!r.unit_attention()) return r;
    if (attentions != nullptr) attentions->push_back(r.decoded.Triple());
  }
  return r;
}

Result<std::set<int>> ReportLuns(iscsi::Session& session, int lun,
                                 std::chrono::milliseconds limit) {
  iscsi::CommandRequest req;
  req.cdb = iscsi::cdb::ReportLuns(0, kReportLunsBytes);
  req.direction = iscsi::DataDirection::kRead;
  req.data_in_length = kReportLunsBytes;
  req.lun = lun;
  req.limit = limit;
  // SPC-4 §6.33: REPORT LUNS is processed despite a pending unit attention, so no retry.
  const iscsi::CommandResult r = session.Execute(req);
  if (!r.good())
    return Status::Error("REPORT LUNS to LUN " + std::to_string(lun) + ": " + Answer(r));
  return ParseReportLuns(r.data_in);
}

NexusProbe ProbeNexus(iscsi::Session& session, int lun, std::chrono::milliseconds limit) {
  NexusProbe probe;
  iscsi::CommandRequest tur;
  tur.cdb = iscsi::cdb::TestUnitReady();
  tur.lun = lun;
  tur.limit = limit;
  for (int attempt = 0; attempt < kMaxProbeAttempts; ++attempt) {
    const iscsi::CommandResult r = session.Execute(tur);
    if (r.good()) {
      probe.tur_good = true;
      break;
    }
    if (r.outcome == iscsi::Outcome::kCompleted &&
        r.status == iscsi::scsi_status::kCheckCondition) {
      probe.tur_senses.push_back(r.decoded.Triple());
      // A CHECK CONDITION that is not a unit attention will not clear by asking again.
      if (r.decoded.key != iscsi::sense_key::kUnitAttention) break;
      continue;
    }
    probe.tur_problem = Answer(r);
    break;
  }
  Result<std::set<int>> luns = ReportLuns(session, lun, limit);
  probe.report_ok = luns.ok();
  if (luns.ok()) {
    probe.reported = luns.value();
  } else {
    probe.report_problem = luns.error();
  }
  return probe;
}

Result<Capacity> ReadCapacity(iscsi::Session& session, int lun, std::chrono::milliseconds limit,
                              std::vector<std::string>* attentions) {
  iscsi::CommandRequest req;
  req.cdb = iscsi::cdb::ReadCapacity16(32);
  req.direction = iscsi::DataDirection::kRead;
  req.data_in_length = 32;
  req.lun = lun;
  req.limit = limit;
  const iscsi::CommandResult r = ExecuteThroughAttentions(session, req, attentions);
  if (!r.good()) {
    return Status::Error("READ CAPACITY(16) to LUN " + std::to_string(lun) + ": " + Answer(r));
  }
  if (r.data_in.size() < 12) {
    return Status::Error("READ CAPACITY(16) to LUN " + std::to_string(lun) + ": " +
                         std::to_string(r.data_in.size()) +
                         " bytes of parameter data, fewer than 12");
  }
  Capacity c;
  c.blocks = Be64(r.data_in, 0) + 1;
  c.block_size = static_cast<uint32_t>(r.data_in[8]) << 24 | r.data_in[9] << 16 |
                 r.data_in[10] << 8 | r.data_in[11];
  if (c.block_size == 0 || c.block_size > (1u << 20)) {
    return Status::Error("READ CAPACITY(16) to LUN " + std::to_string(lun) +
                         ": LOGICAL BLOCK LENGTH IN BYTES " + std::to_string(c.block_size));
  }
  return c;
}

Status WritePattern(iscsi::Session& session, int lun, const Capacity& geometry, uint64_t lba,
                    uint32_t blocks, uint32_t seed, std::chrono::milliseconds limit,
                    std::vector<std::string>* attentions) {
  if (lba + blocks > geometry.blocks) {
    return Status::Error("LUN " + std::to_string(lun) + ": LBA " + std::to_string(lba) + " + " +
                         std::to_string(blocks) + " blocks is past its " +
                         std::to_string(geometry.blocks) + " blocks");
  }
  iscsi::CommandRequest req;
  req.cdb = iscsi::cdb::Write16(lba, blocks);
  req.direction = iscsi::DataDirection::kWrite;
  req.data_out.resize(static_cast<size_t>(blocks) * geometry.block_size);
  for (uint32_t b = 0; b < blocks; ++b) {
    for (uint32_t i = 0; i < geometry.block_size; ++i) {
      req.data_out[static_cast<size_t>(b) * geometry.block_size + i] =
          PatternByte(seed, lba + b, i);
    }
  }
  req.lun = lun;
  req.limit = limit;
  const iscsi::CommandResult r = ExecuteThroughAttentions(session, req, attentions);
  if (r.good()) return Status::Ok();
  return Status::Error("WRITE(16) LUN " + std::to_string(lun) + " LBA " + std::to_string(lba) +
                       ": " + Answer(r));
}

Status CheckPattern(iscsi::Session& session, int lun, const Capacity& geometry, uint64_t lba,
                    uint32_t blocks, uint32_t seed, std::chrono::milliseconds limit,
                    std::vector<std::string>* attentions) {
  iscsi::CommandRequest req;
  req.cdb = iscsi::cdb::Read16(lba, blocks);
  req.direction = iscsi::DataDirection::kRead;
  req.data_in_length = blocks * geometry.block_size;
  req.lun = lun;
  req.limit = limit;
  const iscsi::CommandResult r = ExecuteThroughAttentions(session, req, attentions);
  if (!r.good()) {
    return Status::Error("READ(16) LUN " + std::to_string(lun) + " LBA " + std::to_string(lba) +
                         ": " + Answer(r));
  }
  if (r.data_in.size() != req.data_in_length) {
    return Status::Error("READ(16) LUN " + std::to_string(lun) + " LBA " + std::to_string(lba) +
                         ": " + std::to_string(r.data_in.size()) + " bytes, expected " +
                         std::to_string(req.data_in_length));
  }
  for (uint32_t b = 0; b < blocks; ++b) {
    for (uint32_t i = 0; i < geometry.block_size; ++i) {
      const uint8_t got = r.data_in[static_cast<size_t>(b) * geometry.block_size + i];
      if (got != PatternByte(seed, lba + b, i)) {
        return Status::Error("LUN " + std::to_string(lun) + " LBA " + std::to_string(lba + b) +
                             " byte " + std::to_string(i) + " differs from what was written");
      }
    }
  }
  return Status::Ok();
}

}  // namespace harness::hotplug
