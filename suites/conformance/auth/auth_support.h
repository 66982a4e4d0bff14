// Shared helpers for the "auth" conformance program (RFC 7143 §12.1.3 CHAP, §11.13.5 login
// status, discovery and ACLs): who to log in as, a step-by-step raw login for what libiscsi
// will not send, and the "the target still serves" check every hostile test ends with.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "harness/iscsi/session.h"
#include "harness/rawpdu/iscsi_pdu.h"
#include "harness/rawpdu/raw_connection.h"
#include "harness/rawpdu/raw_login.h"
#include "harness/suite_support/target_under_test.h"

namespace conformance::auth {

using harness::rawpdu::KeyValues;
using harness::suite::InitiatorInfo;
using harness::suite::TargetUnderTest;

// Login status codes (RFC 7143 §11.13.5).
inline constexpr int kInitiatorError = 0x0200;
inline constexpr int kAuthFailure = 0x0201;
inline constexpr int kAuthorizationFailure = 0x0202;
inline constexpr int kMissingParameter = 0x0207;

harness::iscsi::Isid FreshLibiscsiIsid();

// Returns libiscsi connect options for `who` on `t` with its CHAP credentials (and the
// mutual ones when `mutual`), a fresh ISID and a 5 s limit.
harness::iscsi::ConnectOptions OptionsFor(const TargetUnderTest& t, const InitiatorInfo& who,
                                          bool mutual);

// Returns the raw CHAP secrets of `who` (mutual fields filled only when `mutual`).
harness::rawpdu::ChapSecrets SecretsFor(const InitiatorInfo& who, bool mutual);

// Returns an initiator name under t.initiator_prefix that no ACL lists.
std::string UnlistedInitiator(const TargetUnderTest& t, const std::string& tag);

// Expects the target process to be alive (kill(pid, 0) when the runner knows its pid) and
// a fresh one-way CHAP session to log in and write, read back and compare one block (or only
// read when data loss is not allowed). `context` names the test step for messages.
void ExpectTargetServes(const TargetUnderTest& t, const std::string& context);

// One Login Response (or what came instead) from RawLoginSteps::Send.
struct LoginStep {
  bool response = false;  // a Login Response arrived
  bool closed = false;    // the target closed the connection
  std::string error;      // timeout / unexpected PDU / send failure, for messages
  int status = -1;        // Status-Class << 8 | Status-Detail, when `response`
  bool transit = false;   // T bit of the response
  int nsg = 0;            // NSG of the response
  KeyValues keys;         // its text keys

  // Returns "login status 0x0201, keys {...}" or "connection closed" for messages.
  std::string Describe() const;
};

// A raw login driven one Login Request at a time (RFC 7143 §11.12), so a test controls every
// key of the security stage. The first request carries InitiatorName, SessionType and (for a
// Normal session) TargetName.
class RawLoginSteps {
 public:
  // Connects to t.portal; returns null with `*error` on failure.
  static std::unique_ptr<RawLoginSteps> Open(const TargetUnderTest& t, std::string initiator,
                                             bool discovery, std::string* error);
  // Sends one Login Request with CSG `csg`, NSG `nsg`, T = `transit` and `keys`, and waits
  // (5 s) for the response.
  LoginStep Send(int csg, int nsg, bool transit, const KeyValues& keys);
  // Runs AuthMethod=CHAP then CHAP_A=`algorithms`; returns the challenge step.
  LoginStep StartChap(const std::string& algorithms = "5");

 private:
  RawLoginSteps() = default;

  std::unique_ptr<harness::rawpdu::RawConnection> conn_;
  harness::rawpdu::RawLoginOptions options_;
  bool first_ = true;
  uint32_t exp_stat_sn_ = 0;
};

// Runs a complete raw CHAP login as `who` with `mutator` applied to the CHAP response (see
// RawLoginOptions::chap_mutator); `mutual` adds the initiator's challenge.
harness::rawpdu::RawLoginResult RawChapLogin(
    const TargetUnderTest& t, const InitiatorInfo& who, bool mutual,
    std::function<void(KeyValues*, const KeyValues&)> mutator = nullptr);

// Replaces (or appends) `key` in `keys`.
void SetKey(KeyValues* keys, const std::string& key, const std::string& value);
// Removes every `key` from `keys`.
void DropKey(KeyValues* keys, const std::string& key);

// True if `status` is one of `allowed`.
bool StatusIn(int status, std::initializer_list<int> allowed);
// Returns "0x0201 (Authentication failure)" style text.
std::string StatusText(int status);

}  // namespace conformance::auth
