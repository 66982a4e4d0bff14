// Unit attention conditions per I_T nexus for one logical unit (SAM-5, SPC-4).
//
// The I/O fast path asks IsClear() for every command. It is lock-free: an open-addressed table
// of atomic slots {nexus, pending} that readers probe with acquire loads; all changes are made
// under one mutex, which only the slow path (a UA to report, an unseen nexus) and management
// events (reset, LUN map change, mode change) take.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <optional>

#include "target/scsi/scsi_command.h"
#include "target/scsi/sense.h"

namespace reftarget::scsi {

class UnitAttentions {
 public:
  // Pending conditions kept per nexus; older ones beyond this are dropped (a UA storm must not
  // grow memory). SPC-4 allows a device server to report only the most recent conditions.
  static constexpr size_t kMaxPendingPerNexus = 8;
  // Slots of the lock-free table. When it is full, the newest nexus takes the slot of the
  // oldest one (lowest id: ids grow with each login), which falls back to the mutex.
  static constexpr size_t kSlots = 256;
  // Nexuses remembered at most. NexusLost() normally forgets them; if sessions end without
  // it, the oldest is forgotten (a forgotten nexus that comes back gets 29/00 again).
  static constexpr size_t kMaxNexuses = 4096;

  UnitAttentions() = default;
  UnitAttentions(const UnitAttentions&) = delete;
  UnitAttentions& operator=(const UnitAttentions&) = delete;

  // Returns true if `nexus` is known and has no pending UA. Lock-free; a false answer only
  // means the caller must take the slow path (Take/Register).
  bool IsClear(NexusId nexus) const;

  // Registers `nexus` if unseen (a new nexus starts with 29/00, SAM-5: the first
  // command after power on or a new I_T nexus reports POWER ON, RESET...), then removes and
  // returns its next pending condition, or nullopt if none is pending.
  std::optional<SenseReason> Take(NexusId nexus);

  // Registers `nexus` if unseen without consuming anything (commands that execute despite a
  // UA, such as INQUIRY and REPORT LUNS).
  void Register(NexusId nexus);

  // Establishes `reason` for every known nexus except `except` (if given).
  void EstablishAll(SenseReason reason, std::optional<NexusId> except = std::nullopt);
  // Establishes `reason` for one nexus (registering it if unseen).
  void Establish(NexusId nexus, SenseReason reason);
  // Removes `reason` from the pending conditions of `nexus`, if present.
  void Clear(NexusId nexus, SenseReason reason);
  // Forgets `nexus` and its pending conditions.
  void Forget(NexusId nexus);

  // Returns the number of nexuses known (for tests and diagnostics).
  size_t KnownCount() const;
  // Returns the pending conditions of `nexus`, oldest first (for tests).
  std::deque<SenseReason> Pending(NexusId nexus) const;

 private:
  // Slot keys: 0 = never used (ends a probe), 1 = freed (probe continues), else nexus id + 2.
  // The two highest ids therefore never enter the table and always take the slow path.
  static constexpr uint64_t kEmpty = 0;
  static constexpr uint64_t kTombstone = 1;
  static bool Encodable(NexusId nexus) { return nexus < UINT64_MAX - 1; }
  static uint64_t KeyOf(NexusId nexus) { return nexus + 2; }

  struct Slot {
    std::atomic<uint64_t> key{kEmpty};
    std::atomic<bool> pending{false};
  };
  struct NexusState {
    std::deque<SenseReason> pending;
    Slot* slot = nullptr;  // nullptr when the table was full or the id is reserved
  };

  static size_t Hash(uint64_t key);
  // REQUIRES: mu_ held (all below).
  NexusState& RegisterLocked(NexusId nexus);
  Slot* ClaimSlotLocked(NexusId nexus);
  void FreeSlotLocked(NexusState& state);
  void EstablishLocked(NexusState& state, SenseReason reason);
  static void Publish(NexusState& state);

  std::array<Slot, kSlots> slots_;
  mutable std::mutex mu_;
  std::map<NexusId, NexusState> nexuses_;  // guarded by mu_; ordered: oldest first
};

}  // namespace reftarget::scsi
