// A raw login driver that sends exactly the keys a test names (RFC 7143 §6, §11.12-11.13),
// and the operational parameters that follow from an offer and its answers (RFC 7143 §13).
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

#include "suites/conformance/open/open_common.h"

namespace conformance {

// One Login Response as the driver saw it (or why none came).
struct LoginReply {
  bool received = false;  // a Login Response arrived
  bool closed = false;    // the target closed the connection instead
  std::string error;
  Pdu pdu;
  KeyValues keys;

  uint16_t status() const { return static_cast<uint16_t>(pdu.bhs[36] << 8 | pdu.bhs[37]); }
  uint8_t status_class() const { return pdu.bhs[36]; }
  bool transit() const { return (pdu.bhs[1] & 0x80) != 0; }
  int csg() const { return (pdu.bhs[1] >> 2) & 3; }
  int nsg() const { return pdu.bhs[1] & 3; }
  bool success() const { return received && status_class() == 0; }
  // Returns "Login Response status 0x0207 ..." / "connection closed ..." / the error.
  std::string Describe() const;
};

// Sends Login Requests with exactly the keys a test gives. The first request carries the
// leading keys (InitiatorName, SessionType, TargetName), which a test may edit (leading()).
class LoginDriver {
 public:
  LoginDriver(RawConnection* conn, RawLoginOptions options);

  // Sends one Login Request (CSG/NSG/T as given, VersionMax/Min 0 unless overridden) and
  // waits for its reply. `keys` are appended after the leading keys on the first request.
  LoginReply Exchange(int csg, int nsg, bool transit, const KeyValues& keys);
  // Security stage with AuthMethod=None and T=1 to the operational stage.
  LoginReply SecurityNone();
  // Operational stage: sends `keys` with T=1 to FFP, then empty requests while the target
  // answers T=0 (bounded). Returns the last reply; every key the target sent in this stage is
  // in `*answers`.
  LoginReply Operational(const KeyValues& keys, KeyValues* answers);
  // Security (None) then operational stage with `keys`; true if FFP was reached, and then
  // the negotiated digests are switched on for the connection (RFC 7143 §13.1).
  bool LoginWith(const KeyValues& keys, KeyValues* answers, LoginReply* last);

  // Leading keys sent on the first request; a test may edit them before the first Exchange.
  KeyValues& leading() { return leading_; }
  void set_version(uint8_t max, uint8_t min) {
    version_max_ = max;
    version_min_ = min;
  }
  void set_tsih(uint16_t tsih) { tsih_ = tsih; }
  // Every key the target sent during this login, in order.
  const KeyValues& all_target_keys() const { return all_keys_; }
  // State for a Full Feature Phase client once the login succeeded.
  harness::rawpdu::RawLoginResult Result() const;
  const RawLoginOptions& options() const { return options_; }

 private:
  RawConnection* conn_;
  RawLoginOptions options_;
  KeyValues leading_;
  bool first_ = true;
  uint8_t version_max_ = 0;
  uint8_t version_min_ = 0;
  uint16_t tsih_ = 0;
  uint32_t exp_stat_sn_ = 0;
  uint32_t exp_cmd_sn_ = 0;
  uint32_t max_cmd_sn_ = 0;
  uint16_t got_tsih_ = 0;
  KeyValues all_keys_;
};

// Succeeds if `r` is a Login Response with one of `statuses` (RFC 7143 §11.13.5).
::testing::AssertionResult LoginRejectedWith(const LoginReply& r,
                                             std::initializer_list<uint16_t> statuses);
// Initiator-error statuses the RFC allows for a negotiation the target refuses: 0200h
// (initiator error), 0207h (missing or bad parameter), 020Bh (invalid during login).
inline constexpr std::initializer_list<uint16_t> kInitiatorErrors = {0x0200, 0x0207, 0x020b};

// Logs out (reason 0, close the session) a raw session in FFP described by `login` and
// waits for the Logout Response. True if it came with response 0.
bool RawLogout(RawConnection* conn, const harness::rawpdu::RawLoginResult& login,
               std::string* error);

// Parameters in force after a login, from the offer and the target's answers (RFC 7143 §13).
struct Negotiated {
  bool immediate_data = true;
  bool initial_r2t = true;
  uint32_t first_burst = 65536;
  uint32_t max_burst = 262144;
  uint32_t max_outstanding_r2t = 1;
  uint32_t target_mrdsl = 8192;     // what we may send in one PDU (target's declaration)
  uint32_t initiator_mrdsl = 8192;  // what we declared (limit of the target's PDUs)
  bool header_digest = false;
  bool data_digest = false;
  std::vector<std::string> problems;  // answers that break the key's rule
};

// Computes Negotiated from what was offered and what the target answered.
Negotiated ComputeNegotiated(const KeyValues& offered, const KeyValues& answers);

}  // namespace conformance
