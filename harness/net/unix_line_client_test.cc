#include "harness/net/unix_line_client.h"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <string>
#include <thread>

namespace harness::net {
namespace {

// A one-shot server on a Unix socket: accepts one client, reads a line, answers `reply`
// (verbatim, so a test can send a partial line or nothing).
class OneShotServer {
 public:
  explicit OneShotServer(std::string reply, bool close_first = false)
      : path_(std::filesystem::temp_directory_path() /
              ("ulc-" + std::to_string(::getpid()) + "-" + std::to_string(counter_++) + ".sock")) {
    fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, path_.c_str(), sizeof(addr.sun_path) - 1);
    ::unlink(path_.c_str());
    EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
    EXPECT_EQ(::listen(fd_, 1), 0);
    thread_ = std::thread([this, reply = std::move(reply), close_first] {
      const int c = ::accept(fd_, nullptr, nullptr);
      if (c < 0) return;
      std::string got;
      char ch;
      while (::read(c, &ch, 1) == 1 && ch != '\n') got.push_back(ch);
      received_ = got;
      if (!close_first) (void)!::write(c, reply.data(), reply.size());
      ::close(c);
    });
  }
  ~OneShotServer() {
    ::shutdown(fd_, SHUT_RDWR);
    thread_.join();
    ::close(fd_);
    ::unlink(path_.c_str());
  }
  std::string path() const { return path_.string(); }
  const std::string& received() const { return received_; }

 private:
  static inline int counter_ = 0;
  std::filesystem::path path_;
  int fd_ = -1;
  std::thread thread_;
  std::string received_;
};

TEST(UnixLineClientTest, SendsALineAndReturnsTheFirstReplyLine) {
  OneShotServer server("{\"ok\":true}\nextra\n");
  auto reply = UnixLineCall(server.path(), "{\"cmd\":\"ping\"}", std::chrono::seconds(5));
  ASSERT_TRUE(reply.ok()) << reply.error();
  EXPECT_EQ(reply.value(), "{\"ok\":true}");
}

TEST(UnixLineClientTest, PeerClosingBeforeAFullLineIsAnError) {
  OneShotServer server("{\"ok\":tr");
  auto reply = UnixLineCall(server.path(), "x", std::chrono::seconds(5));
  ASSERT_FALSE(reply.ok());
  EXPECT_NE(reply.error().find("closed before a full reply line (got \"{\"ok\":tr\")"),
            std::string::npos)
      << reply.error();
}

TEST(UnixLineClientTest, MissingSocketNamesThePath) {
  auto reply = UnixLineCall("/nonexistent/dir/x.sock", "x", std::chrono::seconds(1));
  ASSERT_FALSE(reply.ok());
  EXPECT_EQ(reply.error().rfind("/nonexistent/dir/x.sock: connect: ", 0), 0u) << reply.error();
}

TEST(UnixLineClientTest, TooLongPathIsRefused) {
  auto reply = UnixLineCall(std::string(200, 'a'), "x", std::chrono::seconds(1));
  ASSERT_FALSE(reply.ok());
  EXPECT_NE(reply.error().find("not a usable socket path"), std::string::npos);
}

}  // namespace
}  // namespace harness::net
