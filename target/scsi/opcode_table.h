// The dispatch table: 256 entries by operation code, each a command (or a set of service
// actions) with its handler, data direction, CDB length, flags and the CDB usage data that
// REPORT SUPPORTED OPERATION CODES reports. Unknown opcodes have no entry and end in
// INVALID COMMAND OPERATION CODE. REPORT SUPPORTED OPERATION CODES is generated from this
// table, so what it lists and what executes cannot drift apart.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include "target/scsi/task.h"

namespace reftarget::scsi {

enum class DataDirection : uint8_t { kNone, kIn, kOut };

enum CommandFlag : uint8_t {
  kWritesMedium = 1u << 0,   // refused with 07/27/00 on a write-protected unit
  kRunsDespiteUa = 1u << 1,  // SAM-5: INQUIRY, REQUEST SENSE, REPORT LUNS
  kThinOnly = 1u << 2,       // only on thin units; INVALID COMMAND OPERATION CODE otherwise
};

struct CommandSpec {
  const char* name = nullptr;
  Handler handler = nullptr;
  DataDirection direction = DataDirection::kNone;
  uint8_t cdb_length = 0;
  uint8_t flags = 0;
  bool has_service_action = false;
  uint8_t service_action = 0;
  uint32_t timeout_s = 0;  // recommended command timeout (RSOC command timeouts descriptor)
  // SPC-4 one_command format: CDB USAGE DATA; byte 0 is the opcode, and for service-action commands
  // the service action bits hold the service action.
  std::array<uint8_t, 16> usage{};

  constexpr uint8_t opcode() const { return usage[0]; }
};

struct OpcodeEntry {
  const CommandSpec* command = nullptr;          // an opcode without service actions
  std::span<const CommandSpec> service_actions;  // an opcode with service actions
  bool has_service_actions() const { return !service_actions.empty(); }
};

// Returns the entry for `opcode` (empty if the opcode is not implemented).
const OpcodeEntry& LookupOpcode(uint8_t opcode);
// Returns the command for `opcode` and, for opcodes with service actions, `service_action`;
// nullptr if none.
const CommandSpec* FindCommand(uint8_t opcode, uint8_t service_action);
// Returns true if `spec` is available on `lu` (thin-only commands need a thin unit).
bool CommandAvailable(const CommandSpec& spec, const LuCore& lu);
// Returns every command available on `lu`, by opcode then service action.
std::vector<const CommandSpec*> AvailableCommands(const LuCore& lu);

// SPC-4: service action field of MAINTENANCE IN / SERVICE ACTION IN(16).
inline uint8_t ServiceActionOf(const uint8_t* cdb) { return cdb[1] & 0x1F; }

inline constexpr uint8_t kOpInquiry = 0x12;
inline constexpr uint8_t kOpRequestSense = 0x03;
inline constexpr uint8_t kOpReportLuns = 0xA0;
inline constexpr uint8_t kOpServiceActionIn16 = 0x9E;
inline constexpr uint8_t kOpMaintenanceIn = 0xA3;

}  // namespace reftarget::scsi
