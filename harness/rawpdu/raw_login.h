// Login over a RawConnection (RFC 7143 §6, §11.12-11.13): security stage with AuthMethod
// None or CHAP (MD5, RFC 1994; optional mutual), then operational negotiation to Full
// Feature Phase. Hooks let a test corrupt the CHAP exchange.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "harness/rawpdu/iscsi_pdu.h"
#include "harness/rawpdu/raw_connection.h"

namespace harness::rawpdu {

struct ChapSecrets {
  std::string user;           // CHAP_N the initiator sends
  std::string secret;         // initiator's secret (target authenticates the initiator)
  std::string target_user;    // expected CHAP_N from the target (mutual); empty: one-way
  std::string target_secret;  // target's secret (mutual)
};

// Returns a fresh random ISID of type 10b (RFC 7143 §11.12.5), so that sessions of different
// tests never reinstate each other.
std::array<uint8_t, 6> RandomIsid();

struct RawLoginOptions {
  std::string initiator_name = "iqn.2003-01.org.reftarget.itest:raw";
  std::string target_name;  // empty for a discovery session
  std::string session_type = "Normal";
  std::string header_digest = "None";  // the offer, e.g. "CRC32C" or "CRC32C,None"
  std::string data_digest = "None";
  std::optional<ChapSecrets> chap;
  KeyValues extra_operational_keys;  // appended (or overriding) in the operational stage
  std::array<uint8_t, 6> isid = {0x80, 0x00, 0x49, 0x54, 0x00, 0x01};
  uint32_t initial_cmd_sn = 1;
  std::chrono::milliseconds timeout{5000};
  // Called with the keys about to be sent as the CHAP response (CHAP_N, CHAP_R and, for
  // mutual, CHAP_I and CHAP_C) and the target's challenge keys; may rewrite them.
  std::function<void(KeyValues* response, const KeyValues& target_challenge)> chap_mutator;
};

struct RawLoginResult {
  bool full_feature = false;     // reached Full Feature Phase
  bool status_received = false;  // a Login Response with nonzero status arrived
  uint8_t status_class = 0;
  uint8_t status_detail = 0;
  bool connection_closed = false;  // the target closed the connection during login
  std::string error;               // what went wrong, for messages
  KeyValues target_keys;           // every key the target sent
  uint16_t tsih = 0;
  uint32_t cmd_sn = 0;  // next CmdSN to use
  uint32_t exp_stat_sn = 0;
  uint32_t max_cmd_sn = 0;
  uint32_t next_itt = 1;
  uint32_t target_max_recv_data_segment = 8192;  // what the target declared
  uint32_t first_burst_length = 65536;
  bool immediate_data = true;

  // Returns (class << 8) | detail, e.g. 0x0201 for an authentication failure.
  uint16_t status() const { return static_cast<uint16_t>(status_class << 8 | status_detail); }
};

// Logs in on `conn`. Enables the negotiated digests on `conn` when FFP is reached.
RawLoginResult RawLogin(RawConnection* conn, const RawLoginOptions& options);

// Returns MD5(id || secret || challenge) (RFC 1994 §4.1).
std::vector<uint8_t> ChapResponse(uint8_t id, const std::string& secret,
                                  const std::vector<uint8_t>& challenge);

// Builds a Login Request BHS (RFC 7143 §11.12) with the given stages and keys.
Pdu MakeLoginRequest(const RawLoginOptions& options, int csg, int nsg, bool transit, uint32_t itt,
                     uint32_t cmd_sn, uint32_t exp_stat_sn, const KeyValues& keys);

}  // namespace harness::rawpdu
