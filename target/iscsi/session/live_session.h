// LiveSession: what the management plane may ask of a logged-in session from another thread:
// take a new LUN map (a LUN added or removed live) and describe itself with its counters
// (reftarget-ctl sessions, like targetcli's `sessions detail` and LIO's configfs statistics).
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "target/net/listener.h"
#include "target/scsi/lun_map.h"

namespace reftarget::iscsi {

struct TargetSnapshot;
struct TpgRuntime;

// Per LUN, as seen by one session: what LIO keeps in configfs lun/statistics.
struct LunCounters {
  uint64_t commands = 0;
  uint64_t read_bytes = 0;
  uint64_t write_bytes = 0;
  uint64_t errors = 0;             // commands that ended other than GOOD
  uint64_t latency_total_us = 0;   // from the SCSI Command PDU to the response
  uint64_t latency_max_us = 0;
};

struct SessionInfo {
  std::string initiator_name;
  std::string initiator_alias;
  std::string target_name;
  uint16_t tpg_tag = 0;
  std::array<uint8_t, 6> isid{};
  uint16_t tsih = 0;
  uint16_t cid = 0;
  uint64_t nexus = 0;
  bool discovery = false;
  net::Endpoint peer;
  net::Endpoint local;
  std::map<std::string, std::string> negotiated;  // RFC 7143 keys as negotiated
  std::map<uint64_t, LunCounters> luns;           // by LUN number
  uint64_t commands_in_progress = 0;
};

class LiveSession {
 public:
  virtual ~LiveSession() = default;
  // Replaces, on the session's own thread, what it refers to: the configuration snapshot,
  // its TPG in it (timeouts) and, if `map` is set, the LUN map it routes commands through;
  // then runs `done` there. Dropping the old snapshot lets removed units be released.
  // Commands already executing keep their logical unit; commands not yet executed find the
  // new map (a removed LUN answers 05/25/00).
  virtual void ReplaceView(std::shared_ptr<const TargetSnapshot> snapshot,
                           std::shared_ptr<const TpgRuntime> tpg, std::optional<scsi::LunMap> map,
                           std::function<void()> done) = 0;
  // Runs `done` with the session's description, on the session's own thread.
  virtual void Describe(std::function<void(SessionInfo)> done) = 0;
};

}  // namespace reftarget::iscsi
