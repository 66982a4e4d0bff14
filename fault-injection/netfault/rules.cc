#include "fault-injection/netfault/rules.h"

#include <string>

namespace reftarget::netfault {

Status ValidateRule(const RuleSpec& spec) {
  if (spec.conn && spec.nth)
    return Status::Error("rule fields 'conn' and 'nth' exclude each other");
  if (spec.conn && *spec.conn == 0) return Status::Error("rule field 'conn' is 0 (ids start at 1)");
  if (spec.nth && *spec.nth == 0) return Status::Error("rule field 'nth' is 0 (1 = the next one)");
  if (spec.count && *spec.count == 0) return Status::Error("rule field 'count' is 0");
  if (!(spec.probability >= 0.0 && spec.probability <= 1.0)) {
    return Status::Error("rule field 'probability' must be in [0, 1]");
  }
  switch (spec.action) {
    case Action::kDelay:
      if (spec.delay_ms == 0 || spec.delay_ms > kMaxDelayMs) {
        return Status::Error("rule field 'delay_ms' must be in 1.." + std::to_string(kMaxDelayMs));
      }
      break;
    case Action::kRate:
      if (spec.rate == 0 || spec.rate > kMaxRate) {
        return Status::Error("rule field 'rate' must be in 1.." + std::to_string(kMaxRate) +
                             " bytes per second");
      }
      break;
    case Action::kFlip:
      if (spec.mask == 0) return Status::Error("rule field 'mask' is 0 (would change nothing)");
      if (spec.pdu_byte && spec.at) {
        return Status::Error("rule fields 'at' and 'pdu_byte' exclude each other");
      }
      if (spec.pdu_byte && *spec.pdu_byte >= kBhsBytes) {
        return Status::Error("rule field 'pdu_byte' must be in 0.." +
                             std::to_string(kBhsBytes - 1) + " (a byte of the 48-byte BHS)");
      }
      if (spec.opcode && !spec.pdu_byte) {
        return Status::Error("rule field 'opcode' needs 'pdu_byte'");
      }
      if (spec.opcode && *spec.opcode > 0x3f) {
        return Status::Error("rule field 'opcode' must be in 0..0x3f (RFC 7143 §11.1.1)");
      }
      break;
    case Action::kSplit:
      if (spec.split == 0 || spec.split > kMaxSplit) {
        return Status::Error("rule field 'split' must be in 1.." + std::to_string(kMaxSplit));
      }
      if (spec.gap_ms > kMaxGapMs) {
        return Status::Error("rule field 'gap_ms' must be in 0.." + std::to_string(kMaxGapMs));
      }
      break;
    case Action::kBlackhole:
    case Action::kDrop:
    case Action::kReset:
    case Action::kHalfClose:
    case Action::kStall:
      break;
  }
  return Status::Ok();
}

bool IsOneShot(Action action) {
  return action == Action::kReset || action == Action::kHalfClose || action == Action::kStall;
}

bool DirMatches(DirSelector selector, Direction dir) {
  switch (selector) {
    case DirSelector::kBoth:
      return true;
    case DirSelector::kUp:
      return dir == Direction::kUp;
    case DirSelector::kDown:
      return dir == Direction::kDown;
  }
  return false;
}

}  // namespace reftarget::netfault
