#include "target/scsi/sbc_common.h"

#include <cerrno>
#include <new>

#include "target/scsi/byte_order.h"

namespace reftarget::scsi {

uint8_t CdbLengthOfGroup(uint8_t opcode) {
  switch (opcode >> 5) {
    case 0:
      return 6;
    case 1:
    case 2:
      return 10;
    case 4:
      return 16;
    case 5:
      return 12;
    default:
      return 0;
  }
}

RwCdb DecodeRw(const uint8_t* cdb) {
  RwCdb rw;
  rw.cdb_length = CdbLengthOfGroup(cdb[0]);
  switch (rw.cdb_length) {
    case 6:
      rw.lba = (uint64_t{cdb[1] & 0x1Fu} << 16) | Load16(&cdb[2]);
      rw.blocks = cdb[4] == 0 ? 256 : cdb[4];
      rw.length_byte = 4;
      break;
    case 10:
      rw.flags = cdb[1];
      rw.lba = Load32(&cdb[2]);
      rw.blocks = Load16(&cdb[7]);
      rw.length_byte = 7;
      break;
    case 12:
      rw.flags = cdb[1];
      rw.lba = Load32(&cdb[2]);
      rw.blocks = Load32(&cdb[6]);
      rw.length_byte = 6;
      break;
    case 16:
      rw.flags = cdb[1];
      rw.lba = Load64(&cdb[2]);
      rw.blocks = Load32(&cdb[10]);
      rw.length_byte = 10;
      break;
    default:
      break;
  }
  return rw;
}

bool InRange(uint64_t lba, uint64_t blocks, uint64_t num_blocks) {
  return lba <= num_blocks && blocks <= num_blocks - lba;
}

bool CheckRwCdb(const TaskPtr& task, const RwCdb& rw) {
  const LuCore& lu = task->lu();
  // SBC-3 (protection information): without protection information (PROTECT=0 in INQUIRY), a
  // nonzero RDPROTECT/WRPROTECT/VRPROTECT is an invalid field.
  if (rw.flags & 0xE0) {
    task->FailCdbField(1, 7);
    return false;
  }
  if (rw.blocks > lu.max_transfer_blocks()) {
    task->FailCdbField(rw.length_byte);
    return false;
  }
  if (!InRange(rw.lba, rw.blocks, lu.num_blocks())) {
    task->Fail(SenseReason::kLbaOutOfRange);
    return false;
  }
  return true;
}

void NoteWriteFailure(LuCore& lu, int error) {
  if (!lu.write_back()) return;
  if (error == ENOSPC || error == EDQUOT || error == ENOMEM || error == EROFS) return;
  lu.PoisonCache("a write with the write cache enabled", error);
}

bool AllocateOrFail(const TaskPtr& task, size_t size, IoBuffer* buf) {
  // IoBuffer reports allocation failure with std::bad_alloc; turn it into sense here so no
  // exception crosses the I/O path.
  try {
    *buf = IoBuffer(size);
  } catch (const std::bad_alloc&) {
    task->Fail(SenseReason::kInternalTargetFailure);
    return false;
  }
  return true;
}

}  // namespace reftarget::scsi
