#include "target/iscsi/login/chap_challenges.h"

#include <errno.h>
#include <sys/random.h>

#include <deque>
#include <mutex>
#include <string>
#include <unordered_set>

#include "target/iscsi/login/chap.h"

namespace reftarget::iscsi::login {
namespace {

// The last kRecentChallengeCount challenges, oldest first, with a hash set for lookups.
class RecentChallenges {
 public:
  // Records `challenge` unless it is already known; returns false if it was.
  bool Insert(const std::string& challenge) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!set_.insert(challenge).second) return false;
    order_.push_back(challenge);
    if (order_.size() > kRecentChallengeCount) {
      set_.erase(order_.front());
      order_.pop_front();
    }
    return true;
  }

  bool Contains(const std::string& challenge) const {
    std::lock_guard<std::mutex> lock(mutex_);
    return set_.contains(challenge);
  }

 private:
  mutable std::mutex mutex_;
  std::deque<std::string> order_;
  std::unordered_set<std::string> set_;
};

RecentChallenges& Recent() {
  static RecentChallenges recent;
  return recent;
}

std::string AsKey(const std::vector<uint8_t>& bytes) {
  return std::string(bytes.begin(), bytes.end());
}

}  // namespace

bool FillRandom(std::span<uint8_t> out) {
  size_t done = 0;
  while (done < out.size()) {
    ssize_t n = getrandom(out.data() + done, out.size() - done, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    done += static_cast<size_t>(n);
  }
  return true;
}

std::optional<std::vector<uint8_t>> IssueChapChallenge(size_t length) {
  std::vector<uint8_t> challenge(length);
  // RFC 1994 §2.3: "the Challenge Value MUST be changed each time". A repeat of 16 random
  // bytes is practically impossible, but it is checked rather than assumed.
  for (int attempt = 0; attempt < 8; ++attempt) {
    if (!FillRandom(challenge)) return std::nullopt;
    if (Recent().Insert(AsKey(challenge))) return challenge;
  }
  return std::nullopt;
}

bool IsRecentChapChallenge(const std::vector<uint8_t>& challenge) {
  return Recent().Contains(AsKey(challenge));
}

}  // namespace reftarget::iscsi::login
