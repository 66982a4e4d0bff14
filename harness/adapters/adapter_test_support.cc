#include "harness/adapters/adapter_test_support.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <fstream>
#include <iterator>
#include <system_error>
#include <utility>

namespace harness::adapters::test_support {

TempDir::TempDir(const std::string& prefix) {
  std::string pattern = "/tmp/" + prefix + "-XXXXXX";
  if (::mkdtemp(pattern.data()) != nullptr) path = pattern;
}

TempDir::~TempDir() {
  if (path.empty()) return;
  std::error_code ec;
  std::filesystem::remove_all(path, ec);
}

process::RunResult Exited(int code, std::string output) {
  process::RunResult r;
  r.started = true;
  r.exit_code = code;
  r.output = std::move(output);
  return r;
}

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

CommandRunner FakeRunner::Runner() {
  return [this](const std::vector<std::string>& argv, const process::RunOptions&) {
    calls.push_back(argv);
    return answer ? answer(argv) : Exited(0);
  };
}

LunSpec LunAt(std::string name, Backing backing, uint64_t size_bytes, std::filesystem::path path) {
  LunSpec lun = MakeLunSpec(std::move(name), backing, size_bytes);
  lun.path = std::move(path);
  return lun;
}

TargetSpec OneLunOfEach(bool with_ramdisk) {
  TargetSpec spec;
  spec.luns = {LunAt("fileio0", Backing::kFileio, 64 * kMiB, "/var/tmp/h/fileio0.img"),
               LunAt("block0", Backing::kBlock, 128 * kMiB, "/dev/loop7")};
  if (with_ramdisk) spec.luns.push_back(MakeLunSpec("ram0", Backing::kRamdisk, 32 * kMiB));
  spec.luns.push_back(MakeLunSpec("null0", Backing::kNull, 16 * kMiB));
  return spec;
}

void ExpectRefusedWithoutSecret(const Status& status, const std::string& prefix,
                                const std::string& secret) {
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.message().find(secret), std::string::npos) << status.message();
  EXPECT_EQ(status.message().rfind(prefix, 0), 0u) << status.message();
}

void KernelTestBed::ExpectStartRefused(TargetAdapter& adapter, const TargetSpec& spec,
                                       const std::string& reason, const FakeRunner& fake) const {
  Result<RunningTarget> started = adapter.Start(spec);
  ASSERT_FALSE(started.ok());
  EXPECT_EQ(started.error(), reason);
  EXPECT_TRUE(fake.calls.empty()) << "ran " << fake.calls.size() << " commands";
  EXPECT_TRUE(std::filesystem::is_empty(work.path)) << "no backing file was created";
  EXPECT_TRUE(adapter.Stop().ok());
}

}  // namespace harness::adapters::test_support
