// LogicalUnit: one SCSI direct-access block device (SBC-3) over a Backstore. It decodes and
// range-checks CDBs, keeps mode parameters and per-I_T-nexus unit attentions, and turns
// backstore results into sense data. All methods are thread-safe; Execute never blocks.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "target/backstore/backstore.h"
#include "target/common/status.h"
#include "target/scsi/command_gate.h"
#include "target/scsi/scsi_command.h"

namespace reftarget::scsi {

class LuCore;

struct LogicalUnitConfig {
  std::string name;  // storage object name, for logs
  // T10 unit serial number (VPD 80h, LIO's vpd_unit_serial). The NAA designator (VPD 83h) is
  // built from its hex digits the way LIO builds it, so a LUN moved from LIO keeps its ID.
  // Empty: derived from `name` (stable across restarts).
  std::string wwn;
  std::string vendor = "REFTGT";  // T10 vendor identification, ASCII, at most 8 characters
  std::string product;            // at most 16; empty: from the backstore kind ("FILEIO", ...)
  std::string revision = "0001";  // at most 4
  // IEEE company ID in the NAA 6h designator. 0x001405 is the ID LIO uses, kept so that NAA
  // identifiers match a LIO export of the same storage object (multipath keeps working).
  uint32_t naa_company_id = 0x001405;

  // emulate_tpu/emulate_tpws: UNMAP, WRITE SAME with UNMAP, VPD B2h and LBPME. Takes effect
  // only if the backstore is thin too (capabilities().thin).
  bool thin = false;
  uint32_t max_unmap_lba_count = 1u << 20;     // VPD B0h MAXIMUM UNMAP LBA COUNT (thin only)
  uint32_t max_unmap_block_desc_count = 2048;  // MAXIMUM UNMAP BLOCK DESCRIPTOR COUNT
  uint32_t unmap_granularity = 1;              // OPTIMAL UNMAP GRANULARITY, blocks
  uint32_t unmap_granularity_alignment = 0;    // UNMAP GRANULARITY ALIGNMENT, blocks
  uint64_t max_write_same_len = 0xFFFF;        // MAXIMUM WRITE SAME LENGTH, blocks (LIO's default)
  // MAXIMUM TRANSFER LENGTH in blocks (LIO's fabric_max_sectors); 0: 8 MiB worth of blocks.
  uint32_t max_transfer_blocks = 0;
  uint32_t optimal_sectors = 0;  // OPTIMAL TRANSFER LENGTH in blocks; 0: max_transfer_blocks
  uint8_t lbppbe = 0;            // logical blocks per physical block exponent (READ CAPACITY 16)
  bool non_rotational = false;   // is_nonrot: VPD B1h MEDIUM ROTATION RATE 0001h
};

class LogicalUnit {
 public:
  // Makes a logical unit over `store`. REQUIRES: store != nullptr.
  LogicalUnit(LogicalUnitConfig config, std::shared_ptr<backstore::Backstore> store);
  ~LogicalUnit();

  LogicalUnit(const LogicalUnit&) = delete;
  LogicalUnit& operator=(const LogicalUnit&) = delete;

  // Executes `cmd` received on `nexus`. `write_protect` is the mapping's write protection
  // (commands that change the medium get 07/27/00). `done` runs exactly once, possibly inline,
  // possibly on a backstore thread. Never blocks.
  void Execute(NexusId nexus, ScsiCommand cmd, bool write_protect, ScsiCompletion done);

  // LOGICAL UNIT RESET (SAM-5 §7.7): aborts every command in the unit's task set, whichever
  // nexus sent it (they end with TASK ABORTED, TAS=1), and establishes 06/29/03 BUS DEVICE
  // RESET FUNCTION OCCURRED for every nexus, the requester's included, as LIO does
  // (target_dev_ua_allocate after the reset) and libiscsi's MultipathIO.Reset expects.
  // `on_quiesced` runs (on any thread, possibly inline) once no aborted command can still
  // change the medium.
  void LunReset(NexusId requester, std::function<void()> on_quiesced = {});
  // CLEAR TASK SET (SAM-5 §7.4): aborts every command of every nexus, without a unit
  // attention (TAS=1 reports it to the other nexuses as TASK ABORTED).
  void ClearTaskSet(NexusId requester, std::function<void()> on_quiesced = {});
  // TARGET WARM/COLD RESET as seen by this unit: a hard reset of every unit (SAM-5), the
  // same aborts and 06/29/03 on every nexus. LIO's core refuses both TMFs
  // (target_tmr_work: TMR_FUNCTION_REJECTED), so there is no LIO UA set to copy.
  void TargetReset(NexusId requester, std::function<void()> on_quiesced = {});
  // Keeps new commands (all but INQUIRY, REPORT LUNS and REQUEST SENSE) from the medium until
  // the returned hold is gone; fencing it refuses them with 02/04/01 meanwhile. For a TMF
  // whose aborted commands have not returned yet (CommandGate, TEST-PLAN S21).
  std::shared_ptr<CommandGate::Hold> HoldNewCommands();
  // Returns true while the unit refuses new commands behind a fence.
  bool fenced() const;
  // Returns the task set generation to stamp on a command at receipt (ScsiCommand).
  uint64_t TaskSetGeneration() const;
  // Forgets the nexus's unit attentions and state (session gone).
  void NexusLost(NexusId nexus);
  // The LUN inventory of the target changed: 06/3F/0E on every nexus (SPC-4, TEST-PLAN S19).
  void ReportedLunsChanged();
  // The LUN inventory seen by `nexus` changed (a LUN added to or removed from its map):
  // 06/3F/0E for that nexus only.
  void ReportedLunsChangedFor(NexusId nexus);
  // Removal's first step: from now on every new command gets 05/25/00 LOGICAL UNIT NOT
  // SUPPORTED, even one routed here by a LUN map that has not been replaced yet. Commands
  // already executing finish normally. Irreversible.
  void Withdraw();
  // Returns true once Withdraw() was called.
  bool withdrawn() const;
  // Grows the backstore to `new_size` bytes while commands run, then raises 06/2A/09
  // CAPACITY DATA HAS CHANGED on every nexus (SBC-3). Errors name the store and leave it as
  // it was.
  Status Resize(uint64_t new_size);
  // Switches the volatile write cache (the caching mode page's WCE) from the management
  // plane, as MODE SELECT would, and raises 06/2A/01 MODE PARAMETERS CHANGED on every nexus.
  Status SetWriteCache(bool enabled);
  // The capacity changed: 06/2A/09 on every nexus.
  void CapacityChanged();
  // Returns the commands submitted to the backstore and not yet completed by it.
  uint64_t InFlight() const;

  // REPORT LUNS was executed through this unit on `nexus`: clears its pending 06/3F/0E
  // (SPC-4 REPORT LUNS: it reports the change the UA announced).
  void ReportLunsExecuted(NexusId nexus);
  // Returns true if sense data should use descriptor format (control page D_SENSE).
  bool DescriptorSense() const;

  const LogicalUnitConfig& config() const;
  // Returns the logical block size in bytes.
  uint32_t block_size() const;
  // Returns the capacity in logical blocks.
  uint64_t num_blocks() const;
  // Returns true if thin provisioning is advertised and honoured.
  bool thin() const;

 private:
  std::shared_ptr<LuCore> core_;
  std::shared_ptr<CommandGate> gate_;
  std::atomic<bool> withdrawn_{false};
};

}  // namespace reftarget::scsi
