// Expected SCSI outcomes as values (STYLE.md: `Expect::Good`, `Expect::LbaOutOfRange` =
// {status, sense key, accepted ASC/ASCQ}). Where the standard allows more than one answer,
// the expectation lists every one it allows, so a test never hard-codes one target's choice.
//
//   EXPECT_SCSI(session.Execute(...), Expect::LbaOutOfRange(), "SBC-3 §5.13: READ(16) ...");
//   Expect::Good().Or(Expect::InvalidFieldInCdb())   // two acceptable answers
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <vector>

#include "harness/iscsi/command_result.h"

namespace harness::expect {

using iscsi::CommandResult;
using iscsi::Outcome;

// An accepted ASC/ASCQ pair; any_ascq accepts every ASCQ under `asc` ("27/xx").
struct SenseCode {
  uint8_t asc = 0;
  uint8_t ascq = 0;
  bool any_ascq = false;
};

// One acceptable result.
struct Alternative {
  Outcome outcome = Outcome::kCompleted;
  uint8_t status = iscsi::scsi_status::kGood;  // when outcome == kCompleted
  std::optional<uint8_t> key;                  // CHECK CONDITION: the sense key
  std::vector<SenseCode> codes;                // accepted ASC/ASCQ; empty: any
  std::string name;                            // "LOGICAL BLOCK ADDRESS OUT OF RANGE"
};

class Expectation {
 public:
  Expectation() = default;
  explicit Expectation(Alternative alternative) { alternatives_.push_back(std::move(alternative)); }

  // Returns an expectation met by any alternative of this or of `other`.
  Expectation Or(const Expectation& other) const;
  // True if `result` matches one alternative.
  bool Matches(const CommandResult& result) const;
  // Returns "CHECK CONDITION 05/21/00 (LOGICAL BLOCK ADDRESS OUT OF RANGE)", alternatives
  // joined by " or ".
  std::string Describe() const;
  const std::vector<Alternative>& alternatives() const { return alternatives_; }

 private:
  std::vector<Alternative> alternatives_;
};

// Returns an expectation met by any of `expectations`.
Expectation AnyOf(std::initializer_list<Expectation> expectations);

// Named expectations. Each cites where the standard requires it.
struct Expect {
  // SAM-5 §5.3.1: GOOD.
  static Expectation Good();
  // Any completed command with `status` (no sense check).
  static Expectation WithStatus(uint8_t status, std::string name = "");
  // CHECK CONDITION with `key` and one of `codes` (empty: any ASC/ASCQ).
  static Expectation CheckCondition(uint8_t key, std::vector<SenseCode> codes = {},
                                    std::string name = "");
  // SBC-3 §4.5: an LBA past the capacity: 05/21/00.
  static Expectation LbaOutOfRange();
  // SPC-4 §4.5.6: a reserved bit or bad value in the CDB: 05/24/00.
  static Expectation InvalidFieldInCdb();
  // SPC-4 §4.5.6: 05/26/00.
  static Expectation InvalidFieldInParameterList();
  // SPC-4 §4.5.6: 05/1A/00.
  static Expectation ParameterListLengthError();
  // SPC-4 §4.5.6 / SAM-5 §5.3: an operation code the device does not support: 05/20/00.
  static Expectation InvalidOpcode();
  // SPC-4 §4.6.3 / SAM-5 §5.8.4: a LUN that is not there: 05/25/00.
  static Expectation LunNotSupported();
  // SBC-3 §4.x (write protection): DATA PROTECT with WRITE PROTECTED 27/00 or one of the
  // more specific 27/01..27/06 SPC-4 defines (hardware, software, associated, persistent,
  // permanent, conditional). 27/07 (space allocation failed) is NOT a write protect answer.
  static Expectation WriteProtected();
  // SBC-3 §4.14 (medium errors): a read that cannot be recovered: 03/11/00.
  static Expectation UnrecoveredReadError();
  // SBC-3: a write that failed on the medium: 03/0C/00.
  static Expectation WriteError();
  // SBC-3 §4.7.3.6 (thin provisioning): 07/27/07.
  static Expectation SpaceAllocationFailed();
  // SAM-5 §5.14: UNIT ATTENTION with this ASC/ASCQ.
  static Expectation UnitAttention(uint8_t asc, uint8_t ascq);
  // UNIT ATTENTION with any ASC/ASCQ.
  static Expectation AnyUnitAttention();
  // SPC-4 §5.9: RESERVATION CONFLICT status.
  static Expectation ReservationConflict();
  // SAM-5 §5.3.1: TASK ABORTED status.
  static Expectation TaskAborted();
  // SAM-5 §5.3.1: BUSY status.
  static Expectation Busy();
  // SAM-5 §5.3.1: TASK SET FULL status.
  static Expectation TaskSetFull();
  // SBC-3 §5.2 / §5.30: MISCOMPARE DURING VERIFY OPERATION: 0E/1D/00.
  static Expectation MiscompareDuringVerify();
  // FCP-4 / RFC 7143 §11.4.7.2: INVALID FIELD IN COMMAND INFORMATION UNIT: 05/0E/03.
  static Expectation InvalidFieldInCommandIu();
  // The command got no response in its time limit.
  static Expectation TimedOut();
  // The connection went away before a response.
  static Expectation ConnectionLost();
};

}  // namespace harness::expect
