// Connection's LiveSession side: LUN map replacement and the session description, both run
// on the connection's reactor thread so that they never race the I/O path.
#include <algorithm>

#include "target/iscsi/session/connection.h"
#include "target/iscsi/session/task.h"
#include "target/scsi/logical_unit.h"

namespace reftarget::iscsi {
namespace {

const char* YesNo(bool v) { return v ? "Yes" : "No"; }

std::map<std::string, std::string> NegotiatedKeys(const login::SessionParams& p) {
  return {
      {"HeaderDigest", p.header_digest_crc32c ? "CRC32C" : "None"},
      {"DataDigest", p.data_digest_crc32c ? "CRC32C" : "None"},
      {"MaxRecvDataSegmentLength", std::to_string(p.target_max_recv_data_segment_length)},
      {"MaxXmitDataSegmentLength", std::to_string(p.initiator_max_recv_data_segment_length)},
      {"MaxBurstLength", std::to_string(p.max_burst_length)},
      {"FirstBurstLength", std::to_string(p.first_burst_length)},
      {"InitialR2T", YesNo(p.initial_r2t)},
      {"ImmediateData", YesNo(p.immediate_data)},
      {"MaxOutstandingR2T", std::to_string(p.max_outstanding_r2t)},
      {"DataPDUInOrder", YesNo(p.data_pdu_in_order)},
      {"DataSequenceInOrder", YesNo(p.data_sequence_in_order)},
      {"DefaultTime2Wait", std::to_string(p.default_time2wait)},
      {"DefaultTime2Retain", std::to_string(p.default_time2retain)},
      {"ErrorRecoveryLevel", std::to_string(p.error_recovery_level)},
      {"MaxConnections", std::to_string(p.max_connections)},
      {"iSCSIProtocolLevel", std::to_string(p.iscsi_protocol_level)},
  };
}

}  // namespace

void Connection::ReplaceView(std::shared_ptr<const TargetSnapshot> snapshot,
                             std::shared_ptr<const TpgRuntime> tpg,
                             std::optional<scsi::LunMap> map, std::function<void()> done) {
  auto self = shared_from_this();
  reactor_->Post([self, snapshot = std::move(snapshot), tpg = std::move(tpg), map = std::move(map),
                  done = std::move(done)]() mutable {
    if (!self->closed()) {
      if (snapshot) self->snapshot_ = std::move(snapshot);
      if (tpg) self->tpg_ = std::move(tpg);
      if (map) self->SwapLunMap(std::move(*map));
    }
    if (done) done();
  });
}

void Connection::SwapLunMap(scsi::LunMap map) {
  // A unit this nexus can no longer reach forgets it (and its unit attentions); if it is
  // mapped again later, the nexus is new to it and starts with 29/00, as after a login.
  for (const auto& [lun, old] : luns_) {
    if (!old.unit) continue;
    bool still_mapped = false;
    for (const auto& [n, m] : map) still_mapped = still_mapped || m.unit == old.unit;
    if (!still_mapped) old.unit->NexusLost(nexus_);
  }
  for (auto it = lun_counters_.begin(); it != lun_counters_.end();) {
    it = map.count(it->first) != 0 ? std::next(it) : lun_counters_.erase(it);
  }
  luns_ = std::move(map);
}

void Connection::Describe(std::function<void(SessionInfo)> done) {
  auto self = shared_from_this();
  reactor_->Post([self, done = std::move(done)] { done(self->DescribeNow()); });
}

SessionInfo Connection::DescribeNow() const {
  SessionInfo info;
  info.initiator_name = initiator_name_;
  info.initiator_alias = initiator_alias_;
  info.target_name = target_name_;
  info.tpg_tag = tpg_ ? tpg_->tag : 0;
  info.isid = first_login_.isid;
  info.tsih = tsih_;
  info.cid = first_login_.cid;
  info.nexus = nexus_;
  info.discovery = session_kind_ == login::SessionKind::kDiscovery;
  info.peer = peer_;
  info.local = local_;
  info.negotiated = NegotiatedKeys(params_);
  for (const auto& [lun, mapped] : luns_) {
    if (mapped.unit) info.luns[lun] = LunCounters{};
  }
  for (const auto& [lun, counters] : lun_counters_) info.luns[lun] = counters;
  info.commands_in_progress = tasks_.size();
  return info;
}

void Connection::CountCommand(const Task& task, bool good, uint32_t data_in_bytes) {
  const uint64_t lun = task.command.lun;
  if (luns_.count(lun) == 0) return;  // unmapped LUNs are not counted (and cannot grow the map)
  LunCounters& c = lun_counters_[lun];
  ++c.commands;
  c.read_bytes += data_in_bytes;
  if (task.command.write) c.write_bytes += task.received;
  if (!good) ++c.errors;
  const auto us = std::chrono::duration_cast<std::chrono::microseconds>(
                      std::chrono::steady_clock::now() - task.received_at)
                      .count();
  const uint64_t latency = us > 0 ? static_cast<uint64_t>(us) : 0;
  c.latency_total_us += latency;
  c.latency_max_us = std::max(c.latency_max_us, latency);
}

}  // namespace reftarget::iscsi
