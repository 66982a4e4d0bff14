#include "fault-injection/netfault/rule_engine.h"

#include <algorithm>
#include <cstdio>
#include <utility>

namespace reftarget::netfault {
namespace {

// SplitMix64 (Steele, Lea, Flood 2014): eight bytes of state per rule and stream, the
// same sequence on every platform.
uint64_t NextRandom(uint64_t* state) {
  uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

std::string MaskText(uint8_t mask) {
  char text[8];
  std::snprintf(text, sizeof(text), "0x%02x", mask);
  return text;
}

}  // namespace

RuleEngine::RuleEngine(uint64_t seed) : seed_(seed) {}

Result<uint64_t> RuleEngine::Add(const RuleSpec& spec, uint64_t accepted) {
  Status valid = ValidateRule(spec);
  if (!valid.ok()) return valid;
  const uint64_t id = next_id_++;
  Entry entry;
  entry.state.id = id;
  entry.state.spec = spec;
  if (spec.conn) entry.state.bound_conn = spec.conn;
  if (spec.nth) entry.state.bound_conn = accepted + *spec.nth;
  // Each rule draws from its own generators (one per stream, seeded from this) so that
  // adding a rule never changes another rule's draws, and per-byte flips do not depend on
  // how the kernel happened to chunk the stream.
  entry.seed = spec.seed ? *spec.seed : (seed_ ^ (id * 0x9E3779B97F4A7C15ull));
  rules_.emplace(id, std::move(entry));
  return id;
}

std::vector<RuleState> RuleEngine::List() const {
  std::vector<RuleState> out;
  out.reserve(rules_.size());
  for (const auto& [id, entry] : rules_) out.push_back(entry.state);
  return out;
}

bool RuleEngine::Clear(uint64_t id) { return rules_.erase(id) > 0; }

size_t RuleEngine::ClearAll() {
  const size_t n = rules_.size();
  rules_.clear();
  return n;
}

bool RuleEngine::Matches(const RuleState& state, const StreamState& stream) {
  if (!DirMatches(state.spec.dir, stream.dir)) return false;
  return !state.bound_conn || *state.bound_conn == stream.conn_id;
}

bool RuleEngine::Draw(StreamState::PerRule* per_rule, double p) {
  if (p >= 1.0) return true;
  if (p <= 0.0) return false;
  const double u = static_cast<double>(NextRandom(&per_rule->rng) >> 11) * 0x1.0p-53;
  return u < p;
}

StreamState::PerRule* RuleEngine::PerRuleOf(StreamState* stream, const Entry& entry) {
  auto [it, inserted] = stream->per_rule.try_emplace(entry.state.id);
  if (inserted) {
    it->second.rng = entry.seed ^ (stream->conn_id * 0xD1B54A32D192ED03ull) ^
                     (stream->dir == Direction::kDown ? 0x8CB92BA72F3D8DD7ull : 0);
  }
  return &it->second;
}

Plan RuleEngine::Process(StreamState* stream, std::string data, TimePoint now) {
  Plan plan;
  const size_t size = data.size();
  const uint64_t base = stream->offset;
  stream->offset += size;
  // The framer reads the bytes as sent, before a flip changes a length field.
  AimPduFlips(stream, stream->framer.Feed(data));
  size_t pos = 0;
  while (pos < size) {
    if (stream->end != StreamState::End::kOpen) {
      plan.dropped += size - pos;
      break;
    }
    // A drop that began earlier goes on first, as long as its rule still exists.
    bool dropped = false;
    for (auto& [id, per] : stream->per_rule) {
      if (per.drop_left == 0) continue;
      if (!rules_.count(id)) {
        per.drop_left = 0;
        continue;
      }
      const uint64_t n = std::min<uint64_t>(per.drop_left, size - pos);
      per.drop_left -= n;
      plan.dropped += n;
      pos += n;
      dropped = true;
      break;
    }
    if (dropped) continue;
    // Cut the chunk where a matching rule's `after` trigger falls inside it, so the rule
    // acts from exactly that byte.
    size_t end = size;
    for (const auto& [id, entry] : rules_) {
      const uint64_t after = entry.state.spec.after;
      if (after > base + pos && after < base + end && !entry.state.Exhausted() &&
          Matches(entry.state, *stream)) {
        end = after - base;
      }
    }
    Segment(stream, &data, base, pos, end, now, &plan);
    pos = end;
  }
  return plan;
}

bool RuleEngine::Segment(StreamState* stream, std::string* data, uint64_t base, size_t p, size_t q,
                         TimePoint now, Plan* plan) {
  uint64_t delay_ms = 0;
  uint64_t rate = 0;
  uint64_t max_send = 0;
  uint32_t gap_ms = 0;
  std::vector<Step> holds;
  // Where this piece starts: state changes report it even if earlier rules discarded bytes.
  const uint64_t start = base + p;
  auto fault = [&](uint64_t id, Action action, uint64_t offset, uint64_t length,
                   std::string detail) {
    plan->faults.push_back(
        FaultEvent{id, stream->conn_id, stream->dir, offset, length, action, std::move(detail)});
  };
  for (auto& [id, entry] : rules_) {
    RuleState& state = entry.state;
    const RuleSpec& spec = state.spec;
    // `start`, not p: a rule triggering inside this piece waits for the next piece.
    if (!Matches(state, *stream) || state.Exhausted() || spec.after > start) continue;
    const bool one_shot = IsOneShot(spec.action);
    // Data actions need bytes; a state change still fires on a piece already discarded.
    if (p >= q && !one_shot) continue;
    StreamState::PerRule* per = PerRuleOf(stream, entry);
    if (one_shot && per->fired) continue;
    if (spec.action == Action::kFlip) {
      Flip(&entry, stream, data, base, p, q, plan);
      continue;
    }
    if (!Draw(per, spec.probability)) {
      ++state.skipped;
      continue;
    }
    ++state.hits;
    const uint64_t offset = base + p;
    const uint64_t length = q - p;
    switch (spec.action) {
      case Action::kDelay:
        delay_ms += spec.delay_ms;
        fault(id, spec.action, offset, length, "delay_ms=" + std::to_string(spec.delay_ms));
        break;
      case Action::kRate:
        rate = rate == 0 ? spec.rate : std::min(rate, spec.rate);
        if (!per->fired) {  // Logged once per stream: it acts on every chunk.
          per->fired = true;
          fault(id, spec.action, offset, length, "rate=" + std::to_string(spec.rate));
        }
        break;
      case Action::kSplit:
        max_send = max_send == 0 ? spec.split : std::min(max_send, spec.split);
        gap_ms = std::max(gap_ms, spec.gap_ms);
        fault(id, spec.action, offset, length,
              "split=" + std::to_string(spec.split) + " gap_ms=" + std::to_string(spec.gap_ms));
        break;
      case Action::kBlackhole:
        plan->dropped += length;
        p = q;
        if (!per->fired) {  // Logged once per stream: it acts on every chunk.
          per->fired = true;
          fault(id, spec.action, offset, length, "");
        }
        break;
      case Action::kDrop: {
        const uint64_t want = spec.drop_bytes != 0 ? spec.drop_bytes : length;
        const uint64_t n = std::min(want, length);
        per->drop_left = want - n;
        plan->dropped += n;
        p += n;
        fault(id, spec.action, offset, want, "drop_bytes=" + std::to_string(want));
        break;
      }
      case Action::kStall: {
        per->fired = true;
        Step hold;
        hold.kind = Step::Kind::kStall;
        hold.offset = start;
        hold.rule_id = id;
        hold.since = now;
        holds.push_back(std::move(hold));
        fault(id, spec.action, start, 0, "stall=start");
        break;
      }
      case Action::kReset:
      case Action::kHalfClose: {
        per->fired = true;
        for (Step& hold : holds) plan->steps.push_back(std::move(hold));
        Step end;
        end.kind = spec.action == Action::kReset ? Step::Kind::kReset : Step::Kind::kHalfClose;
        end.offset = start;
        end.rule_id = id;
        plan->steps.push_back(std::move(end));
        stream->end = spec.action == Action::kReset ? StreamState::End::kReset
                                                    : StreamState::End::kHalfClosed;
        plan->dropped += q - p;
        fault(id, spec.action, start, 0, "");
        return false;
      }
      case Action::kFlip:
        break;  // Handled above: it draws per byte.
    }
  }
  for (Step& hold : holds) plan->steps.push_back(std::move(hold));
  if (p < q) {
    Step step;
    step.data = (p == 0 && q == data->size()) ? std::move(*data) : data->substr(p, q - p);
    step.offset = base + p;
    if (delay_ms != 0) step.not_before = now + std::chrono::milliseconds(delay_ms);
    step.rate = rate;
    step.max_send = max_send;
    step.gap_ms = gap_ms;
    plan->steps.push_back(std::move(step));
  }
  return true;
}

void RuleEngine::AimPduFlips(StreamState* stream, const std::vector<PduStart>& starts) {
  if (starts.empty()) return;
  for (auto& [id, entry] : rules_) {
    RuleState& state = entry.state;
    const RuleSpec& spec = state.spec;
    if (spec.action != Action::kFlip || !spec.pdu_byte || !Matches(state, *stream)) continue;
    StreamState::PerRule* per = PerRuleOf(stream, entry);
    for (const PduStart& pdu : starts) {
      if (spec.count && state.hits + per->pdu_flips.size() >= *spec.count) break;
      if (pdu.offset < spec.after || (spec.opcode && *spec.opcode != pdu.opcode)) continue;
      if (!Draw(per, spec.probability)) {
        ++state.skipped;
        continue;
      }
      per->pdu_flips.push_back(pdu.offset + *spec.pdu_byte);
    }
  }
}

void RuleEngine::Flip(Entry* entry, StreamState* stream, std::string* data, uint64_t base, size_t p,
                      size_t q, Plan* plan) {
  RuleState& state = entry->state;
  const RuleSpec& spec = state.spec;
  StreamState::PerRule* per = PerRuleOf(stream, *entry);
  auto flip = [&](size_t i) {
    (*data)[i] = static_cast<char>(static_cast<uint8_t>((*data)[i]) ^ spec.mask);
  };
  if (spec.pdu_byte) {
    auto& aimed = per->pdu_flips;
    for (auto it = aimed.begin(); it != aimed.end();) {
      if (*it < base + p || *it >= base + q) {
        ++it;
        continue;
      }
      ++state.hits;
      flip(static_cast<size_t>(*it - base));
      plan->faults.push_back(FaultEvent{
          state.id, stream->conn_id, stream->dir, *it, 1, Action::kFlip,
          "mask=" + MaskText(spec.mask) + " pdu_byte=" + std::to_string(*spec.pdu_byte)});
      it = aimed.erase(it);
    }
    return;
  }
  if (spec.at) {
    if (*spec.at < base + p || *spec.at >= base + q) return;
    if (!Draw(per, spec.probability)) {
      ++state.skipped;
      return;
    }
    ++state.hits;
    flip(static_cast<size_t>(*spec.at - base));
    plan->faults.push_back(FaultEvent{state.id, stream->conn_id, stream->dir, *spec.at, 1,
                                      Action::kFlip, "mask=" + MaskText(spec.mask)});
    return;
  }
  uint64_t flipped = 0;
  uint64_t first = 0;
  uint64_t last = 0;
  for (size_t i = p; i < q && !state.Exhausted(); ++i) {
    if (!Draw(per, spec.probability)) {
      ++state.skipped;
      continue;
    }
    ++state.hits;
    flip(i);
    if (flipped++ == 0) first = base + i;
    last = base + i;
  }
  if (flipped == 0) return;
  // One line per chunk, not per byte: the offsets of the first and last flipped byte.
  plan->faults.push_back(
      FaultEvent{state.id, stream->conn_id, stream->dir, first, last - first + 1, Action::kFlip,
                 "mask=" + MaskText(spec.mask) + " flipped=" + std::to_string(flipped) +
                     " last=" + std::to_string(last)});
}

}  // namespace reftarget::netfault
