#include "harness/rawpdu/pdu_mutator.h"

#include <algorithm>

#include "harness/rawpdu/iscsi_pdu.h"

namespace harness::rawpdu {
namespace {

constexpr uint32_t kMaxClaim = 16u << 20;

void SetLunField(uint8_t* bhs, uint32_t lun) {
  std::fill(bhs + 8, bhs + 16, 0);
  bhs[9] = static_cast<uint8_t>(lun);
}

}  // namespace

void ConfineBhs(uint8_t* bhs, uint32_t sandbox_lun) {
  const uint8_t op = bhs[0] & 0x3f;
  if (op == kOpScsiCommand || op == kOpTaskMgmt || op == kOpDataOut || op == kOpSnack ||
      op == kOpNopOut) {
    SetLunField(bhs, sandbox_lun);
  }
  if (op == kOpTaskMgmt) {
    const uint8_t function = bhs[1] & 0x7f;
    // RFC 7143 §11.5.1: 6 TARGET WARM RESET, 7 TARGET COLD RESET reach every LUN and
    // session; a target may honour them, so they would make the verifier's errors legal.
    if (function == 6 || function == 7) bhs[1] = static_cast<uint8_t>((bhs[1] & 0x80) | 1);
  }
  if (op == kOpScsiCommand && bhs[32] == 0x83) bhs[32] = 0x00;  // no copy into other LUNs
}

uint64_t PduMutator::Uniform(uint64_t lo, uint64_t hi) {
  return std::uniform_int_distribution<uint64_t>(lo, hi)(rng_);
}

std::vector<uint8_t> PduMutator::RandomIsid() {
  std::vector<uint8_t> isid(6);
  for (auto& b : isid) b = static_cast<uint8_t>(Uniform(0, 255));
  isid[0] = static_cast<uint8_t>(0x80 | (isid[0] & 0x3f));
  return isid;
}

std::vector<uint8_t> PduMutator::RandomBytes(size_t max_len) {
  std::vector<uint8_t> out(Uniform(1, max_len));
  for (auto& b : out) b = static_cast<uint8_t>(Uniform(0, 255));
  return out;
}

MutatedPdu PduMutator::HostilePreLogin() {
  MutatedPdu m;
  m.kind = "prelogin";
  Pdu p;
  p.bhs[0] = static_cast<uint8_t>(Uniform(0, 3) == 0 ? Uniform(0, 255) : (kOpLoginRequest | 0x40));
  p.bhs[1] = static_cast<uint8_t>(Uniform(0, 255));
  p.bhs[2] = static_cast<uint8_t>(Uniform(0, 255));
  p.bhs[3] = static_cast<uint8_t>(Uniform(0, 255));
  for (size_t i = 8; i < kBhsLength; ++i) p.bhs[i] = static_cast<uint8_t>(Uniform(0, 255));
  std::vector<uint8_t> bytes = SerializePdu(p, false, false);
  bytes[4] = static_cast<uint8_t>(Uniform(0, 255));  // TotalAHSLength
  const uint32_t claim = static_cast<uint32_t>(Uniform(0, 2) == 0 ? kMaxClaim - Uniform(0, 16)
                                                                  : Uniform(0, kMaxClaim));
  bytes[5] = static_cast<uint8_t>(claim >> 16);
  bytes[6] = static_cast<uint8_t>(claim >> 8);
  bytes[7] = static_cast<uint8_t>(claim);
  std::vector<uint8_t> tail = RandomBytes(512);
  bytes.insert(bytes.end(), tail.begin(), tail.end());
  m.bytes = std::move(bytes);
  m.ends_connection = true;
  return m;
}

std::vector<uint8_t> PduMutator::Template(uint32_t cmd_sn, uint32_t exp_stat_sn,
                                          std::string* kind) {
  Pdu p;
  p.Set32(16, static_cast<uint32_t>(Uniform(1, 0xfffffffe)));  // ITT
  p.Set32(24, cmd_sn);
  p.Set32(28, exp_stat_sn);
  p.SetLun(sandbox_lun_);
  switch (Uniform(0, 7)) {
    case 0:
      *kind = "nop-out";
      p.bhs[0] = kOpNopOut | kImmediateBit;
      p.bhs[1] = 0x80;
      p.Set32(20, kReservedTag);
      p.data.resize(Uniform(0, 64), 0x4e);
      break;
    case 1:
    case 2: {
      *kind = "scsi-cmd";
      p.bhs[0] = kOpScsiCommand;
      static const uint8_t kCdbs[] = {0x00, 0x12, 0x25, 0x28, 0x2a, 0x88, 0x8a, 0x9e,
                                      0x1a, 0x5a, 0xa0, 0x35, 0x42, 0x93, 0x2f, 0x41};
      p.bhs[32] = Uniform(0, 3) == 0 ? static_cast<uint8_t>(Uniform(0, 255))
                                     : kCdbs[Uniform(0, sizeof(kCdbs) - 1)];
      for (size_t i = 33; i < 48; ++i) {
        p.bhs[i] = Uniform(0, 1) ? 0 : static_cast<uint8_t>(Uniform(0, 255));
      }
      const bool write = Uniform(0, 1) == 1;
      p.bhs[1] = static_cast<uint8_t>(0x80 | (write ? 0x20 : 0x40) | Uniform(0, 7));
      p.Set32(20, static_cast<uint32_t>(Uniform(0, 3) == 0 ? Uniform(0, 0xffffffff)
                                                           : Uniform(0, 65536)));
      if (write) p.data.resize(Uniform(0, 8192), 0x57);
      break;
    }
    case 3:
      *kind = "tmf";
      p.bhs[0] = kOpTaskMgmt | kImmediateBit;
      p.bhs[1] = static_cast<uint8_t>(0x80 | Uniform(1, 14));
      p.Set32(20, static_cast<uint32_t>(Uniform(0, 0xffffffff)));  // RTT
      p.Set32(32, static_cast<uint32_t>(cmd_sn - Uniform(0, 4)));  // RefCmdSN
      break;
    case 4:
      *kind = "text";
      p.bhs[0] = kOpTextRequest | kImmediateBit;
      p.bhs[1] = static_cast<uint8_t>(Uniform(0, 1) ? 0x80 : 0x40);  // final or continue
      p.Set32(20, Uniform(0, 1) ? kReservedTag : static_cast<uint32_t>(Uniform(0, 100)));
      p.data = EncodeKeys(Uniform(0, 1) ? KeyValues{{"SendTargets", "All"}}
                                        : KeyValues{{std::string(Uniform(1, 80), 'K'),
                                                     std::string(Uniform(0, 300), 'v')}});
      break;
    case 5:
      *kind = "data-out";
      p.bhs[0] = kOpDataOut;
      p.bhs[1] = Uniform(0, 1) ? 0x80 : 0;
      p.Set32(20, static_cast<uint32_t>(Uniform(0, 0xffffffff)));  // TTT
      p.Set32(36, static_cast<uint32_t>(Uniform(0, 3)));           // DataSN
      p.Set32(40, static_cast<uint32_t>(Uniform(0, 1 << 20)));     // offset
      p.data.resize(Uniform(1, 8192), 0x44);
      break;
    case 6:
      *kind = "snack";
      p.bhs[0] = kOpSnack;
      p.bhs[1] = static_cast<uint8_t>(0x80 | Uniform(0, 3));
      p.Set32(40, static_cast<uint32_t>(Uniform(0, 10)));
      p.Set32(44, static_cast<uint32_t>(Uniform(0, 10)));
      break;
    default:
      *kind = "random-opcode";
      p.bhs[0] = static_cast<uint8_t>(Uniform(0, 63) | (Uniform(0, 1) ? kImmediateBit : 0));
      for (size_t i = 1; i < kBhsLength; ++i) {
        if (i == 4 || (i >= 5 && i <= 7) || (i >= 24 && i <= 31)) continue;
        p.bhs[i] = static_cast<uint8_t>(Uniform(0, 255));
      }
      p.data.resize(Uniform(0, 1024), 0x52);
      break;
  }
  return SerializePdu(p, false, false);
}

MutatedPdu PduMutator::NextFfpPdu(uint32_t cmd_sn, uint32_t exp_stat_sn) {
  MutatedPdu m;
  m.bytes = Template(cmd_sn, exp_stat_sn, &m.kind);
  const uint64_t mutation = Uniform(0, 9);
  switch (mutation) {
    case 0:  // flags
      m.kind += "/flags";
      m.bytes[1] = static_cast<uint8_t>(Uniform(0, 255));
      break;
    case 1:  // opcode
      m.kind += "/opcode";
      m.bytes[0] = static_cast<uint8_t>((m.bytes[0] & 0x40) | Uniform(0, 63));
      break;
    case 2:  // AHS length that the bytes do not back
      m.kind += "/ahs-length";
      m.bytes[4] = static_cast<uint8_t>(Uniform(1, 255));
      m.ends_connection = true;
      break;
    case 3: {  // DataSegmentLength claim up to 16 MiB
      m.kind += "/dsl-claim";
      const uint32_t claim = static_cast<uint32_t>(Uniform(0, kMaxClaim));
      m.bytes[5] = static_cast<uint8_t>(claim >> 16);
      m.bytes[6] = static_cast<uint8_t>(claim >> 8);
      m.bytes[7] = static_cast<uint8_t>(claim);
      m.ends_connection = true;
      break;
    }
    case 4:  // truncated
      m.kind += "/truncated";
      m.bytes.resize(Uniform(1, m.bytes.size() - 1));
      m.ends_connection = true;
      break;
    case 5:  // random bytes anywhere in the header (lengths kept)
      m.kind += "/header-bytes";
      for (int i = 0; i < 4; ++i) {
        size_t at = Uniform(8, kBhsLength - 1);
        m.bytes[at] = static_cast<uint8_t>(Uniform(0, 255));
      }
      break;
    case 6:  // sequence numbers
      m.kind += "/sn";
      for (size_t i = 24; i < 32; ++i) m.bytes[i] = static_cast<uint8_t>(Uniform(0, 255));
      break;
    default:
      m.kind += "/none";
      break;
  }
  if (m.bytes.size() >= kBhsLength) Confine(&m.bytes);
  return m;
}

void PduMutator::Confine(std::vector<uint8_t>* bytes) const {
  ConfineBhs(bytes->data(), sandbox_lun_);
}

}  // namespace harness::rawpdu
