#include "harness/loadgen/retry_policy.h"

#include <gtest/gtest.h>

#include <vector>

namespace harness::loadgen {
namespace {

using iscsi::CommandResult;
using iscsi::Outcome;
using std::chrono::milliseconds;
namespace scsi_status = iscsi::scsi_status;

CommandResult Status(uint8_t status) {
  CommandResult r;
  r.outcome = Outcome::kCompleted;
  r.status = status;
  return r;
}

// CHECK CONDITION with fixed-format sense key/ASC/ASCQ (SPC-4 §4.5.3).
CommandResult Check(uint8_t key, uint8_t asc, uint8_t ascq) {
  CommandResult r = Status(scsi_status::kCheckCondition);
  r.sense = std::vector<uint8_t>(18, 0);
  r.sense[0] = 0x70;
  r.sense[2] = key;
  r.sense[7] = 10;
  r.sense[12] = asc;
  r.sense[13] = ascq;
  r.decoded = iscsi::DecodeSense(r.sense);
  return r;
}

CommandResult Ended(Outcome outcome) {
  CommandResult r;
  r.outcome = outcome;
  r.error = "test";
  return r;
}

RetryPolicy Policy() {
  RetryPolicy p;
  p.max_retries = 5;
  p.command_limit = milliseconds(1000);
  p.min_backoff = milliseconds(3);
  p.max_backoff = milliseconds(100);
  return p;
}

TEST(RetryPolicyTest, GoodIsDone) {
  EXPECT_EQ(DecideRetry(Status(scsi_status::kGood), 0, 0, milliseconds(1), Policy()).action,
            RetryAction::kDone);
}

TEST(RetryPolicyTest, UnitAttentionIsRecordedAndRetriedAtOnce) {
  const RetryDecision d = DecideRetry(Check(0x6, 0x29, 0x03), 0, 0, milliseconds(1), Policy());
  EXPECT_EQ(d.action, RetryAction::kRetry);
  EXPECT_EQ(d.event, Event::kUnitAttention);
  EXPECT_EQ(d.backoff.count(), 0);
  EXPECT_NE(d.reason.find("06/29/03"), std::string::npos) << d.reason;
  // 3F/0E REPORTED LUNS DATA HAS CHANGED, 2A/09 CAPACITY DATA HAS CHANGED: same.
  EXPECT_EQ(DecideRetry(Check(0x6, 0x3f, 0x0e), 4, 0, milliseconds(1), Policy()).action,
            RetryAction::kRetry);
}

TEST(RetryPolicyTest, EndlessUnitAttentionsBecomeAnError) {
  const RetryDecision d = DecideRetry(Check(0x6, 0x29, 0x03), 5, 0, milliseconds(1), Policy());
  EXPECT_EQ(d.action, RetryAction::kFail);
  EXPECT_EQ(d.event, Event::kRetriesExhausted);
  EXPECT_TRUE(IsErrorEvent(d.event));
  EXPECT_NE(d.reason.find("after 5 retries"), std::string::npos) << d.reason;
}

TEST(RetryPolicyTest, RetriesStopAfterTheMidlayersTimeBound) {
  // (max_retries + 1) x command_limit = 6 s.
  EXPECT_EQ(DecideRetry(Check(0x6, 0x29, 0x00), 1, 0, milliseconds(5999), Policy()).action,
            RetryAction::kRetry);
  EXPECT_EQ(DecideRetry(Check(0x6, 0x29, 0x00), 1, 0, milliseconds(6000), Policy()).action,
            RetryAction::kFail);
}

TEST(RetryPolicyTest, BusyBacksOffWithoutUsingUpRetries) {
  RetryDecision d = DecideRetry(Status(scsi_status::kBusy), 5, 0, milliseconds(1), Policy());
  EXPECT_EQ(d.action, RetryAction::kRetry);
  EXPECT_EQ(d.event, Event::kBusy);
  EXPECT_EQ(d.backoff, milliseconds(3));
  d = DecideRetry(Status(scsi_status::kBusy), 0, 3, milliseconds(1), Policy());
  EXPECT_EQ(d.backoff, milliseconds(24));
  d = DecideRetry(Status(scsi_status::kBusy), 0, 40, milliseconds(1), Policy());
  EXPECT_EQ(d.backoff, milliseconds(100));
  d = DecideRetry(Status(scsi_status::kBusy), 0, 40, milliseconds(6000), Policy());
  EXPECT_EQ(d.action, RetryAction::kFail);
  EXPECT_EQ(d.event, Event::kRetriesExhausted);
}

TEST(RetryPolicyTest, TaskSetFullBacksOff) {
  const RetryDecision d =
      DecideRetry(Status(scsi_status::kTaskSetFull), 0, 1, milliseconds(1), Policy());
  EXPECT_EQ(d.action, RetryAction::kRetry);
  EXPECT_EQ(d.event, Event::kTaskSetFull);
  EXPECT_EQ(d.backoff, milliseconds(6));
}

TEST(RetryPolicyTest, TaskAbortedAndTmfCancelledAreRetried) {
  RetryDecision d = DecideRetry(Status(scsi_status::kTaskAborted), 0, 0, milliseconds(1), Policy());
  EXPECT_EQ(d.action, RetryAction::kRetry);
  EXPECT_EQ(d.event, Event::kAborted);
  d = DecideRetry(Ended(Outcome::kCancelled), 0, 0, milliseconds(1), Policy());
  EXPECT_EQ(d.action, RetryAction::kRetry);
  EXPECT_EQ(d.event, Event::kAborted);
  EXPECT_EQ(DecideRetry(Status(scsi_status::kTaskAborted), 5, 0, milliseconds(1), Policy()).action,
            RetryAction::kFail);
}

TEST(RetryPolicyTest, TimeoutIsAnErrorThatIsAbortedAndRetried) {
  RetryDecision d = DecideRetry(Ended(Outcome::kTimeout), 0, 0, milliseconds(1000), Policy());
  EXPECT_EQ(d.action, RetryAction::kAbortRetry);
  EXPECT_EQ(d.event, Event::kTimeout);
  EXPECT_TRUE(IsErrorEvent(d.event));
  d = DecideRetry(Ended(Outcome::kTimeout), 5, 0, milliseconds(1000), Policy());
  EXPECT_EQ(d.action, RetryAction::kFail);
  EXPECT_EQ(d.event, Event::kTimeout);
}

TEST(RetryPolicyTest, ConnectionLossReconnectsAndRetries) {
  const RetryDecision d =
      DecideRetry(Ended(Outcome::kConnectionLost), 5, 0, milliseconds(1), Policy());
  EXPECT_EQ(d.action, RetryAction::kReconnectRetry);
  EXPECT_EQ(d.event, Event::kConnectionLoss);
  EXPECT_TRUE(IsErrorEvent(d.event));
}

TEST(RetryPolicyTest, BecomingReadyIsWaitedOutUntilTheTimeBound) {
  // A fenced unit (02/04/01) and an operation in progress (02/04/07): backed off and retried
  // without using up retries, as the midlayer's ACTION_DELAYED_RETRY does.
  for (uint8_t ascq : {uint8_t{0x01}, uint8_t{0x07}}) {
    RetryDecision d = DecideRetry(Check(0x2, 0x04, ascq), 0, 0, milliseconds(1), Policy());
    EXPECT_EQ(d.action, RetryAction::kRetry) << d.reason;
    EXPECT_EQ(d.event, Event::kNotReady);
    EXPECT_EQ(d.backoff, milliseconds(3));
    d = DecideRetry(Check(0x2, 0x04, ascq), 0, 10, milliseconds(1), Policy());
    EXPECT_EQ(d.backoff, milliseconds(100)) << "doubles up to max_backoff";
  }
  const RetryDecision late =
      DecideRetry(Check(0x2, 0x04, 0x01), 0, 50, milliseconds(6000), Policy());
  EXPECT_EQ(late.action, RetryAction::kFail);
  EXPECT_EQ(late.event, Event::kRetriesExhausted);
  EXPECT_EQ(late.reason, "NOT READY 02/04/01 for 6000 ms");
}

TEST(RetryPolicyTest, OtherSenseIsAnError) {
  for (const auto& [key, asc, ascq] :
       std::vector<std::tuple<uint8_t, uint8_t, uint8_t>>{{0x3, 0x11, 0x00},
                                                          {0x3, 0x0c, 0x00},
                                                          {0x5, 0x21, 0x00},
                                                          {0x5, 0x25, 0x00},
                                                          {0x2, 0x04, 0x00},
                                                          {0xb, 0x47, 0x05},
                                                          {0x7, 0x27, 0x00}}) {
    const RetryDecision d = DecideRetry(Check(key, asc, ascq), 0, 0, milliseconds(1), Policy());
    EXPECT_EQ(d.action, RetryAction::kFail) << d.reason;
    EXPECT_EQ(d.event, Event::kSenseError) << d.reason;
  }
}

TEST(RetryPolicyTest, OtherStatusAndTransportErrorsAreErrors) {
  RetryDecision d =
      DecideRetry(Status(scsi_status::kReservationConflict), 0, 0, milliseconds(1), Policy());
  EXPECT_EQ(d.action, RetryAction::kFail);
  EXPECT_EQ(d.event, Event::kStatusError);
  d = DecideRetry(Ended(Outcome::kTransportError), 0, 0, milliseconds(1), Policy());
  EXPECT_EQ(d.action, RetryAction::kFail);
  EXPECT_EQ(d.event, Event::kTransportError);
  // CHECK CONDITION without sense data is not a unit attention.
  d = DecideRetry(Status(scsi_status::kCheckCondition), 0, 0, milliseconds(1), Policy());
  EXPECT_EQ(d.action, RetryAction::kFail);
  EXPECT_EQ(d.event, Event::kSenseError);
}

}  // namespace
}  // namespace harness::loadgen
