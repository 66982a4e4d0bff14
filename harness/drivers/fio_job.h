// One fio job of the performance matrix, written as a job file. fio reaches an iSCSI LUN
// through its libiscsi engine (a URL; ':' escaped, since fio splits filenames there) and the
// raw layers through io_uring / libaio on a file or device, the null engine (no storage) and
// the net engine (loopback TCP), so every layer of a cell is measured with the same tool.
// Results come only from fio's JSON (fio_result.h); warm-up is fio's ramp_time, which fio
// leaves out of every figure.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "harness/common/status.h"

namespace harness::drivers {

enum class FioPattern { kRandRead, kRandWrite, kSeqRead, kSeqWrite, kRandRw };

// Returns fio's rw= value: "randread", "randwrite", "read", "write" or "randrw".
const char* FioRw(FioPattern pattern);

enum class FioEngine { kLibiscsi, kIoUring, kLibaio, kNull, kNet };

// Returns fio's ioengine= value.
const char* FioEngineName(FioEngine engine);

struct FioJobSpec {
  std::string name;  // the section name: letters, digits, '-', '_', '.'
  FioPattern pattern = FioPattern::kRandRead;
  uint32_t block_size = 4096;
  uint32_t iodepth = 1;
  uint32_t numjobs = 1;   // each a session (libiscsi) or a thread of submissions
  int read_percent = 70;  // kRandRw only
  std::chrono::seconds runtime{10};
  std::chrono::seconds ramp{2};  // warm-up, excluded from every figure
  FioEngine engine = FioEngine::kLibiscsi;
  // kLibiscsi: iscsi://HOST:PORT/IQN/LUN; kIoUring/kLibaio: a file or device path;
  // kNet: the loopback TCP port (the file has a receiver section reading on 127.0.0.1:PORT
  // and a sender section writing to it; the receiver's figures are the ones read);
  // kNull: unused.
  std::string target;
  std::string initiator;    // kLibiscsi: the initiator IQN ("" = fio's default)
  bool direct = false;      // kIoUring/kLibaio: O_DIRECT
  uint64_t size_bytes = 0;  // the region the job works on; 0: the whole LUN or file
};

// Checks `spec` and returns the failure naming the field ("fio job 'x': iodepth 0 ...").
Status ValidateFioJob(const FioJobSpec& spec);

// Returns the job file for `spec` ([global] options, then one section).
// REQUIRES: ValidateFioJob(spec).ok().
std::string FioJobFile(const FioJobSpec& spec);

// Returns `text` with every ':' escaped as "\:" (fio splits filenames at ':').
std::string EscapeFioFilename(const std::string& text);

}  // namespace harness::drivers
