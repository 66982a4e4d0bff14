#include "harness/loadgen/journal.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>

#include "harness/rawpdu/crc32c.h"

namespace harness::loadgen {

using harness::rawpdu::Crc32cExtend;
namespace {

constexpr uint64_t kFileMagic = 0x314c4e4a474c5452ull;  // "RTLGJNL1" in memory order
constexpr uint32_t kRecordMagic = 0x4345524aull;        // "JREC" in memory order
constexpr uint32_t kVersion = 1;

void Put(std::vector<uint8_t>& out, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out.push_back(static_cast<uint8_t>(v >> (8 * i)));
}
uint64_t Get(const uint8_t* p, int bytes) {
  uint64_t v = 0;
  for (int i = bytes - 1; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}
uint64_t NowNs() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count());
}

Status WriteAll(int fd, const uint8_t* p, size_t n, const std::string& path) {
  while (n > 0) {
    const ssize_t w = ::write(fd, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return Status::Error("journal " + path + ": write: " + std::strerror(errno));
    }
    p += w;
    n -= static_cast<size_t>(w);
  }
  return Status::Ok();
}

}  // namespace

std::vector<uint8_t> EncodeJournalRecord(const JournalRecord& r) {
  std::vector<uint8_t> out;
  out.reserve(kJournalRecordSize);
  Put(out, kRecordMagic, 4);
  Put(out, r.lun, 2);
  Put(out, r.writer, 2);
  Put(out, r.lba, 8);
  Put(out, r.blocks, 4);
  Put(out, r.block_size, 4);
  Put(out, r.generation, 8);
  Put(out, r.time_ns, 8);
  Put(out, r.flags, 4);
  Put(out, Crc32cExtend(0, out.data(), out.size()), 4);
  return out;
}

JournalWriter::JournalWriter(std::string path, int fd, JournalOptions options)
    : path_(std::move(path)),
      fd_(fd),
      options_(options),
      last_flush_(std::chrono::steady_clock::now()) {}

Result<std::unique_ptr<JournalWriter>> JournalWriter::Create(const std::string& path,
                                                             uint32_t run_id,
                                                             const JournalOptions& options) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Status::Error("journal " + path + ": open: " + std::strerror(errno));
  std::vector<uint8_t> header;
  Put(header, kFileMagic, 8);
  Put(header, kVersion, 4);
  Put(header, run_id, 4);
  Put(header, NowNs(), 8);
  Put(header, 0, 4);
  Put(header, Crc32cExtend(0, header.data(), header.size()), 4);
  if (Status st = WriteAll(fd, header.data(), header.size(), path); !st.ok()) {
    ::close(fd);
    return st;
  }
  return std::unique_ptr<JournalWriter>(new JournalWriter(path, fd, options));
}

JournalWriter::~JournalWriter() {
  (void)Flush();
  ::close(fd_);
}

void JournalWriter::Append(const JournalRecord& record) {
  std::vector<uint8_t> bytes = EncodeJournalRecord(record);
  std::lock_guard<std::mutex> lock(mu_);
  buffer_.insert(buffer_.end(), bytes.begin(), bytes.end());
  ++records_;
  if (std::chrono::steady_clock::now() - last_flush_ >= options_.flush_interval)
    (void)FlushLocked();
}

void JournalWriter::MaybeFlush() {
  std::lock_guard<std::mutex> lock(mu_);
  if (!buffer_.empty() &&
      std::chrono::steady_clock::now() - last_flush_ >= options_.flush_interval) {
    (void)FlushLocked();
  }
}

Status JournalWriter::Flush() {
  std::lock_guard<std::mutex> lock(mu_);
  return FlushLocked();
}

Status JournalWriter::FlushLocked() {
  last_flush_ = std::chrono::steady_clock::now();
  if (!buffer_.empty()) {
    Status st = WriteAll(fd_, buffer_.data(), buffer_.size(), path_);
    buffer_.clear();
    if (!st.ok() && error_.ok()) error_ = st;
    if (st.ok() && options_.fdatasync && ::fdatasync(fd_) != 0 && error_.ok()) {
      error_ = Status::Error("journal " + path_ + ": fdatasync: " + std::strerror(errno));
    }
  }
  return error_;
}

uint64_t JournalWriter::records() const {
  std::lock_guard<std::mutex> lock(mu_);
  return records_;
}

Result<JournalContents> ParseJournal(const std::vector<uint8_t>& bytes, const std::string& name) {
  if (bytes.size() < kJournalHeaderSize) {
    return Status::Error("journal " + name + ": " + std::to_string(bytes.size()) +
                         " bytes, shorter than its 32-byte header");
  }
  const uint8_t* p = bytes.data();
  if (Get(p, 8) != kFileMagic)
    return Status::Error("journal " + name + ": bad magic (not a journal)");
  if (Get(p + 28, 4) != Crc32cExtend(0, p, 28)) {
    return Status::Error("journal " + name + ": header checksum mismatch");
  }
  const auto version = static_cast<uint32_t>(Get(p + 8, 4));
  if (version != kVersion) {
    return Status::Error("journal " + name + ": version " + std::to_string(version) +
                         " (this reader knows version 1)");
  }
  JournalContents c;
  c.run_id = static_cast<uint32_t>(Get(p + 12, 4));
  c.created_ns = Get(p + 16, 8);
  size_t off = kJournalHeaderSize;
  size_t bad_run = 0;  // bad records since the last good one
  while (off < bytes.size()) {
    const size_t left = bytes.size() - off;
    if (left < kJournalRecordSize) {
      c.torn_tail = true;
      c.torn_bytes = left;
      break;
    }
    const uint8_t* r = p + off;
    const bool good = Get(r, 4) == kRecordMagic && Get(r + 44, 4) == Crc32cExtend(0, r, 44);
    if (good) {
      c.corrupt_records += bad_run;
      bad_run = 0;
      JournalRecord rec;
      rec.lun = static_cast<uint16_t>(Get(r + 4, 2));
      rec.writer = static_cast<uint16_t>(Get(r + 6, 2));
      rec.lba = Get(r + 8, 8);
      rec.blocks = static_cast<uint32_t>(Get(r + 16, 4));
      rec.block_size = static_cast<uint32_t>(Get(r + 20, 4));
      rec.generation = Get(r + 24, 8);
      rec.time_ns = Get(r + 32, 8);
      rec.flags = static_cast<uint32_t>(Get(r + 40, 4));
      c.records.push_back(rec);
    } else {
      ++bad_run;
    }
    off += kJournalRecordSize;
  }
  // Bad records at the very end are a torn tail (a crash mid-append), not corruption.
  if (bad_run > 0) {
    c.torn_tail = true;
    c.torn_bytes += bad_run * kJournalRecordSize;
  }
  return c;
}

Result<JournalContents> ReadJournal(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::Error("journal " + path + ": cannot open: " + std::strerror(errno));
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)),
                             std::istreambuf_iterator<char>());
  if (in.bad()) return Status::Error("journal " + path + ": read error");
  return ParseJournal(bytes, path);
}

}  // namespace harness::loadgen
