// Command handlers, one per command family. Each decodes and range-checks its CDB (once, here,
// never in the backstore), then completes the task, possibly after backstore I/O.
// REQUIRES for every handler: task->cmd().cdb.size() >= the opcode's CDB length.
#pragma once

#include "target/scsi/task.h"

namespace reftarget::scsi {

// spc_commands.cc
void HandleTestUnitReady(const TaskPtr& task);
void HandleRequestSense(const TaskPtr& task);
void HandleReportLuns(const TaskPtr& task);  // a unit used without a dispatcher: just its LUN
void HandleReportSupportedOpcodes(const TaskPtr& task);

// spc_inquiry.cc
void HandleInquiry(const TaskPtr& task);

// spc_mode.cc
void HandleModeSense(const TaskPtr& task);   // 6 and 10
void HandleModeSelect(const TaskPtr& task);  // 6 and 10

// sbc_rw.cc
void HandleRead(const TaskPtr& task);            // READ 6/10/12/16
void HandleWrite(const TaskPtr& task);           // WRITE 6/10/12/16
void HandleVerify(const TaskPtr& task);          // VERIFY 10/12/16
void HandleWriteAndVerify(const TaskPtr& task);  // WRITE AND VERIFY 10/12/16

// sbc_compare_and_write.cc
void HandleCompareAndWrite(const TaskPtr& task);

// sbc_capacity.cc
void HandleReadCapacity10(const TaskPtr& task);
void HandleReadCapacity16(const TaskPtr& task);
void HandleGetLbaStatus(const TaskPtr& task);

// sbc_provisioning.cc
void HandleWriteSame(const TaskPtr& task);  // 10 and 16
void HandleUnmap(const TaskPtr& task);

// sbc_cache.cc
void HandleSynchronizeCache(const TaskPtr& task);  // 10 and 16
void HandleStartStopUnit(const TaskPtr& task);
void HandlePreventAllowMediumRemoval(const TaskPtr& task);

}  // namespace reftarget::scsi
