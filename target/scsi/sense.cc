#include "target/scsi/sense.h"

#include <array>

#include "target/scsi/byte_order.h"

namespace reftarget::scsi {
namespace {

struct SenseEntry {
  SenseReason reason;
  SenseCode code;
  const char* name;
};

// One row per SenseReason, in enum order (checked by static_assert below).
constexpr std::array<SenseEntry, static_cast<size_t>(SenseReason::kCount)> kSenseTable = {{
    {SenseReason::kNoSense, {kSenseKeyNoSense, 0x00, 0x00}, "NO ADDITIONAL SENSE INFORMATION"},
    {SenseReason::kInvalidCommandOperationCode,
     {kSenseKeyIllegalRequest, 0x20, 0x00},
     "INVALID COMMAND OPERATION CODE"},
    {SenseReason::kInvalidFieldInCdb,
     {kSenseKeyIllegalRequest, 0x24, 0x00},
     "INVALID FIELD IN CDB"},
    {SenseReason::kInvalidFieldInParameterList,
     {kSenseKeyIllegalRequest, 0x26, 0x00},
     "INVALID FIELD IN PARAMETER LIST"},
    {SenseReason::kParameterListLengthError,
     {kSenseKeyIllegalRequest, 0x1A, 0x00},
     "PARAMETER LIST LENGTH ERROR"},
    {SenseReason::kLbaOutOfRange,
     {kSenseKeyIllegalRequest, 0x21, 0x00},
     "LOGICAL BLOCK ADDRESS OUT OF RANGE"},
    {SenseReason::kLogicalUnitNotSupported,
     {kSenseKeyIllegalRequest, 0x25, 0x00},
     "LOGICAL UNIT NOT SUPPORTED"},
    {SenseReason::kSavingParametersNotSupported,
     {kSenseKeyIllegalRequest, 0x39, 0x00},
     "SAVING PARAMETERS NOT SUPPORTED"},
    {SenseReason::kInvalidFieldInCommandIu,
     {kSenseKeyIllegalRequest, 0x0E, 0x03},
     "INVALID FIELD IN COMMAND INFORMATION UNIT"},
    {SenseReason::kWriteProtected, {kSenseKeyDataProtect, 0x27, 0x00}, "WRITE PROTECTED"},
    {SenseReason::kSpaceAllocationFailed,
     {kSenseKeyDataProtect, 0x27, 0x07},
     "SPACE ALLOCATION FAILED WRITE PROTECT"},
    {SenseReason::kUnrecoveredReadError,
     {kSenseKeyMediumError, 0x11, 0x00},
     "UNRECOVERED READ ERROR"},
    {SenseReason::kWriteError, {kSenseKeyMediumError, 0x0C, 0x00}, "WRITE ERROR"},
    {SenseReason::kInternalTargetFailure,
     {kSenseKeyHardwareError, 0x44, 0x00},
     "INTERNAL TARGET FAILURE"},
    {SenseReason::kMiscompareDuringVerify,
     {kSenseKeyMiscompare, 0x1D, 0x00},
     "MISCOMPARE DURING VERIFY OPERATION"},
    {SenseReason::kPowerOnResetOccurred,
     {kSenseKeyUnitAttention, 0x29, 0x00},
     "POWER ON, RESET, OR BUS DEVICE RESET OCCURRED"},
    {SenseReason::kBusDeviceResetOccurred,
     {kSenseKeyUnitAttention, 0x29, 0x03},
     "BUS DEVICE RESET FUNCTION OCCURRED"},
    {SenseReason::kItNexusLoss, {kSenseKeyUnitAttention, 0x29, 0x07}, "I_T NEXUS LOSS OCCURRED"},
    {SenseReason::kModeParametersChanged,
     {kSenseKeyUnitAttention, 0x2A, 0x01},
     "MODE PARAMETERS CHANGED"},
    {SenseReason::kCapacityDataChanged,
     {kSenseKeyUnitAttention, 0x2A, 0x09},
     "CAPACITY DATA HAS CHANGED"},
    {SenseReason::kReportedLunsDataChanged,
     {kSenseKeyUnitAttention, 0x3F, 0x0E},
     "REPORTED LUNS DATA HAS CHANGED"},
    {SenseReason::kProtocolServiceCrcError,
     {kSenseKeyAbortedCommand, 0x47, 0x05},
     "PROTOCOL SERVICE CRC ERROR"},
    {SenseReason::kUnexpectedUnsolicitedData,
     {kSenseKeyAbortedCommand, 0x0C, 0x0C},
     "UNEXPECTED UNSOLICITED DATA"},
    {SenseReason::kNotEnoughUnsolicitedData,
     {kSenseKeyAbortedCommand, 0x0C, 0x0D},
     "NOT ENOUGH UNSOLICITED DATA"},
    {SenseReason::kDataPhaseError, {kSenseKeyAbortedCommand, 0x4B, 0x00}, "DATA PHASE ERROR"},
    {SenseReason::kLogicalUnitBecomingReady,
     {kSenseKeyNotReady, 0x04, 0x01},
     "LOGICAL UNIT IS IN PROCESS OF BECOMING READY"},
}};

constexpr bool TableInEnumOrder() {
  for (size_t i = 0; i < kSenseTable.size(); ++i) {
    if (static_cast<size_t>(kSenseTable[i].reason) != i) return false;
  }
  return true;
}
static_assert(TableInEnumOrder(), "kSenseTable rows must follow SenseReason order");

const SenseEntry& EntryOf(SenseReason reason) {
  size_t i = static_cast<size_t>(reason);
  if (i >= kSenseTable.size()) i = static_cast<size_t>(SenseReason::kInternalTargetFailure);
  return kSenseTable[i];
}

// SPC-4 (field pointer sense key specific data): sense-key-specific bytes for a field pointer:
// SKSV, C/D, BPV, bit pointer, then the two-byte FIELD POINTER.
void EncodeFieldPointer(const FieldPointer& fp, uint8_t* out) {
  out[0] = 0x80;  // SKSV
  if (fp.in_cdb) out[0] |= 0x40;
  if (fp.bit >= 0 && fp.bit <= 7) out[0] |= static_cast<uint8_t>(0x08 | fp.bit);
  Store16(out + 1, fp.byte);
}

}  // namespace

SenseCode SenseCodeOf(SenseReason reason) { return EntryOf(reason).code; }

const char* SenseReasonName(SenseReason reason) { return EntryOf(reason).name; }

std::vector<uint8_t> BuildSense(SenseReason reason, bool descriptor, const SenseDetail& detail) {
  const SenseCode code = SenseCodeOf(reason);
  const bool has_field = detail.field.has_value() && code.key == kSenseKeyIllegalRequest;
  if (!descriptor) {
    // SPC-4 (fixed format sense data): fixed format, current error, ADDITIONAL SENSE LENGTH 10.
    std::vector<uint8_t> s(kFixedSenseLength, 0);
    s[0] = 0x70;
    s[2] = code.key;
    if (detail.information && *detail.information <= UINT32_MAX) {
      s[0] |= 0x80;  // VALID
      Store32(&s[3], static_cast<uint32_t>(*detail.information));
    }
    s[7] = kFixedSenseLength - 8;
    s[12] = code.asc;
    s[13] = code.ascq;
    if (has_field) EncodeFieldPointer(*detail.field, &s[15]);
    return s;
  }
  // SPC-4 (descriptor format sense data): header, then an Information descriptor (00h) and
  // a Sense key specific descriptor (02h) when they apply.
  std::vector<uint8_t> s(8, 0);
  s[0] = 0x72;
  s[1] = code.key;
  s[2] = code.asc;
  s[3] = code.ascq;
  if (detail.information) {
    uint8_t d[12] = {0x00, 0x0A, 0x80, 0x00};
    Store64(&d[4], *detail.information);
    s.insert(s.end(), d, d + sizeof(d));
  }
  if (has_field) {
    uint8_t d[8] = {0x02, 0x06};
    EncodeFieldPointer(*detail.field, &d[4]);
    s.insert(s.end(), d, d + sizeof(d));
  }
  s[7] = static_cast<uint8_t>(s.size() - 8);
  return s;
}

}  // namespace reftarget::scsi
