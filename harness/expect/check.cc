#include "harness/expect/check.h"

namespace harness::expect {

std::string DescribeGot(const CommandResult& r) {
  if (r.outcome != Outcome::kCompleted) {
    std::string out = iscsi::OutcomeName(r.outcome);
    if (!r.error.empty()) out += " (" + r.error + ")";
    return out;
  }
  std::string out = iscsi::ScsiStatusName(r.status);
  if (r.status == iscsi::scsi_status::kCheckCondition) out += " " + r.decoded.Describe();
  return out;
}

Verdict Check(const CommandResult& r, const Expectation& expectation, std::string_view clause) {
  Verdict v;
  v.ok = expectation.Matches(r);
  v.clause = std::string(clause);
  v.cdb_hex = r.cdb.Hex();
  v.sense_hex = iscsi::HexBytes(r.sense, 96);
  v.got = DescribeGot(r);
  v.expected = expectation.Describe();

  std::string& m = v.message;
  m = (v.ok ? "PASS: " : "FAIL: ") + v.clause + "\n";
  m += "  command:  " + r.cdb.Name() + " to LUN " + std::to_string(r.lun) + ", CDB [" +
       v.cdb_hex + "], EDTL " + std::to_string(r.expected_length) + "\n";
  m += "  expected: " + v.expected + "\n";
  m += "  got:      " + v.got + "\n";
  if (!r.sense.empty()) m += "  sense:    " + v.sense_hex + "\n";
  if (r.outcome == Outcome::kCompleted && r.residual.kind != iscsi::Residual::Kind::kNone) {
    m += std::string("  residual: ") +
         (r.residual.kind == iscsi::Residual::Kind::kUnderflow ? "underflow " : "overflow ") +
         std::to_string(r.residual.count) + "\n";
  }
  m += "  duration: " + std::to_string(r.duration.count()) + " us";
  return v;
}

}  // namespace harness::expect
