#include "harness/loadgen/block_map.h"

namespace harness::loadgen {

BlockMap::BlockMap(uint64_t first_lba, uint64_t count) : first_lba_(first_lba), entries_(count) {}

bool BlockMap::Contains(uint64_t lba, uint64_t n) const {
  return lba >= first_lba_ && n <= entries_.size() && lba - first_lba_ <= entries_.size() - n;
}

std::optional<uint64_t> BlockMap::BeginWrite(uint64_t lba, uint32_t n) {
  std::lock_guard<std::mutex> lock(mu_);
  const uint64_t base = lba - first_lba_;
  for (uint32_t i = 0; i < n; ++i) {
    if (entries_[base + i].issued & kInFlight) return std::nullopt;
  }
  const uint64_t gen = ++counter_;
  for (uint32_t i = 0; i < n; ++i) entries_[base + i].issued = gen | kInFlight;
  return gen;
}

void BlockMap::EndWrite(uint64_t lba, uint32_t n, uint64_t gen, bool acknowledged) {
  std::lock_guard<std::mutex> lock(mu_);
  const uint64_t base = lba - first_lba_;
  for (uint32_t i = 0; i < n; ++i) {
    Entry& e = entries_[base + i];
    e.issued = gen;  // clears kInFlight
    if (acknowledged) e.acked = gen;
  }
}

void BlockMap::Forget() {
  std::lock_guard<std::mutex> lock(mu_);
  // acked 0 with issued kept: a read accepts zeros (never written) up to the last issued
  // generation (Accepts' lo..hi), which covers whatever survived.
  for (Entry& e : entries_) e.acked = 0;
}

ReadSnapshot BlockMap::BeginRead(uint64_t lba, uint32_t n) const {
  ReadSnapshot s;
  s.lba = lba;
  s.blocks = n;
  s.lo.resize(n);
  s.hi.resize(n);
  std::lock_guard<std::mutex> lock(mu_);
  s.after = counter_;
  const uint64_t base = lba - first_lba_;
  for (uint32_t i = 0; i < n; ++i) {
    const Entry& e = entries_[base + i];
    s.lo[i] = e.acked;
    s.hi[i] = e.issued & ~kInFlight;  // == acked unless in flight or failed
  }
  return s;
}

std::vector<BlockExpectation> BlockMap::Complete(const ReadSnapshot& s) const {
  std::vector<BlockExpectation> out(s.blocks);
  std::lock_guard<std::mutex> lock(mu_);
  const uint64_t base = s.lba - first_lba_;
  for (uint32_t i = 0; i < s.blocks; ++i) {
    out[i].lo = s.lo[i];
    out[i].hi = s.hi[i];
    out[i].after = s.after;
    out[i].now = entries_[base + i].issued & ~kInFlight;
  }
  return out;
}

BlockRecord BlockMap::Get(uint64_t lba) const {
  std::lock_guard<std::mutex> lock(mu_);
  const Entry& e = entries_[lba - first_lba_];
  return BlockRecord{e.acked, e.issued & ~kInFlight, (e.issued & kInFlight) != 0};
}

uint64_t BlockMap::counter() const {
  std::lock_guard<std::mutex> lock(mu_);
  return counter_;
}

uint64_t BlockMap::WrittenBlocks() const {
  std::lock_guard<std::mutex> lock(mu_);
  uint64_t n = 0;
  for (const Entry& e : entries_) n += e.acked != 0;
  return n;
}

}  // namespace harness::loadgen
