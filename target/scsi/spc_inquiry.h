// INQUIRY data (SPC-4) shared by logical units and the dispatcher, which answers INQUIRY
// for LUNs that are not mapped.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "target/scsi/scsi_command.h"

namespace reftarget::scsi {

// Peripheral qualifier 000b / device type 00h: a direct-access block device is connected.
inline constexpr uint8_t kPeripheralDisk = 0x00;
// Peripheral qualifier 011b / device type 1Fh: no device can be supported on this LUN.
inline constexpr uint8_t kPeripheralNoLun = 0x7F;

// Returns the 96-byte standard INQUIRY data. `vendor`, `product` and `revision` are already
// padded to 8, 16 and 4 bytes.
std::vector<uint8_t> StandardInquiryData(uint8_t peripheral, const std::string& vendor,
                                         const std::string& product, const std::string& revision);

// Answers INQUIRY addressed to a LUN the I_T nexus cannot reach (SPC-4 INQUIRY, peripheral
// qualifier): standard data with qualifier 011b and type 1Fh, VPD page 00h, 05/24/00 for anything
// else.
ScsiResponse InquiryForUnmappedLun(const ScsiCommand& cmd);

}  // namespace reftarget::scsi
