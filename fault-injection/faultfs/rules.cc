#include "fault-injection/faultfs/rules.h"

#include <fnmatch.h>

#include <algorithm>
#include <chrono>
#include <cmath>

namespace reftarget::faultfs {

Status ValidateRule(const RuleSpec& spec) {
  if (spec.file.empty())
    return Status::Error("rule field 'file' is empty (use \"*\" for every file)");
  if (spec.file.front() == '/') {
    return Status::Error("rule field 'file' must be relative to the mount: '" + spec.file + "'");
  }
  if (spec.length && *spec.length == 0) return Status::Error("rule field 'length' is 0");
  if (spec.length && *spec.length > UINT64_MAX - spec.offset) {
    return Status::Error("rule fields 'offset' + 'length' overflow 64 bits");
  }
  if (!(spec.probability >= 0.0 && spec.probability <= 1.0)) {
    return Status::Error("rule field 'probability' must be in [0, 1]");
  }
  if (spec.count && *spec.count == 0) return Status::Error("rule field 'count' is 0");
  switch (spec.action) {
    case Action::kError:
      if (spec.error <= 0 || spec.error > 4095) {
        return Status::Error("rule field 'error' must be a positive errno, got " +
                             std::to_string(spec.error));
      }
      break;
    case Action::kDelay:
      if (spec.delay_ms == 0) return Status::Error("rule field 'delay_ms' is 0");
      if (spec.delay_ms > 3600 * 1000)
        return Status::Error("rule field 'delay_ms' exceeds one hour");
      break;
    case Action::kCorrupt:
      if (spec.corrupt_xor == 0)
        return Status::Error("rule field 'xor' is 0 (would change nothing)");
      [[fallthrough]];
    case Action::kShort:
      if (spec.op != Op::kRead && spec.op != Op::kWrite && spec.op != Op::kAny) {
        return Status::Error("rule action corrupt/short needs op read, write or any");
      }
      break;
    case Action::kHang:
      break;
  }
  return Status::Ok();
}

bool OpMatches(Op rule_op, Op request_op) { return rule_op == Op::kAny || rule_op == request_op; }

bool RangesOverlap(uint64_t a_off, uint64_t a_len, uint64_t b_off, std::optional<uint64_t> b_len) {
  // Half-open intervals; compare with subtraction-free forms to avoid overflow.
  const bool a_before_b_end = !b_len || a_off < b_off + *b_len;
  if (a_len == 0) return a_off >= b_off && a_before_b_end;
  const bool b_before_a_end = b_off - a_off < a_len || b_off < a_off;
  return a_before_b_end && b_before_a_end;
}

uint64_t ShortLength(uint64_t offset, uint64_t length, const Fault& fault) {
  if (fault.range_offset > offset) return std::min(length, fault.range_offset - offset);
  uint64_t half = length / 2;
  if (half >= 512) half -= half % 512;
  return half;
}

uint64_t ApplyCorruption(uint64_t offset, char* data, uint64_t length, const Fault& fault) {
  const uint64_t start = std::max(offset, fault.range_offset);
  uint64_t end = offset + length;
  if (fault.range_length) end = std::min(end, fault.range_offset + *fault.range_length);
  if (start >= end) return 0;
  for (uint64_t pos = start; pos < end; ++pos) {
    data[pos - offset] =
        static_cast<char>(static_cast<uint8_t>(data[pos - offset]) ^ fault.corrupt_xor);
  }
  return end - start;
}

RuleEngine::RuleEngine(uint64_t seed) : seed_(seed) {}

Result<uint64_t> RuleEngine::Add(const RuleSpec& spec) {
  Status valid = ValidateRule(spec);
  if (!valid.ok()) return valid;
  std::lock_guard<std::mutex> lock(mu_);
  const uint64_t id = next_id_++;
  Entry entry;
  entry.state.id = id;
  entry.state.spec = spec;
  // Each rule draws from its own generator so that adding a rule never changes the draws of
  // another: a run is reproducible from the seeds alone.
  entry.rng.seed(spec.seed ? *spec.seed : (seed_ ^ (id * 0x9E3779B97F4A7C15ull)));
  rules_.emplace(id, std::move(entry));
  return id;
}

std::vector<RuleState> RuleEngine::List() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<RuleState> out;
  out.reserve(rules_.size());
  for (const auto& [id, entry] : rules_) out.push_back(entry.state);
  return out;
}

