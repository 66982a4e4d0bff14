#include "fault-injection/netfault/test_support.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <ftw.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>
#include <random>
#include <sstream>

#include "fault-injection/faultfs/control_client.h"

extern char** environ;

namespace reftarget::netfault::testing {
namespace {

using Clock = std::chrono::steady_clock;
using nlohmann::json;

int RemoveEntry(const char* path, const struct stat* /*st*/, int /*flag*/, struct FTW* /*ftw*/) {
  remove(path);
  return 0;
}

int LeftMs(Clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<Millis>(deadline - Clock::now()).count();
  return left < 0 ? 0 : static_cast<int>(left);
}

// Waits for `pid` until `deadline`; returns its wait status or nullopt.
std::optional<int> WaitPid(pid_t pid, Clock::time_point deadline) {
  while (true) {
    int status = 0;
    const pid_t rc = waitpid(pid, &status, WNOHANG);
    if (rc == pid) return status;
    if (rc < 0 && errno != EINTR) return 0;  // Already reaped.
    if (Clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(Millis(5));
  }
}

std::vector<char*> Argv(std::vector<std::string>& args) {
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  return argv;
}

}  // namespace

TempDir::TempDir() {
  char path[] = "/tmp/netfault_it_XXXXXX";
  const char* made = mkdtemp(path);
  root_ = made != nullptr ? made : "/tmp";
}

TempDir::~TempDir() {
  if (root_ != "/tmp") nftw(root_.c_str(), RemoveEntry, 16, FTW_DEPTH | FTW_PHYS);
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

std::string RandomBytes(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::string out(n, '\0');
  for (char& c : out) c = static_cast<char>(rng());
  return out;
}

// ---- EchoServer ----

EchoServer::EchoServer() {
  listen_ = Fd(socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  if (bind(listen_.get(), reinterpret_cast<sockaddr*>(&addr), len) != 0 ||
      listen(listen_.get(), 64) != 0 ||
      getsockname(listen_.get(), reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    ADD_FAILURE() << "echo server: " << std::strerror(errno);
    return;
  }
  port_ = ntohs(addr.sin_port);
  int fds[2];
  if (pipe2(fds, O_CLOEXEC | O_NONBLOCK) != 0) return;
  wake_read_ = Fd(fds[0]);
  wake_write_ = Fd(fds[1]);
  thread_ = std::thread([this] { Serve(); });
}

EchoServer::~EchoServer() {
  if (thread_.joinable()) {
    const char byte = 'x';
    ssize_t ignored = write(wake_write_.get(), &byte, 1);
    (void)ignored;
    thread_.join();
  }
}

void EchoServer::SetReplyOnEof(std::string text) {
  std::lock_guard<std::mutex> lock(mu_);
  reply_on_eof_ = std::move(text);
}

std::vector<EchoServer::ConnStats> EchoServer::Stats() {
  std::lock_guard<std::mutex> lock(mu_);
  return stats_;
}

bool EchoServer::WaitFor(const std::function<bool(const std::vector<ConnStats>&)>& done,
                         Millis timeout) {
  const auto deadline = Clock::now() + timeout;
  while (true) {
    if (done(Stats())) return true;
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(Millis(5));
  }
}

void EchoServer::Serve() {
  std::map<int, Conn> conns;
  std::vector<char> buf(64 * 1024);
  while (true) {
    std::vector<pollfd> fds = {{wake_read_.get(), POLLIN, 0}, {listen_.get(), POLLIN, 0}};
    for (const auto& [fd, conn] : conns) {
      short events = conn.out.size() < (4u << 20) && !conn.close_after_flush ? POLLIN : 0;
      if (!conn.out.empty()) events |= POLLOUT;
      fds.push_back({fd, events, 0});
    }
    if (poll(fds.data(), fds.size(), 1000) < 0 && errno != EINTR) return;
    if (fds[0].revents != 0) return;
    if (fds[1].revents & POLLIN) {
      const int fd = accept4(listen_.get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (fd >= 0) {
        std::lock_guard<std::mutex> lock(mu_);
        Conn conn;
        conn.fd = Fd(fd);
        conn.index = stats_.size();
        stats_.emplace_back();
        conns.emplace(fd, std::move(conn));
      }
    }
    for (size_t i = 2; i < fds.size(); ++i) {
      auto it = conns.find(fds[i].fd);
      if (it == conns.end()) continue;
      Conn& conn = it->second;
      bool drop = false;
      if (fds[i].revents & (POLLIN | POLLHUP | POLLERR)) {
        const ssize_t n = recv(conn.fd.get(), buf.data(), buf.size(), 0);
        std::lock_guard<std::mutex> lock(mu_);
        ConnStats& stats = stats_[conn.index];
        if (n > 0) {
          stats.received += static_cast<uint64_t>(n);
          conn.out.append(buf.data(), static_cast<size_t>(n));
        } else if (n == 0) {
          stats.eof = true;
          if (reply_on_eof_) conn.out += *reply_on_eof_;
          conn.close_after_flush = true;
        } else if (errno != EAGAIN && errno != EINTR) {
          stats.error = errno;
          drop = true;
        }
      }
      if (!drop && !conn.out.empty()) {
        const ssize_t n = send(conn.fd.get(), conn.out.data(), conn.out.size(), MSG_NOSIGNAL);
        if (n > 0) {
          conn.out.erase(0, static_cast<size_t>(n));
        } else if (n < 0 && errno != EAGAIN && errno != EINTR) {
          std::lock_guard<std::mutex> lock(mu_);
          stats_[conn.index].error = errno;
          drop = true;
        }
      }
      if (drop || (conn.close_after_flush && conn.out.empty())) {
        std::lock_guard<std::mutex> lock(mu_);
        stats_[conn.index].closed = true;
        conns.erase(it);
      }
    }
  }
}

// ---- Processes ----

ProcessResult RunProcess(const std::vector<std::string>& argv_in, Millis timeout) {
  ProcessResult result;
  int pipe_fds[2];
  if (pipe2(pipe_fds, O_CLOEXEC) != 0) return result;
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], 1);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], 2);
  std::vector<std::string> args = argv_in;
  std::vector<char*> argv = Argv(args);
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(pipe_fds[1]);
  Fd out(pipe_fds[0]);
  if (rc != 0) {
    result.output = std::string("posix_spawn: ") + std::strerror(rc);
    return result;
  }
  const auto deadline = Clock::now() + timeout;
  fcntl(out.get(), F_SETFL, O_NONBLOCK);
  std::optional<int> status;
  while (true) {
    char buf[4096];
    ssize_t n;
    while ((n = read(out.get(), buf, sizeof(buf))) > 0)
      result.output.append(buf, static_cast<size_t>(n));
    if (status) break;
    status = WaitPid(pid, Clock::now());
    if (!status && Clock::now() >= deadline) {
      kill(pid, SIGKILL);
      status = WaitPid(pid, Clock::now() + std::chrono::seconds(5));
      result.timed_out = true;
    }
    if (!status) std::this_thread::sleep_for(Millis(5));
  }
  if (status && WIFEXITED(*status)) result.exit_code = WEXITSTATUS(*status);
  return result;
}

Status NetfaultProcess::Start(uint16_t target_port, const std::vector<std::string>& extra) {
  std::vector<std::string> args = {NETFAULT_BINARY,
                                   "--listen",
                                   "127.0.0.1:0",
                                   "--target",
                                   "127.0.0.1:" + std::to_string(target_port),
                                   "--control",
                                   dir_.sock(),
                                   "--log",
                                   dir_.log(),
                                   "--seed",
                                   "1234"};
  args.insert(args.end(), extra.begin(), extra.end());
  std::vector<char*> argv = Argv(args);
  int out_pipe[2];
  if (pipe2(out_pipe, O_CLOEXEC) != 0) return Status::Error("pipe2 failed");
  Fd out(out_pipe[0]);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out_pipe[1], 1);
  posix_spawn_file_actions_addopen(&actions, 2, dir_.stderr_path().c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  const int rc = posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(out_pipe[1]);
  if (rc != 0) {
    pid_ = -1;
    return Status::Error(std::string("posix_spawn netfault: ") + std::strerror(rc));
  }
  // Read stdout until the "listening" line, within 10 s.
  const auto deadline = Clock::now() + std::chrono::seconds(10);
  std::string text;
  while (text.find('\n') == std::string::npos) {
    pollfd pfd{out.get(), POLLIN, 0};
    if (poll(&pfd, 1, LeftMs(deadline)) <= 0) break;
    char buf[256];
    const ssize_t n = read(out.get(), buf, sizeof(buf));
    if (n <= 0) break;
    text.append(buf, static_cast<size_t>(n));
  }
  const std::string prefix = "listening 127.0.0.1:";
  if (text.rfind(prefix, 0) != 0 || text.find('\n') == std::string::npos) {
    Stop();
    return Status::Error("netfault did not report 'listening': stdout '" + text + "' stderr '" +
                         ReadFile(dir_.stderr_path()) + "'");
  }
  port_ = static_cast<uint16_t>(std::stoi(text.substr(prefix.size())));
  return Status::Ok();
}

Result<json> NetfaultProcess::Call(const json& request) {
  return faultfs::ControlCall(dir_.sock(), request, 10000);
}

uint64_t NetfaultProcess::AddRule(const json& rule) {
  json request = rule;
  request["cmd"] = "add";
  Result<json> reply = Call(request);
  if (!reply.ok()) {
    ADD_FAILURE() << "add " << rule.dump() << ": " << reply.error();
    return 0;
  }
  if (!reply.value().value("ok", false)) {
    ADD_FAILURE() << "add " << rule.dump() << " refused: " << reply.value().dump();
    return 0;
  }
  return reply.value()["id"].get<uint64_t>();
}

json NetfaultProcess::Conn(uint64_t id) {
  Result<json> reply = Call({{"cmd", "conns"}});
  if (!reply.ok()) return nullptr;
  for (const json& conn : reply.value()["conns"]) {
    if (conn["id"] == id) return conn;
  }
  return nullptr;
}

bool NetfaultProcess::WaitAccepted(uint64_t n, Millis timeout) {
  const auto deadline = Clock::now() + timeout;
  while (Clock::now() < deadline) {
    Result<json> reply = Call({{"cmd", "ping"}});
    if (reply.ok() && reply.value().value("accepted", 0ull) >= n) return true;
    std::this_thread::sleep_for(Millis(5));
  }
  return false;
}

void NetfaultProcess::Signal(int sig) {
  if (pid_ > 0) kill(pid_, sig);
}

std::optional<int> NetfaultProcess::WaitExit(Millis timeout) {
  if (pid_ <= 0) return 0;
  std::optional<int> status = WaitPid(pid_, Clock::now() + timeout);
  if (status) pid_ = -1;
  return status;
}

void NetfaultProcess::Stop() {
  if (pid_ <= 0) return;
  kill(pid_, SIGTERM);
  if (!WaitExit(std::chrono::seconds(5))) {
    kill(pid_, SIGKILL);
    WaitExit(std::chrono::seconds(5));
  }
  pid_ = -1;
}

// ---- Client ----

Client::Client(uint16_t port) {
  Fd fd(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  const timeval timeout{10, 0};
  setsockopt(fd.get(), SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof(timeout));
  setsockopt(fd.get(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(port);
  if (connect(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0) fd_ = std::move(fd);
}

bool Client::SendAll(const std::string& data) {
  size_t sent = 0;
  while (sent < data.size()) {
    const ssize_t n = send(fd_.get(), data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
    if (n > 0) {
      sent += static_cast<size_t>(n);
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else {
      return false;
    }
  }
  return true;
}

std::string Client::ReadN(size_t n, Millis timeout) {
  const auto deadline = Clock::now() + timeout;
  std::string out;
  std::vector<char> buf(64 * 1024);
  while (out.size() < n) {
    pollfd pfd{fd_.get(), POLLIN, 0};
    const int left = LeftMs(deadline);
    if (left == 0 || poll(&pfd, 1, left) <= 0) break;
    const ssize_t got = recv(fd_.get(), buf.data(), std::min(buf.size(), n - out.size()), 0);
    if (got <= 0) break;
    out.append(buf.data(), static_cast<size_t>(got));
  }
  return out;
}

Client::Wait Client::WaitInput(Millis timeout, int* error) {
  pollfd pfd{fd_.get(), POLLIN, 0};
  if (poll(&pfd, 1, static_cast<int>(timeout.count())) <= 0) return Wait::kTimeout;
  char byte;
  const ssize_t n = recv(fd_.get(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  if (n > 0) return Wait::kData;
  if (n == 0) return Wait::kEof;
  if (error != nullptr) *error = errno;
  return Wait::kError;
}

void Client::ShutdownWrite() { shutdown(fd_.get(), SHUT_WR); }

}  // namespace reftarget::netfault::testing
