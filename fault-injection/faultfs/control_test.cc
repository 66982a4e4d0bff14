#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdlib>
#include <string>
#include <thread>

#include "fault-injection/faultfs/control_client.h"
#include "fault-injection/faultfs/control_handler.h"
#include "fault-injection/faultfs/control_server.h"
#include "fault-injection/faultfs/open_files.h"
#include "fault-injection/faultfs/options.h"

namespace reftarget::faultfs {
namespace {

using nlohmann::json;

// A temporary directory holding a source tree and a socket.
class TempDir {
 public:
  TempDir() {
    char path[] = "/tmp/faultfs_ctl_XXXXXX";
    path_ = mkdtemp(path);
  }
  ~TempDir() {
    // Only the files these tests create.
    unlink((path_ + "/ctl.sock").c_str());
    unlink((path_ + "/f").c_str());
    rmdir(path_.c_str());
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

class ControlTest : public ::testing::Test {
 protected:
  ControlTest() : tracker_(1 << 20) {
    dir_fd_ = open(dir_.path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    handler_ = std::make_unique<ControlHandler>(&engine_, &tracker_, nullptr, dir_fd_);
  }
  ~ControlTest() override { close(dir_fd_); }

  json Call(const json& request) { return handler_->Handle(request); }

  TempDir dir_;
  int dir_fd_;
  RuleEngine engine_;
  DurabilityTracker tracker_;
  std::unique_ptr<ControlHandler> handler_;
};

TEST_F(ControlTest, AddListStatsClear) {
  json added = Call({{"cmd", "add"},
                     {"file", "disk.img"},
                     {"op", "read"},
                     {"offset", 0},
                     {"length", "1M"},
                     {"errno", "EIO"},
                     {"count", 2}});
  ASSERT_TRUE(added["ok"].get<bool>()) << added.dump();
  EXPECT_EQ(added["id"], 1);
  json list = Call({{"cmd", "list"}});
  ASSERT_EQ(list["rules"].size(), 1u);
  EXPECT_EQ(list["rules"][0]["rule"]["length"], 1 << 20);
  EXPECT_EQ(list["rules"][0]["rule"]["errno"], "EIO");
  engine_.Evaluate(Request{"disk.img", Op::kRead, true, 0, 512});
  json stats = Call({{"cmd", "stats"}});
  EXPECT_EQ(stats["rules"][0]["hits"], 1);
  EXPECT_EQ(stats["hits"], 1);
  EXPECT_EQ(Call({{"cmd", "clear"}, {"id", 7}})["ok"], false);
  EXPECT_EQ(Call({{"cmd", "clear"}, {"id", 1}})["cleared"], 1);
  Call({{"cmd", "add"}, {"hang", true}});
  Call({{"cmd", "add"}, {"delay_ms", 5}});
  EXPECT_EQ(Call({{"cmd", "clear"}, {"id", "all"}})["cleared"], 2);
  EXPECT_TRUE(Call({{"cmd", "list"}})["rules"].empty());
}

TEST_F(ControlTest, ErrorsNameTheProblem) {
  EXPECT_NE(Call({{"cmd", "fly"}})["error"].get<std::string>().find("fly"), std::string::npos);
  EXPECT_NE(Call(json::array())["error"].get<std::string>().find("object"), std::string::npos);
  EXPECT_NE(Call({{"nocmd", 1}})["error"].get<std::string>().find("cmd"), std::string::npos);
  EXPECT_NE(Call({{"cmd", "add"}, {"errno", "EIO"}, {"offst", 1}})["error"].get<std::string>().find(
                "offst"),
            std::string::npos);
  EXPECT_NE(
      Call({{"cmd", "unsynced"}, {"file", "../etc/passwd"}})["error"].get<std::string>().find(".."),
      std::string::npos);
  EXPECT_NE(Call({{"cmd", "unsynced"}, {"file", "/etc/passwd"}})["error"].get<std::string>().find(
                "relative"),
            std::string::npos);
  EXPECT_NE(
      Call({{"cmd", "unsynced"}, {"file", "missing"}})["error"].get<std::string>().find("missing"),
      std::string::npos);
  EXPECT_EQ(json::parse(handler_->HandleLine("{not json"))["ok"], false);
}

TEST_F(ControlTest, UnsyncedAndPowerCut) {
  const int fd = openat(dir_fd_, "f", O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  ASSERT_GE(fd, 0);
  tracker_.Write(fd, 0, 3, false, [fd] { return pwrite(fd, "abc", 3, 0); });
  json unsynced = Call({{"cmd", "unsynced"}, {"file", "f"}});
  ASSERT_TRUE(unsynced["ok"].get<bool>()) << unsynced.dump();
  EXPECT_EQ(unsynced["unsynced"], json::parse(R"([{"offset":0,"length":3}])"));
  EXPECT_EQ(unsynced["synced_size"], 0);
  json cut = Call({{"cmd", "powercut"}, {"file", "f"}});
  ASSERT_TRUE(cut["ok"].get<bool>()) << cut.dump();
  EXPECT_EQ(cut["size_after"], 0);
  EXPECT_EQ(cut["dropped_bytes"], 3);
  struct stat st;
  ASSERT_EQ(fstat(fd, &st), 0);
  EXPECT_EQ(st.st_size, 0);
  close(fd);
}

TEST_F(ControlTest, ServerAnswersOverTheSocket) {
  const std::string sock = dir_.path() + "/ctl.sock";
  ControlServer server(sock,
                       [this](const std::string& line) { return handler_->HandleLine(line); });
  ASSERT_TRUE(server.Start().ok());
  struct stat st;
  ASSERT_EQ(stat(sock.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  Result<json> reply =
      ControlCall(sock, {{"cmd", "add"}, {"op", "write"}, {"errno", "ENOSPC"}}, 5000);
  ASSERT_TRUE(reply.ok()) << reply.error();
  EXPECT_EQ(reply.value()["id"], 1);
  reply = ControlCall(sock, {{"cmd", "ping"}}, 5000);
  ASSERT_TRUE(reply.ok()) << reply.error();
  EXPECT_TRUE(reply.value()["ok"].get<bool>());

  // A second server on the same live path is refused; the first keeps serving.
  ControlServer second(sock, [](const std::string&) { return std::string("{}"); });
  EXPECT_FALSE(second.Start().ok());
  EXPECT_TRUE(ControlCall(sock, {{"cmd", "ping"}}, 5000).ok());

  // A client that sends half a line does not block another client.
  const int stalled = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", sock.c_str());
  ASSERT_EQ(connect(stalled, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  ASSERT_EQ(write(stalled, "{\"cmd\":", 7), 7);
  EXPECT_TRUE(ControlCall(sock, {{"cmd", "list"}}, 5000).ok());
  close(stalled);

  server.Stop();
  EXPECT_NE(stat(sock.c_str(), &st), 0);  // Removed.
  EXPECT_FALSE(ControlCall(sock, {{"cmd", "ping"}}, 1000).ok());
}

TEST_F(ControlTest, StaleSocketIsReplaced) {
  const std::string sock = dir_.path() + "/ctl.sock";
  {
    // Leave a socket file that nothing serves.
    const int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", sock.c_str());
    ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
    close(fd);
  }
  ControlServer server(sock,
                       [this](const std::string& line) { return handler_->HandleLine(line); });
  ASSERT_TRUE(server.Start().ok());
  EXPECT_TRUE(ControlCall(sock, {{"cmd", "ping"}}, 5000).ok());
}

TEST(OpenFiles, RenameMovesFilesAndDirectories) {
  std::string path = "dir/sub/f";
  EXPECT_TRUE(ReplacePathPrefix("dir", "new", &path));
  EXPECT_EQ(path, "new/sub/f");
  EXPECT_FALSE(ReplacePathPrefix("ne", "x", &path));  // Not a component prefix.
  EXPECT_TRUE(ReplacePathPrefix("new/sub/f", "g", &path));
  EXPECT_EQ(path, "g");

  OpenFiles files;
  OpenFile a;
  a.path = "a";
  OpenFile b;
  b.path = "b";
  files.Register(&a);
  files.Register(&b);
  files.Rename("a", "b", /*exchange=*/true);
  EXPECT_EQ(files.PathOf(&a), "b");
  EXPECT_EQ(files.PathOf(&b), "a");
  files.Rename("a", "c", false);
  EXPECT_EQ(files.PathOf(&b), "c");
  EXPECT_EQ(files.TakeAll().size(), 2u);
}

TEST(Options, ParsesAndRequires) {
  Result<Options> opts =
      ParseOptions({"--source", "/s", "--mount", "/m", "--control", "/c", "--seed", "7",
                    "--shadow-limit", "1G", "--no-tracking", "-o", "ro"},
                   /*is_root=*/true);
  ASSERT_TRUE(opts.ok()) << opts.error();
  EXPECT_EQ(opts.value().seed, 7u);
  EXPECT_EQ(opts.value().shadow_limit, 1ull << 30);
  EXPECT_FALSE(opts.value().tracking);
  EXPECT_TRUE(opts.value().allow_other);
  EXPECT_EQ(opts.value().fuse_options, std::vector<std::string>{"ro"});
  EXPECT_NE(ParseOptions({"--source", "/s", "--mount", "/m"}, false).error().find("--control"),
            std::string::npos);
  EXPECT_NE(ParseOptions({"--bogus"}, false).error().find("--bogus"), std::string::npos);
  EXPECT_NE(ParseOptions({"--source"}, false).error().find("--source"), std::string::npos);
  EXPECT_TRUE(ParseOptions({"--help"}, false).value().help);
}

}  // namespace
}  // namespace reftarget::faultfs
