// Shared setup for harness_iscsi's integration tests: a reftarget process (through
// itest_support's TargetProcess, linked only into the test program) with one RAMDISK LUN,
// and ConnectOptions aimed at it.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "harness/iscsi/session.h"
#include "suites/target/support/target_process.h"

namespace harness::iscsi {

inline constexpr uint32_t kBlockSize = 512;
inline constexpr uint64_t kLunBytes = 16 << 20;

class IntegrationTest : public ::testing::Test {
 protected:
  // Starts the target with `spec` (default: one 16 MiB ramdisk LUN, no auth).
  void StartTarget(const itest::TargetSpec& spec) {
    if (itest::TargetProcess::BinaryPath().empty()) {
      GTEST_SKIP() << "no reftarget binary (set REFTARGET_BIN)";
    }
    std::string error;
    target_ = itest::TargetProcess::Start(spec, &error);
    ASSERT_TRUE(target_) << error;
  }

  static itest::TargetSpec RamdiskSpec() {
    itest::StorageObjectSpec so;
    so.name = "ram0";
    so.plugin = "ramdisk";
    so.size = kLunBytes;
    itest::TargetSpec spec;
    spec.storage_objects = {so};
    spec.luns = {{0, "ram0"}};
    return spec;
  }

  ConnectOptions Options() const {
    ConnectOptions o;
    o.portal = target_->portal();
    o.target = target_->iqn();
    o.lun = target_->Lun(0);
    o.initiator = "iqn.2003-01.org.reftarget.harness:itest";
    o.connect_limit = std::chrono::milliseconds(10000);
    return o;
  }

  std::unique_ptr<Session> ConnectOrFail(const ConnectOptions& options) {
    auto s = Session::Connect(options);
    EXPECT_TRUE(s.ok()) << s.error();
    return s.ok() ? std::move(s).value() : nullptr;
  }

  static std::vector<uint8_t> Pattern(size_t n, uint8_t seed) {
    std::vector<uint8_t> v(n);
    for (size_t i = 0; i < n; ++i) v[i] = static_cast<uint8_t>(seed + i * 7 + (i >> 9));
    return v;
  }

  std::unique_ptr<itest::TargetProcess> target_;
};

}  // namespace harness::iscsi
