// Runs fio with its libiscsi engine against one LUN and reads the verdict from fio's JSON
// output (never from its human-readable text).
#pragma once

#include <chrono>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

namespace itest {

// Returns the fio binary to use: $FIO, else the repo's .deps/fio/bin/fio; "" with `*reason`
// when none exists or it lacks the libiscsi engine.
std::string FindFioWithLibiscsi(std::string* reason);

struct FioVerifyJob {
  std::string fio;  // binary
  std::string url;  // iscsi://127.0.0.1:PORT/IQN/LUN
  std::string initiator = "iqn.2003-01.org.reftarget.itest:fio";
  std::string size = "64m";  // bytes to write, then read back and verify
  int iodepth = 32;
  std::string block_size = "4k";
  std::string verify = "crc32c";
  std::chrono::seconds timeout{300};
  std::string workdir;  // where the job file goes
};

struct FioVerifyResult {
  bool ran = false;  // fio ran and printed parsable JSON
  int exit_code = -1;
  int job_error = -1;  // jobs[0].error (errno of the first error; 0 = none)
  uint64_t write_bytes = 0;
  uint64_t read_bytes = 0;  // the verify pass reads everything back
  double write_iops = 0;
  double read_iops = 0;
  std::string problem;  // why it is not a clean pass ("" when clean)
  std::string output;   // fio's stderr and any non-JSON stdout, for messages
};

// Writes `size` with random 4k writes at `iodepth`, then reads back and verifies every
// block (fio's verify=crc32c, verify_fatal=1).
FioVerifyResult RunFioVerify(const FioVerifyJob& job);

}  // namespace itest
