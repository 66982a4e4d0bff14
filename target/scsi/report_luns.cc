#include "target/scsi/report_luns.h"

#include <algorithm>
#include <cstring>

#include "target/scsi/byte_order.h"
#include "target/scsi/sense.h"

namespace reftarget::scsi {
namespace {

constexpr size_t kReportLunsCdbLength = 12;

ScsiResponse Failure(SenseReason reason, bool descriptor, uint16_t byte) {
  ScsiResponse r;
  r.status = ScsiStatus::kCheckCondition;
  r.sense = BuildSense(reason, descriptor, SenseDetail{FieldPointer{byte, -1, true}, {}});
  return r;
}

}  // namespace

std::array<uint8_t, 8> EncodeLun(uint64_t lun) {
  std::array<uint8_t, 8> out{};
  if (lun < 256) {
    out[1] = static_cast<uint8_t>(lun);  // peripheral device addressing, bus 0
  } else if (lun < 16384) {
    out[0] = static_cast<uint8_t>(0x40 | (lun >> 8));  // flat space addressing
    out[1] = static_cast<uint8_t>(lun);
  } else {
    out[0] = 0xD2;  // extended flat space addressing, 3-byte LUN
    Store24(&out[1], static_cast<uint32_t>(lun & 0xFFFFFF));
  }
  return out;
}

ScsiResponse ReportLunsResponse(const std::vector<uint8_t>& cdb, const std::vector<uint64_t>& luns,
                                bool descriptor_sense) {
  if (cdb.size() < kReportLunsCdbLength) {
    return Failure(SenseReason::kInvalidFieldInCdb, descriptor_sense, 0);
  }
  const uint8_t select_report = cdb[2];
  const uint32_t alloc = Load32(&cdb[6]);
  // SPC-4 REPORT LUNS: the ALLOCATION LENGTH must be at least 16 bytes.
  if (alloc < 16) return Failure(SenseReason::kInvalidFieldInCdb, descriptor_sense, 6);
  // SELECT REPORT 00h: logical units (no well-known LUs here); 01h: well-known LUs only
  // (none); 02h: all. Other values are reserved or name administrative LUs we lack.
  if (select_report > 0x02) return Failure(SenseReason::kInvalidFieldInCdb, descriptor_sense, 2);
  std::vector<uint64_t> listed;
  if (select_report != 0x01) {
    for (uint64_t lun : luns) {
      if (lun < (uint64_t{1} << 24)) listed.push_back(lun);
    }
  }
  std::sort(listed.begin(), listed.end());
  std::vector<uint8_t> data(8 + 8 * listed.size(), 0);
  Store32(&data[0], static_cast<uint32_t>(8 * listed.size()));  // LUN LIST LENGTH
  for (size_t i = 0; i < listed.size(); ++i) {
    auto enc = EncodeLun(listed[i]);
    std::memcpy(&data[8 + 8 * i], enc.data(), enc.size());
  }
  ScsiResponse r;
  const size_t n = std::min<size_t>(data.size(), alloc);
  r.data_in = IoBuffer(n);
  std::memcpy(r.data_in.data(), data.data(), n);
  r.data_in_length = static_cast<uint32_t>(n);
  r.cdb_transfer_length = static_cast<uint32_t>(n);
  return r;
}

}  // namespace reftarget::scsi
