#include "target/admin/live_target.h"

#include <condition_variable>
#include <future>
#include <set>
#include <thread>

#include "target/common/logging.h"
#include "target/config/saveconfig_reader.h"
#include "target/config/saveconfig_writer.h"

namespace reftarget::admin {
namespace {

using Clock = std::chrono::steady_clock;

// Counts down callbacks that may run on any thread; the admin thread waits with a deadline.
class Countdown {
 public:
  explicit Countdown(size_t n) : remaining_(n) {}
  void Done() {
    std::lock_guard<std::mutex> lock(mu_);
    if (remaining_ > 0 && --remaining_ == 0) cv_.notify_all();
  }
  // Returns true if every callback ran before `timeout`.
  bool Wait(std::chrono::milliseconds timeout) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, timeout, [this] { return remaining_ == 0; });
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  size_t remaining_;
};

// The enabled TPG `tag` of `target`, looked up by name and tag (not by portal: a session
// keeps its TPG whatever happens to the portal it came through).
std::shared_ptr<const iscsi::TpgRuntime> FindTpg(const iscsi::TargetSnapshot& snapshot,
                                                 const std::string& target, uint16_t tag) {
  for (const auto& tpg : snapshot.tpgs) {
    if (tpg->enabled && tpg->tag == tag && tpg->target_name == target) return tpg;
  }
  return nullptr;
}

// The LUN map a session of `initiator` gets from `tpg`, or nullopt if it may no longer
// log in (its ACL is gone and the TPG does not generate ACLs).
std::optional<scsi::LunMap> MapFor(const iscsi::TpgRuntime& tpg, const std::string& initiator) {
  if (const iscsi::AclRuntime* acl = tpg.FindAcl(initiator)) return acl->luns;
  if (tpg.generate_node_acls) return tpg.demo_luns;
  return std::nullopt;
}

bool SameInventory(const scsi::LunMap& a, const scsi::LunMap& b) {
  if (a.size() != b.size()) return false;
  for (auto ia = a.begin(), ib = b.begin(); ia != a.end(); ++ia, ++ib) {
    if (ia->first != ib->first || ia->second.unit != ib->second.unit) return false;
  }
  return true;
}

bool SameMap(const scsi::LunMap& a, const scsi::LunMap& b) {
  if (!SameInventory(a, b)) return false;
  for (auto ia = a.begin(), ib = b.begin(); ia != a.end(); ++ia, ++ib) {
    if (ia->second.write_protect != ib->second.write_protect) return false;
  }
  return true;
}

// Every unit some TPG LUN of `snapshot` refers to.
std::set<scsi::LogicalUnit*> ReachableUnits(const iscsi::TargetSnapshot* snapshot) {
  std::set<scsi::LogicalUnit*> out;
  if (snapshot == nullptr) return out;
  for (const auto& tpg : snapshot->tpgs) {
    for (const auto& [lun, m] : tpg->demo_luns) out.insert(m.unit.get());
  }
  return out;
}

// The paths of storage objects some TPG LUN of `config` refers to, with one such LUN each.
std::map<std::string, std::string> MappedStorageObjects(const config::Config& config) {
  std::map<std::string, std::string> out;
  for (const auto& target : config.targets) {
    for (const auto& tpg : target.tpgs) {
      for (const auto& lun : tpg.luns) {
        const config::StorageObject* so = config.FindStorageObject(lun.storage_object);
        if (so == nullptr) continue;
        out.emplace(so->path(), "/iscsi/" + target.wwn + "/tpg" + std::to_string(tpg.tag) +
                                    "/luns/lun" + std::to_string(lun.index));
      }
    }
  }
  return out;
}

// True if the two differ at most in size and write cache mode, which change live (a resize;
// what MODE SELECT of the caching page does).
bool SameExceptLiveSettings(const config::StorageObject& a, config::StorageObject b) {
  b.size = a.size;
  if (b.write_back.has_value() && a.write_back.has_value()) b.write_back = a.write_back;
  return a == b;
}

std::string PortalText(const std::string& ip, uint16_t port) {
  return net::Endpoint{ip, port, ip.find(':') != std::string::npos}.ToString();
}

}  // namespace

Result<std::unique_ptr<LiveTarget>> LiveTarget::Start(config::Config config, net::ReactorPool* pool,
                                                      iscsi::ConnectionContext context,
                                                      LiveTargetOptions options) {
  std::unique_ptr<LiveTarget> live(new LiveTarget(pool, context, options));
  auto applied = live->Apply(config);
  if (!applied.ok()) {
    live->CloseListeners();
    live->Shutdown();
    return applied.status();
  }
  return live;
}

