#include "harness/adapters/kernel_adapter_support.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>

namespace harness::adapters {
namespace {

struct TempDir {
  TempDir() {
    char pattern[] = "/tmp/kadapters-support-XXXXXX";
    path = ::mkdtemp(pattern);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  std::filesystem::path path;
};

process::RunResult Exited(int code, std::string output) {
  process::RunResult r;
  r.started = true;
  r.exit_code = code;
  r.output = std::move(output);
  return r;
}

// Records every command and answers with `answer`.
struct FakeRunner {
  std::vector<std::vector<std::string>> calls;
  std::function<process::RunResult(const std::vector<std::string>&)> answer =
      [](const std::vector<std::string>&) { return Exited(0, ""); };
  CommandRunner Runner() {
    return [this](const std::vector<std::string>& argv, const process::RunOptions&) {
      calls.push_back(argv);
      return answer(argv);
    };
  }
};

TEST(RedactTest, SecretsAreReplacedEverywhere) {
  EXPECT_EQ(Redact("a=s3cret b=s3cret", {"s3cret", ""}), "a=*** b=***");
  EXPECT_EQ(Redact("nothing", {}), "nothing");
  EXPECT_EQ(DescribeCommand({"targetcli", "/x", "set", "auth", "password=s3cret", "two words"},
                            {"s3cret"}),
            "targetcli /x set auth password=*** 'two words'");
}

TEST(RunToolTest, FailureNamesTheCommandTheOutcomeAndTheRedactedOutput) {
  FakeRunner fake;
  fake.answer = [](const std::vector<std::string>&) {
    return Exited(1, "Parameter password is now 's3cret'.\nNo such path\n");
  };
  Result<std::string> out =
      RunTool(fake.Runner(), {"targetcli", "/a", "set", "auth", "password=s3cret"},
              std::chrono::seconds(30), {"s3cret"});
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error(),
            "`targetcli /a set auth password=***` failed (exit 1): Parameter password is now "
            "'***'.\nNo such path");

