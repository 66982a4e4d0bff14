#include "harness/adapters/kernel_adapter_support.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "harness/adapters/adapter_test_support.h"

namespace harness::adapters {
namespace {

using test_support::Exited;
using test_support::FakeRunner;
using test_support::TempDir;

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
  TempDir dir("kadapters-support");
  const std::filesystem::path file = dir.path / "sub" / "conf";
  std::filesystem::create_directories(file.parent_path());
  { std::ofstream(file) << "old"; }
  ::chmod(file.c_str(), 0644);
  ASSERT_TRUE(WritePrivateFile(file, "secret text\n").ok());
  struct stat st {};
  ASSERT_EQ(::stat(file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(test_support::ReadFile(file), "secret text\n");
  EXPECT_EQ(ReadFirstLine(file), "secret text");
  EXPECT_EQ(ReadFirstLine(dir.path / "missing"), "");
}

TEST(FirstMissingTest, NamesTheFirstAbsentPathUnderTheRoot) {
  TempDir dir("kadapters-support");
  std::filesystem::create_directories(dir.path / "a" / "b");
  EXPECT_FALSE(FirstMissing(dir.path, {"a", "a/b"}).has_value());
  EXPECT_EQ(FirstMissing(dir.path, {"a", "x", "y"}), dir.path / "x");
}

TEST(ExportedLunsTest, NumbersFollowStartAddAndRemove) {
  ExportedLuns exported("lio", "LIO");
  EXPECT_FALSE(exported.running());
  EXPECT_TRUE(exported.CheckIdle().ok());
  EXPECT_EQ(exported.FreeNumber().error(), "the lio adapter has no running target to add a LUN to");
  EXPECT_EQ(exported.Find(0).error(), "the lio adapter has no running target");

  TargetSpec spec;
  spec.iqn = "iqn.2003-01.org.example:t";
  spec.luns = {MakeLunSpec("a", Backing::kFileio), MakeLunSpec("b", Backing::kNull)};
  const RunningTarget target = exported.Start(spec);
  EXPECT_EQ(target.iqn, spec.iqn);
  EXPECT_EQ(target.lun_numbers, (std::vector<int>{0, 1}));
  EXPECT_EQ(exported.CheckIdle().message(),
            "the lio adapter is already running iqn.2003-01.org.example:t");

  ASSERT_EQ(exported.FreeNumber().value(), 2);
  exported.Add(MakeLunSpec("c", Backing::kFileio), 2);
  EXPECT_EQ(exported.Remove(exported.Find(0).value()).name, "a");
  EXPECT_EQ(exported.FreeNumber().value(), 0) << "the lowest free number comes back";
  ASSERT_EQ(exported.Find(2).value(), 1u);
  EXPECT_EQ(exported.spec().luns[1].name, "c");
  EXPECT_EQ(exported.Find(7).error(), "LIO: LUN 7 is not exported by iqn.2003-01.org.example:t");

  exported.Stop();
  EXPECT_FALSE(exported.running());
  EXPECT_TRUE(exported.spec().luns.empty());
}

TEST(AdminToolTest, StepsRunTheProgramAndFailuresNameTheStep) {
  FakeRunner fake;
  fake.answer = [](const std::vector<std::string>& argv) {
    return argv[1] == "bad" ? Exited(3, "no s3cret here\n") : Exited(0);
  };
  AdminTool tool("SCST", "/usr/sbin/scstadmin", fake.Runner(), std::chrono::seconds(30));
  EXPECT_TRUE(tool.RunStep({"scstadmin", "ok"}, 0, 2, {}).ok());
  Status failed = tool.RunStep({"scstadmin", "bad"}, 1, 2, {"s3cret"});
  EXPECT_EQ(failed.message(),
            "SCST: step 2 of 2: `/usr/sbin/scstadmin bad` failed (exit 3): no *** here");
  ASSERT_EQ(fake.calls.size(), 2u);
  EXPECT_EQ(fake.calls[0], (std::vector<std::string>{"/usr/sbin/scstadmin", "ok"}));
}

TEST(SpecChecksTest, LunsAclsAndChapAreCheckedInOrderNamingTheField) {
  const ValueCheck no_blank = [](const std::string& field, const std::string& value, bool secret) {
    if (value.empty() || value.find(' ') != std::string::npos) {
      return Status::Error(field + (secret ? "" : " \"" + value + "\"") + ": bad");
    }
    return Status::Ok();
  };
  const LunCheck any_lun = [](const std::string&, const LunSpec&) { return Status::Ok(); };
  TargetSpec spec;
  spec.luns = {MakeLunSpec("a", Backing::kFileio), MakeLunSpec("a", Backing::kFileio)};
  EXPECT_EQ(ValidateLunsAndAcls(spec, any_lun, no_blank).message(),
            "luns[1].name \"a\": used twice");
  spec.luns.pop_back();
  const char* kInit = "iqn.1993-08.org.debian:01:host1";
  spec.acls = {AclSpec{kInit, std::nullopt}, AclSpec{kInit, std::nullopt}};
  EXPECT_EQ(ValidateLunsAndAcls(spec, any_lun, no_blank).message(),
            std::string("acls[1].initiator \"") + kInit + "\": listed twice");
  spec.acls = {AclSpec{kInit, ChapSpec{"user", "pass word", "", ""}}};
  EXPECT_EQ(ValidateLunsAndAcls(spec, any_lun, no_blank).message(), "acls[0].chap.password: bad")
      << "a secret is not repeated";
  spec.acls = {AclSpec{kInit, ChapSpec{"user", "password", "mutual", ""}}};
  EXPECT_EQ(ValidateLunsAndAcls(spec, any_lun, no_blank).message(),
            "acls[0].chap: mutual_userid and mutual_password must both be set or both be empty");
  spec.acls.clear();
  spec.discovery_chap = ChapSpec{"disc user", "secret", "", ""};
  EXPECT_EQ(ValidateLunsAndAcls(spec, any_lun, no_blank).message(),
            "discovery_chap.userid \"disc user\": bad");
  spec.discovery_chap.reset();
  EXPECT_TRUE(ValidateLunsAndAcls(spec, any_lun, no_blank).ok());

  EXPECT_EQ(CheckPathsPresent(spec).message(),
            "luns[0].path: empty (a fileio LUN needs its file or device)");
  EXPECT_TRUE(CheckPathPresent("lun", MakeLunSpec("r", Backing::kRamdisk)).ok());
  EXPECT_EQ(CheckNotExported(spec, MakeLunSpec("a", Backing::kNull)).message(),
            "lun.name \"a\": already exported");
}

}  // namespace
}  // namespace harness::adapters
