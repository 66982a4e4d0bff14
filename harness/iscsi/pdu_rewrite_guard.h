// PduRewriteGuard: for its lifetime, every PDU one Session queues passes through a
// rewriter first, which may change header fields or drop the PDU (STYLE.md: PDU-level
// misbehaviour through a scoped guard that always restores the hook).
//
// How it reaches libiscsi: libiscsi 1.19 sends every PDU through iscsi_queue_pdu(), which
// calls `iscsi->drv->queue_pdu`. libiscsi's iscsi-test-cu interposes iscsi_queue_pdu for the
// whole process (dlsym(RTLD_NEXT)); this guard instead gives its one context a private copy
// of the transport table whose queue_pdu runs the rewriters and then libiscsi's own, so
// other sessions in the process are untouched. The destructor puts the original table
// back. The private layouts used are in libiscsi_internals.h (pinned to libiscsi 1.19).
//
// Guards nest: each one installed on a session sees the PDU after the guards installed
// after it (newest first). Destroying a Session detaches its guards (they become inert).
// Session::Reconnect() replaces the connection and detaches the guards: active() turns
// false.
//
// Dropping a PDU: the rewriter returns PduAction::kDrop. Without header digests the PDU is
// truncated to zero bytes, so nothing reaches the wire while libiscsi still believes it was
// sent (a lost PDU: a command then waits for a response that never comes, and its CmdSN
// leaves a gap at the target). With a negotiated header digest libiscsi 1.19 cannot send a
// header shorter than 52 bytes, so the PDU is instead replaced by a NOP-Out that asks for
// no answer (ITT 0xffffffff, I bit set, no data, RFC 7143 §11.18): the target never sees
// the original but does see one harmless NOP-Out.
#pragma once

#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "harness/iscsi/outgoing_pdu.h"

struct iscsi_context;

namespace harness::iscsi {

class Session;

enum class PduAction { kSend, kDrop };

// Called for each outgoing PDU; may rewrite `pdu` in place.
using PduRewriter = std::function<PduAction(OutgoingPdu& pdu)>;

// What the guard saw, for assertions and failure messages.
struct SeenPdu {
  uint8_t opcode = 0;
  uint32_t itt = 0;
  uint32_t cmdsn = 0;
  bool rewritten = false;  // the header differs from what libiscsi built
  bool dropped = false;
  std::string before;  // OutgoingPdu::Describe() of libiscsi's header
  std::string after;   // ... of what was sent ("" if dropped)
};

class PduRewriteGuard {
 public:
  // Installs `rewriter` on `session`'s context. REQUIRES: `session` outlives the guard or
  // detaches it (Session's destructor does).
  PduRewriteGuard(Session& session, PduRewriter rewriter);
  // Removes the rewriter; the last guard on a context restores libiscsi's transport table.
  ~PduRewriteGuard();
  PduRewriteGuard(const PduRewriteGuard&) = delete;
  PduRewriteGuard& operator=(const PduRewriteGuard&) = delete;

  // True while the rewriter is in libiscsi's send path.
  bool active() const;
  // Returns a copy of every PDU the guard has seen so far.
  std::vector<SeenPdu> seen() const;
  // Returns how many PDUs the rewriter changed / dropped.
  size_t rewritten_count() const;
  size_t dropped_count() const;
  // Returns the PDUs skipped because their header buffer did not look like a BHS (a
  // layout mismatch); always 0 with the pinned libiscsi.
  size_t anomalies() const;


 private:
  friend struct PduHookAccess;  // the hook in pdu_rewrite_guard.cc
  iscsi_context* ctx_ = nullptr;
  PduRewriter rewriter_;
  mutable std::mutex mu_;
  std::vector<SeenPdu> seen_;
  size_t anomalies_ = 0;
};

// Ready-made rewriters.
// Applies `edit` to the first PDU with `opcode` (and, for a SCSI Command, whose CDB starts
// with `cdb_opcode` unless it is -1); every other PDU passes unchanged.
PduRewriter RewriteFirst(uint8_t opcode, int cdb_opcode, std::function<void(OutgoingPdu&)> edit);
// Drops the first PDU with `opcode` (and CDB opcode, as above).
PduRewriter DropFirst(uint8_t opcode, int cdb_opcode = -1);

namespace internal {
// Detaches every guard installed on `ctx` and restores its transport. Session's
// destructor calls it before destroying the context.
void DetachPduHooks(iscsi_context* ctx);
}  // namespace internal

}  // namespace harness::iscsi
