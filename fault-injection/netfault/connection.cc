#include "fault-injection/netfault/connection.h"

#include <linux/sockios.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

#include "fault-injection/netfault/names.h"

namespace reftarget::netfault {
namespace {

// Steps queued per direction before reads stop, besides the byte limit: a trickle of
// one-byte reads must not pile up a million queue entries.
constexpr size_t kMaxQueuedSteps = 4096;
// How long a reset waits for earlier bytes to leave the kernel (RST discards them).
constexpr auto kResetFlushLimit = std::chrono::milliseconds(500);
constexpr auto kResetFlushPoll = std::chrono::milliseconds(2);
// Rounds of read/write per Pump before yielding to other connections.
constexpr int kMaxRounds = 16;

void SetNoDelay(int fd) {
  // Each send() the rules shape goes out as its own segment (split relies on it).
  const int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

// Closes `fd` with RST: SO_LINGER on with a zero timeout.
void CloseWithReset(Fd* fd) {
  if (!fd->valid()) return;
  const linger hard{1, 0};
  setsockopt(fd->get(), SOL_SOCKET, SO_LINGER, &hard, sizeof(hard));
  fd->Reset();
}

}  // namespace

Connection::Connection(uint64_t id, Fd client, std::string client_name, const ConnectionEnv& env)
    : id_(id),
      client_name_(std::move(client_name)),
      env_(env),
      up_(id, Direction::kUp, &iscsi_),
      down_(id, Direction::kDown, &iscsi_) {
  sides_[kClient].fd = std::move(client);
  SetNoDelay(sides_[kClient].fd.get());
}

void Connection::Log(const std::string& text) const {
  if (env_.log != nullptr) env_.log->Event("conn " + std::to_string(id_) + " " + text);
}

std::string Connection::Figures() const {
  return "up_read=" + std::to_string(up_.read_bytes()) +
         " up_sent=" + std::to_string(up_.sent_bytes()) +
         " up_dropped=" + std::to_string(up_.dropped_bytes()) +
         " down_read=" + std::to_string(down_.read_bytes()) +
         " down_sent=" + std::to_string(down_.sent_bytes()) +
         " down_dropped=" + std::to_string(down_.dropped_bytes());
}

Status Connection::Start(const SocketAddress& target, const std::string& target_name,
                         TimePoint now) {
  opened_ = now;
  SideState& up = sides_[kUpstream];
  up.fd = Fd(socket(target.family(), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!up.fd.valid()) {
    const std::string why = std::strerror(errno);
    Reset("upstream socket: " + why);
    return Status::Error("upstream socket: " + why);
  }
  SetNoDelay(up.fd.get());
  Log("open client=" + client_name_ + " target=" + target_name);
  if (connect(up.fd.get(), target.get(), target.length) == 0) {
    state_ = State::kOpen;
    up.writable = true;
    return Status::Ok();
  }
  if (errno != EINPROGRESS) {
    const std::string why = std::strerror(errno);
    Reset("connect to target " + target_name + " failed: " + why);
    return Status::Error("connect: " + why);
  }
  connect_deadline_ = now + std::chrono::milliseconds(env_.connect_timeout_ms);
  return Status::Ok();
}

void Connection::OnEvent(Side side, uint32_t events) {
  SideState& s = sides_[side];
  // Errors and hang-ups surface through the next read or send, in stream order.
  if (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) s.readable = true;
  if (events & (EPOLLOUT | EPOLLHUP | EPOLLERR)) s.writable = true;
}

bool Connection::FinishConnect(TimePoint now) {
  SideState& up = sides_[kUpstream];
  if (!up.writable) {
    if (now < connect_deadline_) return true;
    Reset("connect to target timed out after " + std::to_string(env_.connect_timeout_ms) + " ms");
    return false;
  }
  int error = 0;
  socklen_t len = sizeof(error);
  if (getsockopt(up.fd.get(), SOL_SOCKET, SO_ERROR, &error, &len) != 0) error = errno;
  if (error != 0) {
    Reset(std::string("connect to target failed: ") + std::strerror(error));
    return false;
  }
  state_ = State::kOpen;
  return true;
}

std::optional<TimePoint> Connection::Pump(TimePoint now) {
  if (state_ == State::kClosed) return std::nullopt;
  if (state_ == State::kConnecting) {
    if (!FinishConnect(now)) return std::nullopt;
    if (state_ == State::kConnecting) return connect_deadline_;
  }
  TimePoint wake = TimePoint::max();
  bool progress = true;
  for (int round = 0; round < kMaxRounds && progress; ++round) {
    progress = false;
    for (Direction dir : {Direction::kUp, Direction::kDown}) {
      progress |= ReadOnce(dir, now);
      const Outcome outcome = Write(dir, now, &wake);
      if (outcome == Outcome::kClosed) return std::nullopt;
      progress |= outcome == Outcome::kProgress;
    }
  }
  if (progress) wake = now;  // Round limit hit with work left: come back at once.
  if (Finished(Direction::kUp) && Finished(Direction::kDown)) {
    Close("finished");
    return std::nullopt;
  }
  return wake;
}

bool Connection::ReadOnce(Direction dir, TimePoint now) {
  SideState& src = Source(dir);
  Pipe& pipe = PipeOf(dir);
  if (!src.readable || src.read_done || !src.fd.valid()) return false;
  // Backpressure: a full direction stops reading its sender, whose writes then block as
  // they would behind a slow network. The readable flag stays set for when space frees.
  if (pipe.queued_bytes() >= env_.max_buffer || pipe.queued_steps() >= kMaxQueuedSteps)
    return false;
  std::vector<char>& buf = *env_.scratch;
  const ssize_t n = recv(src.fd.get(), buf.data(), buf.size(), 0);
  if (n > 0) {
    for (const FaultEvent& fault :
         pipe.Push(env_.engine, std::string(buf.data(), static_cast<size_t>(n)), now)) {
      if (env_.log != nullptr) env_.log->Event(FaultLine(fault));
    }
    return true;
  }
  if (n == 0) {
    src.read_done = true;
    pipe.PushEnd(Step::Kind::kFin);
    return true;
  }
  if (errno == EAGAIN || errno == EWOULDBLOCK) {
    src.readable = false;
    return false;
  }
  if (errno == EINTR) return true;
  // The sender reset (or failed): pass a reset on once the bytes before it are delivered.
  src.read_done = true;
  Log(std::string(dir == Direction::kUp ? "client" : "target") +
      " read failed: " + std::strerror(errno));
  pipe.PushEnd(Step::Kind::kPeerReset);
  return true;
}

Connection::Outcome Connection::Write(Direction dir, TimePoint now, TimePoint* wake) {
  SideState& dst = Dest(dir);
  Pipe& pipe = PipeOf(dir);
  const size_t index = dir == Direction::kUp ? 0 : 1;
  bool progress = false;
  while (true) {
    if (dst.dead) {
      if (!pipe.empty()) pipe.DiscardAll();
      return progress ? Outcome::kProgress : Outcome::kIdle;
    }
    const Pipe::Next next = pipe.Peek(now);
    switch (next.kind) {
      case Pipe::Next::Kind::kIdle:
      case Pipe::Next::Kind::kHeld:
        return progress ? Outcome::kProgress : Outcome::kIdle;
      case Pipe::Next::Kind::kWait:
        *wake = std::min(*wake, next.until);
        return progress ? Outcome::kProgress : Outcome::kIdle;
      case Pipe::Next::Kind::kSend: {
        if (!dst.writable) return progress ? Outcome::kProgress : Outcome::kIdle;
        const ssize_t n = send(dst.fd.get(), next.data, next.length, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n > 0) {
          pipe.Sent(static_cast<size_t>(n), now);
          progress = true;
          continue;
        }
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
          dst.writable = false;
          return progress ? Outcome::kProgress : Outcome::kIdle;
        }
        if (n < 0 && errno == EINTR) continue;
        // The receiver is gone. Its own direction learns how (EOF or reset) by reading.
        Log(std::string(dir == Direction::kUp ? "target" : "client") + " send failed: " +
            std::strerror(errno) + "; discarding " + DirectionName(dir) + " data");
        dst.dead = true;
        dst.readable = true;
        pipe.DiscardAll();
        return Outcome::kProgress;
      }
      case Pipe::Next::Kind::kStep:
        break;
    }
    const Step& step = *next.step;
    if (step.kind == Step::Kind::kFin || step.kind == Step::Kind::kHalfClose) {
      if (!dst.write_shut) shutdown(dst.fd.get(), SHUT_WR);
      dst.write_shut = true;
      pipe.Pop();
      progress = true;
      continue;
    }
    // kReset or kPeerReset. RST makes the kernel discard what it has not sent yet, so wait
    // (briefly) until the bytes queued before the reset have left.
    int unsent = 0;
    if (ioctl(dst.fd.get(), SIOCOUTQ, &unsent) == 0 && unsent > 0) {
      if (!reset_wait_since_[index]) reset_wait_since_[index] = now;
      if (now - *reset_wait_since_[index] < kResetFlushLimit) {
        *wake = std::min(*wake, now + kResetFlushPoll);
        return progress ? Outcome::kProgress : Outcome::kIdle;
      }
    }
    Reset(step.kind == Step::Kind::kReset
              ? "reset by rule " + std::to_string(step.rule_id) + " at " + DirectionName(dir) +
                    " offset " + std::to_string(step.offset)
              : std::string(dir == Direction::kUp ? "client" : "target") + " reset");
    return Outcome::kClosed;
  }
}

bool Connection::Finished(Direction dir) const {
  const SideState& src = sides_[dir == Direction::kUp ? kClient : kUpstream];
  const SideState& dst = sides_[dir == Direction::kUp ? kUpstream : kClient];
  return src.read_done && PipeOf(dir).empty() && (dst.write_shut || dst.dead);
}

void Connection::Reset(const std::string& reason) {
  if (state_ == State::kClosed) return;
  // Log first, so that the line is there by the time a peer sees the effect.
  Log("reset reason=\"" + reason + "\" " + Figures());
  CloseWithReset(&sides_[kClient].fd);
  CloseWithReset(&sides_[kUpstream].fd);
  state_ = State::kClosed;
}

void Connection::Close(const std::string& reason) {
  if (state_ == State::kClosed) return;
  Log("closed reason=\"" + reason + "\" " + Figures());
  sides_[kClient].fd.Reset();
  sides_[kUpstream].fd.Reset();
  state_ = State::kClosed;
}

size_t Connection::Release(std::optional<uint64_t> id, const std::string& reason, TimePoint now) {
  size_t released = 0;
  for (Direction dir : {Direction::kUp, Direction::kDown}) {
    for (const Step& stall : PipeOf(dir).Release(id)) {
      ++released;
      const auto held =
          std::chrono::duration_cast<std::chrono::milliseconds>(now - stall.since).count();
      Log("stall end rule=" + std::to_string(stall.rule_id) + " dir=" + DirectionName(dir) +
          " offset=" + std::to_string(stall.offset) + " reason=" + reason +
          " held_ms=" + std::to_string(held));
    }
  }
  return released;
}

size_t Connection::Held(std::optional<uint64_t> id) const { return up_.Held(id) + down_.Held(id); }

DirectionInfo Connection::InfoOf(Direction dir) const {
  const Pipe& pipe = PipeOf(dir);
  const SideState& src = sides_[dir == Direction::kUp ? kClient : kUpstream];
  const SideState& dst = sides_[dir == Direction::kUp ? kUpstream : kClient];
  DirectionInfo info;
  info.read = pipe.read_bytes();
  info.sent = pipe.sent_bytes();
  info.dropped = pipe.dropped_bytes();
  info.queued = pipe.queued_bytes();
  info.held = pipe.Held(std::nullopt);
  const StreamState::End end = pipe.stream().end;
  if (dst.dead) {
    info.state = "receiver-gone";
  } else if (end == StreamState::End::kReset) {
    info.state = "reset-pending";
  } else if (end == StreamState::End::kHalfClosed) {
    info.state = "half-closed";
  } else if (dst.write_shut) {
    info.state = "fin-sent";
  } else if (src.read_done) {
    info.state = "eof";
  } else {
    info.state = "open";
  }
  return info;
}

ConnInfo Connection::Info(TimePoint now) const {
  ConnInfo info;
  info.id = id_;
  info.client = client_name_;
  info.state = state_ == State::kConnecting ? "connecting"
               : state_ == State::kOpen     ? "open"
                                            : "closed";
  info.age_s = std::chrono::duration<double>(now - opened_).count();
  info.up = InfoOf(Direction::kUp);
  info.down = InfoOf(Direction::kDown);
  return info;
}

}  // namespace reftarget::netfault
