// SCSI outcomes inside the target: one SenseReason per condition and one table mapping it to
// {sense key, ASC, ASCQ} (as LIO's sense_info_table does), plus the encoders for fixed (70h)
// and descriptor (72h) sense data (SPC-4).
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

namespace reftarget::scsi {

enum class SenseReason : uint8_t {
  kNoSense = 0,                   // 00/00/00 (REQUEST SENSE with nothing to report)
  kInvalidCommandOperationCode,   // 05/20/00
  kInvalidFieldInCdb,             // 05/24/00
  kInvalidFieldInParameterList,   // 05/26/00
  kParameterListLengthError,      // 05/1A/00
  kLbaOutOfRange,                 // 05/21/00
  kLogicalUnitNotSupported,       // 05/25/00
  kSavingParametersNotSupported,  // 05/39/00
  kInvalidFieldInCommandIu,       // 05/0E/03
  kWriteProtected,                // 07/27/00
  kSpaceAllocationFailed,         // 07/27/07 SPACE ALLOCATION FAILED WRITE PROTECT
  kUnrecoveredReadError,          // 03/11/00
  kWriteError,                    // 03/0C/00
  kInternalTargetFailure,         // 04/44/00
  kMiscompareDuringVerify,        // 0E/1D/00
  kPowerOnResetOccurred,          // 06/29/00 POWER ON, RESET, OR BUS DEVICE RESET OCCURRED
  kBusDeviceResetOccurred,        // 06/29/03 BUS DEVICE RESET FUNCTION OCCURRED
  kItNexusLoss,                   // 06/29/07 I_T NEXUS LOSS OCCURRED
  kModeParametersChanged,         // 06/2A/01
  kCapacityDataChanged,           // 06/2A/09
  kReportedLunsDataChanged,       // 06/3F/0E
  // RFC 7143 §11.4.7.2: transport errors a command ends with (ABORTED COMMAND).
  kProtocolServiceCrcError,    // 0B/47/05 PROTOCOL SERVICE CRC ERROR (data digest)
  kUnexpectedUnsolicitedData,  // 0B/0C/0C
  kNotEnoughUnsolicitedData,   // 0B/0C/0D (iSCSI: "incorrect amount of data")
  kDataPhaseError,             // 0B/4B/00
  // A fenced unit (CommandGate): commands a task management function aborted are still in
  // the backstore. Initiators retry it after a delay (Linux: ACTION_DELAYED_RETRY).
  kLogicalUnitBecomingReady,  // 02/04/01 LOGICAL UNIT IS IN PROCESS OF BECOMING READY
  kCount,
};

struct SenseCode {
  uint8_t key;
  uint8_t asc;
  uint8_t ascq;
};

// Sense keys (SPC-4 table 48).
inline constexpr uint8_t kSenseKeyNoSense = 0x0;
inline constexpr uint8_t kSenseKeyNotReady = 0x2;
inline constexpr uint8_t kSenseKeyMediumError = 0x3;
inline constexpr uint8_t kSenseKeyHardwareError = 0x4;
inline constexpr uint8_t kSenseKeyIllegalRequest = 0x5;
inline constexpr uint8_t kSenseKeyUnitAttention = 0x6;
inline constexpr uint8_t kSenseKeyDataProtect = 0x7;
inline constexpr uint8_t kSenseKeyAbortedCommand = 0xB;
inline constexpr uint8_t kSenseKeyMiscompare = 0xE;

// Returns the {key, ASC, ASCQ} of `reason`.
SenseCode SenseCodeOf(SenseReason reason);
// Returns a short name for logs ("LBA OUT OF RANGE").
const char* SenseReasonName(SenseReason reason);

// The sense-key-specific field pointer of ILLEGAL REQUEST (SPC-4): which byte (and
// optionally bit) of the CDB (in_cdb) or parameter list was invalid.
struct FieldPointer {
  uint16_t byte = 0;
  int8_t bit = -1;  // 0..7, or -1 when the whole byte is meant (BPV=0)
  bool in_cdb = true;
};

struct SenseDetail {
  std::optional<FieldPointer> field;    // only for ILLEGAL REQUEST
  std::optional<uint64_t> information;  // INFORMATION field (VALID=1), e.g. miscompare offset
};

// Fixed format is 18 bytes; descriptor format is 8 bytes plus descriptors.
inline constexpr size_t kFixedSenseLength = 18;

// Returns sense data for `reason` in descriptor format (72h) when `descriptor`, else fixed
// format (70h). A fixed-format INFORMATION value above 32 bits is left out (VALID=0).
std::vector<uint8_t> BuildSense(SenseReason reason, bool descriptor,
                                const SenseDetail& detail = {});

}  // namespace reftarget::scsi
