// LiveTarget: the running target as the management plane changes it. Every change is a whole
// new configuration (saveconfig.json's model) applied in two phases:
//   prepare: validate it, open the backstores and bind the portals it adds. Any failure
//            closes what was opened and leaves the running target exactly as it was;
//   commit:  (cannot fail) withdraw removed logical units (new commands get 05/25/00),
//            publish the new view to logins, hand every session its new LUN map, let the
//            commands still running on removed units drain, raise 06/3F/0E REPORTED LUNS DATA
//            HAS CHANGED on every I_T nexus whose LUN inventory changed, close removed
//            portals, release removed backstores.
// Sessions of a deleted or disabled TPG, or of a deleted ACL (without generated ACLs), are
// ended, as LIO ends them; changes to CHAP credentials or attributes apply to the next login.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <tuple>
#include <vector>

#include "target/common/status.h"
#include "target/config/config_model.h"
#include "target/daemon/runtime_builder.h"
#include "target/iscsi/session/connection.h"
#include "target/net/listener.h"
#include "target/net/reactor.h"

namespace reftarget::admin {

struct LiveTargetOptions {
  // How long a commit waits for commands still running on removed units before it raises
  // the unit attention anyway (their backstore is released when they finish).
  std::chrono::milliseconds drain_timeout{30000};
  // How long a commit waits for sessions to take their new LUN map.
  std::chrono::milliseconds session_timeout{5000};
  // Makes the logical unit of a storage object; empty: daemon::OpenUnit (tests wrap stores).
  std::function<Result<std::shared_ptr<scsi::LogicalUnit>>(const config::StorageObject&)> open_unit;
};

// What a commit did, for the requester and the log.
struct ApplyReport {
  std::vector<std::string> steps;
  int sessions_updated = 0;
  int sessions_ended = 0;
  int nexus_unit_attentions = 0;    // I_T nexuses given 06/3F/0E
  uint64_t drained_commands = 0;    // commands that were running on removed units
  bool drain_timed_out = false;
};

class LiveTarget {
 public:
  // Opens every backstore and portal of `config` and publishes it to `context.registry`.
  // Errors name the storage object or portal; nothing stays open on failure.
  static Result<std::unique_ptr<LiveTarget>> Start(config::Config config, net::ReactorPool* pool,
                                                   iscsi::ConnectionContext context,
                                                   LiveTargetOptions options = {});
  ~LiveTarget();
  LiveTarget(const LiveTarget&) = delete;
  LiveTarget& operator=(const LiveTarget&) = delete;

  // Makes `next` the running configuration, or refuses it with a reason naming the object
  // and leaves everything unchanged. Serialized with every other change.
  Result<ApplyReport> Apply(const config::Config& next);
  // Returns the running configuration.
  config::Config config() const;
  // Returns every logged-in session's description (sessions that do not answer within
  // `timeout` are left out).
  std::vector<iscsi::SessionInfo> Sessions(std::chrono::milliseconds timeout) const;
  // Returns the addresses being listened on.
  std::vector<net::Endpoint> ListeningOn() const;
  // Stops accepting connections (shutdown). Idempotent.
  void CloseListeners();
  // Releases every logical unit (after the sessions are gone).
  void Shutdown();

 private:
  using ListenKey = std::tuple<std::string, uint16_t>;
  LiveTarget(net::ReactorPool* pool, iscsi::ConnectionContext context, LiveTargetOptions options)
      : pool_(pool), context_(context), options_(options) {}

  mutable std::mutex mu_;  // serializes Apply and guards everything below
  net::ReactorPool* pool_;
  iscsi::ConnectionContext context_;
  LiveTargetOptions options_;
  config::Config config_;
  daemon::UnitMap units_;  // by storage object path
  std::shared_ptr<const iscsi::TargetSnapshot> snapshot_;
  std::map<ListenKey, std::unique_ptr<net::Listener>> listeners_;
};

}  // namespace reftarget::admin
