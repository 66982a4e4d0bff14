// The journal of acknowledged writes: what a target crash or restart must not lose
// (TEST-PLAN T39/T40). Every write that ended GOOD is appended as one fixed-size record;
// VerifyJournal (verify_journal.h) reads every journaled block back after the restart.
//
// File format (little-endian), append-only:
//   header, 32 bytes:  u64 magic "RTLGJNL1" | u32 version (1) | u32 run id |
//                      u64 creation time (ns since the Unix epoch) | u32 reserved | u32 CRC32C
//                      of bytes [0, 28)
//   record, 48 bytes:  u32 magic "JREC" | u16 LUN | u16 writer | u64 LBA | u32 block count |
//                      u32 block size | u64 generation | u64 time (ns since the epoch) |
//                      u32 flags | u32 CRC32C of bytes [0, 44)
//   flags bit 0 (kJournalDurable): the write was durable when the record was appended
//   (acknowledged with FUA=1, or covered by a SYNCHRONIZE CACHE that was sent after its
//   acknowledgement and ended GOOD). A write made durable later by a SYNCHRONIZE CACHE is
//   appended a second time with the flag. Journals written before the flag existed have 0
//   there (the field was reserved), so their records read as not durable.
// Records are buffered in memory and written (write(2), optionally fdatasync) at most
// every flush_interval, on Flush() and on destruction: a crash of the generator itself
// loses at most the last interval, and a torn last record is detected by its length or
// checksum and reported, not taken as data.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "harness/common/status.h"

namespace harness::loadgen {

inline constexpr size_t kJournalHeaderSize = 32;
inline constexpr size_t kJournalRecordSize = 48;
inline constexpr uint32_t kJournalDurable = 1u << 0;  // JournalRecord::flags

struct JournalRecord {
  uint16_t lun = 0;
  uint16_t writer = 0;
  uint64_t lba = 0;
  uint32_t blocks = 0;
  uint32_t block_size = 0;
  uint64_t generation = 0;
  uint64_t time_ns = 0;  // CLOCK_REALTIME when the GOOD status arrived
  uint32_t flags = 0;    // kJournalDurable

  bool durable() const { return (flags & kJournalDurable) != 0; }

  bool operator==(const JournalRecord&) const = default;
};

// Returns the 48 encoded bytes of `record`.
std::vector<uint8_t> EncodeJournalRecord(const JournalRecord& record);

struct JournalOptions {
  std::chrono::milliseconds flush_interval{200};
  bool fdatasync = false;  // also fdatasync(2) on each flush (a host crash, not only ours)
};

class JournalWriter {
 public:
  // Creates (truncates) `path` and writes the header. Fails naming the path and errno.
  static Result<std::unique_ptr<JournalWriter>> Create(const std::string& path, uint32_t run_id,
                                                       const JournalOptions& options = {});
  // Flushes what is buffered and closes the file.
  ~JournalWriter();
  JournalWriter(const JournalWriter&) = delete;
  JournalWriter& operator=(const JournalWriter&) = delete;

  // Buffers one record; flushes if flush_interval has passed. Thread-safe.
  void Append(const JournalRecord& record);
  // Flushes if flush_interval has passed since the last flush. Thread-safe.
  void MaybeFlush();
  // Writes everything buffered now. Returns the first write error seen so far, if any.
  Status Flush();

  const std::string& path() const { return path_; }
  // Returns how many records were appended.
  uint64_t records() const;

 private:
  JournalWriter(std::string path, int fd, JournalOptions options);
  Status FlushLocked();  // REQUIRES: mu_ held

  const std::string path_;
  const int fd_;
  const JournalOptions options_;
  mutable std::mutex mu_;
  std::vector<uint8_t> buffer_;
  std::chrono::steady_clock::time_point last_flush_;
  uint64_t records_ = 0;
  Status error_ = Status::Ok();
};

struct JournalContents {
  uint32_t run_id = 0;
  uint64_t created_ns = 0;
  std::vector<JournalRecord> records;
  // A last record cut short (fewer than 48 bytes) or with a bad checksum: what a crash in
  // the middle of a write leaves. It is dropped, not an error.
  bool torn_tail = false;
  size_t torn_bytes = 0;
  // Records with a bad checksum followed by good ones: real corruption of the journal.
  size_t corrupt_records = 0;
};

// Reads the journal at `path`. Fails if the file cannot be read or its header is invalid.
Result<JournalContents> ReadJournal(const std::string& path);
// Same, from bytes in memory (tests).
Result<JournalContents> ParseJournal(const std::vector<uint8_t>& bytes, const std::string& name);

}  // namespace harness::loadgen
