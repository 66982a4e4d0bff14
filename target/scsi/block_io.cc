#include "target/scsi/block_io.h"

#include <algorithm>
#include <atomic>

#include "target/scsi/deferred_release.h"

namespace reftarget::scsi {
namespace {

// Every completion handed to a store runs inside a StoreCompletionScope and moves its captured
// state out before the scope ends, so whatever the command releases (possibly the unit and
// its store) is released inside the scope, where LuCore can see it must defer the store.

// Joins the completions of several backstore operations into one. The count starts at one
// for the submitter, which calls Seal() after the last submission, so completions that run
// inline during submission cannot finish the join early.
class IoJoin {
 public:
  IoJoin(LuCore& lu, IoDone done) : lu_(lu), done_(std::move(done)) { lu_.IoStarted(); }

  static backstore::IoCompletion Add(const std::shared_ptr<IoJoin>& join) {
    join->pending_.fetch_add(1, std::memory_order_relaxed);
    return [join](backstore::IoResult result) mutable {
      StoreCompletionScope scope;
      std::shared_ptr<IoJoin> j = std::move(join);
      j->Complete(result.error);
    };
  }
  void Seal() { Complete(0); }

 private:
  void Complete(int error) {
    if (error != 0) {
      int expected = 0;
      error_.compare_exchange_strong(expected, error, std::memory_order_acq_rel);
    }
    if (pending_.fetch_sub(1, std::memory_order_acq_rel) != 1) return;
    lu_.IoFinished();
    IoDone done = std::move(done_);
    done(error_.load(std::memory_order_acquire));
  }

  LuCore& lu_;
  IoDone done_;
  std::atomic<uint32_t> pending_{1};
  std::atomic<int> error_{0};
};

// The completion of a command's only backstore operation.
backstore::IoCompletion Single(LuCore& lu, IoDone done) {
  return [&lu, done = std::move(done)](backstore::IoResult r) mutable {
    StoreCompletionScope scope;
    IoDone d = std::move(done);
    lu.IoFinished();
    d(r.error);
  };
}

}  // namespace

void ReadBlocks(LuCore& lu, uint64_t offset, std::span<uint8_t> buf, IoDone done) {
  if (buf.size() <= kIoChunkBytes) {
    // One operation (the common small I/O): no join needed.
    lu.IoStarted();
    return lu.store().Read(offset, buf, Single(lu, std::move(done)));
  }
  auto join = std::make_shared<IoJoin>(lu, std::move(done));
  for (size_t pos = 0; pos < buf.size(); pos += kIoChunkBytes) {
    size_t n = std::min<size_t>(kIoChunkBytes, buf.size() - pos);
    lu.store().Read(offset + pos, buf.subspan(pos, n), IoJoin::Add(join));
  }
  join->Seal();
}

void WriteBlocks(LuCore& lu, uint64_t offset, std::span<const uint8_t> buf, bool fua, IoDone done) {
  if (buf.size() <= kIoChunkBytes) {
    lu.IoStarted();
    return lu.store().Write(offset, buf, fua, Single(lu, std::move(done)));
  }
  auto join = std::make_shared<IoJoin>(lu, std::move(done));
  for (size_t pos = 0; pos < buf.size(); pos += kIoChunkBytes) {
    size_t n = std::min<size_t>(kIoChunkBytes, buf.size() - pos);
    lu.store().Write(offset + pos, buf.subspan(pos, n), fua, IoJoin::Add(join));
  }
  join->Seal();
}

void WriteRepeated(LuCore& lu, uint64_t offset, uint64_t length, std::span<const uint8_t> pattern,
                   bool fua, IoDone done) {
  auto join = std::make_shared<IoJoin>(lu, std::move(done));
  for (uint64_t pos = 0; pos < length && !pattern.empty(); pos += pattern.size()) {
    uint64_t n = std::min<uint64_t>(pattern.size(), length - pos);
    lu.store().Write(offset + pos, pattern.first(n), fua, IoJoin::Add(join));
  }
  join->Seal();
}

void UnmapRanges(LuCore& lu, std::vector<std::pair<uint64_t, uint64_t>> ranges, IoDone done) {
  auto join = std::make_shared<IoJoin>(lu, std::move(done));
  for (const auto& [offset, length] : ranges) {
    if (length > 0) lu.store().Unmap(offset, length, IoJoin::Add(join));
  }
  join->Seal();
}

void FlushStore(LuCore& lu, IoDone done) {
  auto join = std::make_shared<IoJoin>(lu, std::move(done));
  lu.store().Flush(IoJoin::Add(join));
  join->Seal();
}

}  // namespace reftarget::scsi
