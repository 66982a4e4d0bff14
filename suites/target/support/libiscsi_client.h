// Thin RAII helpers over libiscsi's public API (iscsi/iscsi.h, iscsi/scsi-lowlevel.h): a
// context that logs out and is destroyed on scope exit, a bounded full connect, the login
// status parsed back out of libiscsi's error text, and a verified write-read pass.
#pragma once

#include <iscsi/iscsi.h>
#include <iscsi/scsi-lowlevel.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace itest {

struct IscsiContextDeleter {
  void operator()(iscsi_context* ctx) const;
};
using IscsiContextPtr = std::unique_ptr<iscsi_context, IscsiContextDeleter>;

struct ScsiTaskDeleter {
  void operator()(scsi_task* task) const { scsi_free_scsi_task(task); }
};
using ScsiTaskPtr = std::unique_ptr<scsi_task, ScsiTaskDeleter>;

struct LibiscsiLogin {
  std::string initiator = "iqn.2003-01.org.reftarget.itest:libiscsi";
  std::string portal;  // "127.0.0.1:PORT"
  std::string target;  // target IQN
  int lun = 0;
  std::string user, secret;                // CHAP (initiator authenticates to target)
  std::string target_user, target_secret;  // mutual CHAP
  iscsi_header_digest header_digest = ISCSI_HEADER_DIGEST_NONE;
  int timeout_s = 10;  // iscsi_set_timeout: bounds every sync call
};

// Logs in with a full connect (login + LUN check). Returns null with `*error` set to
// libiscsi's error text. Auto-reconnect is off: a dropped connection is an error, not a
// silent retry.
IscsiContextPtr LibiscsiConnect(const LibiscsiLogin& login, std::string* error);

// Extracts the login status from libiscsi's "Failed to log in to target. Status:
// Authentication failure(513)" text. Returns -1 if the text carries no status.
int LoginStatusFromError(const std::string& error);

// Returns the block size and block count from READ CAPACITY(16). False with `*error`.
bool ReadCapacity(iscsi_context* ctx, int lun, uint32_t* block_size, uint64_t* blocks,
                  std::string* error);

// Returns "status 0x02 sense 05/24/00" style text for a finished task.
std::string DescribeTask(iscsi_context* ctx, const scsi_task* task);

// Writes `data` at `lba` with WRITE(16), reads it back with READ(16) and compares.
// Returns false with `*error` describing the first problem.
bool WriteReadVerify(iscsi_context* ctx, int lun, uint64_t lba, const std::vector<uint8_t>& data,
                     uint32_t block_size, std::string* error);

// Fills `n` bytes with a pattern derived from (seed, lba) so each block is recognizable.
std::vector<uint8_t> MakePattern(uint64_t seed, uint64_t lba, size_t n);

}  // namespace itest
