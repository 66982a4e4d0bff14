#include "harness/expect/expectation.h"

#include <cstdio>

#include "harness/iscsi/sense.h"

namespace harness::expect {
namespace {

namespace key = iscsi::sense_key;
namespace st = iscsi::scsi_status;

std::string Hex2(unsigned v) {
  char buf[8];
  std::snprintf(buf, sizeof(buf), "%02x", v & 0xffu);
  return buf;
}

bool CodeMatches(const SenseCode& code, uint8_t asc, uint8_t ascq) {
  return code.asc == asc && (code.any_ascq || code.ascq == ascq);
}

bool AlternativeMatches(const Alternative& a, const CommandResult& r) {
  if (r.outcome != a.outcome) return false;
  if (a.outcome != Outcome::kCompleted) return true;
  if (r.status != a.status) return false;
  if (a.status != st::kCheckCondition) return true;
  if (!a.key) return true;
  const iscsi::DecodedSense& d = r.decoded;
  if (!d.has_key || d.key != *a.key) return false;
  if (a.codes.empty()) return true;
  if (!d.complete) return false;
  for (const SenseCode& c : a.codes) {
    if (CodeMatches(c, d.asc, d.ascq)) return true;
  }
  return false;
}

std::string DescribeAlternative(const Alternative& a) {
  if (a.outcome != Outcome::kCompleted) return iscsi::OutcomeName(a.outcome);
  std::string out = iscsi::ScsiStatusName(a.status);
  if (a.status == st::kCheckCondition && a.key) {
    out += " " + Hex2(*a.key);
    if (a.codes.empty()) {
      out += "/any";
    } else {
      for (size_t i = 0; i < a.codes.size(); ++i) {
        out += i == 0 ? "/" : "|";
        out += Hex2(a.codes[i].asc) + "/" + (a.codes[i].any_ascq ? "xx" : Hex2(a.codes[i].ascq));
      }
    }
  }
  if (!a.name.empty()) out += " (" + a.name + ")";
  return out;
}

Expectation Sense(uint8_t k, uint8_t asc, uint8_t ascq, std::string name) {
  return Expect::CheckCondition(k, {SenseCode{asc, ascq, false}}, std::move(name));
}

}  // namespace

Expectation Expectation::Or(const Expectation& other) const {
  Expectation out = *this;
  out.alternatives_.insert(out.alternatives_.end(), other.alternatives_.begin(),
                           other.alternatives_.end());
  return out;
}

bool Expectation::Matches(const CommandResult& result) const {
  for (const Alternative& a : alternatives_) {
    if (AlternativeMatches(a, result)) return true;
  }
  return false;
}

std::string Expectation::Describe() const {
  if (alternatives_.empty()) return "(nothing: empty expectation)";
  std::string out;
  for (size_t i = 0; i < alternatives_.size(); ++i) {
    if (i != 0) out += " or ";
    out += DescribeAlternative(alternatives_[i]);
  }
  return out;
}

Expectation AnyOf(std::initializer_list<Expectation> expectations) {
  Expectation out;
  for (const Expectation& e : expectations) out = out.Or(e);
  return out;
}

Expectation Expect::Good() { return WithStatus(st::kGood, ""); }

Expectation Expect::WithStatus(uint8_t status, std::string name) {
  Alternative a;
  a.status = status;
  a.name = std::move(name);
  return Expectation(std::move(a));
}

Expectation Expect::CheckCondition(uint8_t k, std::vector<SenseCode> codes, std::string name) {
  Alternative a;
  a.status = st::kCheckCondition;
  a.key = k;
  a.codes = std::move(codes);
  a.name = std::move(name);
  return Expectation(std::move(a));
}

Expectation Expect::LbaOutOfRange() {
  return Sense(key::kIllegalRequest, 0x21, 0x00, "LOGICAL BLOCK ADDRESS OUT OF RANGE");
}
Expectation Expect::InvalidFieldInCdb() {
  return Sense(key::kIllegalRequest, 0x24, 0x00, "INVALID FIELD IN CDB");
}
Expectation Expect::InvalidFieldInParameterList() {
  return Sense(key::kIllegalRequest, 0x26, 0x00, "INVALID FIELD IN PARAMETER LIST");
}
Expectation Expect::ParameterListLengthError() {
  return Sense(key::kIllegalRequest, 0x1a, 0x00, "PARAMETER LIST LENGTH ERROR");
}
Expectation Expect::InvalidOpcode() {
  return Sense(key::kIllegalRequest, 0x20, 0x00, "INVALID COMMAND OPERATION CODE");
}
Expectation Expect::LunNotSupported() {
  return Sense(key::kIllegalRequest, 0x25, 0x00, "LOGICAL UNIT NOT SUPPORTED");
}
Expectation Expect::WriteProtected() {
  std::vector<SenseCode> codes;
  for (uint8_t q = 0x00; q <= 0x06; ++q) codes.push_back(SenseCode{0x27, q, false});
  return CheckCondition(key::kDataProtect, std::move(codes), "WRITE PROTECTED");
}
Expectation Expect::UnrecoveredReadError() {
  return Sense(key::kMediumError, 0x11, 0x00, "UNRECOVERED READ ERROR");
}
Expectation Expect::WriteError() { return Sense(key::kMediumError, 0x0c, 0x00, "WRITE ERROR"); }
Expectation Expect::SpaceAllocationFailed() {
  return Sense(key::kDataProtect, 0x27, 0x07, "SPACE ALLOCATION FAILED WRITE PROTECT");
}
Expectation Expect::UnitAttention(uint8_t asc, uint8_t ascq) {
  return Sense(key::kUnitAttention, asc, ascq, iscsi::AscName(asc, ascq));
}
Expectation Expect::AnyUnitAttention() {
  return CheckCondition(key::kUnitAttention, {}, "any UNIT ATTENTION");
}
Expectation Expect::ReservationConflict() { return WithStatus(st::kReservationConflict, ""); }
Expectation Expect::TaskAborted() { return WithStatus(st::kTaskAborted, ""); }
Expectation Expect::Busy() { return WithStatus(st::kBusy, ""); }
Expectation Expect::TaskSetFull() { return WithStatus(st::kTaskSetFull, ""); }
Expectation Expect::MiscompareDuringVerify() {
  return Sense(key::kMiscompare, 0x1d, 0x00, "MISCOMPARE DURING VERIFY OPERATION");
}
Expectation Expect::InvalidFieldInCommandIu() {
  return Sense(key::kIllegalRequest, 0x0e, 0x03, "INVALID FIELD IN COMMAND INFORMATION UNIT");
}
Expectation Expect::TimedOut() {
  Alternative a;
  a.outcome = Outcome::kTimeout;
  return Expectation(std::move(a));
}
Expectation Expect::ConnectionLost() {
  Alternative a;
  a.outcome = Outcome::kConnectionLost;
  return Expectation(std::move(a));
}

}  // namespace harness::expect
