// CDB decoding and checks shared by the SBC commands: the LBA/length layout of the 6/10/12/16
// byte read-write family and the LBA range check (SBC-3).
#pragma once

#include <cstdint>

#include "target/scsi/task.h"

namespace reftarget::scsi {

// MAXIMUM COMPARE AND WRITE LENGTH (VPD B0h), in blocks: one, as LIO (VMware's ATS uses one).
inline constexpr uint32_t kMaxCompareAndWriteBlocks = 1;

// A decoded READ/WRITE/VERIFY/WRITE AND VERIFY CDB.
struct RwCdb {
  uint64_t lba = 0;
  uint32_t blocks = 0;
  uint8_t flags = 0;         // byte 1 (PROTECT 7-5, DPO 4, FUA 3, BYTCHK 2-1); 0 for 6-byte CDBs
  uint16_t length_byte = 0;  // offset of the TRANSFER LENGTH field, for field pointers
  uint8_t cdb_length = 0;
};

// Returns the CDB length implied by the opcode's group code (SPC-4 group code).
uint8_t CdbLengthOfGroup(uint8_t opcode);

// Decodes the LBA/length layout of the read-write family. For 6-byte CDBs a TRANSFER LENGTH
// of 0 means 256 blocks (SBC-3 READ(6)). REQUIRES: the CDB holds CdbLengthOfGroup(cdb[0]) bytes.
RwCdb DecodeRw(const uint8_t* cdb);

// Returns true if [lba, lba + blocks) lies within the medium (SBC-3: LBA plus transfer
// length must not exceed the capacity; a zero-length transfer at LBA == capacity is allowed,
// as in LIO).
bool InRange(uint64_t lba, uint64_t blocks, uint64_t num_blocks);

// Checks a read-write family CDB: PROTECT field zero (no protection information: 05/24/00),
// transfer length within MAXIMUM TRANSFER LENGTH (05/24/00), range (05/21/00). Fails the
// task and returns false on the first problem.
bool CheckRwCdb(const TaskPtr& task, const RwCdb& rw);

// Records a failed write: with the write cache on, earlier cached data may be lost with it
// (the page cache drops dirty pages after a failed writeback), so SYNCHRONIZE CACHE is
// poisoned. Refusals that leave the cache intact (no space, no memory, read-only) are not.
void NoteWriteFailure(LuCore& lu, int error);

// Allocates `size` bytes into `buf`; on allocation failure fails the task with 04/44/00.
bool AllocateOrFail(const TaskPtr& task, size_t size, IoBuffer* buf);

}  // namespace reftarget::scsi
