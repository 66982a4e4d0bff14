#include "harness/rawpdu/iscsi_pdu.h"

#include <cstdio>

#include "harness/rawpdu/crc32c.h"

namespace harness::rawpdu {
namespace {

void PutLe32(std::vector<uint8_t>* out, uint32_t v) {
  // iSCSI digests go on the wire least significant byte first (RFC 7143 Appendix B's
  // worked examples; Linux's crc32c produces __le32).
  for (int i = 0; i < 4; ++i) out->push_back(static_cast<uint8_t>(v >> (8 * i)));
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

int Base64Value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

}  // namespace

uint32_t Pdu::Get32(size_t o) const {
  return static_cast<uint32_t>(bhs[o]) << 24 | static_cast<uint32_t>(bhs[o + 1]) << 16 |
         static_cast<uint32_t>(bhs[o + 2]) << 8 | bhs[o + 3];
}

void Pdu::Set32(size_t o, uint32_t v) {
  bhs[o] = static_cast<uint8_t>(v >> 24);
  bhs[o + 1] = static_cast<uint8_t>(v >> 16);
  bhs[o + 2] = static_cast<uint8_t>(v >> 8);
  bhs[o + 3] = static_cast<uint8_t>(v);
}

uint16_t Pdu::Get16(size_t o) const { return static_cast<uint16_t>(bhs[o] << 8 | bhs[o + 1]); }

void Pdu::Set16(size_t o, uint16_t v) {
  bhs[o] = static_cast<uint8_t>(v >> 8);
  bhs[o + 1] = static_cast<uint8_t>(v);
}

uint32_t Pdu::HeaderDataLength() const {
  return static_cast<uint32_t>(bhs[5]) << 16 | static_cast<uint32_t>(bhs[6]) << 8 | bhs[7];
}

void Pdu::SetLun(uint32_t lun) {
  for (size_t i = 8; i < 16; ++i) bhs[i] = 0;
  if (lun < 256) {
    bhs[9] = static_cast<uint8_t>(lun);
  } else {
    bhs[8] = static_cast<uint8_t>(0x40 | ((lun >> 8) & 0x3f));
    bhs[9] = static_cast<uint8_t>(lun);
  }
}

std::vector<uint8_t> SerializePdu(const Pdu& pdu, bool header_digest, bool data_digest) {
  Pdu p = pdu;
  p.bhs[4] = static_cast<uint8_t>(p.ahs.size() / 4);
  const uint32_t dsl = static_cast<uint32_t>(p.data.size());
  p.bhs[5] = static_cast<uint8_t>(dsl >> 16);
  p.bhs[6] = static_cast<uint8_t>(dsl >> 8);
  p.bhs[7] = static_cast<uint8_t>(dsl);
  std::vector<uint8_t> out(p.bhs.begin(), p.bhs.end());
  out.insert(out.end(), p.ahs.begin(), p.ahs.end());
  if (header_digest) PutLe32(&out, Crc32c(out.data(), out.size()));
  if (!p.data.empty()) {
    const size_t start = out.size();
    out.insert(out.end(), p.data.begin(), p.data.end());
    while ((out.size() - start) % 4 != 0) out.push_back(0);
    // RFC 7143 §11.2.3 (para.): the data digest covers the data and its padding.
    if (data_digest) PutLe32(&out, Crc32c(out.data() + start, out.size() - start));
  }
  return out;
}

std::vector<uint8_t> EncodeKeys(const KeyValues& keys) {
  std::vector<uint8_t> out;
  for (const auto& [k, v] : keys) {
    out.insert(out.end(), k.begin(), k.end());
    out.push_back('=');
    out.insert(out.end(), v.begin(), v.end());
    out.push_back('\0');
  }
  return out;
}

KeyValues DecodeKeys(const std::vector<uint8_t>& data) {
  KeyValues out;
  size_t i = 0;
  while (i < data.size()) {
    size_t end = i;
    while (end < data.size() && data[end] != '\0') ++end;
    std::string entry(data.begin() + static_cast<long>(i), data.begin() + static_cast<long>(end));
    if (!entry.empty()) {
      size_t eq = entry.find('=');
      if (eq == std::string::npos) {
        out.emplace_back(entry, "");
      } else {
        out.emplace_back(entry.substr(0, eq), entry.substr(eq + 1));
      }
    }
    i = end + 1;
  }
  return out;
}

std::optional<std::string> FindKey(const KeyValues& keys, const std::string& key) {
  std::optional<std::string> found;
  for (const auto& [k, v] : keys) {
    if (k == key) found = v;
  }
  return found;
}

std::string OpcodeName(uint8_t opcode) {
  switch (opcode) {
    case kOpNopOut:
      return "NOP-Out";
    case kOpScsiCommand:
      return "SCSI-Command";
    case kOpTaskMgmt:
      return "TMF-Request";
    case kOpLoginRequest:
      return "Login-Request";
    case kOpTextRequest:
      return "Text-Request";
    case kOpDataOut:
      return "Data-Out";
    case kOpLogoutRequest:
      return "Logout-Request";
    case kOpSnack:
      return "SNACK";
    case kOpNopIn:
      return "NOP-In";
    case kOpScsiResponse:
      return "SCSI-Response";
    case kOpTaskMgmtResponse:
      return "TMF-Response";
    case kOpLoginResponse:
      return "Login-Response";
    case kOpTextResponse:
      return "Text-Response";
    case kOpDataIn:
      return "Data-In";
    case kOpLogoutResponse:
      return "Logout-Response";
    case kOpR2t:
      return "R2T";
    case kOpAsyncMessage:
      return "Async-Message";
    case kOpReject:
      return "Reject";
  }
  char buf[24];
  std::snprintf(buf, sizeof(buf), "opcode-0x%02x", opcode);
  return buf;
}

std::optional<Sense> ParseSenseSegment(const std::vector<uint8_t>& data) {
  if (data.size() < 2) return std::nullopt;
  const size_t len = static_cast<size_t>(data[0]) << 8 | data[1];
  if (len == 0 || data.size() < 2 + len) return std::nullopt;
  const uint8_t* s = data.data() + 2;
  const uint8_t code = s[0] & 0x7f;
  Sense sense;
  if ((code == 0x70 || code == 0x71) && len >= 14) {
    sense.key = s[2] & 0x0f;
    sense.asc = s[12];
    sense.ascq = s[13];
    return sense;
  }
  if ((code == 0x72 || code == 0x73) && len >= 4) {
    sense.key = s[1] & 0x0f;
    sense.asc = s[2];
    sense.ascq = s[3];
    return sense;
  }
  return std::nullopt;
}

std::string ToHex(const std::vector<uint8_t>& bytes) {
  static const char kDigits[] = "0123456789abcdef";
  std::string out = "0x";
  for (uint8_t b : bytes) {
    out.push_back(kDigits[b >> 4]);
    out.push_back(kDigits[b & 0xf]);
  }
  return out;
}

std::string ToBase64(const std::vector<uint8_t>& bytes) {
  static const char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out = "0b";
  size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    uint32_t v = bytes[i] << 16 | bytes[i + 1] << 8 | bytes[i + 2];
    for (int k = 3; k >= 0; --k) out.push_back(kAlphabet[(v >> (6 * k)) & 63]);
  }
  if (i < bytes.size()) {
    uint32_t v = bytes[i] << 16 | (i + 1 < bytes.size() ? bytes[i + 1] << 8 : 0);
    out.push_back(kAlphabet[(v >> 18) & 63]);
    out.push_back(kAlphabet[(v >> 12) & 63]);
    out.push_back(i + 1 < bytes.size() ? kAlphabet[(v >> 6) & 63] : '=');
    out.push_back('=');
  }
  return out;
}

std::optional<std::vector<uint8_t>> DecodeBinaryValue(const std::string& value) {
  if (value.size() < 2 || value[0] != '0') return std::nullopt;
  const char kind = value[1];
  std::vector<uint8_t> out;
  if (kind == 'x' || kind == 'X') {
    std::string hex = value.substr(2);
    if (hex.empty()) return std::nullopt;
    if (hex.size() % 2 != 0) hex.insert(hex.begin(), '0');
    for (size_t i = 0; i < hex.size(); i += 2) {
      int hi = HexValue(hex[i]), lo = HexValue(hex[i + 1]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out.push_back(static_cast<uint8_t>(hi << 4 | lo));
    }
    return out;
  }
  if (kind == 'b' || kind == 'B') {
    uint32_t acc = 0;
    int bits = 0;
    for (size_t i = 2; i < value.size(); ++i) {
      if (value[i] == '=') break;
      int v = Base64Value(value[i]);
      if (v < 0) return std::nullopt;
      acc = acc << 6 | static_cast<uint32_t>(v);
      bits += 6;
      if (bits >= 8) {
        bits -= 8;
        out.push_back(static_cast<uint8_t>(acc >> bits));
      }
    }
    return out;
  }
  return std::nullopt;
}

}  // namespace harness::rawpdu
