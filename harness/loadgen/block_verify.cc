#include "harness/loadgen/block_verify.h"

#include <algorithm>

namespace harness::loadgen {

const char* VerifyKindName(VerifyKind kind) {
  switch (kind) {
    case VerifyKind::kOk:
      return "ok";
    case VerifyKind::kSkipped:
      return "skipped";
    case VerifyKind::kCorrupt:
      return "corrupt";
    case VerifyKind::kMisdirected:
      return "misdirected";
    case VerifyKind::kStale:
      return "stale";
    case VerifyKind::kLost:
      return "lost";
    case VerifyKind::kUnknownGeneration:
      return "unknown generation";
    case VerifyKind::kForeign:
      return "foreign";
    case VerifyKind::kNotZero:
      return "not zero";
    case VerifyKind::kTornByRace:
      return "torn by a racing write";
  }
  return "?";
}

bool IsVerifyError(VerifyKind kind) {
  return kind != VerifyKind::kOk && kind != VerifyKind::kSkipped && kind != VerifyKind::kTornByRace;
}

VerifyKind ClassifyBlock(const DecodedBlock& block, const BlockIdentity& who,
                         const BlockExpectation& expect, bool assume_zeroed) {
  // Never acknowledged and nothing of ours in flight or unresolved: the block holds
  // whatever the LUN held before the run.
  const bool untouched = expect.lo == 0 && expect.hi == 0 && expect.now <= expect.after;
  switch (block.state) {
    case BlockState::kZero:
      // A write in flight or unresolved may not have landed: zeros stay acceptable until
      // one is acknowledged.
      return expect.lo == 0 ? VerifyKind::kOk : VerifyKind::kLost;
    case BlockState::kNoHeader:
      if (expect.lo == 0 && !assume_zeroed) return VerifyKind::kSkipped;
      return untouched ? VerifyKind::kNotZero : VerifyKind::kCorrupt;
    case BlockState::kBadChecksum: {
      if (untouched && !assume_zeroed) return VerifyKind::kSkipped;
      const BlockHeader& h = block.header;
      const bool raced = expect.hi > expect.lo || expect.now > expect.after;
      if (raced && h.run_id == who.run_id && h.lun == who.lun && h.lba == who.lba &&
          expect.Accepts(h.generation)) {
        return VerifyKind::kTornByRace;
      }
      return VerifyKind::kCorrupt;
    }
    case BlockState::kValid:
      break;
  }
  const BlockHeader& h = block.header;
  if (h.run_id != who.run_id) {
    if (expect.lo == 0 && !assume_zeroed) return VerifyKind::kSkipped;  // an older run's data
    return VerifyKind::kForeign;
  }
  if (h.lun != who.lun || h.lba != who.lba) return VerifyKind::kMisdirected;
  if (expect.Accepts(h.generation)) return VerifyKind::kOk;
  if (h.generation < expect.lo) return VerifyKind::kStale;
  return VerifyKind::kUnknownGeneration;
}

std::string VerifyError::Describe() const {
  std::string s = "LUN " + std::to_string(lun) + " LBA " + std::to_string(lba) + ": " +
                  VerifyKindName(kind) + ": ";
  if (found_state == BlockState::kValid || found_state == BlockState::kBadChecksum) {
    s += std::string(found_state == BlockState::kBadChecksum ? "bad checksum, header says " : "") +
         "LUN " + std::to_string(found.lun) + " LBA " + std::to_string(found.lba) + " generation " +
         std::to_string(found.generation) + " by session " + std::to_string(found.writer) +
         " run " + std::to_string(found.run_id);
  } else {
    s += BlockStateName(found_state);
  }
  s += "; expected generation ";
  if (expected_lo == expected_hi) {
    s += expected_lo == 0 ? "0 (zeros)" : std::to_string(expected_lo);
  } else {
    s += std::to_string(expected_lo) + ".." + std::to_string(expected_hi);
  }
  if (session >= 0) s += " (read by session " + std::to_string(session) + ")";
  return s;
}

uint64_t VerifyBlocks(std::span<const uint8_t> data, uint32_t block_size, uint16_t lun,
                      uint64_t first_lba, uint32_t run_id,
                      const std::vector<BlockExpectation>& expectations, bool assume_zeroed,
                      std::vector<VerifyError>* errors) {
  uint64_t checked = 0;
  for (size_t i = 0; i < expectations.size(); ++i) {
    const size_t off = i * block_size;
    if (off + block_size > data.size()) break;  // short read: the caller reports it
    const DecodedBlock block = DecodeBlock(data.subspan(off, block_size));
    const BlockIdentity who{lun, first_lba + i, run_id};
    const VerifyKind kind = ClassifyBlock(block, who, expectations[i], assume_zeroed);
    if (kind == VerifyKind::kSkipped) continue;
    ++checked;
    if (!IsVerifyError(kind)) continue;
    VerifyError e;
    e.kind = kind;
    e.lun = lun;
    e.lba = who.lba;
    e.expected_lo = expectations[i].lo;
    e.expected_hi = std::max(expectations[i].hi, expectations[i].now);
    e.found_state = block.state;
    e.found = block.header;
    errors->push_back(e);
  }
  return checked;
}

}  // namespace harness::loadgen
