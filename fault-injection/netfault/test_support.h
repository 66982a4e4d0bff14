// Test support for netfault_integration_test: a temporary directory, a loopback echo
// server that records what each connection saw, the netfault binary as a child process in
// an RAII guard, and a client socket whose every wait is bounded.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "fault-injection/netfault/fd.h"
#include "target/common/status.h"

namespace reftarget::netfault::testing {

using Millis = std::chrono::milliseconds;

// A fresh directory under /tmp, removed with its contents when destroyed.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  std::string sock() const { return root_ + "/ctl.sock"; }
  std::string log() const { return root_ + "/faults.log"; }
  std::string stderr_path() const { return root_ + "/netfault.err"; }

 private:
  std::string root_;
};

// Returns the file's contents ("" if it cannot be read).
std::string ReadFile(const std::string& path);

// Echoes every byte back on each accepted connection. One poll thread; stopped and
// joined by the destructor.
class EchoServer {
 public:
  // What one connection (in accept order) saw.
  struct ConnStats {
    uint64_t received = 0;
    bool eof = false;  // Read end of stream.
    int error = 0;     // errno of a failed read or write (ECONNRESET after an RST).
    bool closed = false;
  };

  EchoServer();
  ~EchoServer();
  EchoServer(const EchoServer&) = delete;
  EchoServer& operator=(const EchoServer&) = delete;

  uint16_t port() const { return port_; }
  // When a client's stream ends, send `text` and then close (for half-close tests).
  void SetReplyOnEof(std::string text);
  std::vector<ConnStats> Stats();
  // Waits up to `timeout` for `done(Stats())`; returns whether it held.
  bool WaitFor(const std::function<bool(const std::vector<ConnStats>&)>& done, Millis timeout);

 private:
  struct Conn {
    Fd fd;
    std::string out;
    size_t index = 0;
    bool close_after_flush = false;
  };
  void Serve();

  Fd listen_;
  Fd wake_read_;
  Fd wake_write_;
  uint16_t port_ = 0;
  std::mutex mu_;  // Guards stats_ and reply_on_eof_.
  std::vector<ConnStats> stats_;
  std::optional<std::string> reply_on_eof_;
  std::thread thread_;
};

// Result of a child process run to completion.
struct ProcessResult {
  bool timed_out = false;
  int exit_code = -1;  // -1 if killed by a signal.
  std::string output;  // stdout and stderr together.
};
// Runs argv[0] (no shell) and waits at most `timeout`; kills it after.
ProcessResult RunProcess(const std::vector<std::string>& argv, Millis timeout);

// The netfault binary as a child. The destructor stops it (SIGTERM, then SIGKILL).
class NetfaultProcess {
 public:
  explicit NetfaultProcess(const TempDir& dir) : dir_(dir) {}
  ~NetfaultProcess() { Stop(); }
  NetfaultProcess(const NetfaultProcess&) = delete;
  NetfaultProcess& operator=(const NetfaultProcess&) = delete;

  // Spawns netfault in front of 127.0.0.1:target_port and waits (bounded) for its
  // "listening 127.0.0.1:PORT" line.
  Status Start(uint16_t target_port, const std::vector<std::string>& extra = {});
  uint16_t port() const { return port_; }
  pid_t pid() const { return pid_; }
  // Sends `request` over the control socket.
  Result<nlohmann::json> Call(const nlohmann::json& request);
  // Adds a rule; returns its id, or 0 (and records a test failure) if refused.
  uint64_t AddRule(const nlohmann::json& rule);
  // Returns the `conns` entry of connection `id` (null if it is not live).
  nlohmann::json Conn(uint64_t id);
  // Waits up to `timeout` for netfault to have accepted `n` connections.
  bool WaitAccepted(uint64_t n, Millis timeout);
  void Signal(int sig);
  // Waits up to `timeout` for the child to exit; returns its wait status or nullopt.
  std::optional<int> WaitExit(Millis timeout);
  // Stops the child (SIGTERM, then SIGKILL after 5 s). Idempotent.
  void Stop();

 private:
  const TempDir& dir_;
  pid_t pid_ = -1;
  uint16_t port_ = 0;
};

// A blocking TCP client on loopback with bounded waits.
class Client {
 public:
  // Connects to 127.0.0.1:port; check ok().
  explicit Client(uint16_t port);
  bool ok() const { return fd_.valid(); }
  int fd() const { return fd_.get(); }
  // Sends all of `data` (bounded by a 10 s send timeout); returns false on error.
  bool SendAll(const std::string& data);
  // Reads until `n` bytes arrived, EOF, an error, or `timeout`; returns what arrived.
  std::string ReadN(size_t n, Millis timeout);
  // How a wait for input ended.
  enum class Wait { kData, kEof, kError, kTimeout };
  // Waits up to `timeout` for input without consuming data; on kError, *error is errno.
  Wait WaitInput(Millis timeout, int* error = nullptr);
  // Shuts down our sending side.
  void ShutdownWrite();

 private:
  Fd fd_;
};

// Returns `n` pseudo-random bytes from `seed`.
std::string RandomBytes(size_t n, uint32_t seed);

}  // namespace reftarget::netfault::testing
