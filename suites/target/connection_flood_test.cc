// Connection floods (TEST-PLAN T26, CVE-2013-20004 / CVE-2014-0255 class): 1000 TCP
// connections that never log in, some sending a partial header, must not stop a new login
// or the I/O of an existing session, and must cost bounded memory and descriptors; once
// they close, the target's descriptors return to where they were.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>
#include <arpa/inet.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "suites/target/support/libiscsi_client.h"
#include "suites/target/support/target_process.h"

namespace itest {
namespace {

constexpr int kIdleConnections = 1000;
// Generous: an idle login-phase connection costs a socket and a 16 KiB buffer.
constexpr long kMaxRssGrowthKib = 64 * 1024;

long RssKib(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  }
  return -1;
}

long OpenFds(pid_t pid) {
  std::error_code ec;
  long n = 0;
  for (auto it = std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/fd", ec);
       !ec && it != std::filesystem::directory_iterator(); it.increment(ec)) {
    ++n;
  }
  return ec ? -1 : n;
}

// Owns the flood's sockets; closes them on scope exit even when an assertion fails.
class IdleSockets {
 public:
  ~IdleSockets() { CloseAll(); }
  // Opens `n` blocking connections to 127.0.0.1:`port`; every third sends 20 bytes of a
  // 48-byte header and stops. Returns the number that connected.
  int Open(int n, int port) {
    for (int i = 0; i < n; ++i) {
      int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
      if (fd < 0) break;
      sockaddr_in addr{};
      addr.sin_family = AF_INET;
      addr.sin_port = htons(static_cast<uint16_t>(port));
      addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
        close(fd);
        continue;
      }
      if (i % 3 == 0) {
        const uint8_t partial[20] = {0x43, 0x87};  // Login Request opcode, T and CSG/NSG bits
        (void)!send(fd, partial, sizeof(partial), MSG_NOSIGNAL);
      }
      fds_.push_back(fd);
    }
    return static_cast<int>(fds_.size());
  }
  void CloseAll() {
    for (int fd : fds_) close(fd);
    fds_.clear();
  }

 private:
  std::vector<int> fds_;
};

bool RaiseOwnDescriptorLimit(rlim_t want) {
  rlimit lim{};
  if (getrlimit(RLIMIT_NOFILE, &lim) != 0) return false;
  if (lim.rlim_cur >= want) return true;
  if (lim.rlim_max < want) return false;
  lim.rlim_cur = want;
  return setrlimit(RLIMIT_NOFILE, &lim) == 0;
}

TEST(ConnectionFloodTest, IdleConnectionsLeaveLoginsAndIoAlone) {
  if (!RaiseOwnDescriptorLimit(kIdleConnections + 256)) {
    GTEST_SKIP() << "cannot raise this process's RLIMIT_NOFILE to " << kIdleConnections + 256
                 << " descriptors (hard limit too low)";
  }
  TargetSpec spec;
  spec.storage_objects = {{"ram", "ramdisk", "", 16ull << 20}};
  spec.luns = {{0, "ram"}};
  std::string error;
  auto target = TargetProcess::Start(spec, &error);
  ASSERT_TRUE(target) << error;

  LibiscsiLogin login;
  login.portal = target->portal();
  login.target = target->iqn();
  login.lun = target->Lun(0);
  login.initiator = "iqn.2003-01.org.reftarget.itest:existing";
  auto existing = LibiscsiConnect(login, &error);
  ASSERT_TRUE(existing) << error;
  uint32_t block_size = 0;
  uint64_t blocks = 0;
  ASSERT_TRUE(ReadCapacity(existing.get(), login.lun, &block_size, &blocks, &error)) << error;
  ASSERT_TRUE(WriteReadVerify(existing.get(), login.lun, 0, MakePattern(1, 0, 64 * 1024),
                              block_size, &error))
      << error;
  const long rss_before = RssKib(target->pid());
  const long fds_before = OpenFds(target->pid());
  ASSERT_GT(rss_before, 0);
  ASSERT_GT(fds_before, 0);

  IdleSockets flood;
  ASSERT_EQ(flood.Open(kIdleConnections, target->port()), kIdleConnections);
  // Let the target accept and register all of them.
  for (int i = 0; i < 200 && OpenFds(target->pid()) < fds_before + kIdleConnections; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_GE(OpenFds(target->pid()), fds_before + kIdleConnections)
      << "the target did not accept every idle connection";

  // The existing session's I/O goes on, and a new initiator still logs in and does I/O.
  ASSERT_TRUE(WriteReadVerify(existing.get(), login.lun, 128, MakePattern(2, 128, 64 * 1024),
                              block_size, &error))
      << error;
  LibiscsiLogin fresh = login;
  fresh.initiator = "iqn.2003-01.org.reftarget.itest:newcomer";
  const auto login_start = std::chrono::steady_clock::now();
  auto newcomer = LibiscsiConnect(fresh, &error);
  ASSERT_TRUE(newcomer) << "login during the flood: " << error;
  EXPECT_LT(std::chrono::steady_clock::now() - login_start, std::chrono::seconds(2));
  ASSERT_TRUE(WriteReadVerify(newcomer.get(), fresh.lun, 256, MakePattern(3, 256, 64 * 1024),
                              block_size, &error))
      << error;
  const long rss_during = RssKib(target->pid());
  EXPECT_LT(rss_during - rss_before, kMaxRssGrowthKib)
      << "RSS grew from " << rss_before << " KiB to " << rss_during << " KiB for "
      << kIdleConnections << " idle connections";
  RecordProperty("rss_growth_kib", std::to_string(rss_during - rss_before));

  flood.CloseAll();
  long fds_after = -1;
  for (int i = 0; i < 500; ++i) {
    fds_after = OpenFds(target->pid());
    if (fds_after <= fds_before + 1) break;  // the newcomer's session holds one more
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_LE(fds_after, fds_before + 1) << "descriptors leaked after the flood closed";
  EXPECT_TRUE(target->Alive()) << target->DescribeState();
}

}  // namespace
}  // namespace itest
