// COMPARE AND WRITE (SBC-3): read N blocks, compare them with the first half of the Data-Out
// buffer and, only if equal, write the second half. VMware's ATS locking depends on the
// compare and the write being atomic; they are, with respect to every other COMPARE AND
// WRITE on the unit (LuCore::AcquireCaw, as LIO serializes them with its caw_sem).
#include <cstring>

#include "target/scsi/block_io.h"
#include "target/scsi/byte_order.h"
#include "target/scsi/handlers.h"
#include "target/scsi/sbc_common.h"

namespace reftarget::scsi {
namespace {

constexpr uint8_t kFua = 0x08;

// Runs once the unit's COMPARE AND WRITE turn is ours; every path ends with ReleaseCaw().
void CompareThenWrite(const TaskPtr& task, uint64_t lba, uint32_t blocks, bool fua) {
  LuCore& lu = task->lu();
  const uint64_t offset = lba * lu.block_size();
  const uint64_t bytes = uint64_t{blocks} * lu.block_size();
  ReadBlocks(lu, offset, task->scratch().span(), [task, offset, bytes, fua](int error) {
    LuCore& lu = task->lu();
    if (error != 0) {
      lu.ReleaseCaw();
      return task->FailBackend(backstore::IoType::kRead, error);
    }
    const uint8_t* expect = task->cmd().data_out.data();
    if (std::memcmp(task->scratch().data(), expect, bytes) != 0) {
      size_t at = 0;
      while (task->scratch().data()[at] == expect[at]) ++at;
      lu.ReleaseCaw();
      // INFORMATION: offset into the Data-Out buffer of the first byte that differed.
      return task->Fail(SenseReason::kMiscompareDuringVerify, SenseDetail{std::nullopt, at});
    }
    std::span<const uint8_t> data(expect + bytes, bytes);
    WriteBlocks(lu, offset, data, fua, [task](int werror) {
      task->lu().ReleaseCaw();
      if (werror != 0) {
        NoteWriteFailure(task->lu(), werror);
        return task->FailBackend(backstore::IoType::kWrite, werror);
      }
      task->Good();
    });
  });
}

}  // namespace

void HandleCompareAndWrite(const TaskPtr& task) {
  const uint8_t* cdb = task->cdb();
  LuCore& lu = task->lu();
  const uint8_t flags = cdb[1];
  const uint64_t lba = Load64(&cdb[2]);
  const uint32_t blocks = cdb[13];
  const uint64_t bytes = uint64_t{blocks} * lu.block_size();
  task->set_cdb_transfer_length(2 * bytes);
  if (flags & 0xE0) return task->FailCdbField(1, 7);  // WRPROTECT without protection info
  if (blocks > kMaxCompareAndWriteBlocks) return task->FailCdbField(13);
  if (!InRange(lba, blocks, lu.num_blocks())) return task->Fail(SenseReason::kLbaOutOfRange);
  if (blocks == 0) {
    // SBC-3: NUMBER OF LOGICAL BLOCKS 0 compares and writes nothing and is not an error. With
    // Data-Out attached, though, the initiator meant a count the one-byte field cannot hold
    // (256 wraps to 0; libiscsi CompareAndWrite.Simple expects INVALID FIELD IN CDB then).
    if (!task->cmd().data_out.empty()) return task->FailCdbField(13);
    return task->Good();
  }
  // Data-Out is exactly the compare half and the write half (libiscsi
  // CompareAndWrite.InvalidDataOutSize: larger or smaller both fail).
  if (task->cmd().data_out.size() != 2 * bytes) {
    return task->Fail(SenseReason::kInvalidFieldInCommandIu);
  }
  if (!AllocateOrFail(task, bytes, &task->scratch())) return;
  const bool fua = (flags & kFua) != 0;
  lu.AcquireCaw([task, lba, blocks, fua] { CompareThenWrite(task, lba, blocks, fua); });
}

}  // namespace reftarget::scsi
