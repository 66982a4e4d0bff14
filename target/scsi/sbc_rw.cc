// READ, WRITE, VERIFY and WRITE AND VERIFY (SBC-3).
#include <algorithm>
#include <cerrno>
#include <cstring>

#include "target/scsi/block_io.h"
#include "target/scsi/handlers.h"
#include "target/scsi/sbc_common.h"

namespace reftarget::scsi {
namespace {

constexpr uint8_t kFua = 0x08;

// How many Data-Out bytes a write may use. The transport delivers exactly EDTL bytes, which
// may differ from what the CDB asks for (`needed`):
//  - EDTL >= needed: use `needed`; the rest is an underflow residual (SAM-5, residuals).
//  - EDTL < needed, a whole number of blocks: write only those blocks and report GOOD with an
//    overflow residual. FCP-4 (FCP_DL and residuals), case (a): "process the command normally
//    except that data beyond FCP_DL shall not be requested or transferred"; libiscsi's
//    iSCSIResiduals tests (test_write10_residuals.c: EDTL 0, one block of two) require exactly
//    this.
//  - EDTL < needed and not a block multiple: a partial block cannot be written, so FCP-4
//    (b): CHECK CONDITION, INVALID FIELD IN COMMAND INFORMATION UNIT (05/0E/03), nothing
//    written; the same tests accept it (LIO returns it for every mismatch,
//    target_cmd_size_check).
// Returns false (task failed) in the last case.
bool UsableDataOut(const TaskPtr& task, uint64_t needed, uint64_t* usable) {
  const uint64_t received = task->cmd().data_out.size();
  *usable = std::min(received, needed);
  if (*usable % task->lu().block_size() != 0) {
    task->Fail(SenseReason::kInvalidFieldInCommandIu);
    return false;
  }
  return true;
}

// Returns the offset of the first byte where a and b differ, or -1.
int64_t FirstDifference(const uint8_t* a, const uint8_t* b, size_t n) {
  if (std::memcmp(a, b, n) == 0) return -1;
  for (size_t i = 0; i < n; ++i) {
    if (a[i] != b[i]) return static_cast<int64_t>(i);
  }
  return -1;
}

void FailMiscompare(const TaskPtr& task, int64_t offset) {
  // SBC-3 (VERIFY/WRITE AND VERIFY miscompare): INFORMATION holds the offset into the Data-Out
  // buffer of the first byte that did not match.
  task->Fail(SenseReason::kMiscompareDuringVerify,
             SenseDetail{std::nullopt, static_cast<uint64_t>(offset)});
}

}  // namespace

void HandleRead(const TaskPtr& task) {
  const RwCdb rw = DecodeRw(task->cdb());
  LuCore& lu = task->lu();
  const uint64_t bytes = uint64_t{rw.blocks} * lu.block_size();
  task->set_cdb_transfer_length(bytes);
  if (!CheckRwCdb(task, rw)) return;
  if (rw.blocks == 0) return task->Good();  // SBC-3 READ: not an error, nothing moves
  IoBuffer& buf = task->response().data_in;
  if (!AllocateOrFail(task, bytes, &buf)) return;
  // FUA on a read means "not from a volatile cache"; there is none in front of the store
  // that this layer controls, so it needs no action. DPO is a caching hint: ignored.
  ReadBlocks(lu, rw.lba * lu.block_size(), buf.span(), [task, bytes](int error) {
    if (error != 0) return task->FailBackend(backstore::IoType::kRead, error);
    task->response().data_in_length = static_cast<uint32_t>(bytes);
    task->Good();
  });
}

void HandleWrite(const TaskPtr& task) {
  const RwCdb rw = DecodeRw(task->cdb());
  LuCore& lu = task->lu();
  const uint64_t bytes = uint64_t{rw.blocks} * lu.block_size();
  task->set_cdb_transfer_length(bytes);
  if (!CheckRwCdb(task, rw)) return;
  uint64_t usable = 0;
  if (!UsableDataOut(task, bytes, &usable)) return;
  if (usable == 0) return task->Good();
  // SBC-3 WRITE: FUA=1 means the data is on the medium before GOOD.
  const bool fua = (rw.flags & kFua) != 0;
  std::span<const uint8_t> data(task->cmd().data_out.data(), usable);
  WriteBlocks(lu, rw.lba * lu.block_size(), data, fua, [task](int error) {
    if (error != 0) {
      NoteWriteFailure(task->lu(), error);
      return task->FailBackend(backstore::IoType::kWrite, error);
    }
    task->Good();
  });
}

void HandleVerify(const TaskPtr& task) {
  const RwCdb rw = DecodeRw(task->cdb());
  LuCore& lu = task->lu();
  const uint32_t bs = lu.block_size();
  // SBC-3 VERIFY: BYTCHK 00b verifies the medium only, 01b compares with Data-Out (one block
  // per LBA), 11b compares every LBA with a single Data-Out block; 10b is reserved.
  const uint8_t bytchk = (rw.flags >> 1) & 0x03;
  if (bytchk == 0x02) return task->FailCdbField(1, 2);
  const uint64_t compare_bytes =
      bytchk == 0x01 ? uint64_t{rw.blocks} * bs : (bytchk == 0x03 && rw.blocks ? bs : 0);
  task->set_cdb_transfer_length(compare_bytes);
  if (!CheckRwCdb(task, rw)) return;
  if (rw.blocks == 0) return task->Good();
  // A verify must not report GOOD for blocks it did not compare, so short Data-Out is an
  // error here rather than a residual.
  if (task->cmd().data_out.size() < compare_bytes) {
    return task->Fail(SenseReason::kInvalidFieldInCommandIu);
  }
  const uint64_t bytes = uint64_t{rw.blocks} * bs;
  if (!AllocateOrFail(task, bytes, &task->scratch())) return;
  ReadBlocks(lu, rw.lba * bs, task->scratch().span(), [task, bytchk, bytes, bs](int error) {
    if (error != 0) return task->FailBackend(backstore::IoType::kRead, error);
    const uint8_t* medium = task->scratch().data();
    const uint8_t* expect = task->cmd().data_out.data();
    if (bytchk == 0x01) {
      int64_t at = FirstDifference(medium, expect, bytes);
      if (at >= 0) return FailMiscompare(task, at);
    } else if (bytchk == 0x03) {
      for (uint64_t off = 0; off < bytes; off += bs) {
        int64_t at = FirstDifference(medium + off, expect, bs);
        if (at >= 0) return FailMiscompare(task, static_cast<int64_t>(off) + at);
      }
    }
    task->Good();
  });
}

void HandleWriteAndVerify(const TaskPtr& task) {
  const RwCdb rw = DecodeRw(task->cdb());
  LuCore& lu = task->lu();
  // SBC-3 WRITE AND VERIFY: BYTCHK 0 verifies the medium after writing, 1 also compares with the
  // written data; other values are reserved.
  const uint8_t bytchk = (rw.flags >> 1) & 0x03;
  if (bytchk > 0x01) return task->FailCdbField(1, 2);
  const uint64_t bytes = uint64_t{rw.blocks} * lu.block_size();
  task->set_cdb_transfer_length(bytes);
  if (!CheckRwCdb(task, rw)) return;
  uint64_t usable = 0;
  if (!UsableDataOut(task, bytes, &usable)) return;
  if (usable == 0) return task->Good();
  const uint64_t offset = rw.lba * lu.block_size();
  std::span<const uint8_t> data(task->cmd().data_out.data(), usable);
  // The verify reads the medium, so the data must be on it first: write with FUA.
  WriteBlocks(lu, offset, data, /*fua=*/true, [task, offset, usable, bytchk](int error) {
    if (error != 0) {
      NoteWriteFailure(task->lu(), error);
      return task->FailBackend(backstore::IoType::kWrite, error);
    }
    if (!AllocateOrFail(task, usable, &task->scratch())) return;
    ReadBlocks(task->lu(), offset, task->scratch().span(), [task, usable, bytchk](int rerror) {
      if (rerror != 0) return task->FailBackend(backstore::IoType::kRead, rerror);
      if (bytchk == 0x01) {
        int64_t at = FirstDifference(task->scratch().data(), task->cmd().data_out.data(), usable);
        if (at >= 0) return FailMiscompare(task, at);
      }
      task->Good();
    });
  });
}

}  // namespace reftarget::scsi
