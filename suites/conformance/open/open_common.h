// Common pieces of the "open" conformance program's helpers: timing constants, fresh ISIDs,
// raw and libiscsi connection options for the target under test, data patterns.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "harness/iscsi/session.h"
#include "harness/rawpdu/iscsi_pdu.h"
#include "harness/rawpdu/raw_connection.h"
#include "harness/rawpdu/raw_login.h"
#include "harness/suite_support/target_under_test.h"

namespace conformance {

using harness::rawpdu::KeyValues;
using harness::rawpdu::Pdu;
using harness::rawpdu::RawConnection;
using harness::rawpdu::RawLoginOptions;
using harness::suite::TargetUnderTest;
using Ms = std::chrono::milliseconds;

// How long a test listens to be sure that something does NOT arrive (a bounded receive).
inline constexpr Ms kSilence{600};
// Limit for one command or one login exchange.
inline constexpr Ms kReplyLimit{4000};

// Login stages (RFC 7143 §11.12.3).
inline constexpr int kSecurityStage = 0;
inline constexpr int kOperationalStage = 1;
inline constexpr int kFullFeaturePhase = 3;

// The same ISID in the libiscsi wrapper's form.
harness::iscsi::Isid ToIsid(const std::array<uint8_t, 6>& isid);

// Returns "0x0203" for a login status.
std::string StatusHex(uint16_t status);

// Connects a raw socket to t.portal (5 s limit); null with `*error` set on failure.
std::unique_ptr<RawConnection> ConnectRaw(const TargetUnderTest& t, std::string* error);
// Raw login options for a Normal session to t.iqn as `initiator`, with a fresh ISID.
RawLoginOptions NormalLogin(const TargetUnderTest& t, const std::string& initiator);

// Returns `length` bytes of a pattern that differs for each (seed, offset).
std::vector<uint8_t> Pattern(uint32_t seed, size_t length);

// libiscsi connect options for `t` with LUN `lun`, a fresh ISID and `initiator`.
harness::iscsi::ConnectOptions LibiscsiOptions(const TargetUnderTest& t,
                                               const std::string& initiator, int lun);

// Serial number arithmetic (RFC 1982, RFC 7143 §4.2.2.1).
inline bool SnLess(uint32_t a, uint32_t b) { return a != b && static_cast<int32_t>(a - b) < 0; }

}  // namespace conformance

// Binds `var` to an initiator name the target accepts without CHAP, or skips.
#define OPEN_REQUIRE_INITIATOR(t, var, tag)                                                   \
  const std::optional<std::string> var##_opt = (t).OpenInitiator(tag);                        \
  if (!var##_opt) GTEST_SKIP() << "every ACL of the target requires CHAP: no open initiator"; \
  const std::string var = *var##_opt
