#include "harness/iscsi/cdb.h"

#include <algorithm>
#include <cstdio>

namespace harness::iscsi {

Cdb Cdb::Raw(std::span<const uint8_t> bytes) {
  Cdb cdb;
  cdb.size_ = std::min(bytes.size(), kMaxSize);
  std::copy_n(bytes.begin(), cdb.size_, cdb.bytes_.begin());
  return cdb;
}

Cdb Cdb::Raw(std::initializer_list<uint8_t> bytes) {
  return Raw(std::span<const uint8_t>(bytes.begin(), bytes.size()));
}

Cdb Cdb::Zeroed(uint8_t opcode, size_t size) {
  Cdb cdb;
  cdb.size_ = std::clamp<size_t>(size, 1, kMaxSize);
  cdb.bytes_[0] = opcode;
  return cdb;
}

void Cdb::Put16(size_t offset, uint16_t v) {
  bytes_[offset] = static_cast<uint8_t>(v >> 8);
  bytes_[offset + 1] = static_cast<uint8_t>(v);
}

void Cdb::Put24(size_t offset, uint32_t v) {
  bytes_[offset] = static_cast<uint8_t>(v >> 16);
  bytes_[offset + 1] = static_cast<uint8_t>(v >> 8);
  bytes_[offset + 2] = static_cast<uint8_t>(v);
}

void Cdb::Put32(size_t offset, uint32_t v) {
  Put16(offset, static_cast<uint16_t>(v >> 16));
  Put16(offset + 2, static_cast<uint16_t>(v));
}

void Cdb::Put64(size_t offset, uint64_t v) {
  Put32(offset, static_cast<uint32_t>(v >> 32));
  Put32(offset + 4, static_cast<uint32_t>(v));
}

bool Cdb::operator==(const Cdb& other) const {
  return size_ == other.size_ && std::equal(bytes().begin(), bytes().end(), other.bytes().begin());
}

std::string Cdb::Hex() const { return HexBytes(bytes(), kMaxSize); }

std::string Cdb::Name() const {
  if (size_ == 0) return "empty CDB";
  switch (bytes_[0]) {
    case opcode::kTestUnitReady: return "TEST UNIT READY";
    case opcode::kRequestSense: return "REQUEST SENSE";
    case opcode::kInquiry: return (bytes_[1] & 0x01) ? "INQUIRY (VPD)" : "INQUIRY";
    case opcode::kModeSense6: return "MODE SENSE(6)";
    case opcode::kStartStopUnit: return "START STOP UNIT";
    case opcode::kReadCapacity10: return "READ CAPACITY(10)";
    case opcode::kRead10: return "READ(10)";
    case opcode::kWrite10: return "WRITE(10)";
    case opcode::kVerify10: return "VERIFY(10)";
    case opcode::kSynchronizeCache10: return "SYNCHRONIZE CACHE(10)";
    case opcode::kUnmap: return "UNMAP";
    case opcode::kModeSense10: return "MODE SENSE(10)";
    case opcode::kRead16: return "READ(16)";
    case opcode::kCompareAndWrite: return "COMPARE AND WRITE";
    case opcode::kWrite16: return "WRITE(16)";
    case opcode::kVerify16: return "VERIFY(16)";
    case opcode::kSynchronizeCache16: return "SYNCHRONIZE CACHE(16)";
    case opcode::kWriteSame16: return "WRITE SAME(16)";
    case opcode::kServiceActionIn16:
      return size_ > 1 && (bytes_[1] & 0x1f) == 0x10 ? "READ CAPACITY(16)" : "SERVICE ACTION IN(16)";
    case opcode::kReportLuns: return "REPORT LUNS";
    case opcode::kMaintenanceIn:
      return size_ > 1 && (bytes_[1] & 0x1f) == 0x0c ? "REPORT SUPPORTED OPERATION CODES"
                                                      : "MAINTENANCE IN";
    case 0x08: return "READ(6)";
    case 0x0a: return "WRITE(6)";
    case 0x15: return "MODE SELECT(6)";
    case 0x55: return "MODE SELECT(10)";
    case 0x41: return "WRITE SAME(10)";
    case 0x5e: return "PERSISTENT RESERVE IN";
    case 0x5f: return "PERSISTENT RESERVE OUT";
    case 0x83: return "EXTENDED COPY";
    case 0xa8: return "READ(12)";
    case 0xaa: return "WRITE(12)";
    default: break;
  }
  char buf[24];
  std::snprintf(buf, sizeof(buf), "opcode 0x%02x", bytes_[0]);
  return buf;
}

namespace cdb {
namespace {

uint8_t RwByte1(const RwFlags& f, bool with_fua) {
  return static_cast<uint8_t>(((f.protect & 0x07) << 5) | (f.dpo ? 0x10 : 0) |
                              (with_fua && f.fua ? 0x08 : 0));
}

}  // namespace

Cdb TestUnitReady() { return Cdb::Zeroed(opcode::kTestUnitReady, 6); }

Cdb Inquiry(bool evpd, uint8_t page_code, uint16_t allocation_length) {
  Cdb c = Cdb::Zeroed(opcode::kInquiry, 6);
  c[1] = evpd ? 0x01 : 0x00;
  c[2] = page_code;
  c.Put16(3, allocation_length);
  return c;
}

Cdb ReadCapacity10(uint32_t lba, bool pmi) {
  Cdb c = Cdb::Zeroed(opcode::kReadCapacity10, 10);
  c.Put32(2, lba);
  c[8] = pmi ? 0x01 : 0x00;
  return c;
}

Cdb ReadCapacity16(uint32_t allocation_length) {
  Cdb c = Cdb::Zeroed(opcode::kServiceActionIn16, 16);
  c[1] = 0x10;  // SERVICE ACTION: READ CAPACITY (16)
  c.Put32(10, allocation_length);
  return c;
}

Cdb Read10(uint32_t lba, uint16_t blocks, RwFlags flags) {
  Cdb c = Cdb::Zeroed(opcode::kRead10, 10);
  c[1] = RwByte1(flags, true);
  c.Put32(2, lba);
  c[6] = flags.group & 0x1f;
  c.Put16(7, blocks);
  return c;
}

Cdb Read16(uint64_t lba, uint32_t blocks, RwFlags flags) {
  Cdb c = Cdb::Zeroed(opcode::kRead16, 16);
  c[1] = RwByte1(flags, true);
  c.Put64(2, lba);
  c.Put32(10, blocks);
  c[14] = flags.group & 0x1f;
  return c;
}

Cdb Write10(uint32_t lba, uint16_t blocks, RwFlags flags) {
  Cdb c = Read10(lba, blocks, flags);
  c[0] = opcode::kWrite10;
  return c;
}

Cdb Write16(uint64_t lba, uint32_t blocks, RwFlags flags) {
  Cdb c = Read16(lba, blocks, flags);
  c[0] = opcode::kWrite16;
  return c;
}

Cdb ReportLuns(uint8_t select_report, uint32_t allocation_length) {
  Cdb c = Cdb::Zeroed(opcode::kReportLuns, 12);
  c[2] = select_report;
  c.Put32(6, allocation_length);
  return c;
}

Cdb SynchronizeCache10(uint32_t lba, uint16_t blocks, bool immed) {
  Cdb c = Cdb::Zeroed(opcode::kSynchronizeCache10, 10);
  c[1] = immed ? 0x02 : 0x00;
  c.Put32(2, lba);
  c.Put16(7, blocks);
  return c;
}

Cdb SynchronizeCache16(uint64_t lba, uint32_t blocks, bool immed) {
  Cdb c = Cdb::Zeroed(opcode::kSynchronizeCache16, 16);
  c[1] = immed ? 0x02 : 0x00;
  c.Put64(2, lba);
  c.Put32(10, blocks);
  return c;
}

Cdb ModeSense6(bool dbd, uint8_t pc, uint8_t page_code, uint8_t subpage,
               uint8_t allocation_length) {
  Cdb c = Cdb::Zeroed(opcode::kModeSense6, 6);
  c[1] = dbd ? 0x08 : 0x00;
  c[2] = static_cast<uint8_t>(((pc & 0x03) << 6) | (page_code & 0x3f));
  c[3] = subpage;
  c[4] = allocation_length;
  return c;
}

Cdb ModeSense10(bool llbaa, bool dbd, uint8_t pc, uint8_t page_code, uint8_t subpage,
                uint16_t allocation_length) {
  Cdb c = Cdb::Zeroed(opcode::kModeSense10, 10);
  c[1] = static_cast<uint8_t>((llbaa ? 0x10 : 0x00) | (dbd ? 0x08 : 0x00));
  c[2] = static_cast<uint8_t>(((pc & 0x03) << 6) | (page_code & 0x3f));
  c[3] = subpage;
  c.Put16(7, allocation_length);
  return c;
}

Cdb WriteSame16(uint64_t lba, uint32_t blocks, WriteSameFlags flags) {
  Cdb c = Cdb::Zeroed(opcode::kWriteSame16, 16);
  c[1] = static_cast<uint8_t>(((flags.wrprotect & 0x07) << 5) | (flags.anchor ? 0x10 : 0) |
                              (flags.unmap ? 0x08 : 0) | (flags.ndob ? 0x01 : 0));
  c.Put64(2, lba);
  c.Put32(10, blocks);
  c[14] = flags.group & 0x1f;
  return c;
}

Cdb Unmap(uint16_t parameter_list_length, bool anchor, uint8_t group) {
  Cdb c = Cdb::Zeroed(opcode::kUnmap, 10);
  c[1] = anchor ? 0x01 : 0x00;
  c[6] = group & 0x1f;
  c.Put16(7, parameter_list_length);
  return c;
}

std::vector<uint8_t> UnmapParameterList(std::span<const UnmapExtent> extents) {
  const size_t descriptors = extents.size() * 16;
  std::vector<uint8_t> out(8 + descriptors, 0);
  auto put = [&out](size_t at, uint64_t v, int bytes) {
    for (int i = bytes - 1; i >= 0; --i) {
      out[at + static_cast<size_t>(i)] = static_cast<uint8_t>(v);
      v >>= 8;
    }
  };
  put(0, out.size() - 2, 2);  // UNMAP DATA LENGTH: the bytes that follow it
  put(2, descriptors, 2);     // UNMAP BLOCK DESCRIPTOR DATA LENGTH
  size_t at = 8;
  for (const UnmapExtent& e : extents) {
    put(at, e.lba, 8);
    put(at + 8, e.blocks, 4);
    at += 16;
  }
  return out;
}

Cdb RequestSense(bool desc, uint8_t allocation_length) {
  Cdb c = Cdb::Zeroed(opcode::kRequestSense, 6);
  c[1] = desc ? 0x01 : 0x00;
  c[4] = allocation_length;
  return c;
}

Cdb ReportSupportedOpcodes(bool rctd, uint8_t reporting_options, uint8_t requested_opcode,
                           uint16_t requested_service_action, uint32_t allocation_length) {
  Cdb c = Cdb::Zeroed(opcode::kMaintenanceIn, 12);
  c[1] = 0x0c;  // SERVICE ACTION: REPORT SUPPORTED OPERATION CODES
  c[2] = static_cast<uint8_t>((rctd ? 0x80 : 0x00) | (reporting_options & 0x07));
  c[3] = requested_opcode;
  c.Put16(4, requested_service_action);
  c.Put32(6, allocation_length);
  return c;
}

Cdb Verify10(uint32_t lba, uint16_t blocks, uint8_t bytchk, RwFlags flags) {
  Cdb c = Cdb::Zeroed(opcode::kVerify10, 10);
  c[1] = static_cast<uint8_t>(RwByte1(flags, false) | ((bytchk & 0x03) << 1));
  c.Put32(2, lba);
  c[6] = flags.group & 0x1f;
  c.Put16(7, blocks);
  return c;
}

Cdb Verify16(uint64_t lba, uint32_t blocks, uint8_t bytchk, RwFlags flags) {
  Cdb c = Cdb::Zeroed(opcode::kVerify16, 16);
  c[1] = static_cast<uint8_t>(RwByte1(flags, false) | ((bytchk & 0x03) << 1));
  c.Put64(2, lba);
  c.Put32(10, blocks);
  c[14] = flags.group & 0x1f;
  return c;
}

Cdb CompareAndWrite(uint64_t lba, uint8_t blocks, RwFlags flags) {
  Cdb c = Cdb::Zeroed(opcode::kCompareAndWrite, 16);
  c[1] = RwByte1(flags, true);
  c.Put64(2, lba);
  c[13] = blocks;
  c[14] = flags.group & 0x1f;
  return c;
}

Cdb StartStopUnit(StartStopFlags flags) {
  Cdb c = Cdb::Zeroed(opcode::kStartStopUnit, 6);
  c[1] = flags.immed ? 0x01 : 0x00;
  c[3] = flags.power_condition_modifier & 0x0f;
  c[4] = static_cast<uint8_t>(((flags.power_condition & 0x0f) << 4) | (flags.no_flush ? 0x04 : 0) |
                              (flags.loej ? 0x02 : 0) | (flags.start ? 0x01 : 0));
  return c;
}

}  // namespace cdb

std::string HexBytes(std::span<const uint8_t> bytes, size_t max_bytes) {
  std::string out;
  const size_t n = std::min(bytes.size(), max_bytes);
  out.reserve(n * 3 + 4);
  char buf[4];
  for (size_t i = 0; i < n; ++i) {
    std::snprintf(buf, sizeof(buf), "%02x", bytes[i]);
    if (i != 0) out.push_back(' ');
    out += buf;
  }
  if (bytes.size() > n) out += " ...";
  return out;
}

}  // namespace harness::iscsi
