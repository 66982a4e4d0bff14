// SessionTable: every logged-in session in the process, for TSIH allocation and session
// reinstatement (RFC 7143 §6.3.5: a login with an existing ISID and TSIH 0 replaces the
// old session). Touched only at login and logout, never on the I/O path.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <tuple>
#include <vector>

#include "target/iscsi/session/live_session.h"

namespace reftarget::iscsi {

struct SessionKey {
  std::string initiator_name;
  std::array<uint8_t, 6> isid{};
  std::string target_name;  // "" for discovery sessions
  uint16_t tpg_tag = 0;
  bool operator<(const SessionKey& o) const {
    return std::tie(initiator_name, isid, target_name, tpg_tag) <
           std::tie(o.initiator_name, o.isid, o.target_name, o.tpg_tag);
  }
};

class SessionTable {
 public:
  // Ends a session from any thread; `on_ended` (may be empty) runs once its connection is
  // closed and none of its commands can still change the medium (RFC 7143 §6.3.5: the new
  // session must not race the old one's writes).
  using Terminator = std::function<void(const std::string& reason, std::function<void()> on_ended)>;

  // Holds at most `max_sessions` sessions at once.
  explicit SessionTable(size_t max_sessions = 4096) : max_sessions_(max_sessions) {}

  // Registers a new session under `key`, returning its TSIH, or 0 when the table is full
  // (the login then fails with 0x0302, out of resources). If a session with the same key
  // exists, its terminator is returned in `*reinstated` and it is replaced.
  // `live` and `nexus` let the management plane reach the session (LUN map changes, counters).
  uint16_t Add(const SessionKey& key, Terminator terminate, Terminator* reinstated,
               std::weak_ptr<LiveSession> live = {}, uint64_t nexus = 0);
  // Removes the session `tsih` if it is still registered under `key`.
  void Remove(const SessionKey& key, uint16_t tsih);
  // Marks the session `tsih` as logged out: from the Logout Response on, a login naming its
  // TSIH finds no session (0x020A), while a reinstating login with its ISID still waits
  // for its teardown.
  void MarkLoggedOut(const SessionKey& key, uint16_t tsih);
  // Returns the terminators of every session of `target_name` but `except_tsih` (TARGET
  // COLD RESET closes them all); the caller runs them outside the table's lock.
  std::vector<Terminator> SessionsOfTarget(const std::string& target_name,
                                           uint16_t except_tsih) const;
  // One registered session, as the management plane sees it.
  struct SessionRef {
    SessionKey key;
    uint16_t tsih = 0;
    uint64_t nexus = 0;
    std::weak_ptr<LiveSession> live;
    Terminator terminate;
  };
  // Returns every registered session that has not logged out.
  std::vector<SessionRef> List() const;
  // Returns true if a session with this TSIH exists and has not logged out.
  bool HasTsih(uint16_t tsih) const;
  size_t size() const;

 private:
  struct Entry {
    uint16_t tsih;
    Terminator terminate;
    bool logged_out = false;
    std::weak_ptr<LiveSession> live;
    uint64_t nexus = 0;
  };
  const size_t max_sessions_;
  mutable std::mutex mu_;
  std::map<SessionKey, Entry> sessions_;
  uint16_t next_tsih_ = 1;
};

}  // namespace reftarget::iscsi
