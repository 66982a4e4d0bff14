// Task: the context of one SCSI command inside a logical unit, from decode to completion.
// Heap-allocated and shared because backstore completions run on other threads after
// LogicalUnit::Execute has returned; the completion callback runs exactly once.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <span>

#include "target/backstore/backstore.h"
#include "target/scsi/lu_core.h"
#include "target/scsi/scsi_command.h"
#include "target/scsi/sense.h"

namespace reftarget::scsi {

class Task {
 public:
  // REQUIRES: epoch was joined in lu's task set; the task leaves it when destroyed, i.e. after
  // its completion ran and its last backstore I/O returned.
  Task(std::shared_ptr<LuCore> lu, TaskSet::EpochRef epoch, NexusId nexus, ScsiCommand cmd,
       bool write_protect, ScsiCompletion done)
      : lu_(std::move(lu)),
        epoch_(std::move(epoch)),
        nexus_(nexus),
        cmd_(std::move(cmd)),
        write_protect_(write_protect),
        done_(std::move(done)) {}
  ~Task() { TaskSet::Leave(epoch_); }
  Task(const Task&) = delete;
  Task& operator=(const Task&) = delete;

  LuCore& lu() const { return *lu_; }
  const std::shared_ptr<LuCore>& lu_ptr() const { return lu_; }
  NexusId nexus() const { return nexus_; }
  const ScsiCommand& cmd() const { return cmd_; }
  ScsiCommand& cmd() { return cmd_; }
  const uint8_t* cdb() const { return cmd_.cdb.data(); }
  uint8_t opcode() const { return cmd_.cdb[0]; }
  // Write protection from the mapping or the store (SBC-3 WP).
  bool write_protected() const { return write_protect_ || lu_->store_read_only(); }
  ScsiResponse& response() { return response_; }
  // A buffer owned by the command for I/O that is not Data-In (verify reads).
  IoBuffer& scratch() { return scratch_; }

  // Sets the bytes the CDB asks to move (for residuals).
  void set_cdb_transfer_length(uint64_t bytes) {
    response_.cdb_transfer_length = bytes > UINT32_MAX ? UINT32_MAX : static_cast<uint32_t>(bytes);
  }

  // Completes with GOOD and whatever data_in has been set.
  void Good();
  // Completes with a response built elsewhere (REPORT LUNS).
  void Complete(ScsiResponse response) {
    response_ = std::move(response);
    Finish();
  }
  // Completes with CHECK CONDITION and sense for `reason`.
  void Fail(SenseReason reason, const SenseDetail& detail = {});
  // Completes with CHECK CONDITION INVALID FIELD IN CDB pointing at `byte` (and `bit`).
  void FailCdbField(uint16_t byte, int8_t bit = -1) {
    Fail(SenseReason::kInvalidFieldInCdb, SenseDetail{FieldPointer{byte, bit, true}, {}});
  }
  // Completes with CHECK CONDITION INVALID FIELD IN PARAMETER LIST pointing at `byte`.
  void FailParamField(uint16_t byte, int8_t bit = -1) {
    Fail(SenseReason::kInvalidFieldInParameterList,
         SenseDetail{FieldPointer{byte, bit, false}, {}});
  }
  // Completes with the sense for backstore error `error` (a positive errno) of `op`.
  void FailBackend(backstore::IoType op, int error);

  // Completes GOOD with data-in `data` cut to `allocation_length` (SPC-4: the allocation
  // length truncates, it is not an error). Sets cdb_transfer_length to the bytes produced after
  // truncation, so a short answer is an underflow, not an overflow.
  void GoodWithData(std::span<const uint8_t> data, uint32_t allocation_length);

 private:
  void Finish();

  std::shared_ptr<LuCore> lu_;
  TaskSet::EpochRef epoch_;
  NexusId nexus_;
  ScsiCommand cmd_;
  bool write_protect_;
  ScsiCompletion done_;
  ScsiResponse response_;
  IoBuffer scratch_;
  std::atomic<bool> finished_{false};
};

using TaskPtr = std::shared_ptr<Task>;
using Handler = void (*)(const TaskPtr& task);

// Maps a backstore errno to the sense a command reports (TEST-PLAN S17): reads 03/11/00,
// writes/flushes/unmaps 03/0C/00, ENOSPC 07/27/07, ENOMEM 04/44/00, EROFS 07/27/00.
SenseReason SenseForBackendError(backstore::IoType op, int error);

}  // namespace reftarget::scsi
