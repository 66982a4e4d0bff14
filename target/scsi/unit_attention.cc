#include "target/scsi/unit_attention.h"

#include <algorithm>

namespace reftarget::scsi {
namespace {

// SAM-5 (unit attention conditions): a reset-class condition (ASC 29h) supersedes a pending one of
// the same class and is reported first.
bool IsResetClass(SenseReason reason) { return SenseCodeOf(reason).asc == 0x29; }

}  // namespace

size_t UnitAttentions::Hash(uint64_t key) {
  // A 64-bit mix (splitmix64 finalizer) so sequential ids spread over the table.
  uint64_t x = key;
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  x ^= x >> 31;
  return static_cast<size_t>(x) & (kSlots - 1);
}

bool UnitAttentions::IsClear(NexusId nexus) const {
  if (!Encodable(nexus)) return false;
  const uint64_t want = KeyOf(nexus);
  size_t i = Hash(want);
  for (size_t probes = 0; probes < kSlots; ++probes, i = (i + 1) & (kSlots - 1)) {
    uint64_t key = slots_[i].key.load(std::memory_order_acquire);
    if (key == want) return !slots_[i].pending.load(std::memory_order_acquire);
    if (key == kEmpty) return false;
  }
  return false;
}

void UnitAttentions::Publish(NexusState& state) {
  if (state.slot != nullptr) {
    state.slot->pending.store(!state.pending.empty(), std::memory_order_release);
  }
}

void UnitAttentions::FreeSlotLocked(NexusState& state) {
  if (Slot* slot = state.slot) {
    // Mark pending first so a racing reader of the dying key takes the slow path.
    slot->pending.store(true, std::memory_order_relaxed);
    slot->key.store(kTombstone, std::memory_order_release);
    state.slot = nullptr;
  }
}

UnitAttentions::Slot* UnitAttentions::ClaimSlotLocked(NexusId nexus) {
  const uint64_t key = KeyOf(nexus);
  size_t i = Hash(key);
  for (size_t probes = 0; probes < kSlots; ++probes, i = (i + 1) & (kSlots - 1)) {
    uint64_t k = slots_[i].key.load(std::memory_order_relaxed);
    if (k == kEmpty || k == kTombstone) return &slots_[i];
  }
  // Full: take the slot of the oldest nexus that has one (every slot lies on every probe
  // path once the table is full, so the new key is still found by its readers).
  for (auto& [id, state] : nexuses_) {
    if (state.slot != nullptr && id != nexus) {
      Slot* slot = state.slot;
      FreeSlotLocked(state);
      return slot;
    }
  }
  return nullptr;
}

UnitAttentions::NexusState& UnitAttentions::RegisterLocked(NexusId nexus) {
  auto [it, inserted] = nexuses_.try_emplace(nexus);
  NexusState& state = it->second;
  if (!inserted) return state;
  state.pending.push_back(SenseReason::kPowerOnResetOccurred);
  if (nexuses_.size() > kMaxNexuses) {
    auto oldest = nexuses_.begin();
    if (oldest->first != nexus) {
      FreeSlotLocked(oldest->second);
      nexuses_.erase(oldest);
    }
  }
  if (!Encodable(nexus)) return state;
  // The pending flag is written before the key is published (release), so a reader that
  // finds the key sees the right flag.
  if (Slot* slot = ClaimSlotLocked(nexus)) {
    slot->pending.store(true, std::memory_order_relaxed);
    slot->key.store(KeyOf(nexus), std::memory_order_release);
    state.slot = slot;
  }
  return state;
}

void UnitAttentions::EstablishLocked(NexusState& state, SenseReason reason) {
  auto& q = state.pending;
  if (IsResetClass(reason)) {
    q.erase(std::remove_if(q.begin(), q.end(), IsResetClass), q.end());
    q.push_front(reason);
  } else if (std::find(q.begin(), q.end(), reason) == q.end()) {
    q.push_back(reason);
  }
  while (q.size() > kMaxPendingPerNexus) q.pop_back();
  Publish(state);
}

std::optional<SenseReason> UnitAttentions::Take(NexusId nexus) {
  std::lock_guard<std::mutex> lock(mu_);
  NexusState& state = RegisterLocked(nexus);
  if (state.pending.empty()) return std::nullopt;
  SenseReason reason = state.pending.front();
  state.pending.pop_front();
  Publish(state);
  return reason;
}

void UnitAttentions::Register(NexusId nexus) {
  std::lock_guard<std::mutex> lock(mu_);
  RegisterLocked(nexus);
}

void UnitAttentions::EstablishAll(SenseReason reason, std::optional<NexusId> except) {
  std::lock_guard<std::mutex> lock(mu_);
  for (auto& [nexus, state] : nexuses_) {
    if (except && nexus == *except) continue;
    EstablishLocked(state, reason);
  }
}

void UnitAttentions::Establish(NexusId nexus, SenseReason reason) {
  std::lock_guard<std::mutex> lock(mu_);
  EstablishLocked(RegisterLocked(nexus), reason);
}

void UnitAttentions::Clear(NexusId nexus, SenseReason reason) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = nexuses_.find(nexus);
  if (it == nexuses_.end()) return;
  auto& q = it->second.pending;
  q.erase(std::remove(q.begin(), q.end(), reason), q.end());
  Publish(it->second);
}

void UnitAttentions::Forget(NexusId nexus) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = nexuses_.find(nexus);
  if (it == nexuses_.end()) return;
  FreeSlotLocked(it->second);
  nexuses_.erase(it);
}

size_t UnitAttentions::KnownCount() const {
  std::lock_guard<std::mutex> lock(mu_);
  return nexuses_.size();
}

std::deque<SenseReason> UnitAttentions::Pending(NexusId nexus) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = nexuses_.find(nexus);
  return it == nexuses_.end() ? std::deque<SenseReason>{} : it->second.pending;
}

}  // namespace reftarget::scsi
