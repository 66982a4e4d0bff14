// Seeded generator of hostile iSCSI traffic for robustness tests (TEST-PLAN T04, T12, T27):
// random bytes before login, pre-login headers with absurd lengths, and mutated Full
// Feature Phase PDUs (random opcodes, flags, AHS lengths, DataSegmentLength claims up to
// 16 MiB, truncation). The same seed gives the same bytes, so a failure is replayable.
//
// Everything addressed to a LUN is confined to `sandbox_lun` and target-wide TMFs (WARM /
// COLD RESET) and EXTENDED COPY are rewritten, so that a correct target gives other
// sessions on other LUNs no legitimate reason to see an error.
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace harness::rawpdu {

struct MutatedPdu {
  std::vector<uint8_t> bytes;
  std::string kind;              // e.g. "scsi-cmd/flags", "random-opcode/dsl-claim"
  bool ends_connection = false;  // framing is broken (or truncated): close after sending
};

class PduMutator {
 public:
  PduMutator(uint64_t seed, uint32_t sandbox_lun) : rng_(seed), sandbox_lun_(sandbox_lun) {}

  // 1..max_len random bytes, sent instead of a login.
  std::vector<uint8_t> RandomBytes(size_t max_len);
  // A Login Request header with random flags, versions, TotalAHSLength and a
  // DataSegmentLength claim up to 16 MiB, followed by fewer bytes than it claims.
  MutatedPdu HostilePreLogin();
  // One mutated PDU for a logged-in connection whose next CmdSN is `cmd_sn`.
  MutatedPdu NextFfpPdu(uint32_t cmd_sn, uint32_t exp_stat_sn);
  // Returns a uniformly random value in [lo, hi].
  uint64_t Uniform(uint64_t lo, uint64_t hi);
  // Returns a random 6-byte ISID (type 10b: random qualifier).
  std::vector<uint8_t> RandomIsid();

 private:
  std::vector<uint8_t> Template(uint32_t cmd_sn, uint32_t exp_stat_sn, std::string* kind);
  // Applies the sandbox rules to the BHS at the front of `bytes`.
  void Confine(std::vector<uint8_t>* bytes) const;

  std::mt19937_64 rng_;
  uint32_t sandbox_lun_;
};

// The rules Confine applies, exposed for tests: LUN fields -> sandbox, WARM/COLD RESET ->
// ABORT TASK, EXTENDED COPY (83h) -> TEST UNIT READY.
void ConfineBhs(uint8_t* bhs, uint32_t sandbox_lun);

}  // namespace harness::rawpdu