bool RuleEngine::Clear(uint64_t id) {
  std::lock_guard<std::mutex> lock(mu_);
  const bool erased = rules_.erase(id) > 0;
  if (erased) cv_.notify_all();
  return erased;
}

size_t RuleEngine::ClearAll() {
  std::lock_guard<std::mutex> lock(mu_);
  const size_t n = rules_.size();
  rules_.clear();
  cv_.notify_all();
  return n;
}

bool RuleEngine::Draw(std::mt19937_64& rng, double p) {
  if (p >= 1.0) return true;
  if (p <= 0.0) return false;
  const double u = static_cast<double>(rng() >> 11) * 0x1.0p-53;
  return u < p;
}

Verdict RuleEngine::Evaluate(const Request& request) {
  Verdict verdict;
  const std::string file(request.file);
  std::lock_guard<std::mutex> lock(mu_);
  for (auto& [id, entry] : rules_) {
    RuleState& state = entry.state;
    const RuleSpec& spec = state.spec;
    if (state.Exhausted()) continue;
    if (!OpMatches(spec.op, request.op)) continue;
    const bool terminal = spec.action == Action::kError || spec.action == Action::kCorrupt ||
                          spec.action == Action::kShort;
    if (terminal && verdict.terminal) continue;  // Outcome decided; later terminals do not count.
    // Corrupt and short act on data, so they need a request that carries a byte range.
    if ((spec.action == Action::kCorrupt || spec.action == Action::kShort) && !request.has_range)
      continue;
    if (request.has_range &&
        !RangesOverlap(request.offset, request.length, spec.offset, spec.length))
      continue;
    if (spec.file != "*" && fnmatch(spec.file.c_str(), file.c_str(), 0) != 0) continue;
    if (!Draw(entry.rng, spec.probability)) {
      ++state.skipped;
      continue;
    }
    ++state.hits;
    Fault fault;
    fault.rule_id = id;
    fault.action = spec.action;
    fault.error = spec.error;
    fault.delay_ms = spec.delay_ms;
    fault.corrupt_xor = spec.corrupt_xor;
    fault.range_offset = spec.offset;
    fault.range_length = spec.length;
    if (terminal) {
      verdict.terminal = fault;
    } else {
      verdict.waits.push_back(fault);
    }
  }
  return verdict;
}

HangEnd RuleEngine::WaitHang(uint64_t rule_id) {
  std::unique_lock<std::mutex> lock(mu_);
  if (shutdown_) return HangEnd::kShutdown;
  auto it = rules_.find(rule_id);
  if (it == rules_.end()) return HangEnd::kRuleCleared;
  const uint64_t epoch = it->second.release_epoch;
  ++it->second.state.hanging;
  HangEnd end = HangEnd::kReleased;
  cv_.wait(lock, [&] {
    if (shutdown_) {
      end = HangEnd::kShutdown;
      return true;
    }
    auto now = rules_.find(rule_id);
    if (now == rules_.end()) {
      end = HangEnd::kRuleCleared;
      return true;
    }
    return now->second.release_epoch != epoch;
  });
  auto now = rules_.find(rule_id);
  if (now != rules_.end()) --now->second.state.hanging;
  return end;
}

size_t RuleEngine::Release(std::optional<uint64_t> id) {
  std::lock_guard<std::mutex> lock(mu_);
  size_t woken = 0;
  for (auto& [rule_id, entry] : rules_) {
    if (id && rule_id != *id) continue;
    ++entry.release_epoch;
    woken += entry.state.hanging;
  }
  cv_.notify_all();
  return woken;
}

bool RuleEngine::Sleep(uint32_t ms) {
  std::unique_lock<std::mutex> lock(mu_);
  return !cv_.wait_for(lock, std::chrono::milliseconds(ms), [&] { return shutdown_; });
}

void RuleEngine::Shutdown() {
  std::lock_guard<std::mutex> lock(mu_);
  shutdown_ = true;
  cv_.notify_all();
}

bool RuleEngine::shut_down() const {
  std::lock_guard<std::mutex> lock(mu_);
  return shutdown_;
}

uint64_t RuleEngine::HangingCount() const {
  std::lock_guard<std::mutex> lock(mu_);
  uint64_t n = 0;
  for (const auto& [id, entry] : rules_) n += entry.state.hanging;
  return n;
}

}  // namespace reftarget::faultfs
