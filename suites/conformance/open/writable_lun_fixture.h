// What every data-path test of the "open" program starts from: the open configuration's
// writable LUN and an initiator name that needs no CHAP.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "harness/expect/gtest_expect.h"
#include "harness/iscsi/cdb.h"
#include "harness/iscsi/session.h"
#include "harness/suite_support/target_under_test.h"
#include "suites/conformance/open/open_common.h"

namespace conformance {

class WritableLunFixture {
 protected:
  // Binds the target, its writable LUN and an initiator name for `tag`; false (after a
  // test failure naming what is missing) if the configuration lacks either.
  bool BindWritableLun(const harness::suite::TargetUnderTest& t, const std::string& tag) {
    target_ = &t;
    lun_ = t.WritableLun();
    if (lun_ == nullptr) {
      ADD_FAILURE() << "the open configuration exports a writable LUN";
      return false;
    }
    lun_no_ = static_cast<uint32_t>(lun_->number);
    bs_ = lun_->spec.block_size;
    auto name = t.OpenInitiator(tag);
    if (!name) {
      ADD_FAILURE() << "no initiator name without CHAP";
      return false;
    }
    initiator_ = *name;
    return true;
  }

  // The LBA range holds `expected`, read through a fresh libiscsi session (so a raw
  // connection the test broke does not matter).
  void ExpectContents(uint64_t lba, const std::vector<uint8_t>& expected) {
    auto s = harness::iscsi::Session::Connect(
        LibiscsiOptions(*target_, initiator_ + "-check", lun_->number));
    ASSERT_TRUE(s.ok()) << s.error();
    const uint32_t blocks = static_cast<uint32_t>(expected.size() / bs_);
    auto r =
        s.value()->Execute(harness::iscsi::cdb::Read16(lba, blocks),
                           harness::iscsi::DataDirection::kRead, {}, expected.size(), Ms(5000));
    ASSERT_SCSI(r, harness::expect::Expect::Good(), "SBC-3 §5.13 READ(16)");
    EXPECT_TRUE(r.data_in == expected) << "LBA " << lba << ": not the data expected there";
  }

  const harness::suite::TargetUnderTest* target_ = nullptr;
  const harness::suite::LunInfo* lun_ = nullptr;
  uint32_t lun_no_ = 0;
  uint32_t bs_ = 512;
  std::string initiator_;
};

}  // namespace conformance
