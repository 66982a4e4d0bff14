// REPORT LUNS (SPC-4): answered from the I_T nexus's LUN map, which lists only the LUNs
// that nexus may address (S15), so the dispatcher answers it for mapped and unmapped LUNs.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "target/scsi/scsi_command.h"

namespace reftarget::scsi {

// Returns the 8-byte SAM-5 (LUN addressing) encoding of `lun`: peripheral device addressing below
// 256, flat space below 16384, extended flat space (D2h) below 2^24.
std::array<uint8_t, 8> EncodeLun(uint64_t lun);

// Executes REPORT LUNS for `cdb` listing `luns` (ascending). Sense is fixed or descriptor
// format per `descriptor_sense`.
ScsiResponse ReportLunsResponse(const std::vector<uint8_t>& cdb, const std::vector<uint64_t>& luns,
                                bool descriptor_sense);

}  // namespace reftarget::scsi
