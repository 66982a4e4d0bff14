// LuCore: the state of one logical unit, shared by the LogicalUnit facade and every command in
// flight (commands hold a shared_ptr, so the state outlives a LogicalUnit destroyed while its
// backstore still has I/O outstanding).
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "target/backstore/backstore.h"
#include "target/scsi/logical_unit.h"
#include "target/scsi/task_set.h"
#include "target/scsi/unit_attention.h"

namespace reftarget::scsi {

// Backstore I/O is split into pieces of this size, submitted concurrently, so one large
// command does not monopolize a store worker and large buffers stream through the store.
inline constexpr uint64_t kIoChunkBytes = uint64_t{1} << 20;
// Default MAXIMUM TRANSFER LENGTH when the config leaves it 0.
inline constexpr uint64_t kDefaultMaxTransferBytes = uint64_t{8} << 20;

class LuCore {
 public:
  LuCore(LogicalUnitConfig config, std::shared_ptr<backstore::Backstore> store);
  // Releases the store; if this is its last reference and the unit dies inside a backstore
  // completion (its last command finishing after the unit was dropped), the store is closed
  // on the release thread instead, so it never joins or waits on its own worker.
  ~LuCore();

  const LogicalUnitConfig& config() const { return config_; }
  backstore::Backstore& store() const { return *store_; }
  uint32_t block_size() const { return block_size_; }
  // Returns the capacity in blocks, read from the store on every call (it may be resized).
  uint64_t num_blocks() const { return store_->size_bytes() / block_size_; }
  bool thin() const { return thin_; }
  // Returns true if writes are refused by the store itself (read-only backstore).
  bool store_read_only() const { return read_only_; }
  uint32_t max_transfer_blocks() const { return max_transfer_blocks_; }
  uint32_t optimal_transfer_blocks() const { return optimal_transfer_blocks_; }

  // INQUIRY identity, space-padded to 8/16/4 bytes.
  const std::string& vendor() const { return vendor_; }
  const std::string& product() const { return product_; }
  const std::string& revision() const { return revision_; }
  const std::string& serial() const { return serial_; }
  // The 16-byte NAA IEEE Registered Extended designator (VPD 83h).
  const std::array<uint8_t, 16>& naa() const { return naa_; }

  UnitAttentions& ua() { return ua_; }
  // The commands in execution, for resets that abort them across I_T nexuses.
  TaskSet& tasks() { return tasks_; }

  // Caching page WCE default: the write-back setting the store had when the unit was made.
  bool default_write_back() const { return default_write_back_; }
  // Caching page WCE current value: the store's write-back setting.
  bool write_back() const { return store_->capabilities().write_back; }

  // Control mode page D_SENSE: sense data in descriptor format.
  bool d_sense() const { return d_sense_.load(std::memory_order_relaxed); }
  void set_d_sense(bool on) { d_sense_.store(on, std::memory_order_relaxed); }
  // Serializes MODE SELECT so concurrent selects apply whole.
  std::mutex& mode_mutex() { return mode_mu_; }

  // fsyncgate: once a flush has failed (or a write failed while a volatile cache was on),
  // acknowledged data may be gone, so no later SYNCHRONIZE CACHE may return GOOD until the
  // unit is re-created (TEST-PLAN S18).
  bool cache_poisoned() const { return cache_poisoned_.load(std::memory_order_acquire); }
  void PoisonCache(const char* why, int error);

  // COMPARE AND WRITE runs one at a time per unit (as LIO's caw_sem), so a compare and the
  // write that depends on it are atomic with respect to other COMPARE AND WRITEs. Never blocks:
  // `run` executes now if the unit is free, else when the current holder calls ReleaseCaw().
  void AcquireCaw(std::function<void()> run);
  // Passes the COMPARE AND WRITE turn to the next waiter (or frees it).
  void ReleaseCaw();

  // In-flight accounting for InFlight(): one per command with backstore I/O outstanding.
  void IoStarted() { in_flight_.fetch_add(1, std::memory_order_relaxed); }
  void IoFinished() { in_flight_.fetch_sub(1, std::memory_order_relaxed); }
  uint64_t in_flight() const { return in_flight_.load(std::memory_order_relaxed); }
  // Counts a backstore error reported to an initiator; returns the new total (for logging).
  uint64_t CountBackendError() {
    return backend_errors_.fetch_add(1, std::memory_order_relaxed) + 1;
  }

 private:
  const LogicalUnitConfig config_;
  std::shared_ptr<backstore::Backstore> store_;  // not const: ~LuCore may move it away
  uint32_t block_size_ = 512;
  bool thin_ = false;
  bool read_only_ = false;
  bool default_write_back_ = false;
  uint32_t max_transfer_blocks_ = 0;
  uint32_t optimal_transfer_blocks_ = 0;
  std::string vendor_, product_, revision_, serial_;
  std::array<uint8_t, 16> naa_{};

  UnitAttentions ua_;
  TaskSet tasks_;
  std::atomic<bool> d_sense_{false};
  std::mutex mode_mu_;
  std::atomic<bool> cache_poisoned_{false};
  std::atomic<uint64_t> in_flight_{0};
  std::atomic<uint64_t> backend_errors_{0};
  std::mutex caw_mu_;
  bool caw_busy_ = false;                          // guarded by caw_mu_
  std::deque<std::function<void()>> caw_waiters_;  // guarded by caw_mu_
};

// Returns the 16-byte NAA 6h designator for `serial` under `company_id`: the company ID, then
// the serial's hex digits (others skipped) filling the remaining 25 nibbles, as LIO's
// spc_gen_naa_6h_vendor_specific() does.
std::array<uint8_t, 16> MakeNaaDesignator(uint32_t company_id, const std::string& serial);

}  // namespace reftarget::scsi
