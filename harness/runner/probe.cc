#include "harness/runner/probe.h"

#include <chrono>

#include "harness/iscsi/cdb.h"
#include "harness/iscsi/session.h"
#include "harness/rawpdu/raw_connection.h"
#include "harness/rawpdu/raw_login.h"

namespace harness::runner {
namespace {

using nlohmann::json;
constexpr auto kLimit = std::chrono::seconds(10);

uint32_t Be32(const std::vector<uint8_t>& d, size_t at) {
  if (at + 4 > d.size()) return 0;
  return (uint32_t{d[at]} << 24) | (uint32_t{d[at + 1]} << 16) | (uint32_t{d[at + 2]} << 8) |
         d[at + 3];
}

uint64_t Be64(const std::vector<uint8_t>& d, size_t at) {
  return (uint64_t{Be32(d, at)} << 32) | Be32(d, at + 4);
}

std::string Ascii(const std::vector<uint8_t>& d, size_t at, size_t n) {
  std::string s;
  for (size_t i = at; i < at + n && i < d.size(); ++i) s += static_cast<char>(d[i]);
  while (!s.empty() && s.back() == ' ') s.pop_back();
  return s;
}

json Failed(const iscsi::CommandResult& r) { return {{"error", r.Describe()}}; }

json ProbeScsi(iscsi::Session& s) {
  using iscsi::DataDirection;
  json out = json::object();
  auto read = [&](const iscsi::Cdb& cdb, size_t len) {
    return s.Execute(cdb, DataDirection::kRead, {}, len, kLimit);
  };
  auto std_inq = read(iscsi::cdb::Inquiry(false, 0, 96), 96);
  if (std_inq.good() && std_inq.data_in.size() >= 36) {
    const auto& d = std_inq.data_in;
    out["inquiry"] = {{"peripheral_device_type", d[0] & 0x1f},
                      {"rmb", (d[1] & 0x80) != 0},
                      {"version", d[2]},
                      {"vendor", Ascii(d, 8, 8)},
                      {"product", Ascii(d, 16, 16)},
                      {"revision", Ascii(d, 32, 4)}};
  } else {
    out["inquiry"] = Failed(std_inq);
  }
  auto pages = read(iscsi::cdb::Inquiry(true, 0x00, 255), 255);
  json supported = json::array();
  if (pages.good() && pages.data_in.size() >= 4) {
    for (size_t i = 4; i < pages.data_in.size() && i < 4u + pages.data_in[3]; ++i) {
      supported.push_back(pages.data_in[i]);
    }
    out["vpd_pages"] = supported;
  } else {
    out["vpd_pages"] = Failed(pages);
  }
  auto b0 = read(iscsi::cdb::Inquiry(true, 0xb0, 64), 64);
  if (b0.good() && b0.data_in.size() >= 44) {
    const auto& d = b0.data_in;
    out["block_limits"] = {{"max_compare_and_write_length", d[5]},
                           {"optimal_transfer_length_granularity", (d[6] << 8) | d[7]},
                           {"maximum_transfer_length", Be32(d, 8)},
                           {"optimal_transfer_length", Be32(d, 12)},
                           {"maximum_unmap_lba_count", Be32(d, 20)},
                           {"maximum_unmap_block_descriptor_count", Be32(d, 24)},
                           {"optimal_unmap_granularity", Be32(d, 28)},
                           {"maximum_write_same_length", Be64(d, 36)}};
  } else {
    out["block_limits"] = Failed(b0);
  }
  auto b2 = read(iscsi::cdb::Inquiry(true, 0xb2, 64), 64);
  if (b2.good() && b2.data_in.size() >= 8) {
    const auto& d = b2.data_in;
    out["logical_block_provisioning"] = {{"lbpu", (d[5] & 0x80) != 0},
                                         {"lbpws", (d[5] & 0x40) != 0},
                                         {"lbpws10", (d[5] & 0x20) != 0},
                                         {"lbprz", (d[5] & 0x04) != 0},
                                         {"provisioning_type", d[6] & 0x07}};
  } else {
    out["logical_block_provisioning"] = Failed(b2);
  }
  auto cap = read(iscsi::cdb::ReadCapacity16(32), 32);
  if (cap.good() && cap.data_in.size() >= 16) {
    const auto& d = cap.data_in;
    out["capacity"] = {{"last_lba", Be64(d, 0)},
                       {"block_length", Be32(d, 8)},
                       {"lbpme", (d[14] & 0x80) != 0},
                       {"lbprz", (d[14] & 0x40) != 0}};
  } else {
    out["capacity"] = Failed(cap);
  }
  auto rsoc = read(iscsi::cdb::ReportSupportedOpcodes(false, 0, 0, 0, 8192), 8192);
  if (rsoc.good() && rsoc.data_in.size() >= 4) {
    const auto& d = rsoc.data_in;
    const size_t end = std::min<size_t>(d.size(), 4 + Be32(d, 0));
    json ops = json::array();
    for (size_t i = 4; i + 8 <= end; i += 8) {
      char name[16];
      const bool sa = (d[i + 5] & 0x01) != 0;
      if (sa) {
        std::snprintf(name, sizeof(name), "%02x/%04x", d[i], (d[i + 2] << 8) | d[i + 3]);
      } else {
        std::snprintf(name, sizeof(name), "%02x", d[i]);
      }
      ops.push_back(name);
    }
    out["supported_opcodes"] = ops;
  } else {
    out["supported_opcodes"] = Failed(rsoc);
  }
  return out;
}

json ProbeLogin(const adapters::Portal& portal, const std::string& iqn, const std::string& initiator) {
  std::string error;
  auto conn = rawpdu::RawConnection::Connect(portal.host, portal.port, std::chrono::seconds(5), &error);
  if (!conn) return {{"error", error}};
  rawpdu::RawLoginOptions o;
  o.initiator_name = initiator;
  o.target_name = iqn;
  o.header_digest = "CRC32C,None";
  o.data_digest = "CRC32C,None";
  o.isid = {0x80, 0x00, 0x70, 0x72, 0x6f, 0x62};  // "prob"
  rawpdu::RawLoginResult r = rawpdu::RawLogin(conn.get(), o);
  json keys = json::object();
  for (const auto& [k, v] : r.target_keys) keys[k] = v;
  json out = {{"offered", "RFC 7143 defaults, HeaderDigest and DataDigest CRC32C,None"},
              {"answers", keys}};
  if (!r.full_feature) out["error"] = r.error;
  return out;
}

}  // namespace

nlohmann::json ProbeTarget(const adapters::Portal& portal, const std::string& iqn, int lun,
                           const std::string& initiator) {
  json probe = json::object();
  probe["login"] = ProbeLogin(portal, iqn, initiator);
  iscsi::ConnectOptions o;
  o.portal = portal.ToString();
  o.target = iqn;
  o.lun = lun;
  o.initiator = initiator;
  auto session = iscsi::Session::Connect(o);
  if (!session.ok()) {
    probe["scsi"] = {{"error", session.error()}};
    return probe;
  }
  probe["lun"] = lun;
  probe["scsi"] = ProbeScsi(*session.value());
  return probe;
}

void RecordProbe(const nlohmann::json& probe, reports::Target* target) {
  target->probe = probe;
  const json inquiry = probe.value("scsi", json::object()).value("inquiry", json::object());
  if (inquiry.contains("vendor")) {
    target->vendor = inquiry.value("vendor", "");
    target->product = inquiry.value("product", "");
    target->revision = inquiry.value("revision", "");
  }
}

}  // namespace harness::runner
