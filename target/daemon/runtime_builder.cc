#include "target/daemon/runtime_builder.h"

#include <set>
#include <tuple>

#include "target/admin/initiator_networks.h"
#include "target/common/logging.h"

namespace reftarget::daemon {
namespace {

// Without an explicit default_cmdsn_depth the window is 128 commands deep (LIO's default of
// 64 starves fio at queue depth 128).
constexpr uint32_t kDefaultCmdsnDepth = 128;

iscsi::login::ChapCredentials ToChap(const config::AuthCredentials& a) {
  return iscsi::login::ChapCredentials{a.userid, a.password, a.mutual_userid, a.mutual_password};
}

bool HasAttribute(const nlohmann::json& attributes, const char* name) {
  return attributes.is_object() && attributes.contains(name);
}

// The initiator network restriction stored in a TPG's or ACL's `extra`; empty when absent.
Result<iscsi::PeerFilter> PeerFilterOf(const nlohmann::json& extra, const std::string& where) {
  auto networks = admin::NetworksOf(extra);
  if (!networks.ok()) return Status::Error(where + ": " + networks.error());
  if (networks.value().empty()) return iscsi::PeerFilter{};
  return iscsi::PeerFilter([nets = std::move(networks).value()](const std::string& ip) {
    return admin::NetworksAllow(nets, ip);
  });
}

}  // namespace

Result<std::shared_ptr<scsi::LogicalUnit>> OpenUnit(const config::StorageObject& so) {
  backstore::BackstoreSpec spec;
  spec.plugin = std::string(config::CanonicalPlugin(so.plugin));
  spec.name = so.name;
  spec.dev = so.dev;
  spec.size = so.size;
  spec.block_size = so.block_size();
  // LIO: FILEIO defaults to write-back when the file is buffered; BLOCK is write-through.
  spec.write_back = so.write_back.value_or(spec.plugin == "fileio");
  spec.read_only = so.readonly;
  spec.nullio = so.nullio;
  spec.thin = so.attribute_int("emulate_tpu", 0) != 0 || so.attribute_int("emulate_tpws", 0) != 0;
  auto store = backstore::OpenBackstore(spec);
  if (!store.ok()) return Status::Error("storage object " + so.path() + ": " + store.error());

  scsi::LogicalUnitConfig lu;
  lu.name = so.name;
  lu.wwn = so.wwn;
  lu.thin = spec.thin;
  if (HasAttribute(so.attributes, "max_unmap_lba_count") && so.attribute_int("max_unmap_lba_count", 0) > 0) {
    lu.max_unmap_lba_count = static_cast<uint32_t>(so.attribute_int("max_unmap_lba_count", 0));
  }
  if (HasAttribute(so.attributes, "max_unmap_block_desc_count") &&
      so.attribute_int("max_unmap_block_desc_count", 0) > 0) {
    lu.max_unmap_block_desc_count =
        static_cast<uint32_t>(so.attribute_int("max_unmap_block_desc_count", 0));
  }
  if (HasAttribute(so.attributes, "unmap_granularity")) {
    lu.unmap_granularity = static_cast<uint32_t>(so.attribute_int("unmap_granularity", 1));
  }
  if (HasAttribute(so.attributes, "unmap_granularity_alignment")) {
    lu.unmap_granularity_alignment =
        static_cast<uint32_t>(so.attribute_int("unmap_granularity_alignment", 0));
  }
  if (HasAttribute(so.attributes, "max_write_same_len")) {
    lu.max_write_same_len = static_cast<uint64_t>(so.attribute_int("max_write_same_len", 0xFFFF));
  }
  if (HasAttribute(so.attributes, "optimal_sectors")) {
    lu.optimal_sectors = static_cast<uint32_t>(so.attribute_int("optimal_sectors", 0));
  }
  lu.non_rotational = so.attribute_int("is_nonrot", 0) != 0;
  std::shared_ptr<backstore::Backstore> shared = std::move(store).value();
  return std::make_shared<scsi::LogicalUnit>(std::move(lu), std::move(shared));
}

namespace {

net::Endpoint ToEndpoint(const config::Portal& p) {
  net::Endpoint e;
  e.ip = p.unbracketed_address();
  e.port = p.port;
  e.ipv6 = e.ip.find(':') != std::string::npos;
  return e;
}

bool IsWildcard(const net::Endpoint& e) { return e.ip == "0.0.0.0" || e.ip == "::"; }

}  // namespace

Result<SnapshotPlan> BuildSnapshot(const config::Config& config, const UnitMap& units) {
  SnapshotPlan plan;
  auto snapshot = std::make_shared<iscsi::TargetSnapshot>();
  snapshot->discovery_auth_required = config.discovery_auth.enable;
  snapshot->discovery_auth = ToChap(config.discovery_auth.auth);
  std::set<std::tuple<std::string, uint16_t>> listen;
  for (const auto& target : config.targets) {
    if (target.fabric != "iscsi") {
      RT_LOG(kWarn, "config") << "target " << target.wwn << ": fabric " << target.fabric
                              << " is not served";
      continue;
    }
    for (const auto& tpg : target.tpgs) {
      auto rt = std::make_shared<iscsi::TpgRuntime>();
      rt->target_name = target.wwn;
      rt->tag = tpg.tag;
      rt->enabled = tpg.enable;
      rt->parameters = tpg.parameters;
      rt->require_chap = tpg.authentication() != 0;
      rt->generate_node_acls = tpg.generate_node_acls() != 0;
      rt->tpg_auth = ToChap(tpg.auth);
      const std::string tpg_where = "target " + target.wwn + " tpg " + std::to_string(tpg.tag);
      auto tpg_filter = PeerFilterOf(tpg.extra, tpg_where);
      if (!tpg_filter.ok()) return tpg_filter.status();
      rt->allowed_peers = std::move(tpg_filter).value();
      rt->cmdsn_depth = HasAttribute(tpg.attributes, "default_cmdsn_depth")
                            ? static_cast<uint32_t>(std::max(1, tpg.default_cmdsn_depth()))
                            : kDefaultCmdsnDepth;
      rt->login_timeout_s = static_cast<uint32_t>(std::max(1, tpg.login_timeout()));
      const bool demo_wp = tpg.demo_mode_write_protect() != 0;
      std::map<uint64_t, std::shared_ptr<scsi::LogicalUnit>> tpg_luns;
      for (const auto& lun : tpg.luns) {
        const config::StorageObject* so = config.FindStorageObject(lun.storage_object);
        auto it = so != nullptr ? units.find(so->path()) : units.end();
        if (it == units.end()) {
          return Status::Error("target " + target.wwn + " tpg " + std::to_string(tpg.tag) + " lun " +
                               std::to_string(lun.index) + ": storage object " +
                               lun.storage_object + " is not defined");
        }
        tpg_luns[lun.index] = it->second;
        rt->demo_luns[lun.index] = scsi::MappedLun{it->second, demo_wp};
      }
      for (const auto& acl : tpg.node_acls) {
        iscsi::AclRuntime a;
        a.initiator_name = acl.node_wwn;
        a.auth = ToChap(acl.auth);
        auto acl_filter = PeerFilterOf(acl.extra, tpg_where + " acl " + acl.node_wwn);
        if (!acl_filter.ok()) return acl_filter.status();
        a.allowed_peers = std::move(acl_filter).value();
        for (const auto& m : acl.mapped_luns) {
          auto it = tpg_luns.find(m.tpg_lun);
          if (it == tpg_luns.end()) {
            return Status::Error("target " + target.wwn + " acl " + acl.node_wwn + " mapped lun " +
                                 std::to_string(m.index) + ": tpg_lun " +
                                 std::to_string(m.tpg_lun) + " does not exist");
          }
          a.luns[m.index] = scsi::MappedLun{it->second, m.write_protect};
        }
        rt->acls[acl.node_wwn] = std::move(a);
      }
      for (const auto& portal : tpg.portals) {
        net::Endpoint e = ToEndpoint(portal);
        rt->portals.push_back(e);
        listen.insert({e.ip, e.port});
      }
      snapshot->tpgs.push_back(std::move(rt));
    }
  }
  // One socket per address: a wildcard covers the specific addresses of its family and port.
  for (const auto& [ip, port] : listen) {
    net::Endpoint e{ip, port, ip.find(':') != std::string::npos};
    if (!IsWildcard(e)) {
      std::string wildcard = e.ipv6 ? "::" : "0.0.0.0";
      if (listen.count({wildcard, port}) != 0) continue;
    }
    plan.portals.push_back(e);
  }
  plan.snapshot = std::move(snapshot);
  return plan;
}

Result<Runtime> BuildRuntime(const config::Config& config) {
  Runtime runtime;
  for (const auto& so : config.storage_objects) {
    auto unit = OpenUnit(so);
    if (!unit.ok()) {
      runtime.Shutdown();
      return unit.status();
    }
    runtime.units[so.path()] = std::move(unit).value();
  }
  auto plan = BuildSnapshot(config, runtime.units);
  if (!plan.ok()) {
    runtime.Shutdown();
    return plan.status();
  }
  runtime.snapshot = std::move(plan.value().snapshot);
  runtime.portals = std::move(plan.value().portals);
  return runtime;
}

void Runtime::Shutdown() {
  snapshot.reset();
  units.clear();
}

}  // namespace reftarget::daemon
