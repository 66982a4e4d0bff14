// The control socket: a Unix stream socket where each request is one line holding one JSON
// object and each reply is one line. One thread serves every client with poll(2), so a
// client that stalls mid-line never blocks the others.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <thread>

#include "target/common/status.h"

namespace reftarget::faultfs {

class ControlServer {
 public:
  // Turns one request line (without '\n') into one reply line (without '\n').
  using LineHandler = std::function<std::string(const std::string&)>;

  ControlServer(std::string socket_path, LineHandler handler);
  ~ControlServer();
  ControlServer(const ControlServer&) = delete;
  ControlServer& operator=(const ControlServer&) = delete;

  // Binds and listens on the socket path (mode 0600; a stale socket that nothing serves is
  // replaced) and starts the serving thread. Fails if another process serves the path.
  // REQUIRES: no other thread creates files meanwhile (the umask is changed briefly).
  Status Start();
  // Stops the thread, closes every client and removes the socket file. Idempotent.
  void Stop();

  static constexpr size_t kMaxLineBytes = 1 << 20;
  static constexpr size_t kMaxClients = 64;

 private:
  struct Client {
    std::string in;
    std::string out;
    bool closing = false;  // Close once `out` is flushed.
  };
  void Serve();
  // Handles readable data on `fd`; returns false if the client is gone.
  bool ReadClient(int fd, Client* client);
  // Writes pending output; returns false if the client is gone.
  bool WriteClient(int fd, Client* client);

  const std::string socket_path_;
  const LineHandler handler_;
  int listen_fd_ = -1;
  int wake_read_ = -1;
  int wake_write_ = -1;
  std::map<int, Client> clients_;
  std::thread thread_;
};

}  // namespace reftarget::faultfs
