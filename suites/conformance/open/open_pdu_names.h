// The raw-PDU names and the deadline arithmetic shared by the "open" program's raw login
// driver and raw Full Feature Phase client.
#pragma once

#include <chrono>

#include "harness/rawpdu/iscsi_pdu.h"
#include "harness/rawpdu/raw_connection.h"
#include "harness/rawpdu/raw_login.h"
#include "suites/conformance/open/open_common.h"

namespace conformance {

using harness::rawpdu::DecodeKeys;
using harness::rawpdu::EncodeKeys;
using harness::rawpdu::FindKey;
using harness::rawpdu::kOpDataIn;
using harness::rawpdu::kOpDataOut;
using harness::rawpdu::kOpLoginResponse;
using harness::rawpdu::kOpNopIn;
using harness::rawpdu::kOpNopOut;
using harness::rawpdu::kOpR2t;
using harness::rawpdu::kOpReject;
using harness::rawpdu::kOpScsiCommand;
using harness::rawpdu::kOpScsiResponse;
using harness::rawpdu::kReservedTag;
using harness::rawpdu::RawLoginResult;
using harness::rawpdu::RecvStatus;
using harness::rawpdu::RecvStatusName;
using Clock = std::chrono::steady_clock;

// Time left until `deadline`, never negative (a receive limit).
inline Ms TimeLeft(Clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<Ms>(deadline - Clock::now());
  return left.count() < 0 ? Ms(0) : left;
}

}  // namespace conformance
