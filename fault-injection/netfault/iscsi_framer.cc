#include "fault-injection/netfault/iscsi_framer.h"

#include <algorithm>

namespace reftarget::netfault {
namespace {

constexpr uint8_t kLoginRequest = 0x03;
constexpr uint8_t kLoginResponse = 0x23;
constexpr uint8_t kTransitBit = 0x80;
constexpr uint8_t kFullFeaturePhase = 3;

uint64_t Padded(uint64_t n) { return (n + 3) & ~uint64_t{3}; }

// Reads "HeaderDigest"/"DataDigest" answers (a single value) out of login text.
void ReadDigestKeys(const std::string& text, IscsiNegotiation* negotiation) {
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\0', pos);
    if (end == std::string::npos) end = text.size();
    const std::string_view pair(text.data() + pos, end - pos);
    pos = end + 1;
    const size_t eq = pair.find('=');
    if (eq == std::string_view::npos) continue;
    const std::string_view key = pair.substr(0, eq);
    const std::string_view value = pair.substr(eq + 1);
    if (value.find(',') != std::string_view::npos) continue;  // an offer, not an answer
    if (key == "HeaderDigest") negotiation->header_digest = value == "CRC32C";
    if (key == "DataDigest") negotiation->data_digest = value == "CRC32C";
  }
}

}  // namespace

IscsiFramer::IscsiFramer(Direction dir, IscsiNegotiation* shared)
    : dir_(dir), negotiation_(shared != nullptr ? shared : &own_) {}

std::vector<PduStart> IscsiFramer::Feed(std::string_view bytes) {
  std::vector<PduStart> starts;
  size_t i = 0;
  while (i < bytes.size()) {
    if (!in_pdu_) {
      if (bhs_.empty()) {
        starts.push_back(PduStart{offset_ + i, static_cast<uint8_t>(bytes[i] & 0x3f)});
      }
      const size_t take = std::min<size_t>(kBhsBytes - bhs_.size(), bytes.size() - i);
      bhs_.append(bytes.data() + i, take);
      i += take;
      if (bhs_.size() == kBhsBytes) HeaderDone();
      continue;
    }
    const size_t take = static_cast<size_t>(std::min<uint64_t>(rest_, bytes.size() - i));
    if (login_pdu_) {
      // The part of [i, i + take) that is login text.
      size_t p = i;
      const size_t q = i + take;
      const size_t skip = static_cast<size_t>(std::min<uint64_t>(text_skip_, q - p));
      text_skip_ -= skip;
      p += skip;
      const size_t text = static_cast<size_t>(std::min<uint64_t>(text_left_, q - p));
      const size_t keep = std::min(text, kMaxLoginText - std::min(kMaxLoginText, text_.size()));
      text_.append(bytes.data() + p, keep);
      text_left_ -= text;
    }
    rest_ -= take;
    i += take;
    if (rest_ == 0) {
      if (login_pdu_) LoginDone();
      in_pdu_ = false;
      bhs_.clear();
    }
  }
  offset_ += bytes.size();
  return starts;
}

void IscsiFramer::HeaderDone() {
  const auto byte = [this](size_t k) { return static_cast<uint8_t>(bhs_[k]); };
  const uint8_t opcode = byte(0) & 0x3f;
  const uint64_t ahs = uint64_t{byte(4)} * 4;
  const uint64_t data = (uint64_t{byte(5)} << 16) | (uint64_t{byte(6)} << 8) | byte(7);
  const bool ffp = negotiation_->full_feature;
  const bool header_digest = ffp && negotiation_->header_digest;
  const bool data_digest = ffp && negotiation_->data_digest && data > 0;
  rest_ = ahs + (header_digest ? 4 : 0) + Padded(data) + (data_digest ? 4 : 0);
  login_pdu_ = !ffp && opcode == (dir_ == Direction::kUp ? kLoginRequest : kLoginResponse);
  text_.clear();
  text_skip_ = ahs;
  text_left_ = data;
  in_pdu_ = true;
  if (rest_ == 0) {
    if (login_pdu_) LoginDone();
    in_pdu_ = false;
    bhs_.clear();
  }
}

void IscsiFramer::LoginDone() {
  ReadDigestKeys(text_, negotiation_);
  const uint8_t flags = static_cast<uint8_t>(bhs_[1]);
  const bool final_login = (flags & kTransitBit) != 0 && (flags & 0x03) == kFullFeaturePhase;
  // Only the target decides: it may answer a final request with T=0. A Login Response's
  // Status-Class (byte 36) is 0 on success; anything else ends the connection.
  if (dir_ == Direction::kDown && final_login && static_cast<uint8_t>(bhs_[36]) == 0) {
    negotiation_->full_feature = true;
  }
  text_.clear();
  login_pdu_ = false;
}

}  // namespace reftarget::netfault