LiveTarget::~LiveTarget() { CloseListeners(); }

Result<ApplyReport> LiveTarget::Apply(const config::Config& requested) {
  std::lock_guard<std::mutex> lock(mu_);
  ApplyReport report;

  // ---- prepare: nothing running changes until every step below has succeeded ----
  // The reader's checks (references, ranges, names) are the validation: the configuration
  // must survive a save and a load, exactly as a file would.
  auto parsed = config::ParseConfig(config::SerializeConfig(requested), "configuration");
  if (!parsed.ok()) return parsed.status();
  const config::Config& next = parsed.value();

  const auto mapped_now = MappedStorageObjects(config_);
  daemon::UnitMap next_units;
  std::vector<std::shared_ptr<scsi::LogicalUnit>> destroyed;
  // Storage objects whose size or write cache mode changes while they stay in use.
  struct LiveChange {
    std::shared_ptr<scsi::LogicalUnit> unit;
    config::StorageObject old_so;
    config::StorageObject so;
  };
  std::vector<LiveChange> live_changes;
  for (const auto& so : next.storage_objects) {
    const config::StorageObject* old = config_.FindStorageObject(so.path());
    auto unit_it = units_.find(so.path());
    if (old != nullptr && *old == so && unit_it != units_.end()) {
      next_units[so.path()] = unit_it->second;
      continue;
    }
    if (old != nullptr && unit_it != units_.end() && SameExceptLiveSettings(*old, so)) {
      live_changes.push_back({unit_it->second, *old, so});
      next_units[so.path()] = unit_it->second;
      continue;
    }
    if (old != nullptr) {
      // LIO refuses to change a device attribute while the device is exported; so do we,
      // rather than swap the unit under running sessions.
      if (auto in_use = mapped_now.find(so.path()); in_use != mapped_now.end()) {
        return Status::Error("storage object " + so.path() + " is in use by " + in_use->second +
                             "; remove its LUNs before changing its file, size or attributes");
      }
    }
    auto unit = options_.open_unit ? options_.open_unit(so) : daemon::OpenUnit(so);
    if (!unit.ok()) return unit.status();
    next_units[so.path()] = std::move(unit).value();
    if (unit_it != units_.end()) destroyed.push_back(unit_it->second);
    report.steps.push_back((old == nullptr ? "opened " : "reopened ") + so.path());
  }
  for (const auto& [path, unit] : units_) {
    if (next_units.count(path) == 0) {
      destroyed.push_back(unit);
      report.steps.push_back("released " + path);
    }
  }
  auto plan = daemon::BuildSnapshot(next, next_units);
  if (!plan.ok()) return plan.status();

  std::map<ListenKey, std::unique_ptr<net::Listener>> opened;
  std::set<ListenKey> wanted;
  for (const auto& portal : plan.value().portals) {
    ListenKey key{portal.ip, portal.port};
    wanted.insert(key);
    if (listeners_.count(key) != 0) continue;
    auto listener = net::Listener::Open(portal.ip, portal.port);
    if (!listener.ok()) {
      for (auto& [k, l] : opened) l->Close();
      return Status::Error("portal " + PortalText(portal.ip, portal.port) + ": " +
                           listener.error());
    }
    opened[key] = std::move(listener).value();
  }

  // Growing and switching the cache are the last steps that can fail, so a refusal never
  // leaves a store changed behind an unchanged configuration (except when a second store of
  // one request fails: the first keeps its new size or mode, and its unit attention).
  for (const auto& c : live_changes) {
    if (c.so.size != c.old_so.size) {
      const uint64_t bytes =
          c.so.size != 0 ? c.so.size : c.unit->num_blocks() * c.unit->block_size();
      Status s = c.unit->Resize(bytes);
      if (!s.ok()) {
        for (auto& [k, l] : opened) l->Close();
        return Status::Error("storage object " + c.so.path() + ": " + s.message());
      }
      report.steps.push_back("resized " + c.so.path() + " to " + std::to_string(bytes) + " bytes");
    }
    if (c.so.write_back != c.old_so.write_back && c.so.write_back.has_value()) {
      Status s = c.unit->SetWriteCache(*c.so.write_back);
      if (!s.ok()) {
        for (auto& [k, l] : opened) l->Close();
        return Status::Error("storage object " + c.so.path() + ": write_back: " + s.message());
      }
      report.steps.push_back(c.so.path() + " write cache " + (*c.so.write_back ? "on" : "off"));
    }
  }

  // ---- commit: cannot fail from here on ----
  const std::shared_ptr<const iscsi::TargetSnapshot> old_snapshot = snapshot_;
  for (const auto& unit : destroyed) unit->Withdraw();
  snapshot_ = plan.value().snapshot;
  context_.registry->Publish(snapshot_);
  for (auto& [key, listener] : opened) {
    iscsi::AttachAcceptor(listener.get(), pool_, context_);
    RT_LOG(kInfo, "admin") << "listening on " << listener->local().ToString();
    report.steps.push_back("listening on " + listener->local().ToString());
    listeners_[key] = std::move(listener);
  }

  // Hand every session of a normal (not discovery) login its new map.
  struct Changed {
    uint64_t nexus;
    scsi::LunMap old_map;
    scsi::LunMap new_map;
  };
  std::vector<Changed> changed;
  std::vector<iscsi::SessionTable::SessionRef> refs =
      context_.sessions != nullptr ? context_.sessions->List()
                                   : std::vector<iscsi::SessionTable::SessionRef>{};
  auto countdown = std::make_shared<Countdown>(refs.size());
  size_t posted = 0;
  for (const auto& ref : refs) {
    auto live = ref.live.lock();
    if (!live) {
      countdown->Done();
      continue;
    }
    auto done = [countdown] { countdown->Done(); };
    ++posted;
    if (ref.key.target_name.empty()) {  // discovery: only the snapshot
      live->ReplaceView(snapshot_, nullptr, std::nullopt, done);
      continue;
    }
    auto old_tpg =
        old_snapshot ? FindTpg(*old_snapshot, ref.key.target_name, ref.key.tpg_tag) : nullptr;
    auto new_tpg = FindTpg(*snapshot_, ref.key.target_name, ref.key.tpg_tag);
    std::optional<scsi::LunMap> old_map =
        old_tpg ? MapFor(*old_tpg, ref.key.initiator_name) : std::nullopt;
    std::optional<scsi::LunMap> new_map =
        new_tpg ? MapFor(*new_tpg, ref.key.initiator_name) : std::nullopt;
    if (!new_map) {
      RT_LOG(kInfo, "admin") << "ending the session of " << ref.key.initiator_name << " to "
                             << ref.key.target_name << " tpg " << ref.key.tpg_tag
                             << ": its TPG or ACL was removed or disabled";
      ++report.sessions_ended;
      if (ref.terminate) ref.terminate("its TPG or ACL was removed or disabled", nullptr);
      // Until it closes it must not keep the old units alive either.
      live->ReplaceView(snapshot_, nullptr, scsi::LunMap{}, done);
      continue;
    }
    if (old_map && SameMap(*old_map, *new_map)) {
      live->ReplaceView(snapshot_, new_tpg, std::nullopt, done);
      continue;
    }
    if (!old_map || !SameInventory(*old_map, *new_map)) {
      changed.push_back(Changed{ref.nexus, old_map.value_or(scsi::LunMap{}), *new_map});
    }
    ++report.sessions_updated;
    live->ReplaceView(snapshot_, new_tpg, *new_map, done);
  }
  if (!countdown->Wait(options_.session_timeout)) {
    RT_LOG(kWarn, "admin") << "some of " << posted
                           << " session(s) did not take the new LUN map within "
                           << options_.session_timeout.count() << " ms";
    report.steps.push_back("warning: a session did not take its new LUN map in time");
  }

  // Commands still running on units no session can reach finish before anyone is told.
  const std::set<scsi::LogicalUnit*> reachable = ReachableUnits(snapshot_.get());
  const std::set<scsi::LogicalUnit*> was_reachable = ReachableUnits(old_snapshot.get());
  std::vector<std::shared_ptr<scsi::LogicalUnit>> unreachable;
  for (const auto& unit : destroyed) unreachable.push_back(unit);
  for (const auto& [path, unit] : next_units) {
    if (reachable.count(unit.get()) == 0 && was_reachable.count(unit.get()) != 0) {
      unreachable.push_back(unit);
    }
  }
  const auto drain_deadline = Clock::now() + options_.drain_timeout;
  for (const auto& unit : unreachable) report.drained_commands += unit->InFlight();
  for (const auto& unit : unreachable) {
    while (unit->InFlight() > 0 && Clock::now() < drain_deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    if (unit->InFlight() > 0) report.drain_timed_out = true;
  }
  if (report.drain_timed_out) {
    RT_LOG(kWarn, "admin") << "commands still running on a removed LUN after "
                           << options_.drain_timeout.count()
                           << " ms; its backstore is released when they finish";
  }

  // SPC-4: the LUN inventory of these I_T nexuses changed. The condition goes on the units
  // the nexus already knew (a unit new to it reports 29/00 first anyway); if none is left,
  // on every unit it now reaches.
  for (const auto& c : changed) {
    std::vector<scsi::LogicalUnit*> targets;
    for (const auto& [lun, m] : c.new_map) {
      for (const auto& [old_lun, old_m] : c.old_map) {
        if (old_m.unit == m.unit) {
          targets.push_back(m.unit.get());
          break;
        }
      }
    }
    if (targets.empty()) {
      for (const auto& [lun, m] : c.new_map) targets.push_back(m.unit.get());
    }
    for (scsi::LogicalUnit* unit : targets) unit->ReportedLunsChangedFor(c.nexus);
    if (!targets.empty()) ++report.nexus_unit_attentions;
  }

  for (auto it = listeners_.begin(); it != listeners_.end();) {
    if (wanted.count(it->first) != 0) {
      ++it;
      continue;
    }
    RT_LOG(kInfo, "admin") << "closing portal "
                           << PortalText(std::get<0>(it->first), std::get<1>(it->first));
    report.steps.push_back("closed portal " +
                           PortalText(std::get<0>(it->first), std::get<1>(it->first)));
    it->second->Close();
    it = listeners_.erase(it);
  }
  units_ = std::move(next_units);
  config_ = next;
  if (report.sessions_updated + report.sessions_ended > 0) {
    report.steps.push_back(std::to_string(report.sessions_updated) +
                           " session(s) took a new LUN map, " +
                           std::to_string(report.nexus_unit_attentions) + " got 06/3F/0E, " +
                           std::to_string(report.sessions_ended) + " ended");
  }
  // `destroyed` goes out of scope here: each backstore closes once its last command is done.
  return report;
}

config::Config LiveTarget::config() const {
  std::lock_guard<std::mutex> lock(mu_);
  return config_;
}

std::vector<iscsi::SessionInfo> LiveTarget::Sessions(std::chrono::milliseconds timeout) const {
  std::vector<iscsi::SessionTable::SessionRef> refs =
      context_.sessions != nullptr ? context_.sessions->List()
                                   : std::vector<iscsi::SessionTable::SessionRef>{};
  struct Shared {
    std::mutex mu;
    std::condition_variable cv;
    std::vector<iscsi::SessionInfo> infos;
    size_t waiting = 0;
  };
  auto shared = std::make_shared<Shared>();
  for (const auto& ref : refs) {
    auto live = ref.live.lock();
    if (!live) continue;
    {
      std::lock_guard<std::mutex> l(shared->mu);
      ++shared->waiting;
    }
    live->Describe([shared](iscsi::SessionInfo info) {
      std::lock_guard<std::mutex> l(shared->mu);
      shared->infos.push_back(std::move(info));
      --shared->waiting;
      shared->cv.notify_all();
    });
  }
  std::unique_lock<std::mutex> l(shared->mu);
  shared->cv.wait_for(l, timeout, [&] { return shared->waiting == 0; });
  std::vector<iscsi::SessionInfo> out = shared->infos;
  std::sort(out.begin(), out.end(), [](const iscsi::SessionInfo& a, const iscsi::SessionInfo& b) {
    return std::tie(a.target_name, a.tpg_tag, a.initiator_name, a.tsih) <
           std::tie(b.target_name, b.tpg_tag, b.initiator_name, b.tsih);
  });
  return out;
}

std::vector<net::Endpoint> LiveTarget::ListeningOn() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<net::Endpoint> out;
  for (const auto& [key, l] : listeners_) out.push_back(l->local());
  return out;
}

void LiveTarget::CloseListeners() {
  std::lock_guard<std::mutex> lock(mu_);
  for (auto& [key, l] : listeners_) l->Close();
  listeners_.clear();
}

void LiveTarget::Shutdown() {
  std::lock_guard<std::mutex> lock(mu_);
  snapshot_.reset();
  units_.clear();
}

}  // namespace reftarget::admin
