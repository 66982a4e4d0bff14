// The running configuration as the iSCSI layer sees it: targets, TPGs, portals, ACLs and
// LUN maps. Built from saveconfig.json by the daemon; published as immutable snapshots so a
// live change never races a login (sessions keep the snapshot they logged in with).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "target/iscsi/login/chap.h"
#include "target/net/listener.h"
#include "target/scsi/lun_map.h"

namespace reftarget::iscsi {

// Whether a login from this source address ("192.0.2.7", "::1") may proceed: reftarget's
// initiator network restriction (IET's initiators.allow). Empty: every address may.
using PeerFilter = std::function<bool(const std::string& peer_ip)>;

struct AclRuntime {
  std::string initiator_name;
  PeerFilter allowed_peers;
  login::ChapCredentials auth;
  scsi::LunMap luns;
};

struct TpgRuntime {
  std::string target_name;
  uint16_t tag = 1;
  bool enabled = true;
  std::map<std::string, std::string> parameters;  // negotiation offers and limits
  bool require_chap = false;                      // attribute authentication=1
  bool generate_node_acls = false;                // demo mode: any initiator may log in
  login::ChapCredentials tpg_auth;                // credentials for generated ACLs
  PeerFilter allowed_peers;                       // checked before the ACL's own
  std::vector<net::Endpoint> portals;
  scsi::LunMap demo_luns;                         // every TPG LUN, for generated ACLs
  std::map<std::string, AclRuntime> acls;         // by initiator IQN
  uint32_t cmdsn_depth = 128;
  uint32_t login_timeout_s = 15;
  uint32_t nopin_interval_s = 15;                 // idle time before a target NOP-In ping
  uint32_t nopin_response_timeout_s = 30;

  // Returns true if a connection that arrived on `local` may reach this TPG.
  bool ServesPortal(const net::Endpoint& local) const;
  // Returns the ACL for `initiator`, or nullptr.
  const AclRuntime* FindAcl(const std::string& initiator) const;
  // Returns true if `initiator` may log in (an ACL, or generated ACLs).
  bool Admits(const std::string& initiator) const {
    return generate_node_acls || FindAcl(initiator) != nullptr;
  }
};

struct TargetSnapshot {
  std::vector<std::shared_ptr<const TpgRuntime>> tpgs;
  bool discovery_auth_required = false;
  login::ChapCredentials discovery_auth;

  // Returns the enabled TPG of `target_name` that serves `local`, or nullptr.
  std::shared_ptr<const TpgRuntime> FindTpg(const std::string& target_name,
                                            const net::Endpoint& local) const;
  // Returns true if a target of that name exists at all (for 0203 vs other failures).
  bool HasTarget(const std::string& target_name) const;
};

class TargetRegistry {
 public:
  // Returns the current snapshot. Thread-safe.
  std::shared_ptr<const TargetSnapshot> Current() const {
    std::lock_guard<std::mutex> lock(mu_);
    return current_;
  }
  // Replaces the snapshot; new logins see it at once. Thread-safe.
  void Publish(std::shared_ptr<const TargetSnapshot> snapshot) {
    std::lock_guard<std::mutex> lock(mu_);
    current_ = std::move(snapshot);
  }

 private:
  mutable std::mutex mu_;
  std::shared_ptr<const TargetSnapshot> current_ = std::make_shared<TargetSnapshot>();
};

}  // namespace reftarget::iscsi
