#include "harness/suite_support/target_under_test.h"

#include <cstdlib>
#include <fstream>
#include <mutex>
#include <random>
#include <sstream>

namespace harness::suite {
namespace {

using nlohmann::json;

json PortalJson(const adapters::Portal& p) { return {{"host", p.host}, {"port", p.port}}; }

adapters::Portal PortalFrom(const json& j) {
  return adapters::Portal{j.at("host").get<std::string>(), j.at("port").get<int>()};
}

json ChapJson(const adapters::ChapSpec& c) {
  return {{"userid", c.userid},
          {"password", c.password},
          {"mutual_userid", c.mutual_userid},
          {"mutual_password", c.mutual_password}};
}

adapters::ChapSpec ChapFrom(const json& j) {
  return adapters::ChapSpec{j.at("userid").get<std::string>(), j.at("password").get<std::string>(),
                            j.value("mutual_userid", ""), j.value("mutual_password", "")};
}

adapters::Backing BackingFrom(const std::string& name) {
  if (name == "block") return adapters::Backing::kBlock;
  if (name == "ramdisk") return adapters::Backing::kRamdisk;
  if (name == "null") return adapters::Backing::kNull;
  if (name == "fileio") return adapters::Backing::kFileio;
  throw std::invalid_argument("unknown backing '" + name + "'");
}

json CapabilitiesJson(const adapters::Capabilities& c) {
  json backings = json::array();
  for (auto b : c.backings) backings.push_back(adapters::BackingName(b));
  return {{"managed", c.managed},
          {"data_loss_allowed", c.data_loss_allowed},
          {"live_lun_changes", c.live_lun_changes},
          {"chap", c.chap},
          {"mutual_chap", c.mutual_chap},
          {"discovery_auth", c.discovery_auth},
          {"acls", c.acls},
          {"ipv6", c.ipv6},
          {"thin", c.thin},
          {"read_only_luns", c.read_only_luns},
          {"removable_luns", c.removable_luns},
          {"block_size_4096", c.block_size_4096},
          {"process_faults", c.process_faults},
          {"backings", backings}};
}

adapters::Capabilities CapabilitiesFrom(const json& j) {
  adapters::Capabilities c;
  c.managed = j.at("managed").get<bool>();
  c.data_loss_allowed = j.at("data_loss_allowed").get<bool>();
  c.live_lun_changes = j.at("live_lun_changes").get<bool>();
  c.chap = j.at("chap").get<bool>();
  c.mutual_chap = j.at("mutual_chap").get<bool>();
  c.discovery_auth = j.at("discovery_auth").get<bool>();
  c.acls = j.at("acls").get<bool>();
  c.ipv6 = j.at("ipv6").get<bool>();
  c.thin = j.at("thin").get<bool>();
  c.read_only_luns = j.at("read_only_luns").get<bool>();
  c.removable_luns = j.at("removable_luns").get<bool>();
  c.block_size_4096 = j.at("block_size_4096").get<bool>();
  c.process_faults = j.at("process_faults").get<bool>();
  for (const auto& b : j.at("backings")) c.backings.insert(BackingFrom(b.get<std::string>()));
  return c;
}

}  // namespace

std::optional<std::string> TargetUnderTest::OpenInitiator(const std::string& tag) const {
  if (initiators.empty()) {
    static std::mt19937_64 rng{std::random_device{}()};
    std::ostringstream name;
    name << initiator_prefix << ":" << tag << "-" << std::hex << (rng() & 0xffffff);
    return name.str();
  }
  for (const auto& i : initiators) {
    if (!i.chap) return i.name;
  }
  return std::nullopt;
}

const InitiatorInfo* TargetUnderTest::ChapInitiator(bool mutual) const {
  for (const auto& i : initiators) {
    if (i.chap && (i.chap->mutual_userid.empty() != mutual)) return &i;
  }
  return nullptr;
}

const LunInfo* TargetUnderTest::WritableLun() const {
  for (const auto& l : luns) {
    if (!l.spec.read_only) return &l;
  }
  return nullptr;
}

json ToJson(const TargetUnderTest& t) {
  json luns = json::array();
  for (const auto& l : t.luns) {
    luns.push_back({{"number", l.number},
                    {"name", l.spec.name},
                    {"backing", adapters::BackingName(l.spec.backing)},
                    {"size_bytes", l.spec.size_bytes},
                    {"block_size", l.spec.block_size},
                    {"thin", l.spec.thin},
                    {"read_only", l.spec.read_only},
                    {"removable", l.spec.removable},
                    {"write_back", l.spec.write_back}});
  }
  json initiators = json::array();
  for (const auto& i : t.initiators) {
    json e = {{"name", i.name}};
    if (i.chap) e["chap"] = ChapJson(*i.chap);
    initiators.push_back(e);
  }
  json j = {{"adapter", t.adapter},
            {"portal", PortalJson(t.portal)},
            {"iqn", t.iqn},
            {"luns", luns},
            {"initiators", initiators},
            {"capabilities", CapabilitiesJson(t.capabilities)},
            {"allow_data_loss", t.allow_data_loss},
            {"initiator_prefix", t.initiator_prefix}};
  if (t.ipv6_portal) j["ipv6_portal"] = PortalJson(*t.ipv6_portal);
  if (t.discovery_chap) j["discovery_chap"] = ChapJson(*t.discovery_chap);
  if (t.pid) j["pid"] = *t.pid;
  return j;
}

Result<TargetUnderTest> FromJson(const json& j) {
  try {
    TargetUnderTest t;
    t.adapter = j.at("adapter").get<std::string>();
    t.portal = PortalFrom(j.at("portal"));
    if (j.contains("ipv6_portal")) t.ipv6_portal = PortalFrom(j.at("ipv6_portal"));
    t.iqn = j.at("iqn").get<std::string>();
    for (const auto& l : j.at("luns")) {
      LunInfo info;
      info.number = l.at("number").get<int>();
      info.spec.name = l.at("name").get<std::string>();
      info.spec.backing = BackingFrom(l.at("backing").get<std::string>());
      info.spec.size_bytes = l.at("size_bytes").get<uint64_t>();
      info.spec.block_size = l.at("block_size").get<uint32_t>();
      info.spec.thin = l.at("thin").get<bool>();
      info.spec.read_only = l.at("read_only").get<bool>();
      info.spec.removable = l.at("removable").get<bool>();
      info.spec.write_back = l.at("write_back").get<bool>();
      t.luns.push_back(info);
    }
    for (const auto& i : j.at("initiators")) {
      InitiatorInfo info;
      info.name = i.at("name").get<std::string>();
      if (i.contains("chap")) info.chap = ChapFrom(i.at("chap"));
      t.initiators.push_back(info);
    }
    if (j.contains("discovery_chap")) t.discovery_chap = ChapFrom(j.at("discovery_chap"));
    t.capabilities = CapabilitiesFrom(j.at("capabilities"));
    t.allow_data_loss = j.at("allow_data_loss").get<bool>();
    t.initiator_prefix = j.at("initiator_prefix").get<std::string>();
    if (j.contains("pid")) t.pid = j.at("pid").get<int>();
    return t;
  } catch (const std::exception& e) {
    return Status::Error(std::string("target file: ") + e.what());
  }
}

Status WriteTargetFile(const std::filesystem::path& path, const TargetUnderTest& target) {
  std::ofstream out(path, std::ios::trunc);
  out << ToJson(target).dump(2) << "\n";
  out.close();
  if (!out) return Status::Error(path.string() + ": cannot write the target file");
  return Status::Ok();
}

Result<TargetUnderTest> ReadTargetFile(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) return Status::Error(path.string() + ": cannot read the target file");
  json j = json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return Status::Error(path.string() + ": not valid JSON");
  auto t = FromJson(j);
  if (!t.ok()) return Status::Error(path.string() + ": " + t.error());
  return t;
}

const TargetUnderTest* CurrentTarget(std::string* why) {
  static std::once_flag once;
  static std::optional<TargetUnderTest> target;
  static std::string reason;
  std::call_once(once, [] {
    const char* path = std::getenv(kTargetEnv);
    if (path == nullptr || *path == '\0') {
      reason = std::string("no target under test: run through iscsi-harness, or set ") + kTargetEnv;
      return;
    }
    auto t = ReadTargetFile(path);
    if (!t.ok()) {
      reason = t.error();
      return;
    }
    target = std::move(t).value();
  });
  if (!target && why != nullptr) *why = reason;
  return target ? &*target : nullptr;
}

}  // namespace harness::suite
