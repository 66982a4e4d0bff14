#include "harness/iscsi/pdu_rewrite_guard.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <memory>
#include <unordered_map>

#include "harness/iscsi/libiscsi_internals.h"
#include "harness/iscsi/session.h"

namespace harness::iscsi {

// The hook's private transport table. `ops` is the first member, so the context's `drv`
// pointer (which points at `ops`) also leads back to the table and the original transport.
struct HookTable {
  internal::Transport ops;
  internal::Transport* original;
};
static_assert(std::is_standard_layout_v<HookTable>);

struct PduHookAccess {
  static PduAction Apply(PduRewriteGuard* g, OutgoingPdu& pdu) {
    return g->rewriter_ ? g->rewriter_(pdu) : PduAction::kSend;
  }
  static void Record(PduRewriteGuard* g, const SeenPdu& rec) {
    std::lock_guard<std::mutex> lock(g->mu_);
    g->seen_.push_back(rec);
  }
  static void Anomaly(PduRewriteGuard* g) {
    std::lock_guard<std::mutex> lock(g->mu_);
    ++g->anomalies_;
  }
  static void Detach(PduRewriteGuard* g) { g->ctx_ = nullptr; }
};

namespace {

constexpr size_t kBhs = OutgoingPdu::kBhsSize;
constexpr size_t kDigest = 4;

struct HookState {
  std::unique_ptr<HookTable> table;
  std::vector<PduRewriteGuard*> guards;  // in installation order
  bool cmdsn_known = false;
  uint32_t next_cmdsn = 0;  // the CmdSN the next non-immediate command will carry
};

std::mutex& RegistryMutex() {
  static std::mutex mu;
  return mu;
}

std::unordered_map<iscsi_context*, HookState>& Registry() {
  static std::unordered_map<iscsi_context*, HookState> registry;
  return registry;
}

// Restores the context's transport if our table is still installed, then forgets it.
// REQUIRES: RegistryMutex() held.
void Uninstall(iscsi_context* ctx, HookState& state) {
  if (state.table && internal::Head(ctx)->drv == &state.table->ops) {
    internal::Head(ctx)->drv = state.table->original;
  }
  Registry().erase(ctx);
}

// Rewrites the PDU's header into a NOP-Out that needs no answer (RFC 7143 §11.18: ITT
// 0xffffffff requires the I bit, and the target must not respond).
void ReplaceWithSilentNop(uint8_t* bhs, uint32_t cmdsn) {
  std::memset(bhs, 0, kBhs);
  bhs[0] = 0x40 | pdu_opcode::kNopOut;
  bhs[1] = 0x80;
  std::memset(bhs + 16, 0xff, 4);  // ITT
  std::memset(bhs + 20, 0xff, 4);  // TTT
  bhs[24] = static_cast<uint8_t>(cmdsn >> 24);
  bhs[25] = static_cast<uint8_t>(cmdsn >> 16);
  bhs[26] = static_cast<uint8_t>(cmdsn >> 8);
  bhs[27] = static_cast<uint8_t>(cmdsn);
}

int HookedQueuePdu(iscsi_context* ctx, iscsi_pdu* pdu) {
  auto* table = reinterpret_cast<HookTable*>(internal::Head(ctx)->drv);
  internal::Transport* original = table->original;
  std::vector<PduRewriteGuard*> guards;
  HookState* state = nullptr;
  {
    std::lock_guard<std::mutex> lock(RegistryMutex());
    auto it = Registry().find(ctx);
    if (it != Registry().end()) {
      state = &it->second;
      guards.assign(state->guards.rbegin(), state->guards.rend());  // newest first
    }
  }
  if (pdu == nullptr || guards.empty()) return original->queue_pdu(ctx, pdu);

  internal::PduHead* head = internal::Head(pdu);
  const size_t outsize = head->outdata.size;
  if (head->outdata.data == nullptr || outsize < kBhs) {
    for (PduRewriteGuard* g : guards) PduHookAccess::Anomaly(g);
    return original->queue_pdu(ctx, pdu);
  }
  uint8_t* bytes = head->outdata.data;
  const uint32_t dsl = (uint32_t{bytes[5]} << 16) | (uint32_t{bytes[6]} << 8) | bytes[7];
  const uint32_t payload = head->payload_len;
  // The data segment is either in the header buffer (login, text, NOP-Out data) or sent
  // from the task's buffers (payload); what is in the buffer after the header is the rest.
  const size_t inline_len = dsl > payload ? dsl - payload : 0;
  const size_t header_size = outsize >= inline_len ? outsize - inline_len : 0;
  if (header_size != kBhs && header_size != kBhs + kDigest) {
    for (PduRewriteGuard* g : guards) PduHookAccess::Anomaly(g);
    return original->queue_pdu(ctx, pdu);
  }

  std::array<uint8_t, kBhs> before;
  std::memcpy(before.data(), bytes, kBhs);
  OutgoingPdu view(std::span<uint8_t, kBhs>(bytes, kBhs),
                   std::span<const uint8_t>(bytes + header_size, inline_len), payload);
  SeenPdu rec;
  rec.opcode = view.opcode();
  rec.itt = view.itt();
  rec.cmdsn = view.cmdsn();
  rec.before = view.Describe();

  // Track the session's CmdSN from what goes by, for the NOP that replaces a dropped
  // Data-Out (which has no CmdSN of its own).
  uint32_t fallback_cmdsn = 0;
  {
    std::lock_guard<std::mutex> lock(RegistryMutex());
    if (state->cmdsn_known) fallback_cmdsn = state->next_cmdsn;
    if (rec.opcode != pdu_opcode::kDataOut && rec.opcode != pdu_opcode::kLogin &&
        rec.opcode != pdu_opcode::kSnack) {
      state->cmdsn_known = true;
      state->next_cmdsn = view.immediate() ? rec.cmdsn : rec.cmdsn + 1;
    }
  }

  PduAction action = PduAction::kSend;
  for (PduRewriteGuard* g : guards) {
    if (PduHookAccess::Apply(g, view) == PduAction::kDrop) {
      action = PduAction::kDrop;
      break;
    }
  }
  rec.rewritten = std::memcmp(before.data(), bytes, kBhs) != 0;
  if (action == PduAction::kDrop) {
    rec.dropped = true;
    if (header_size == kBhs) {
      // No header digest: send nothing at all. libiscsi's writer sends outdata.size bytes
      // of header and payload_len bytes of payload, both now zero.
      head->outdata.size = 0;
      head->payload_len = 0;
    } else {
      // libiscsi writes the header digest into bytes 48-51 and refuses a shorter header.
      const uint32_t cmdsn =
          view.opcode() == pdu_opcode::kDataOut ? fallback_cmdsn : view.cmdsn();
      ReplaceWithSilentNop(bytes, cmdsn);
      head->outdata.size = header_size;
      head->payload_len = 0;
    }
  } else {
    rec.after = view.Describe();
  }
  for (PduRewriteGuard* g : guards) PduHookAccess::Record(g, rec);
  return original->queue_pdu(ctx, pdu);
}

}  // namespace

PduRewriteGuard::PduRewriteGuard(Session& session, PduRewriter rewriter)
    : ctx_(session.context()), rewriter_(std::move(rewriter)) {
  if (ctx_ == nullptr) return;
  std::lock_guard<std::mutex> lock(RegistryMutex());
  HookState& state = Registry()[ctx_];
  if (!state.table) {
    state.table = std::make_unique<HookTable>();
    state.table->original = internal::Head(ctx_)->drv;
    state.table->ops = *state.table->original;
    state.table->ops.queue_pdu = &HookedQueuePdu;
    internal::Head(ctx_)->drv = &state.table->ops;
  }
  state.guards.push_back(this);
}

PduRewriteGuard::~PduRewriteGuard() {
  std::lock_guard<std::mutex> lock(RegistryMutex());
  if (ctx_ == nullptr) return;
  auto it = Registry().find(ctx_);
  if (it == Registry().end()) return;
  auto& guards = it->second.guards;
  guards.erase(std::remove(guards.begin(), guards.end(), this), guards.end());
  if (guards.empty()) Uninstall(ctx_, it->second);
}

bool PduRewriteGuard::active() const {
  std::lock_guard<std::mutex> lock(RegistryMutex());
  if (ctx_ == nullptr) return false;
  auto it = Registry().find(ctx_);
  return it != Registry().end() && it->second.table &&
         internal::Head(ctx_)->drv == &it->second.table->ops;
}

std::vector<SeenPdu> PduRewriteGuard::seen() const {
  std::lock_guard<std::mutex> lock(mu_);
  return seen_;
}

size_t PduRewriteGuard::rewritten_count() const {
  std::lock_guard<std::mutex> lock(mu_);
  return static_cast<size_t>(
      std::count_if(seen_.begin(), seen_.end(), [](const SeenPdu& s) { return s.rewritten; }));
}

size_t PduRewriteGuard::dropped_count() const {
  std::lock_guard<std::mutex> lock(mu_);
  return static_cast<size_t>(
      std::count_if(seen_.begin(), seen_.end(), [](const SeenPdu& s) { return s.dropped; }));
}

size_t PduRewriteGuard::anomalies() const {
  std::lock_guard<std::mutex> lock(mu_);
  return anomalies_;
}

namespace {

bool Matches(const OutgoingPdu& pdu, uint8_t opcode, int cdb_opcode) {
  if (pdu.opcode() != opcode) return false;
  if (cdb_opcode < 0 || opcode != pdu_opcode::kScsiCommand) return true;
  return pdu.bhs()[32] == static_cast<uint8_t>(cdb_opcode);
}

}  // namespace

PduRewriter RewriteFirst(uint8_t opcode, int cdb_opcode, std::function<void(OutgoingPdu&)> edit) {
  auto done = std::make_shared<bool>(false);
  return [=](OutgoingPdu& pdu) {
    if (!*done && Matches(pdu, opcode, cdb_opcode)) {
      *done = true;
      edit(pdu);
    }
    return PduAction::kSend;
  };
}

PduRewriter DropFirst(uint8_t opcode, int cdb_opcode) {
  auto done = std::make_shared<bool>(false);
  return [=](OutgoingPdu& pdu) {
    if (!*done && Matches(pdu, opcode, cdb_opcode)) {
      *done = true;
      return PduAction::kDrop;
    }
    return PduAction::kSend;
  };
}

namespace internal {

void DetachPduHooks(iscsi_context* ctx) {
  std::lock_guard<std::mutex> lock(RegistryMutex());
  auto it = Registry().find(ctx);
  if (it == Registry().end()) return;
  for (PduRewriteGuard* g : it->second.guards) PduHookAccess::Detach(g);
  Uninstall(ctx, it->second);
}

}  // namespace internal

}  // namespace harness::iscsi
