// WRITE SAME(10/16) and UNMAP (SBC-3).
#include <algorithm>
#include <cstring>
#include <utility>
#include <vector>

#include "target/scsi/block_io.h"
#include "target/scsi/byte_order.h"
#include "target/scsi/handlers.h"
#include "target/scsi/sbc_common.h"

namespace reftarget::scsi {
namespace {

constexpr uint8_t kOpWriteSame16 = 0x93;
constexpr size_t kUnmapHeader = 8;
constexpr size_t kUnmapDescriptor = 16;

void UnmapDone(const TaskPtr& task, int error) {
  if (error != 0) return task->FailBackend(backstore::IoType::kUnmap, error);
  task->Good();
}

}  // namespace

void HandleWriteSame(const TaskPtr& task) {
  const uint8_t* cdb = task->cdb();
  LuCore& lu = task->lu();
  const uint32_t bs = lu.block_size();
  const bool sixteen = cdb[0] == kOpWriteSame16;
  const uint8_t flags = cdb[1];
  const uint64_t lba = sixteen ? Load64(&cdb[2]) : Load32(&cdb[2]);
  const uint64_t blocks = sixteen ? Load32(&cdb[10]) : Load16(&cdb[7]);
  const uint16_t length_byte = sixteen ? 10 : 7;
  const bool anchor = (flags & 0x10) != 0;
  const bool unmap = (flags & 0x08) != 0;
  const bool ndob = sixteen && (flags & 0x01) != 0;  // SBC-4: no Data-Out, write zeroes

  // The CDB asks for one block of Data-Out (none with NDOB).
  task->set_cdb_transfer_length(ndob ? 0 : bs);
  if (flags & 0xE0) return task->FailCdbField(1, 7);  // WRPROTECT without protection info
  // ANC_SUP=0 in VPD B2h: anchoring is not supported (libiscsi WriteSame*.Unmap).
  if (anchor) return task->FailCdbField(1, 4);
  // UNMAP=1 only on thin units (LBPWS/LBPWS10 in VPD B2h); libiscsi WriteSame*.UnmapVPD.
  if (unmap && !lu.thin()) return task->FailCdbField(1, 3);
  // PBDATA/LBDATA (obsolete in SBC-3) would ask for per-block address stamping.
  if (flags & 0x06) return task->FailCdbField(1, 2);
  if (!InRange(lba, blocks, lu.num_blocks())) return task->Fail(SenseReason::kLbaOutOfRange);
  // WSNZ=1 (VPD B0h): zero blocks does not mean "to the end of the medium".
  if (blocks == 0) return task->FailCdbField(length_byte);
  if (blocks > lu.config().max_write_same_len) return task->FailCdbField(length_byte);
  // The Data-Out buffer is exactly one logical block (libiscsi WriteSame*.InvalidDataOutSize:
  // half a block and two blocks both fail); with NDOB it is empty.
  const size_t received = task->cmd().data_out.size();
  if (received != (ndob ? 0u : bs)) return task->Fail(SenseReason::kInvalidFieldInCommandIu);

  const uint64_t offset = lba * bs;
  const uint64_t length = blocks * bs;
  if (unmap) {
    // As LIO does (sbc_execute_write_same_unmap) and libiscsi's UnmapUntilEnd expects, UNMAP=1
    // deallocates the range; with LBPRZ=1 it then reads back as zeroes.
    return UnmapRanges(lu, {{offset, length}}, [task](int error) { UnmapDone(task, error); });
  }
  // Build up to one I/O chunk of the repeated block once, then write it over the range.
  const uint64_t pattern_blocks =
      std::min<uint64_t>(blocks, std::max<uint64_t>(kIoChunkBytes / bs, 1));
  if (!AllocateOrFail(task, pattern_blocks * bs, &task->scratch())) return;
  uint8_t* pattern = task->scratch().data();
  if (ndob) {
    std::memset(pattern, 0, pattern_blocks * bs);
  } else {
    for (uint64_t i = 0; i < pattern_blocks; ++i) {
      std::memcpy(pattern + i * bs, task->cmd().data_out.data(), bs);
    }
  }
  WriteRepeated(lu, offset, length, task->scratch().span(), /*fua=*/false, [task](int error) {
    if (error != 0) {
      NoteWriteFailure(task->lu(), error);
      return task->FailBackend(backstore::IoType::kWrite, error);
    }
    task->Good();
  });
}

void HandleUnmap(const TaskPtr& task) {
  const uint8_t* cdb = task->cdb();
  LuCore& lu = task->lu();
  const uint32_t param_len = Load16(&cdb[7]);
  task->set_cdb_transfer_length(param_len);
  if (cdb[1] & 0x01) return task->FailCdbField(1, 0);  // ANCHOR: ANC_SUP=0
  // SBC-3 UNMAP: a PARAMETER LIST LENGTH of zero transfers nothing and is not an error.
  if (param_len == 0) return task->Good();
  const IoBuffer& out = task->cmd().data_out;
  const size_t avail = std::min<size_t>(param_len, out.size());
  // The header alone is 8 bytes; less cannot be a parameter list.
  if (avail < kUnmapHeader) return task->Fail(SenseReason::kParameterListLengthError);
  const uint8_t* p = out.data();
  // UNMAP BLOCK DESCRIPTOR DATA LENGTH; a trailing partial descriptor is ignored (SBC-3
  // UNMAP parameter list), and a length beyond what was sent is cut to what was sent (as LIO does).
  size_t bd_len = std::min<size_t>(Load16(&p[2]), avail - kUnmapHeader);
  const size_t count = bd_len / kUnmapDescriptor;
  if (count > lu.config().max_unmap_block_desc_count) return task->FailParamField(2);

  // Check every descriptor before touching the medium, so a bad one unmaps nothing.
  const uint32_t bs = lu.block_size();
  const uint64_t num_blocks = lu.num_blocks();
  uint64_t total = 0;
  std::vector<std::pair<uint64_t, uint64_t>> ranges;
  ranges.reserve(count);
  for (size_t i = 0; i < count; ++i) {
    const uint8_t* d = p + kUnmapHeader + i * kUnmapDescriptor;
    const uint64_t lba = Load64(d);
    const uint32_t blocks = Load32(d + 8);
    if (!InRange(lba, blocks, num_blocks)) return task->Fail(SenseReason::kLbaOutOfRange);
    total += blocks;
    // MAXIMUM UNMAP LBA COUNT (VPD B0h) bounds the blocks of one command.
    if (total > lu.config().max_unmap_lba_count) {
      return task->FailParamField(static_cast<uint16_t>(kUnmapHeader + i * kUnmapDescriptor + 8));
    }
    if (blocks != 0) ranges.emplace_back(lba * bs, uint64_t{blocks} * bs);
  }
  if (ranges.empty()) return task->Good();
  UnmapRanges(lu, std::move(ranges), [task](int error) { UnmapDone(task, error); });
}

}  // namespace reftarget::scsi
