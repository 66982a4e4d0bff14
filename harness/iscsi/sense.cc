#include "harness/iscsi/sense.h"

#include <cstdio>

namespace harness::iscsi {
namespace {

// Fixed format (SPC-4 Table 45): ADDITIONAL SENSE LENGTH at byte 7; ASC 12, ASCQ 13;
// SKSV + sense-key specific 15-17.
constexpr size_t kFixedAscOffset = 12;
constexpr size_t kFixedAscqOffset = 13;
constexpr size_t kFixedSksOffset = 15;
// Descriptor format (SPC-4 Table 26): key 1, ASC 2, ASCQ 3, ADDITIONAL SENSE LENGTH 7,
// descriptors from byte 8, each {type, additional length, ...}.
constexpr size_t kDescriptorsOffset = 8;

std::string Hex2(unsigned v) {
  char buf[8];
  std::snprintf(buf, sizeof(buf), "%02x", v & 0xffu);
  return buf;
}

void DecodeFixed(std::span<const uint8_t> s, DecodedSense* d) {
  d->format = SenseFormat::kFixed;
  // Bytes past 8 + ADDITIONAL SENSE LENGTH are not sense data even if the buffer has them.
  size_t limit = s.size();
  if (s.size() >= 8) {
    const size_t claimed = 8 + static_cast<size_t>(s[7]);
    if (claimed > s.size()) d->truncated = true;
    if (claimed < limit) limit = claimed;
  } else {
    d->truncated = true;
  }
  if (limit > 2) {
    d->has_key = true;
    d->key = s[2] & 0x0f;
    d->filemark = (s[2] & 0x80) != 0;
    d->eom = (s[2] & 0x40) != 0;
    d->ili = (s[2] & 0x20) != 0;
  }
  if (limit > 6 && (s[0] & 0x80) != 0) {
    d->information = (uint64_t{s[3]} << 24) | (uint64_t{s[4]} << 16) | (uint64_t{s[5]} << 8) | s[6];
  }
  if (limit > kFixedAscqOffset) {
    d->asc = s[kFixedAscOffset];
    d->ascq = s[kFixedAscqOffset];
    d->complete = d->has_key;
  }
  if (limit > kFixedSksOffset + 2 && (s[kFixedSksOffset] & 0x80) != 0) {
    d->sense_key_specific = (uint32_t{s[15]} << 16) | (uint32_t{s[16]} << 8) | s[17];
  }
}

void DecodeDescriptor(std::span<const uint8_t> s, DecodedSense* d) {
  d->format = SenseFormat::kDescriptor;
  if (s.size() > 1) {
    d->has_key = true;
    d->key = s[1] & 0x0f;
  }
  if (s.size() > 3) {
    d->asc = s[2];
    d->ascq = s[3];
    d->complete = d->has_key;
  }
  if (s.size() < 8) {
    d->truncated = true;
    return;
  }
  size_t end = kDescriptorsOffset + s[7];
  if (end > s.size()) {
    d->truncated = true;
    end = s.size();
  }
  size_t at = kDescriptorsOffset;
  // Each descriptor: byte 0 type, byte 1 ADDITIONAL LENGTH (bytes that follow it).
  while (at + 2 <= end) {
    const uint8_t type = s[at];
    const size_t len = 2 + static_cast<size_t>(s[at + 1]);
    if (at + len > end) {
      d->truncated = true;
      break;
    }
    if (type == 0x00 && len >= 12 && (s[at + 2] & 0x80) != 0) {
      // Information descriptor (SPC-4 §4.5.2.2): VALID bit, 8-byte INFORMATION at 4.
      uint64_t v = 0;
      for (size_t i = 0; i < 8; ++i) v = (v << 8) | s[at + 4 + i];
      d->information = v;
    } else if (type == 0x02 && len >= 7 && (s[at + 4] & 0x80) != 0) {
      // Sense key specific descriptor (SPC-4 §4.5.2.4): SKSV + 3 bytes at 4.
      d->sense_key_specific =
          (uint32_t{s[at + 4]} << 16) | (uint32_t{s[at + 5]} << 8) | s[at + 6];
    }
    at += len;
  }
}

}  // namespace

DecodedSense DecodeSense(std::span<const uint8_t> sense) {
  DecodedSense d;
  if (sense.empty()) return d;
  d.response_code = sense[0] & 0x7f;
  switch (d.response_code) {
    case 0x70:
    case 0x71:
      d.deferred = d.response_code == 0x71;
      DecodeFixed(sense, &d);
      break;
    case 0x72:
    case 0x73:
      d.deferred = d.response_code == 0x73;
      DecodeDescriptor(sense, &d);
      break;
    default:
      d.format = SenseFormat::kUnknown;
      break;
  }
  return d;
}

std::optional<uint16_t> DecodedSense::FieldPointer() const {
  if (!sense_key_specific || key != sense_key::kIllegalRequest) return std::nullopt;
  return static_cast<uint16_t>(*sense_key_specific & 0xffff);
}

bool DecodedSense::FieldInCdb() const {
  return sense_key_specific && (*sense_key_specific & 0x400000) != 0;
}

std::string DecodedSense::Triple() const {
  if (format == SenseFormat::kNone) return "no sense data";
  if (format == SenseFormat::kUnknown) return "unknown sense format 0x" + Hex2(response_code);
  if (!has_key) return "sense too short for a key";
  if (!complete) return "key " + Hex2(key) + " (no ASC/ASCQ)";
  return Hex2(key) + "/" + Hex2(asc) + "/" + Hex2(ascq);
}

std::string DecodedSense::Describe() const {
  std::string out = Triple();
  if (!has_key) return out;
  out += " " + SenseKeyName(key);
  if (complete) {
    std::string name = AscName(asc, ascq);
    if (!name.empty()) out += ": " + name;
  }
  if (deferred) out += " [deferred]";
  if (format == SenseFormat::kDescriptor) out += " [descriptor format]";
  if (truncated) out += " [truncated]";
  if (auto fp = FieldPointer()) {
    out += FieldInCdb() ? " (field pointer: CDB byte " : " (field pointer: parameter byte ";
    out += std::to_string(*fp);
    if (*sense_key_specific & 0x080000) {
      out += " bit " + std::to_string((*sense_key_specific >> 16) & 0x07);
    }
    out += ")";
  }
  if (information) out += " information=" + std::to_string(*information);
  return out;
}

std::string SenseKeyName(uint8_t key) {
  switch (key) {
    case 0x0: return "NO SENSE";
    case 0x1: return "RECOVERED ERROR";
    case 0x2: return "NOT READY";
    case 0x3: return "MEDIUM ERROR";
    case 0x4: return "HARDWARE ERROR";
    case 0x5: return "ILLEGAL REQUEST";
    case 0x6: return "UNIT ATTENTION";
    case 0x7: return "DATA PROTECT";
    case 0x8: return "BLANK CHECK";
    case 0x9: return "VENDOR SPECIFIC";
    case 0xa: return "COPY ABORTED";
    case 0xb: return "ABORTED COMMAND";
    case 0xd: return "VOLUME OVERFLOW";
    case 0xe: return "MISCOMPARE";
    default: return "KEY 0x" + Hex2(key);
  }
}

std::string AscName(uint8_t asc, uint8_t ascq) {
  struct Row {
    uint8_t asc, ascq;
    const char* name;
  };
  static constexpr Row kRows[] = {
      {0x00, 0x00, "NO ADDITIONAL SENSE INFORMATION"},
      {0x04, 0x00, "LOGICAL UNIT NOT READY, CAUSE NOT REPORTABLE"},
      {0x04, 0x02, "LOGICAL UNIT NOT READY, INITIALIZING COMMAND REQUIRED"},
      {0x08, 0x00, "LOGICAL UNIT COMMUNICATION FAILURE"},
      {0x0c, 0x00, "WRITE ERROR"},
      {0x0e, 0x03, "INVALID FIELD IN COMMAND INFORMATION UNIT"},
      {0x11, 0x00, "UNRECOVERED READ ERROR"},
      {0x1a, 0x00, "PARAMETER LIST LENGTH ERROR"},
      {0x1d, 0x00, "MISCOMPARE DURING VERIFY OPERATION"},
      {0x20, 0x00, "INVALID COMMAND OPERATION CODE"},
      {0x21, 0x00, "LOGICAL BLOCK ADDRESS OUT OF RANGE"},
      {0x24, 0x00, "INVALID FIELD IN CDB"},
      {0x25, 0x00, "LOGICAL UNIT NOT SUPPORTED"},
      {0x26, 0x00, "INVALID FIELD IN PARAMETER LIST"},
      {0x27, 0x00, "WRITE PROTECTED"},
      {0x27, 0x01, "HARDWARE WRITE PROTECTED"},
      {0x27, 0x02, "LOGICAL UNIT SOFTWARE WRITE PROTECTED"},
      {0x27, 0x07, "SPACE ALLOCATION FAILED WRITE PROTECT"},
      {0x28, 0x00, "NOT READY TO READY CHANGE, MEDIUM MAY HAVE CHANGED"},
      {0x29, 0x00, "POWER ON, RESET, OR BUS DEVICE RESET OCCURRED"},
      {0x29, 0x01, "POWER ON OCCURRED"},
      {0x29, 0x02, "SCSI BUS RESET OCCURRED"},
      {0x29, 0x03, "BUS DEVICE RESET FUNCTION OCCURRED"},
      {0x29, 0x04, "DEVICE INTERNAL RESET"},
      {0x29, 0x07, "I_T NEXUS LOSS OCCURRED"},
      {0x2a, 0x01, "MODE PARAMETERS CHANGED"},
      {0x2a, 0x03, "RESERVATIONS PREEMPTED"},
      {0x2a, 0x04, "RESERVATIONS RELEASED"},
      {0x2a, 0x05, "REGISTRATIONS PREEMPTED"},
      {0x2a, 0x09, "CAPACITY DATA HAS CHANGED"},
      {0x2f, 0x00, "COMMANDS CLEARED BY ANOTHER INITIATOR"},
      {0x3a, 0x00, "MEDIUM NOT PRESENT"},
      {0x3f, 0x0e, "REPORTED LUNS DATA HAS CHANGED"},
      {0x44, 0x00, "INTERNAL TARGET FAILURE"},
      {0x47, 0x05, "PROTOCOL SERVICE CRC ERROR"},
      {0x49, 0x00, "INVALID MESSAGE ERROR"},
      {0x4b, 0x00, "DATA PHASE ERROR"},
      {0x4b, 0x04, "NAK RECEIVED"},
      {0x4b, 0x05, "DATA OFFSET ERROR"},
      {0x4b, 0x06, "INITIATOR RESPONSE TIMEOUT"},
      {0x55, 0x03, "INSUFFICIENT RESOURCES"},
  };
  for (const Row& r : kRows) {
    if (r.asc == asc && r.ascq == ascq) return r.name;
  }
  return "";
}

std::string ScsiStatusName(uint8_t status) {
  switch (status) {
    case 0x00: return "GOOD";
    case 0x02: return "CHECK CONDITION";
    case 0x04: return "CONDITION MET";
    case 0x08: return "BUSY";
    case 0x18: return "RESERVATION CONFLICT";
    case 0x28: return "TASK SET FULL";
    case 0x30: return "ACA ACTIVE";
    case 0x40: return "TASK ABORTED";
    default: return "status 0x" + Hex2(status);
  }
}

}  // namespace harness::iscsi
