#include "target/iscsi/session/session_table.h"

namespace reftarget::iscsi {

uint16_t SessionTable::Add(const SessionKey& key, Terminator terminate, Terminator* reinstated,
                           std::weak_ptr<LiveSession> live, uint64_t nexus) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = sessions_.find(key);
  if (it != sessions_.end()) {
    *reinstated = std::move(it->second.terminate);
    sessions_.erase(it);
  } else if (sessions_.size() >= max_sessions_ || sessions_.size() >= 0xfffe) {
    return 0;
  }
  uint16_t tsih;
  for (;;) {
    tsih = next_tsih_++;
    if (next_tsih_ == 0) next_tsih_ = 1;  // RFC 7143 §11.12.4: TSIH 0 is reserved
    bool used = false;
    for (const auto& [k, e] : sessions_) used = used || e.tsih == tsih;
    if (!used && tsih != 0) break;
  }
  sessions_[key] = Entry{tsih, std::move(terminate), false, std::move(live), nexus};
  return tsih;
}

void SessionTable::Remove(const SessionKey& key, uint16_t tsih) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = sessions_.find(key);
  if (it != sessions_.end() && it->second.tsih == tsih) sessions_.erase(it);
}

std::vector<SessionTable::Terminator> SessionTable::SessionsOfTarget(
    const std::string& target_name, uint16_t except_tsih) const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<Terminator> out;
  for (const auto& [k, e] : sessions_) {
    if (k.target_name == target_name && e.tsih != except_tsih) out.push_back(e.terminate);
  }
  return out;
}

void SessionTable::MarkLoggedOut(const SessionKey& key, uint16_t tsih) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = sessions_.find(key);
  if (it != sessions_.end() && it->second.tsih == tsih) it->second.logged_out = true;
}

std::vector<SessionTable::SessionRef> SessionTable::List() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<SessionRef> out;
  for (const auto& [k, e] : sessions_) {
    if (!e.logged_out) out.push_back(SessionRef{k, e.tsih, e.nexus, e.live, e.terminate});
  }
  return out;
}

bool SessionTable::HasTsih(uint16_t tsih) const {
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& [k, e] : sessions_) {
    if (e.tsih == tsih && !e.logged_out) return true;
  }
  return false;
}

size_t SessionTable::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return sessions_.size();
}

}  // namespace reftarget::iscsi
