#include "target/net/reactor.h"

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <system_error>

#include "target/common/logging.h"

namespace reftarget::net {

Reactor::Reactor(std::string name) : name_(std::move(name)) {
  epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
  if (epoll_fd_ < 0) throw std::system_error(errno, std::generic_category(), "epoll_create1");
  wake_fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (wake_fd_ < 0) {
    int err = errno;
    close(epoll_fd_);
    throw std::system_error(err, std::generic_category(), "eventfd");
  }
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.fd = wake_fd_;
  epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, wake_fd_, &ev);
}

Reactor::~Reactor() {
  Stop();
  close(wake_fd_);
  close(epoll_fd_);
}

void Reactor::Start() {
  thread_ = std::thread([this] {
    thread_id_.store(std::this_thread::get_id());
    Loop();
  });
}

void Reactor::Stop() {
  stop_.store(true);
  uint64_t one = 1;
  ssize_t n = write(wake_fd_, &one, sizeof(one));
  (void)n;
  if (thread_.joinable() && !InLoopThread()) thread_.join();
}

void Reactor::Post(std::function<void()> fn) {
  bool need_wake = false;
  {
    std::lock_guard<std::mutex> lock(posted_mu_);
    posted_.push_back(std::move(fn));
    if (!wake_pending_) {
      wake_pending_ = true;
      need_wake = true;
    }
  }
  if (need_wake) {
    uint64_t one = 1;
    ssize_t n = write(wake_fd_, &one, sizeof(one));
    (void)n;  // EAGAIN means the counter is already non-zero: the loop will wake anyway
  }
}

Status Reactor::Add(int fd, uint32_t events, FdHandler handler) {
  epoll_event ev{};
  ev.events = events;
  ev.data.fd = fd;
  if (epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev) != 0) {
    return Status::Error(std::string("epoll_ctl add: ") + std::strerror(errno));
  }
  handlers_[fd] = std::make_shared<FdHandler>(std::move(handler));
  return Status::Ok();
}

void Reactor::Modify(int fd, uint32_t events) {
  epoll_event ev{};
  ev.events = events;
  ev.data.fd = fd;
  epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, fd, &ev);
}

void Reactor::Remove(int fd) {
  epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, fd, nullptr);
  handlers_.erase(fd);
}

void Reactor::AddPeriodic(std::chrono::milliseconds period, std::function<bool()> fn) {
  auto add = [this, period, fn = std::move(fn)]() mutable {
    periodics_.push_back({period, std::chrono::steady_clock::now() + period, std::move(fn)});
  };
  if (InLoopThread()) {
    add();
  } else {
    Post(std::move(add));
  }
}

void Reactor::DrainPosted() {
  std::vector<std::function<void()>> batch;
  {
    std::lock_guard<std::mutex> lock(posted_mu_);
    batch.swap(posted_);
    wake_pending_ = false;
  }
  for (auto& fn : batch) fn();
}

void Reactor::RunPeriodics() {
  auto now = std::chrono::steady_clock::now();
  for (size_t i = 0; i < periodics_.size();) {
    if (periodics_[i].next <= now) {
      periodics_[i].next = now + periodics_[i].period;
      // fn may append to periodics_, so copy it out before calling.
      auto fn = periodics_[i].fn;
      if (!fn()) {
        periodics_.erase(periodics_.begin() + static_cast<std::ptrdiff_t>(i));
        continue;
      }
    }
    ++i;
  }
}

int Reactor::NextTimeoutMs() const {
  if (periodics_.empty()) return 1000;
  auto now = std::chrono::steady_clock::now();
  auto soonest = periodics_.front().next;
  for (const auto& p : periodics_) soonest = std::min(soonest, p.next);
  // Rounded up: truncated, the last sub-millisecond before a timer became a busy loop.
  auto ms = std::chrono::ceil<std::chrono::milliseconds>(soonest - now).count();
  return ms < 0 ? 0 : static_cast<int>(std::min<int64_t>(ms, 1000));
}

void Reactor::Loop() {
  constexpr int kMaxEvents = 64;
  epoll_event events[kMaxEvents];
  while (!stop_.load(std::memory_order_relaxed)) {
    int n = epoll_wait(epoll_fd_, events, kMaxEvents, NextTimeoutMs());
    if (n < 0) {
      if (errno == EINTR) continue;
      RT_LOG(kError, name_) << "epoll_wait: " << std::strerror(errno);
      break;
    }
    for (int i = 0; i < n; ++i) {
      int fd = events[i].data.fd;
      if (fd == wake_fd_) {
        uint64_t v;
        ssize_t r = read(wake_fd_, &v, sizeof(v));
        (void)r;
        continue;
      }
      auto it = handlers_.find(fd);
      if (it == handlers_.end()) continue;  // removed earlier in this batch
      // Hold a reference: the handler may Remove() itself.
      std::shared_ptr<FdHandler> handler = it->second;
      (*handler)(events[i].events);
    }
    DrainPosted();
    RunPeriodics();
  }
  DrainPosted();
}

ReactorPool::ReactorPool(unsigned count) {
  if (count == 0) count = 1;
  for (unsigned i = 0; i < count; ++i) {
    reactors_.push_back(std::make_unique<Reactor>("net-" + std::to_string(i)));
  }
}

void ReactorPool::Start() {
  for (auto& r : reactors_) r->Start();
}

void ReactorPool::Stop() {
  for (auto& r : reactors_) r->Stop();
}

Reactor& ReactorPool::Next() {
  return *reactors_[next_.fetch_add(1, std::memory_order_relaxed) % reactors_.size()];
}

}  // namespace reftarget::net
