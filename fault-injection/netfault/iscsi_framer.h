// IscsiFramer: follows the PDU boundaries of one direction of an iSCSI connection, so that a
// flip rule can aim at a byte of a PDU's header however the kernel chunks the stream (a bit
// flip at a random offset lands in data, where only a data digest could notice it). RFC 7143
// §11.1: a 48-byte BHS, TotalAHSLength (byte 4) words of AHS, a header digest, the data
// segment (DataSegmentLength, bytes 5-7) padded to 4 bytes, a data digest when the segment
// is not empty. Digests are absent until login ends (§6.2: the final Login Request and
// Response carry T=1 and NSG=3) and then follow the HeaderDigest and DataDigest keys the
// Login PDUs carried: a value without a comma is an answer, the negotiated result (§6.2.1).
// The framer reads the bytes as the sender wrote them, before any rule changes them.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fault-injection/netfault/rules.h"

namespace reftarget::netfault {

// What one connection's login decided, shared by the framers of its two directions: the
// target's final Login Response travels down but ends login for the PDUs going up as well
// (login is request/response in lockstep, so the initiator's next PDU reaches the proxy
// after that response has passed it). An up framer without a down one never leaves login.
struct IscsiNegotiation {
  bool full_feature = false;   // a final Login Response (T=1, NSG=3, Status-Class 0) passed
  bool header_digest = false;  // HeaderDigest=CRC32C was answered
  bool data_digest = false;    // DataDigest=CRC32C was answered
};

// A PDU whose first byte was fed.
struct PduStart {
  uint64_t offset = 0;  // stream offset of its BHS's first byte
  uint8_t opcode = 0;   // byte 0 & 0x3f
};

class IscsiFramer {
 public:
  // `shared` (may be null: the framer keeps its own) must outlive the framer.
  IscsiFramer(Direction dir, IscsiNegotiation* shared);
  IscsiFramer(const IscsiFramer&) = delete;
  IscsiFramer& operator=(const IscsiFramer&) = delete;

  // Feeds the next bytes of the stream. Returns the PDUs that begin in them, in order.
  std::vector<PduStart> Feed(std::string_view bytes);

  // True once login has ended (digests are on from the next PDU if negotiated).
  bool full_feature() const { return negotiation_->full_feature; }
  // Login text beyond this many bytes per PDU is skipped, not parsed (a login PDU carries
  // at most MaxRecvDataSegmentLength, 8 KiB by default).
  static constexpr size_t kMaxLoginText = 64 * 1024;

 private:
  // Decides the length of the PDU whose BHS was just completed.
  void HeaderDone();
  // Applies what a completed Login PDU said (its text keys; the end of login).
  void LoginDone();

  const Direction dir_;
  IscsiNegotiation own_;
  IscsiNegotiation* negotiation_;
  uint64_t offset_ = 0;     // stream offset of the next byte fed
  std::string bhs_;         // the current PDU's BHS while it is collected (< 48 bytes)
  uint64_t rest_ = 0;       // bytes of the current PDU after its BHS still to come
  bool in_pdu_ = false;     // a BHS is complete and rest_ bytes are being skipped
  bool login_pdu_ = false;  // the current PDU is a Login Request or Response (login phase)
  uint64_t text_skip_ = 0;  // bytes before the current Login PDU's data segment
  uint64_t text_left_ = 0;  // data segment bytes of the current Login PDU still to read
  std::string text_;        // the current Login PDU's text (at most kMaxLoginText)
};

}  // namespace reftarget::netfault
