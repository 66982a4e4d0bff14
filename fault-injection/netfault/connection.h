// One proxied connection: the accepted client socket, its own upstream socket to the
// target, and a Pipe per direction. Non-blocking sockets driven by the proxy's
// edge-triggered epoll loop; no exceptions and no blocking calls on this path.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "fault-injection/faultfs/fault_log.h"
#include "fault-injection/netfault/address.h"
#include "fault-injection/netfault/fd.h"
#include "fault-injection/netfault/pipe.h"
#include "fault-injection/netfault/rule_engine.h"

namespace reftarget::netfault {

// What every connection shares. All pointers outlive the connections.
struct ConnectionEnv {
  RuleEngine* engine = nullptr;
  faultfs::FaultLog* log = nullptr;
  std::vector<char>* scratch = nullptr;  // The read buffer (one loop thread).
  uint64_t max_buffer = 1 << 20;         // Queued bytes per direction before reads stop.
  uint32_t connect_timeout_ms = 10000;
};

// One direction's figures for `conns`.
struct DirectionInfo {
  uint64_t read = 0;     // Bytes read from the sender (the stream offset).
  uint64_t sent = 0;     // Bytes handed to the receiver's socket.
  uint64_t dropped = 0;  // Bytes discarded by rules or because the receiver is gone.
  uint64_t queued = 0;   // Bytes waiting (delay, rate, stall, backpressure).
  size_t held = 0;       // Stalls holding it now.
  std::string state;     // open | eof | fin-sent | half-closed | reset-pending | receiver-gone
};

// A connection's figures for `conns`.
struct ConnInfo {
  uint64_t id = 0;
  std::string client;  // The initiator's address.
  std::string state;   // connecting | open
  double age_s = 0;
  DirectionInfo up;
  DirectionInfo down;
};

class Connection {
 public:
  enum Side { kClient = 0, kUpstream = 1 };

  Connection(uint64_t id, Fd client, std::string client_name, const ConnectionEnv& env);
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Starts the non-blocking connect to `target`. On failure the client is reset, the
  // failure logged, and the connection is closed.
  Status Start(const SocketAddress& target, const std::string& target_name, TimePoint now);
  // Returns the fd of `side` (-1 once closed).
  int fd(Side side) const { return sides_[side].fd.get(); }
  // Notes epoll readiness bits for `side`.
  void OnEvent(Side side, uint32_t events);
  // Moves bytes both ways, running the rules and carrying out steps. Returns nullopt once
  // the connection is closed, else when to pump again (TimePoint::max() for "on events").
  std::optional<TimePoint> Pump(TimePoint now);
  // Resets both sockets (SO_LINGER 0) at once and logs `reason`.
  void Reset(const std::string& reason);
  // Closes both sockets normally and logs `reason`.
  void Close(const std::string& reason);
  // Releases the stalls of rule `id` (every rule if nullopt); logs each with `reason`.
  // Returns how many were released.
  size_t Release(std::optional<uint64_t> id, const std::string& reason, TimePoint now);
  // Returns the number of stalls of rule `id` (every rule if nullopt) holding it now.
  size_t Held(std::optional<uint64_t> id) const;
  bool closed() const { return state_ == State::kClosed; }
  uint64_t id() const { return id_; }
  ConnInfo Info(TimePoint now) const;

  // The proxy's bookkeeping of its timer queue: the earliest wake already queued.
  TimePoint queued_wake = TimePoint::max();

 private:
  enum class State { kConnecting, kOpen, kClosed };
  enum class Outcome { kIdle, kProgress, kClosed };
  struct SideState {
    Fd fd;
    bool readable = false;    // Edge seen and not yet read to EAGAIN.
    bool writable = false;    // Edge seen and no EAGAIN since.
    bool read_done = false;   // EOF or a read error: nothing more comes from it.
    bool write_shut = false;  // We sent FIN.
    bool dead = false;        // A send failed: its peer is gone.
  };

  Pipe& PipeOf(Direction dir) { return dir == Direction::kUp ? up_ : down_; }
  const Pipe& PipeOf(Direction dir) const { return dir == Direction::kUp ? up_ : down_; }
  SideState& Source(Direction dir) { return sides_[dir == Direction::kUp ? kClient : kUpstream]; }
  SideState& Dest(Direction dir) { return sides_[dir == Direction::kUp ? kUpstream : kClient]; }
  // Finishes a pending connect. Returns false if it failed (the connection is closed).
  bool FinishConnect(TimePoint now);
  // Reads one chunk from the sender of `dir` into its pipe. Returns true on progress.
  bool ReadOnce(Direction dir, TimePoint now);
  // Sends what the pipe of `dir` allows now; lowers *wake to its next deadline.
  Outcome Write(Direction dir, TimePoint now, TimePoint* wake);
  // Returns true when `dir` has nothing more to carry.
  bool Finished(Direction dir) const;
  DirectionInfo InfoOf(Direction dir) const;
  std::string Figures() const;
  void Log(const std::string& text) const;

  const uint64_t id_;
  const std::string client_name_;
  const ConnectionEnv env_;
  State state_ = State::kConnecting;
  TimePoint opened_{};
  TimePoint connect_deadline_{};
  std::array<SideState, 2> sides_;
  IscsiNegotiation iscsi_;  // before the pipes, whose framers share it
  Pipe up_;
  Pipe down_;
  std::array<std::optional<TimePoint>, 2> reset_wait_since_;  // Per direction.
};

}  // namespace reftarget::netfault
