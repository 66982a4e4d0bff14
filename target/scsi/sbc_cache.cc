// SYNCHRONIZE CACHE(10/16), START STOP UNIT and PREVENT ALLOW MEDIUM REMOVAL (SBC-3).
#include "target/scsi/block_io.h"
#include "target/scsi/byte_order.h"
#include "target/scsi/handlers.h"
#include "target/scsi/sbc_common.h"

namespace reftarget::scsi {
namespace {

constexpr uint8_t kOpSynchronizeCache16 = 0x91;

}  // namespace

void HandleSynchronizeCache(const TaskPtr& task) {
  const uint8_t* cdb = task->cdb();
  LuCore& lu = task->lu();
  const bool sixteen = cdb[0] == kOpSynchronizeCache16;
  const uint64_t lba = sixteen ? Load64(&cdb[2]) : Load32(&cdb[2]);
  const uint64_t blocks = sixteen ? Load32(&cdb[10]) : Load16(&cdb[7]);
  const bool immed = (cdb[1] & 0x02) != 0;
  // SBC-3 SYNCHRONIZE CACHE: the range (0 blocks: to the end) must lie within the medium. The whole
  // store is flushed whatever the range: a superset is always correct.
  if (!InRange(lba, blocks, lu.num_blocks())) return task->Fail(SenseReason::kLbaOutOfRange);
  // fsyncgate: after a failed flush nothing acknowledged before it can be promised durable.
  if (lu.cache_poisoned()) return task->Fail(SenseReason::kWriteError);
  if (immed) {
    // IMMED=1: status after the CDB is validated; a failing flush still poisons later ones.
    std::shared_ptr<LuCore> keep = task->lu_ptr();
    FlushStore(lu, [keep](int error) {
      if (error != 0) keep->PoisonCache("a SYNCHRONIZE CACHE (IMMED) flush", error);
    });
    return task->Good();
  }
  FlushStore(lu, [task](int error) {
    if (error != 0) {
      task->lu().PoisonCache("a SYNCHRONIZE CACHE flush", error);
      return task->FailBackend(backstore::IoType::kFlush, error);
    }
    task->Good();
  });
}

void HandleStartStopUnit(const TaskPtr& task) {
  const uint8_t* cdb = task->cdb();
  // The medium is not removable (RMB=0) and has no power conditions: LOEJ and a POWER
  // CONDITION are refused (libiscsi StartStopUnit.Simple expects failure); START/STOP
  // themselves are accepted and change nothing.
  if (cdb[4] & 0xF0) return task->FailCdbField(4, 7);
  if (cdb[4] & 0x02) return task->FailCdbField(4, 1);
  task->Good();
}

void HandlePreventAllowMediumRemoval(const TaskPtr& task) {
  // SBC-3 PREVENT ALLOW MEDIUM REMOVAL: accepted; with no removable medium there is nothing to
  // lock.
  task->Good();
}

}  // namespace reftarget::scsi
