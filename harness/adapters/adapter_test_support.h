// Test-only helpers the adapter tests share (linked into tests, never into the harness): a
// temporary directory, canned process outcomes, a fake command runner that records every
// command, the specs the config generators' tests start from, and the test bed of the
// kernel adapters (LIO, SCST), which cannot run on the build machine (ENVIRONMENT.md).
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "harness/adapters/command_runner.h"
#include "harness/adapters/kernel_adapter_support.h"
#include "harness/adapters/target_adapter.h"
#include "harness/process/child_process.h"

namespace harness::adapters::test_support {

// A fresh directory under /tmp, removed with everything in it when the object dies.
struct TempDir {
  // `prefix` starts the directory's name ("kadapters-lio").
  explicit TempDir(const std::string& prefix);
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  std::filesystem::path path;
};

// Returns the outcome of a command that ran and exited with `code`, printing `output`.
process::RunResult Exited(int code, std::string output = "");

// Returns the content of `path`, or "" if it cannot be read.
std::string ReadFile(const std::filesystem::path& path);

// A command runner that runs nothing: it records every argv and answers with `answer`.
struct FakeRunner {
  std::vector<std::vector<std::string>> calls;
  // Empty: every command exits 0 without output.
  std::function<process::RunResult(const std::vector<std::string>&)> answer;
  // Returns a runner bound to this object, which must outlive it.
  CommandRunner Runner();
};

inline constexpr char kIqn[] = "iqn.2003-01.org.reftarget.harness:target";  // TargetSpec's default
inline constexpr char kInit1[] = "iqn.1993-08.org.debian:01:host1";
inline constexpr char kInit2[] = "iqn.1993-08.org.debian:01:host2";
inline constexpr uint64_t kMiB = 1024 * 1024;

// Returns MakeLunSpec(name, backing, size_bytes) backed by `path`.
LunSpec LunAt(std::string name, Backing backing, uint64_t size_bytes, std::filesystem::path path);

// Returns a spec with one LUN of each backing, FILEIO and BLOCK with their paths:
// fileio0 (64 MiB, /var/tmp/h/fileio0.img), block0 (128 MiB, /dev/loop7), ram0 (32 MiB; only
// `with_ramdisk`) and null0 (16 MiB).
TargetSpec OneLunOfEach(bool with_ramdisk);

// Checks that `status` is a failure starting with `prefix` ("acls[0].chap.password: contains")
// that does not repeat `secret`.
void ExpectRefusedWithoutSecret(const Status& status, const std::string& prefix,
                                const std::string& secret);

// What a kernel adapter's test runs against: `kernel_dir` stands in for configfs or sysfs
// and `work` is the adapter's work_dir.
struct KernelTestBed {
  // `prefix` starts both directories' names.
  explicit KernelTestBed(const std::string& prefix) : kernel_dir(prefix), work(prefix) {}
  // Returns options with `work` as work_dir and `runner`; the rest at their defaults.
  template <typename Options>
  Options BaseOptions(CommandRunner runner) const {
    Options options;
    options.work_dir = work.path;
    options.runner = std::move(runner);
    return options;
  }
  // Checks that `adapter` refuses to start `spec` with `reason`, having run nothing through
  // `fake` and created nothing in `work`, and that Stop then succeeds.
  void ExpectStartRefused(TargetAdapter& adapter, const TargetSpec& spec, const std::string& reason,
                          const FakeRunner& fake) const;

  TempDir kernel_dir;
  TempDir work;
};

}  // namespace harness::adapters::test_support
