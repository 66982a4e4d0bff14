// Builds the running target from a parsed saveconfig.json: opens every backstore, creates
// its logical unit, and turns targets, TPGs, portals and ACLs into an iSCSI snapshot.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "target/backstore/backstore.h"
#include "target/common/status.h"
#include "target/config/config_model.h"
#include "target/iscsi/session/target_registry.h"
#include "target/net/listener.h"
#include "target/scsi/logical_unit.h"

namespace reftarget::daemon {

// Logical units by storage object path ("/backstores/fileio/disk0").
using UnitMap = std::map<std::string, std::shared_ptr<scsi::LogicalUnit>>;

// Opens the backstore of `so` and makes its logical unit. Errors name the storage object.
Result<std::shared_ptr<scsi::LogicalUnit>> OpenUnit(const config::StorageObject& so);

// The iSCSI view of a configuration: what logins see, and the addresses to listen on.
struct SnapshotPlan {
  std::shared_ptr<const iscsi::TargetSnapshot> snapshot;
  std::vector<net::Endpoint> portals;  // distinct listening addresses
};

// Builds the iSCSI view of `config` over `units`, which must hold every storage object of
// `config` by path. Opens nothing. Errors name the target, TPG and LUN.
Result<SnapshotPlan> BuildSnapshot(const config::Config& config, const UnitMap& units);

struct Runtime {
  std::shared_ptr<const iscsi::TargetSnapshot> snapshot;
  std::vector<net::Endpoint> portals;  // distinct listening addresses
  // Logical units by storage object path ("/backstores/fileio/disk0").
  UnitMap units;
  // Releases the backstores once no session can reach them.
  void Shutdown();
};

// Returns the runtime for `config`. Errors name the storage object or target and say why.
Result<Runtime> BuildRuntime(const config::Config& config);

}  // namespace reftarget::daemon
