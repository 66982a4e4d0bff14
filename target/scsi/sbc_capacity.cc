// READ CAPACITY(10), READ CAPACITY(16) and GET LBA STATUS (SBC-3).
#include <algorithm>

#include "target/scsi/byte_order.h"
#include "target/scsi/handlers.h"

namespace reftarget::scsi {
namespace {

constexpr size_t kLbaStatusHeader = 8;
constexpr size_t kLbaStatusDescriptor = 16;
// GET LBA STATUS asks the store block by block (Backstore::IsDeallocated is synchronous, an
// lseek(SEEK_DATA) for fileio); bound the work one command may cause on the caller's thread.
constexpr uint32_t kMaxStatusProbes = 256;
constexpr uint8_t kMapped = 0x0;
constexpr uint8_t kDeallocated = 0x1;

}  // namespace

void HandleReadCapacity10(const TaskPtr& task) {
  const LuCore& lu = task->lu();
  // SBC-3 READ CAPACITY(10): RETURNED LOGICAL BLOCK ADDRESS is the last LBA, or FFFFFFFFh when it
  // does not fit (the initiator then uses READ CAPACITY(16)). The PMI bit and LBA field are
  // obsolete in SBC-4 and ignored, as LIO does.
  const uint64_t blocks = lu.num_blocks();
  const uint64_t last = blocks == 0 ? 0 : blocks - 1;
  std::vector<uint8_t> d(8, 0);
  Store32(&d[0], last > 0xFFFFFFFEull ? 0xFFFFFFFFu : static_cast<uint32_t>(last));
  Store32(&d[4], lu.block_size());
  task->GoodWithData(d, static_cast<uint32_t>(d.size()));
}

void HandleReadCapacity16(const TaskPtr& task) {
  const uint8_t* cdb = task->cdb();
  const LuCore& lu = task->lu();
  const uint32_t alloc = Load32(&cdb[10]);
  const uint64_t blocks = lu.num_blocks();
  std::vector<uint8_t> d(32, 0);
  Store64(&d[0], blocks == 0 ? 0 : blocks - 1);
  Store32(&d[8], lu.block_size());
  // Byte 12: P_TYPE/PROT_EN = 0 (no protection information).
  d[13] = lu.config().lbppbe & 0x0F;   // P_I_EXPONENT 0, LOGICAL BLOCKS PER PHYSICAL BLOCK EXPONENT
  if (lu.thin()) d[14] = 0x80 | 0x40;  // LBPME, LBPRZ (unmapped blocks read as zeroes)
  task->GoodWithData(d, alloc);
}

void HandleGetLbaStatus(const TaskPtr& task) {
  const uint8_t* cdb = task->cdb();
  const LuCore& lu = task->lu();
  const uint64_t start = Load64(&cdb[2]);
  const uint32_t alloc = Load32(&cdb[10]);
  const uint64_t num_blocks = lu.num_blocks();
  // SBC-3 GET LBA STATUS: a STARTING LOGICAL BLOCK ADDRESS beyond the last LBA is out of range.
  if (start >= num_blocks) return task->Fail(SenseReason::kLbaOutOfRange);

  // Describe extents from `start` while the allocation length has room for descriptors. A
  // fully provisioned unit is mapped everywhere (LBPME=0: SBC-3 logical block provisioning); a thin
  // one asks the store, one block at a time, within a probe budget. A shorter extent than the real
  // one is allowed: the initiator asks again from where the reply ended.
  const uint32_t bs = lu.block_size();
  const size_t room =
      alloc > kLbaStatusHeader ? (alloc - kLbaStatusHeader) / kLbaStatusDescriptor : 0;
  const size_t max_descriptors = std::max<size_t>(room, 1);
  std::vector<uint8_t> d(kLbaStatusHeader, 0);
  uint64_t lba = start;
  uint32_t probes = 0;
  while (lba < num_blocks &&
         (d.size() - kLbaStatusHeader) / kLbaStatusDescriptor < max_descriptors) {
    uint8_t status = kMapped;
    uint64_t count;
    if (!lu.thin()) {
      count = std::min<uint64_t>(num_blocks - lba, UINT32_MAX);
    } else {
      auto deallocated = [&](uint64_t b) {
        ++probes;
        return lu.store().IsDeallocated(b * bs, bs);
      };
      const bool first = deallocated(lba);
      status = first ? kDeallocated : kMapped;
      count = 1;
      while (lba + count < num_blocks && count < UINT32_MAX && probes < kMaxStatusProbes &&
             deallocated(lba + count) == first) {
        ++count;
      }
    }
    size_t at = d.size();
    d.resize(at + kLbaStatusDescriptor, 0);
    Store64(&d[at], lba);
    Store32(&d[at + 8], static_cast<uint32_t>(count));
    d[at + 12] = status;  // PROVISIONING STATUS
    lba += count;
    if (probes >= kMaxStatusProbes) break;
  }
  Store32(&d[0], static_cast<uint32_t>(d.size() - 4));  // PARAMETER DATA LENGTH
  task->GoodWithData(d, alloc);
}

}  // namespace reftarget::scsi
