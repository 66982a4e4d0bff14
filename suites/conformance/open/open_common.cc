#include "suites/conformance/open/open_common.h"

#include <cstdio>

namespace conformance {

harness::iscsi::Isid ToIsid(const std::array<uint8_t, 6>& isid) {
  harness::iscsi::Isid out;
  out.random = static_cast<uint32_t>(isid[1]) << 16 | static_cast<uint32_t>(isid[2]) << 8 | isid[3];
  out.qualifier = static_cast<uint16_t>(isid[4] << 8 | isid[5]);
  return out;
}

std::string StatusHex(uint16_t status) {
  char buf[8];
  std::snprintf(buf, sizeof(buf), "0x%04x", status);
  return buf;
}

std::unique_ptr<RawConnection> ConnectRaw(const TargetUnderTest& t, std::string* error) {
  return RawConnection::Connect(t.portal.host, t.portal.port, Ms(5000), error);
}

RawLoginOptions NormalLogin(const TargetUnderTest& t, const std::string& initiator) {
  RawLoginOptions o;
  o.initiator_name = initiator;
  o.target_name = t.iqn;
  o.isid = harness::rawpdu::RandomIsid();
  o.timeout = kReplyLimit;
  return o;
}

// ---------------------------------------------------------------------------------------

std::vector<uint8_t> Pattern(uint32_t seed, size_t length) {
  std::vector<uint8_t> out(length);
  uint64_t x = 0x9e3779b97f4a7c15ull ^ (static_cast<uint64_t>(seed) << 17);
  for (size_t i = 0; i < length; ++i) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    out[i] = static_cast<uint8_t>(x >> 29);
  }
  return out;
}

harness::iscsi::ConnectOptions LibiscsiOptions(const TargetUnderTest& t,
                                               const std::string& initiator, int lun) {
  harness::iscsi::ConnectOptions o;
  o.portal = t.portal.ToString();
  o.target = t.iqn;
  o.lun = lun;
  o.initiator = initiator;
  o.isid = ToIsid(harness::rawpdu::RandomIsid());
  o.connect_limit = Ms(5000);
  return o;
}

}  // namespace conformance
