// AdminSocket: the Unix socket reftarget-ctl talks to. Newline-delimited JSON: each request
// line gets one answer line (admin_requests.h). The socket file is mode 0600 (root's tool,
// like targetcli's configfs access); clients are served on their own threads, at most
// kMaxClients at once, so one idle client never blocks another.
#pragma once

#include <atomic>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include "target/common/status.h"

namespace reftarget::admin {

class AdminSocket {
 public:
  using Handler = std::function<nlohmann::json(const nlohmann::json& request)>;
  static constexpr size_t kMaxClients = 16;
  // A request line longer than this is refused (a whole saveconfig.json fits many times).
  static constexpr size_t kMaxRequestBytes = 32u << 20;

  // Binds `path` and starts serving. A socket file left by a process that is gone is
  // replaced; one that a live process answers on is refused. Errors name the path.
  static Result<std::unique_ptr<AdminSocket>> Open(const std::string& path, Handler handler);
  // Stops serving, waits for client threads, removes the socket file.
  ~AdminSocket();
  AdminSocket(const AdminSocket&) = delete;
  AdminSocket& operator=(const AdminSocket&) = delete;

  const std::string& path() const { return path_; }

 private:
  struct Client {
    int fd = -1;
    std::thread thread;
    std::atomic<bool> done{false};
  };
  AdminSocket(std::string path, int fd, int stop_fd, Handler handler)
      : path_(std::move(path)), fd_(fd), stop_fd_(stop_fd), handler_(std::move(handler)) {}
  void AcceptLoop();
  void Serve(Client* client);
  void ReapFinished();

  std::string path_;
  int fd_;
  int stop_fd_;  // eventfd: written once to stop
  Handler handler_;
  std::thread accept_thread_;
  std::atomic<bool> stopping_{false};
  std::mutex clients_mu_;
  std::list<std::unique_ptr<Client>> clients_;
};

}  // namespace reftarget::admin
