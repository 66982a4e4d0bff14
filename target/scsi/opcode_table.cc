#include "target/scsi/opcode_table.h"

#include "target/scsi/handlers.h"

namespace reftarget::scsi {
namespace {

using D = DataDirection;

// Recommended command timeouts reported with RCTD=1 (seconds).
constexpr uint32_t kQuick = 10;
constexpr uint32_t kIo = 30;
constexpr uint32_t kLong = 60;

// CDB usage data (SPC-4 REPORT SUPPORTED OPERATION CODES, one_command format): a one bit marks a
// CDB bit the device server evaluates. Fields that are rejected unless zero
// (RDPROTECT/WRPROTECT/VRPROTECT without protection information, ANCHOR without ANC_SUP, NACA
// without ACA support) are reported as unused. Group numbers are accepted and ignored, so they are
// unused too.
constexpr CommandSpec kCommands[] = {
    {"TEST UNIT READY",
     HandleTestUnitReady,
     D::kNone,
     6,
     0,
     false,
     0,
     kQuick,
     {0x00, 0x00, 0x00, 0x00, 0x00, 0x00}},
    {"REQUEST SENSE",
     HandleRequestSense,
     D::kIn,
     6,
     kRunsDespiteUa,
     false,
     0,
     kQuick,
     {0x03, 0x01, 0x00, 0x00, 0xFF, 0x00}},
    {"READ(6)", HandleRead, D::kIn, 6, 0, false, 0, kIo, {0x08, 0x1F, 0xFF, 0xFF, 0xFF, 0x00}},
    {"WRITE(6)",
     HandleWrite,
     D::kOut,
     6,
     kWritesMedium,
     false,
     0,
     kIo,
     {0x0A, 0x1F, 0xFF, 0xFF, 0xFF, 0x00}},
    {"INQUIRY",
     HandleInquiry,
     D::kIn,
     6,
     kRunsDespiteUa,
     false,
     0,
     kQuick,
     {0x12, 0x01, 0xFF, 0xFF, 0xFF, 0x00}},
    {"MODE SELECT(6)",
     HandleModeSelect,
     D::kOut,
     6,
     0,
     false,
     0,
     kQuick,
     {0x15, 0x10, 0x00, 0x00, 0xFF, 0x00}},
    {"MODE SENSE(6)",
     HandleModeSense,
     D::kIn,
     6,
     0,
     false,
     0,
     kQuick,
     {0x1A, 0x08, 0xFF, 0xFF, 0xFF, 0x00}},
    {"START STOP UNIT",
     HandleStartStopUnit,
     D::kNone,
     6,
     0,
     false,
     0,
     kLong,
     {0x1B, 0x01, 0x00, 0x00, 0x05, 0x00}},
    {"PREVENT ALLOW MEDIUM REMOVAL",
     HandlePreventAllowMediumRemoval,
     D::kNone,
     6,
     0,
     false,
     0,
     kQuick,
     {0x1E, 0x00, 0x00, 0x00, 0x03, 0x00}},
    {"READ CAPACITY(10)",
     HandleReadCapacity10,
     D::kIn,
     10,
     0,
     false,
     0,
     kQuick,
     {0x25, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00}},
    {"READ(10)",
     HandleRead,
     D::kIn,
     10,
     0,
     false,
     0,
     kIo,
     {0x28, 0x18, 0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0xFF, 0xFF, 0x00}},
    {"WRITE(10)",
     HandleWrite,
     D::kOut,
     10,
     kWritesMedium,
     false,
     0,
     kIo,
     {0x2A, 0x18, 0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0xFF, 0xFF, 0x00}},
    {"WRITE AND VERIFY(10)",
     HandleWriteAndVerify,
     D::kOut,
     10,
     kWritesMedium,
     false,
     0,
     kIo,
     {0x2E, 0x12, 0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0xFF, 0xFF, 0x00}},
    {"VERIFY(10)",
     HandleVerify,
     D::kOut,
     10,
     0,
     false,
     0,
     kIo,
     {0x2F, 0x16, 0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0xFF, 0xFF, 0x00}},
    {"SYNCHRONIZE CACHE(10)",
     HandleSynchronizeCache,
     D::kNone,
     10,
     0,
     false,
     0,
     kLong,
     {0x35, 0x02, 0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0xFF, 0xFF, 0x00}},
    {"WRITE SAME(10)",
     HandleWriteSame,
     D::kOut,
     10,
     kWritesMedium,
     false,
     0,
     kLong,
     {0x41, 0x08, 0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0xFF, 0xFF, 0x00}},
    {"UNMAP",
     HandleUnmap,
     D::kOut,
     10,
     kWritesMedium | kThinOnly,
     false,
     0,
     kLong,
     {0x42, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0x00}},
    {"MODE SELECT(10)",
     HandleModeSelect,
     D::kOut,
     10,
     0,
     false,
     0,
     kQuick,
     {0x55, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0x00}},
    {"MODE SENSE(10)",
     HandleModeSense,
     D::kIn,
     10,
     0,
     false,
     0,
     kQuick,
     {0x5A, 0x18, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0x00}},
    {"READ(16)",
     HandleRead,
     D::kIn,
     16,
     0,
     false,
     0,
     kIo,
     {0x88, 0x18, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x00,
      0x00}},
    {"WRITE(16)",
     HandleWrite,
     D::kOut,
     16,
     kWritesMedium,
     false,
     0,
     kIo,
     {0x8A, 0x18, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x00,
      0x00}},
    {"COMPARE AND WRITE",
     HandleCompareAndWrite,
     D::kOut,
     16,
     kWritesMedium,
     false,
     0,
     kIo,
     {0x89, 0x18, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0xFF, 0x00,
      0x00}},
    {"WRITE AND VERIFY(16)",
     HandleWriteAndVerify,
     D::kOut,
     16,
     kWritesMedium,
     false,
     0,
     kIo,
     {0x8E, 0x12, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x00,
      0x00}},
    {"VERIFY(16)",
     HandleVerify,
     D::kOut,
     16,
     0,
     false,
     0,
     kIo,
     {0x8F, 0x16, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x00,
      0x00}},
    {"SYNCHRONIZE CACHE(16)",
     HandleSynchronizeCache,
     D::kNone,
     16,
     0,
     false,
     0,
     kLong,
     {0x91, 0x02, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x00,
      0x00}},
    {"WRITE SAME(16)",
     HandleWriteSame,
     D::kOut,
     16,
     kWritesMedium,
     false,
     0,
     kLong,
     {0x93, 0x09, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x00,
      0x00}},
    {"REPORT LUNS",
     HandleReportLuns,
     D::kIn,
     12,
     kRunsDespiteUa,
     false,
     0,
     kQuick,
     {0xA0, 0x00, 0xFF, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00}},
    {"READ(12)",
     HandleRead,
     D::kIn,
     12,
     0,
     false,
     0,
     kIo,
     {0xA8, 0x18, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00}},
    {"WRITE(12)",
     HandleWrite,
     D::kOut,
     12,
     kWritesMedium,
     false,
     0,
     kIo,
     {0xAA, 0x18, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00}},
    {"WRITE AND VERIFY(12)",
     HandleWriteAndVerify,
     D::kOut,
     12,
     kWritesMedium,
     false,
     0,
     kIo,
     {0xAE, 0x12, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00}},
    {"VERIFY(12)",
     HandleVerify,
     D::kOut,
     12,
     0,
     false,
     0,
     kIo,
     {0xAF, 0x16, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00}},
};

// SERVICE ACTION IN(16) (SBC-3): READ CAPACITY(16), GET LBA STATUS.
constexpr CommandSpec kServiceActionIn16[] = {
    {"READ CAPACITY(16)",
     HandleReadCapacity16,
     D::kIn,
     16,
     0,
     true,
     0x10,
     kQuick,
     {0x9E, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0x00,
      0x00}},
    {"GET LBA STATUS",
     HandleGetLbaStatus,
     D::kIn,
     16,
     0,
     true,
     0x12,
     kQuick,
     {0x9E, 0x12, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x00,
      0x00}},
};

// MAINTENANCE IN (SPC-4): REPORT SUPPORTED OPERATION CODES.
constexpr CommandSpec kMaintenanceIn[] = {
    {"REPORT SUPPORTED OPERATION CODES",
     HandleReportSupportedOpcodes,
     D::kIn,
     12,
     0,
     true,
     0x0C,
     kQuick,
     {0xA3, 0x0C, 0x87, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00}},
};

struct OpcodeTable {
  std::array<OpcodeEntry, 256> entries{};
};

constexpr OpcodeTable BuildTable() {
  OpcodeTable t;
  for (const CommandSpec& c : kCommands) t.entries[c.opcode()].command = &c;
  t.entries[kOpServiceActionIn16].service_actions = kServiceActionIn16;
  t.entries[kOpMaintenanceIn].service_actions = kMaintenanceIn;
  return t;
}

constexpr OpcodeTable kTable = BuildTable();

constexpr bool TableConsistent() {
  for (const CommandSpec& c : kCommands) {
    if (c.has_service_action) return false;
    if (c.cdb_length != 6 && c.cdb_length != 10 && c.cdb_length != 12 && c.cdb_length != 16) {
      return false;
    }
  }
  for (const CommandSpec& c : kServiceActionIn16) {
    if (!c.has_service_action || c.opcode() != kOpServiceActionIn16 ||
        c.usage[1] != c.service_action)
      return false;
  }
  for (const CommandSpec& c : kMaintenanceIn) {
    if (!c.has_service_action || c.opcode() != kOpMaintenanceIn || c.usage[1] != c.service_action)
      return false;
  }
  return true;
}
static_assert(TableConsistent(), "opcode table rows are malformed");

}  // namespace

const OpcodeEntry& LookupOpcode(uint8_t opcode) { return kTable.entries[opcode]; }

const CommandSpec* FindCommand(uint8_t opcode, uint8_t service_action) {
  const OpcodeEntry& e = kTable.entries[opcode];
  if (!e.has_service_actions()) return e.command;
  for (const CommandSpec& c : e.service_actions) {
    if (c.service_action == service_action) return &c;
  }
  return nullptr;
}

bool CommandAvailable(const CommandSpec& spec, const LuCore& lu) {
  return (spec.flags & kThinOnly) == 0 || lu.thin();
}

std::vector<const CommandSpec*> AvailableCommands(const LuCore& lu) {
  std::vector<const CommandSpec*> out;
  for (const OpcodeEntry& e : kTable.entries) {
    if (e.command != nullptr && CommandAvailable(*e.command, lu)) out.push_back(e.command);
    for (const CommandSpec& c : e.service_actions) {
      if (CommandAvailable(c, lu)) out.push_back(&c);
    }
  }
  return out;
}

}  // namespace reftarget::scsi
