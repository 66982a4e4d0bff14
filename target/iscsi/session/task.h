// Task: the transport state of one SCSI command on a connection, from its SCSI Command PDU
// to its response: CmdSN, the Data-Out it still expects, the R2Ts it has issued.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>

#include "target/iscsi/session/connection.h"
#include "target/scsi/scsi_command.h"

namespace reftarget::iscsi {

struct Connection::Task {
  struct R2tState {
    uint32_t offset = 0;
    uint32_t length = 0;
    uint32_t received = 0;
    uint32_t next_data_sn = 0;
  };
  enum class State { kCollecting, kExecuting };

  uint32_t itt = 0;
  std::chrono::steady_clock::time_point received_at;  // for the LUN's latency counters
  uint32_t cmd_sn = 0;
  bool immediate = false;
  uint64_t raw_lun = 0;
  scsi::ScsiCommand command;
  State state = State::kCollecting;
  bool admitted = false;  // its CmdSN turn has come
  bool aborted = false;   // ABORT TASK / LUN RESET: suppress the response
  bool failed = false;    // a data transfer error ended it with CHECK CONDITION
  // Why it failed (RFC 7143 §11.4.7.2), reported once its CmdSN turn comes.
  scsi::SenseReason fail_reason = scsi::SenseReason::kDataPhaseError;
  uint32_t received = 0;           // Data-Out bytes stored so far
  uint32_t unsolicited_limit = 0;  // bytes the initiator may send without an R2T
  uint32_t unsolicited_received = 0;
  uint32_t next_unsolicited_data_sn = 0;
  uint32_t next_solicit_offset = 0;  // first byte not yet covered by an R2T
  uint32_t r2t_sn = 0;
  std::map<uint32_t, R2tState> r2ts;  // outstanding R2Ts by TTT
  // TMFs waiting for this task to finish before they answer (RFC 7143 §11.6).
  std::vector<uint32_t> waiting_tmfs;
  // Keep its unit's new commands from the medium until this aborted task has returned
  // (scsi::CommandGate); released with the task.
  std::vector<std::shared_ptr<scsi::CommandGate::Hold>> gate_holds;
};

}  // namespace reftarget::iscsi
