// The entry point of the SCSI layer for the transport: route one command to the logical unit
// its LUN names in the I_T nexus's LUN map.
#pragma once

#include "target/scsi/logical_unit.h"
#include "target/scsi/lun_map.h"
#include "target/scsi/scsi_command.h"

namespace reftarget::scsi {

// Executes one command addressed through `map` (the I_T nexus's LUN map). Thread-safe. `done`
// runs exactly once, on any thread (possibly inline). An unmapped LUN gets 05/25/00, except
// INQUIRY (peripheral qualifier 011b, type 1Fh), REQUEST SENSE (GOOD with 05/25/00 as its
// data, SPC-4 REQUEST SENSE) and REPORT LUNS, which is answered from `map` for any LUN. A command
// that would change the medium through a write-protected mapping gets 07/27/00.
void ExecuteCommand(const LunMap& map, ScsiCommand cmd, ScsiCompletion done);

}  // namespace reftarget::scsi
