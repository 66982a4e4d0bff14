// INQUIRY: standard data and the VPD pages 00h, 80h, 83h, B0h, B1h, B2h (SPC-4 INQUIRY
// and VPD pages; SBC-3 VPD pages).
#include "target/scsi/spc_inquiry.h"

#include <algorithm>
#include <cstring>

#include "target/scsi/byte_order.h"
#include "target/scsi/handlers.h"
#include "target/scsi/sbc_common.h"

namespace reftarget::scsi {
namespace {

constexpr uint8_t kVpdSupportedPages = 0x00;
constexpr uint8_t kVpdUnitSerial = 0x80;
constexpr uint8_t kVpdDeviceIdentification = 0x83;
constexpr uint8_t kVpdBlockLimits = 0xB0;
constexpr uint8_t kVpdBlockDeviceCharacteristics = 0xB1;
constexpr uint8_t kVpdLogicalBlockProvisioning = 0xB2;

constexpr uint8_t kSupportedVpdPages[] = {kVpdSupportedPages,
                                          kVpdUnitSerial,
                                          kVpdDeviceIdentification,
                                          kVpdBlockLimits,
                                          kVpdBlockDeviceCharacteristics,
                                          kVpdLogicalBlockProvisioning};

// Version descriptors (SPC-4 table 144): SAM-5, iSCSI, SPC-4, SBC-3. libiscsi's test-tool
// reads SBC-3 (04C0h) to decide that READ CAPACITY(16) and 16-byte CDBs are mandatory.
constexpr uint16_t kVersionDescriptors[] = {0x00A0, 0x0960, 0x0460, 0x04C0};

// A VPD page: header byte 0 (qualifier/type), page code, 16-bit PAGE LENGTH, then `body`.
std::vector<uint8_t> VpdPage(uint8_t peripheral, uint8_t page, const std::vector<uint8_t>& body) {
  std::vector<uint8_t> p(4 + body.size());
  p[0] = peripheral;
  p[1] = page;
  Store16(&p[2], static_cast<uint16_t>(body.size()));
  std::copy(body.begin(), body.end(), p.begin() + 4);
  return p;
}

std::vector<uint8_t> SupportedPagesBody() {
  return std::vector<uint8_t>(std::begin(kSupportedVpdPages), std::end(kSupportedVpdPages));
}

std::vector<uint8_t> UnitSerialBody(const LuCore& lu) {
  return std::vector<uint8_t>(lu.serial().begin(), lu.serial().end());
}

// SPC-4 Device Identification VPD page: a logical-unit NAA designator and a T10 vendor ID
// designator (vendor identification followed by the unit serial, as LIO reports).
std::vector<uint8_t> DeviceIdentificationBody(const LuCore& lu) {
  std::vector<uint8_t> b;
  const auto& naa = lu.naa();
  b.insert(b.end(), {0x01 /*binary*/, 0x03 /*LU, NAA*/, 0x00, static_cast<uint8_t>(naa.size())});
  b.insert(b.end(), naa.begin(), naa.end());
  std::string t10 = lu.vendor() + lu.serial();
  if (t10.size() > 252) t10.resize(252);
  b.insert(b.end(),
           {0x02 /*ASCII*/, 0x01 /*LU, T10 vendor ID*/, 0x00, static_cast<uint8_t>(t10.size())});
  b.insert(b.end(), t10.begin(), t10.end());
  return b;
}

// SBC-3 Block Limits VPD page, PAGE LENGTH 3Ch.
std::vector<uint8_t> BlockLimitsBody(const LuCore& lu) {
  std::vector<uint8_t> b(0x3C, 0);
  const LogicalUnitConfig& c = lu.config();
  // WSNZ=1: WRITE SAME with NUMBER OF LOGICAL BLOCKS 0 is refused (05/24/00) rather than
  // meaning "to the end of the medium", as LIO does; one command must not rewrite a whole LUN.
  b[0] = 0x01;
  b[1] = kMaxCompareAndWriteBlocks;  // MAXIMUM COMPARE AND WRITE LENGTH
  Store16(&b[2], static_cast<uint16_t>(1u << std::min<uint8_t>(c.lbppbe, 15)));
  Store32(&b[4], lu.max_transfer_blocks());
  Store32(&b[8], lu.optimal_transfer_blocks());
  if (lu.thin()) {
    Store32(&b[16], c.max_unmap_lba_count);
    Store32(&b[20], c.max_unmap_block_desc_count);
    Store32(&b[24], c.unmap_granularity);
    Store32(&b[28], 0x80000000u | (c.unmap_granularity_alignment & 0x7FFFFFFFu));  // UGAVALID
  }
  Store64(&b[32], c.max_write_same_len);
  return b;
}

// SBC-3 Block Device Characteristics VPD page, PAGE LENGTH 3Ch.
std::vector<uint8_t> BlockDeviceCharacteristicsBody(const LuCore& lu) {
  std::vector<uint8_t> b(0x3C, 0);
  Store16(&b[0], lu.config().non_rotational ? 0x0001 : 0x0000);  // MEDIUM ROTATION RATE
  return b;
}

// SBC-3 Logical Block Provisioning VPD page, PAGE LENGTH 4.
std::vector<uint8_t> LogicalBlockProvisioningBody(const LuCore& lu) {
  std::vector<uint8_t> b(4, 0);
  if (lu.thin()) {
    // LBPU, LBPWS, LBPWS10; LBPRZ because Backstore::Unmap guarantees zeroes on later reads.
    b[1] = 0x80 | 0x40 | 0x20 | 0x04;
    b[2] = 0x02;  // PROVISIONING TYPE: thin provisioned
  }
  return b;
}

}  // namespace

std::vector<uint8_t> StandardInquiryData(uint8_t peripheral, const std::string& vendor,
                                         const std::string& product, const std::string& revision) {
  std::vector<uint8_t> d(96, 0);
  d[0] = peripheral;
  d[1] = 0x00;                                // RMB=0: the medium is not removable
  d[2] = 0x06;                                // VERSION: SPC-4
  d[3] = 0x12;                                // HISUP=1, RESPONSE DATA FORMAT=2
  d[4] = static_cast<uint8_t>(d.size() - 5);  // ADDITIONAL LENGTH
  d[7] = 0x02;                                // CMDQUE: full task management model
  std::memcpy(&d[8], vendor.data(), std::min<size_t>(vendor.size(), 8));
  std::memcpy(&d[16], product.data(), std::min<size_t>(product.size(), 16));
  std::memcpy(&d[32], revision.data(), std::min<size_t>(revision.size(), 4));
  for (size_t i = 0; i < std::size(kVersionDescriptors); ++i) {
    Store16(&d[58 + 2 * i], kVersionDescriptors[i]);
  }
  return d;
}

ScsiResponse InquiryForUnmappedLun(const ScsiCommand& cmd) {
  auto fail = [](uint16_t byte) {
    ScsiResponse f;
    f.status = ScsiStatus::kCheckCondition;
    f.sense = BuildSense(SenseReason::kInvalidFieldInCdb, false,
                         SenseDetail{FieldPointer{byte, -1, true}, {}});
    return f;
  };
  if (cmd.cdb.size() < 6) return fail(0);
  const uint8_t* cdb = cmd.cdb.data();
  const bool evpd = (cdb[1] & 0x01) != 0;
  const uint32_t alloc = Load16(&cdb[3]);
  std::vector<uint8_t> data;
  if (!evpd) {
    if (cdb[2] != 0) return fail(2);
    data = StandardInquiryData(kPeripheralNoLun, "REFTGT  ", "NO LUN          ", "0001");
  } else {
    if (cdb[2] != kVpdSupportedPages) return fail(2);
    data = VpdPage(kPeripheralNoLun, kVpdSupportedPages, {kVpdSupportedPages});
  }
  ScsiResponse r;
  size_t n = std::min<size_t>(data.size(), alloc);
  r.data_in = IoBuffer(n);
  if (n > 0) std::memcpy(r.data_in.data(), data.data(), n);
  r.data_in_length = static_cast<uint32_t>(n);
  r.cdb_transfer_length = static_cast<uint32_t>(n);
  return r;
}

void HandleInquiry(const TaskPtr& task) {
  const uint8_t* cdb = task->cdb();
  const LuCore& lu = task->lu();
  // SPC-4 INQUIRY: EVPD (byte 1 bit 0); CMDDT (bit 1) is obsolete and must be zero; the
  // ALLOCATION LENGTH is 16 bits (bytes 3-4).
  if (cdb[1] & 0x02) return task->FailCdbField(1, 1);
  if (cdb[1] & 0xFC) return task->FailCdbField(1);
  const bool evpd = (cdb[1] & 0x01) != 0;
  const uint8_t page = cdb[2];
  const uint32_t alloc = Load16(&cdb[3]);
  if (!evpd) {
    // SPC-4 INQUIRY: a PAGE CODE other than zero with EVPD=0 is an error.
    if (page != 0) return task->FailCdbField(2);
    return task->GoodWithData(
        StandardInquiryData(kPeripheralDisk, lu.vendor(), lu.product(), lu.revision()), alloc);
  }
  std::vector<uint8_t> body;
  switch (page) {
    case kVpdSupportedPages:
      body = SupportedPagesBody();
      break;
    case kVpdUnitSerial:
      body = UnitSerialBody(lu);
      break;
    case kVpdDeviceIdentification:
      body = DeviceIdentificationBody(lu);
      break;
    case kVpdBlockLimits:
      body = BlockLimitsBody(lu);
      break;
    case kVpdBlockDeviceCharacteristics:
      body = BlockDeviceCharacteristicsBody(lu);
      break;
    case kVpdLogicalBlockProvisioning:
      body = LogicalBlockProvisioningBody(lu);
      break;
    default:
      return task->FailCdbField(2);
  }
  task->GoodWithData(VpdPage(kPeripheralDisk, page, body), alloc);
}

}  // namespace reftarget::scsi
