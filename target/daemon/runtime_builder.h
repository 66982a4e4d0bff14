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

struct Runtime {
  std::shared_ptr<const iscsi::TargetSnapshot> snapshot;
  std::vector<net::Endpoint> portals;  // distinct listening addresses
  // Logical units by storage object path ("/backstores/fileio/disk0").
  std::map<std::string, std::shared_ptr<scsi::LogicalUnit>> units;
  // Releases the backstores once no session can reach them.
  void Shutdown();
};

// Returns the runtime for `config`. Errors name the storage object or target and say why.
Result<Runtime> BuildRuntime(const config::Config& config);

}  // namespace reftarget::daemon
