#include "harness/adapters/backing_files.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <thread>

#include "harness/process/child_process.h"

namespace harness::adapters {
namespace {

// Fills a sockaddr for an IPv4 or IPv6 literal; false if `host` is neither.
bool MakeAddress(const std::string& host, int port, sockaddr_storage* ss, socklen_t* len) {
  std::memset(ss, 0, sizeof(*ss));
  auto* v4 = reinterpret_cast<sockaddr_in*>(ss);
  if (inet_pton(AF_INET, host.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(static_cast<uint16_t>(port));
    *len = sizeof(sockaddr_in);
    return true;
  }
  auto* v6 = reinterpret_cast<sockaddr_in6*>(ss);
  if (inet_pton(AF_INET6, host.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(static_cast<uint16_t>(port));
    *len = sizeof(sockaddr_in6);
    return true;
  }
  return false;
}

struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) close(fd);
  }
};

}  // namespace

BackingFiles::~BackingFiles() { Release(); }

Result<std::filesystem::path> BackingFiles::SparseFile(const std::string& name, uint64_t size) {
  std::error_code ec;
  std::filesystem::create_directories(dir_, ec);
  if (ec) return Status::Error(dir_.string() + ": cannot create: " + ec.message());
  const auto path = dir_ / name;
  Fd f{open(path.c_str(), O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, 0600)};
  if (f.fd < 0) return Status::Error(path.string() + ": cannot create: " + std::strerror(errno));
  if (ftruncate(f.fd, static_cast<off_t>(size)) != 0) {
    return Status::Error(path.string() + ": cannot size to " + std::to_string(size) +
                         " bytes: " + std::strerror(errno));
  }
  files_.push_back(path);
  return path;
}

Result<std::filesystem::path> BackingFiles::LoopDevice(const std::filesystem::path& file,
                                                       bool direct_io) {
  process::RunOptions o;
  o.limit = std::chrono::seconds(30);
  std::vector<std::string> argv = {"losetup", "-f", "--show"};
  if (direct_io) argv.push_back("--direct-io=on");
  argv.push_back(file.string());
  process::RunResult r = process::Run(argv, o);
  if (!r.exited_ok()) {
    return Status::Error("losetup over " + file.string() + " failed (" + r.Describe() +
                         "): " + r.output + (geteuid() != 0 ? " (BLOCK LUNs need root)" : ""));
  }
  std::string dev = r.output;
  while (!dev.empty() && (dev.back() == '\n' || dev.back() == ' ')) dev.pop_back();
  if (dev.rfind("/dev/loop", 0) != 0) {
    return Status::Error("losetup printed no loop device for " + file.string() + ": " + dev);
  }
  loops_.push_back(dev);
  return std::filesystem::path(dev);
}

void BackingFiles::Release() {
  process::RunOptions o;
  o.limit = std::chrono::seconds(30);
  for (auto it = loops_.rbegin(); it != loops_.rend(); ++it) {
    process::Run({"losetup", "-d", it->string()}, o);
  }
  loops_.clear();
  std::error_code ec;
  for (const auto& f : files_) std::filesystem::remove(f, ec);
  files_.clear();
}

Result<int> PickFreePort(const std::string& host) {
  sockaddr_storage ss;
  socklen_t len = 0;
  if (!MakeAddress(host, 0, &ss, &len)) return Status::Error(host + ": not an IP address");
  Fd s{socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0)};
  if (s.fd < 0) return Status::Error(std::string("socket: ") + std::strerror(errno));
  if (bind(s.fd, reinterpret_cast<sockaddr*>(&ss), len) != 0) {
    return Status::Error("bind " + host + ":0: " + std::strerror(errno));
  }
  if (getsockname(s.fd, reinterpret_cast<sockaddr*>(&ss), &len) != 0) {
    return Status::Error(std::string("getsockname: ") + std::strerror(errno));
  }
  return ss.ss_family == AF_INET ? ntohs(reinterpret_cast<sockaddr_in*>(&ss)->sin_port)
                                 : ntohs(reinterpret_cast<sockaddr_in6*>(&ss)->sin6_port);
}

bool WaitForPort(const std::string& host, int port, std::chrono::milliseconds limit) {
  sockaddr_storage ss;
  socklen_t len = 0;
  if (!MakeAddress(host, port, &ss, &len)) return false;
  const auto deadline = std::chrono::steady_clock::now() + limit;
  do {
    Fd s{socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0)};
    if (s.fd >= 0 && connect(s.fd, reinterpret_cast<sockaddr*>(&ss), len) == 0) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  } while (std::chrono::steady_clock::now() < deadline);
  return false;
}

}  // namespace harness::adapters