  fake.answer = [](const std::vector<std::string>&) { return Exited(0, "done\n"); };
  out = RunTool(fake.Runner(), {"x"}, std::chrono::seconds(1), {});
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out.value(), "done\n");
}

TEST(RunToolTest, TheLimitIsPassedToTheRunner) {
  std::chrono::milliseconds seen{0};
  CommandRunner runner = [&seen](const std::vector<std::string>&,
                                 const process::RunOptions& options) {
    seen = options.limit;
    return Exited(0, "");
  };
  ASSERT_TRUE(RunTool(runner, {"x"}, std::chrono::seconds(30), {}).ok());
  EXPECT_EQ(seen, std::chrono::seconds(30));
  // And a real run is bounded: the default runner goes through process::Run.
  Result<std::string> slow =
      RunTool(DefaultCommandRunner(), {"sleep", "5"}, std::chrono::milliseconds(200), {});
  ASSERT_FALSE(slow.ok());
  EXPECT_NE(slow.error().find("timed out"), std::string::npos) << slow.error();
}

TEST(IscsiNameTest, Rfc3722Characters) {
  EXPECT_TRUE(ValidateIscsiName("iqn", "iqn.2003-01.org.linux-iscsi.host:sn.0d690d398ec5").ok());
  EXPECT_TRUE(ValidateIscsiName("iqn", "eui.02004567a425678d").ok());
  EXPECT_TRUE(ValidateIscsiName("iqn", "naa.52004567ba64678d").ok());
  for (const char* bad : {"", "iqn.2003-01.org.X:y", "target", "iqn.a b", "iqn.a\"b", "iqn.a\nb"}) {
    Status status = ValidateIscsiName("acls[3].initiator", bad);
    EXPECT_FALSE(status.ok()) << bad;
    EXPECT_EQ(status.message().rfind("acls[3].initiator", 0), 0u) << status.message();
  }
  EXPECT_NE(ValidateIscsiName("f", "iqn.a\nb").message().find("byte 0x0a"), std::string::npos);
  EXPECT_FALSE(ValidateIscsiName("f", "iqn." + std::string(220, 'a')).ok());
}

TEST(WritePrivateFileTest, OwnerOnlyEvenOverAnExistingFile) {
  TempDir dir;
  const std::filesystem::path file = dir.path / "sub" / "conf";
  std::filesystem::create_directories(file.parent_path());
  { std::ofstream(file) << "old"; }
  ::chmod(file.c_str(), 0644);
  ASSERT_TRUE(WritePrivateFile(file, "secret text\n").ok());
  struct stat st {};
  ASSERT_EQ(::stat(file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  std::ifstream in(file);
  std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(content, "secret text\n");
}

LunSpec Lun(std::string name, Backing backing, uint64_t size) {
  LunSpec lun;
  lun.name = std::move(name);
  lun.backing = backing;
  lun.size_bytes = size;
  return lun;
}

TEST(KernelBackingsTest, FileioGetsASparseFileThatReleaseRemoves) {
  TempDir dir;
  FakeRunner fake;
  KernelBackings backings(dir.path / "work", fake.Runner(), std::chrono::seconds(30));
  LunSpec lun = Lun("fileio0", Backing::kFileio, 1ull << 30);
  ASSERT_TRUE(backings.Prepare(&lun).ok());
  EXPECT_EQ(lun.path, dir.path / "work" / "fileio0.img");
  EXPECT_EQ(std::filesystem::file_size(lun.path), 1ull << 30);
  struct stat st {};
  ASSERT_EQ(::stat(lun.path.c_str(), &st), 0);
  EXPECT_LT(static_cast<uint64_t>(st.st_blocks) * 512, 1ull << 20) << "the file must be sparse";
  EXPECT_TRUE(fake.calls.empty());

  LunSpec given = Lun("given", Backing::kFileio, 4096);
  given.path = "/srv/given.img";
  LunSpec ram = Lun("ram", Backing::kRamdisk, 4096);
  ASSERT_TRUE(backings.Prepare(&given).ok());
  ASSERT_TRUE(backings.Prepare(&ram).ok());
  EXPECT_EQ(given.path, "/srv/given.img");
  EXPECT_TRUE(ram.path.empty());

  ASSERT_TRUE(backings.Release("fileio0").ok());
  EXPECT_FALSE(std::filesystem::exists(dir.path / "work" / "fileio0.img"));
  EXPECT_TRUE(backings.Release("fileio0").ok()) << "releasing twice is harmless";
}

TEST(KernelBackingsTest, BlockGetsALoopDeviceDetachedOnRelease) {
  TempDir dir;
  FakeRunner fake;
  fake.answer = [](const std::vector<std::string>& argv) {
    return argv[1] == "-f" ? Exited(0, "/dev/loop9\n") : Exited(0, "");
  };
  {
    KernelBackings backings(dir.path, fake.Runner(), std::chrono::seconds(30));
    LunSpec lun = Lun("block0", Backing::kBlock, 1 << 20);
    ASSERT_TRUE(backings.Prepare(&lun).ok());
    EXPECT_EQ(lun.path, "/dev/loop9");
    ASSERT_EQ(fake.calls.size(), 1u);
    const std::vector<std::string> attach = {"losetup", "-f", "--show",
                                             (dir.path / "block0.img").string()};
    EXPECT_EQ(fake.calls[0], attach);
  }  // the destructor releases what is left
  ASSERT_EQ(fake.calls.size(), 2u);
  const std::vector<std::string> detach = {"losetup", "-d", "/dev/loop9"};
  EXPECT_EQ(fake.calls[1], detach);
  EXPECT_FALSE(std::filesystem::exists(dir.path / "block0.img"));
}

TEST(KernelBackingsTest, FailuresNameTheLunAndLeaveNothingBehind) {
  TempDir dir;
  FakeRunner fake;
  fake.answer = [](const std::vector<std::string>&) { return Exited(0, "losetup: oops\n"); };
  KernelBackings backings(dir.path, fake.Runner(), std::chrono::seconds(30));
  LunSpec lun = Lun("block0", Backing::kBlock, 1 << 20);
  Status status = backings.Prepare(&lun);
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.message().find("LUN block0"), std::string::npos) << status.message();
  EXPECT_TRUE(lun.path.empty());
  EXPECT_FALSE(std::filesystem::exists(dir.path / "block0.img"));

  KernelBackings no_dir("", fake.Runner(), std::chrono::seconds(30));
  LunSpec file = Lun("f", Backing::kFileio, 4096);
  status = no_dir.Prepare(&file);
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.message().find("work_dir"), std::string::npos) << status.message();
  EXPECT_TRUE(backings.ReleaseAll().ok());
}

}  // namespace
}  // namespace harness::adapters
