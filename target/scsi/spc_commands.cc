// TEST UNIT READY, REQUEST SENSE, REPORT LUNS (unit-level fallback) and REPORT SUPPORTED
// OPERATION CODES (SPC-4).
#include <algorithm>

#include "target/scsi/byte_order.h"
#include "target/scsi/handlers.h"
#include "target/scsi/opcode_table.h"
#include "target/scsi/report_luns.h"

namespace reftarget::scsi {
namespace {

constexpr uint8_t kOpWriteSame10 = 0x41;
constexpr uint8_t kOpWriteSame16 = 0x93;
constexpr size_t kTimeoutsDescriptorLength = 12;

// CDB usage data as this unit evaluates it: without thin provisioning the UNMAP bit of
// WRITE SAME is rejected, so it is reported as unused.
std::array<uint8_t, 16> UsageFor(const CommandSpec& spec, const LuCore& lu) {
  std::array<uint8_t, 16> usage = spec.usage;
  if (!lu.thin() && (spec.opcode() == kOpWriteSame10 || spec.opcode() == kOpWriteSame16)) {
    usage[1] &= static_cast<uint8_t>(~0x08);
  }
  return usage;
}

// SPC-4 REPORT SUPPORTED OPERATION CODES: command timeouts descriptor.
void AppendTimeouts(const CommandSpec& spec, std::vector<uint8_t>* out) {
  size_t at = out->size();
  out->resize(at + kTimeoutsDescriptorLength, 0);
  uint8_t* d = out->data() + at;
  Store16(d, 0x000A);              // DESCRIPTOR LENGTH
  Store32(d + 4, 0);               // NOMINAL COMMAND PROCESSING TIMEOUT: not reported
  Store32(d + 8, spec.timeout_s);  // RECOMMENDED COMMAND TIMEOUT
}

// One command, reporting options 001b-011b (one_command format). `spec` null: not supported.
std::vector<uint8_t> OneCommandData(const CommandSpec* spec, const LuCore& lu, bool rctd) {
  std::vector<uint8_t> d(4, 0);
  if (spec == nullptr) {
    d[1] = 0x01;  // SUPPORT 001b: not supported
    return d;
  }
  d[1] = static_cast<uint8_t>((rctd ? 0x80 : 0x00) | 0x03);  // CTDP, SUPPORT 011b
  Store16(&d[2], spec->cdb_length);
  auto usage = UsageFor(*spec, lu);
  // Appended byte by byte: GCC 12 at -O3 misreads a range insert here as out of bounds.
  for (size_t i = 0; i < spec->cdb_length && i < usage.size(); ++i) d.push_back(usage[i]);
  if (rctd) AppendTimeouts(*spec, &d);
  return d;
}

}  // namespace

void HandleTestUnitReady(const TaskPtr& task) { task->Good(); }

void HandleRequestSense(const TaskPtr& task) {
  const uint8_t* cdb = task->cdb();
  // SPC-4 REQUEST SENSE: DESC selects the format; the pending unit attention (if any) is reported
  // and cleared, otherwise NO SENSE. Status is GOOD either way.
  const bool desc = (cdb[1] & 0x01) != 0;
  auto ua = task->lu().ua().Take(task->nexus());
  std::vector<uint8_t> sense = BuildSense(ua.value_or(SenseReason::kNoSense), desc);
  task->GoodWithData(sense, cdb[4]);
}

void HandleReportLuns(const TaskPtr& task) {
  // Reached only when a unit is driven without a dispatcher: it knows one LUN, its own.
  ScsiResponse r = ReportLunsResponse(task->cmd().cdb, {task->cmd().lun}, task->lu().d_sense());
  if (r.status == ScsiStatus::kGood) {
    task->lu().ua().Clear(task->nexus(), SenseReason::kReportedLunsDataChanged);
  }
  task->Complete(std::move(r));
}

void HandleReportSupportedOpcodes(const TaskPtr& task) {
  const uint8_t* cdb = task->cdb();
  const LuCore& lu = task->lu();
  const bool rctd = (cdb[2] & 0x80) != 0;
  const uint8_t options = cdb[2] & 0x07;
  const uint8_t requested_op = cdb[3];
  const uint16_t requested_sa = Load16(&cdb[4]);
  const uint32_t alloc = Load32(&cdb[6]);

  std::vector<uint8_t> data;
  switch (options) {
    case 0x00: {
      // SPC-4 all_commands format: each an 8-byte descriptor (+ timeouts with RCTD).
      data.resize(4, 0);
      for (const CommandSpec* spec : AvailableCommands(lu)) {
        size_t at = data.size();
        data.resize(at + 8, 0);
        uint8_t* d = data.data() + at;
        d[0] = spec->opcode();
        Store16(d + 2, spec->has_service_action ? spec->service_action : 0);
        d[5] =
            static_cast<uint8_t>((rctd ? 0x02 : 0x00) | (spec->has_service_action ? 0x01 : 0x00));
        Store16(d + 6, spec->cdb_length);
        if (rctd) AppendTimeouts(*spec, &data);
      }
      Store32(&data[0], static_cast<uint32_t>(data.size() - 4));  // COMMAND DATA LENGTH
      break;
    }
    case 0x01: {
      // One opcode; an opcode with service actions must be asked for with 010b.
      const OpcodeEntry& entry = LookupOpcode(requested_op);
      if (entry.has_service_actions()) return task->FailCdbField(3);
      const CommandSpec* spec = entry.command;
      if (spec != nullptr && !CommandAvailable(*spec, lu)) spec = nullptr;
      data = OneCommandData(spec, lu, rctd);
      break;
    }
    case 0x02:
    case 0x03: {
      const OpcodeEntry& entry = LookupOpcode(requested_op);
      const CommandSpec* spec = nullptr;
      if (entry.has_service_actions()) {
        if (requested_sa <= 0x1F)
          spec = FindCommand(requested_op, static_cast<uint8_t>(requested_sa));
      } else if (options == 0x02) {
        return task->FailCdbField(3);  // 010b needs an opcode with service actions
      } else if (requested_sa == 0) {
        spec = entry.command;  // 011b on an opcode without service actions
      }
      if (spec != nullptr && !CommandAvailable(*spec, lu)) spec = nullptr;
      data = OneCommandData(spec, lu, rctd);
      break;
    }
    default:
      return task->FailCdbField(2, 2);
  }
  task->GoodWithData(data, alloc);
}

}  // namespace reftarget::scsi
