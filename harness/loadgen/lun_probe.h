// What the generator asks a LUN before it loads it: its capacity and block size (READ
// CAPACITY(16), SBC-3 §5.16), and that it is ready, with the unit attentions a new
// I_T nexus reports first (POWER ON, REPORTED LUNS DATA HAS CHANGED: SAM-5 §5.14)
// consumed and counted so that a run's UA counts are about what happened during it.
#pragma once

#include <chrono>
#include <cstdint>

#include "harness/common/status.h"
#include "harness/iscsi/session.h"

namespace harness::loadgen {

struct LunCapacity {
  uint64_t blocks = 0;  // RETURNED LOGICAL BLOCK ADDRESS + 1
  uint32_t block_size = 0;
};

// Sends READ CAPACITY(16) to `lun`, retrying unit attentions (at most 8). The message of a
// failure names the LUN and the sense.
Result<LunCapacity> ReadCapacity(iscsi::Session& session, int lun, std::chrono::milliseconds limit);

// Sends TEST UNIT READY to `lun` until GOOD, retrying unit attentions (at most 8); adds the
// unit attentions seen to `*unit_attentions`.
Status ClearUnitAttentions(iscsi::Session& session, int lun, std::chrono::milliseconds limit,
                           int* unit_attentions);

}  // namespace harness::loadgen
