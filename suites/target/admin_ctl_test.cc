// reftarget's management plane from outside, as an administrator uses it: reftarget started
// with --admin-socket, driven with the reftarget-ctl binary.
//  - a LIO saveconfig.json (two targets, CHAP and mutual CHAP, ACLs with mapped LUNs, FILEIO,
//    BLOCK and RAMDISK) restores and saves back as the same JSON, and serves logins;
//  - SIGKILL during saveconfig, 50 times, never leaves an empty or unparsable file or
//    backup (the file reloads in reftarget every time);
//  - bad commands name the path and argument and exit non-zero; sessions are listed.
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>
#include <thread>

#include "harness/net/tcp_util.h"
#include "suites/target/support/libiscsi_client.h"
#include "suites/target/support/loop_device.h"
#include "suites/target/support/subprocess.h"
#include "suites/target/support/target_process.h"
#include "suites/target/support/temp_dir.h"

namespace itest {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using namespace std::chrono_literals;

constexpr const char* kTarget1 = "iqn.2003-01.org.reftarget.itest:admin-one";
constexpr const char* kTarget2 = "iqn.2003-01.org.reftarget.itest:admin-two";
constexpr const char* kInitiator1 = "iqn.1993-08.org.debian:01:itest-one";
constexpr const char* kInitiator2 = "iqn.1993-08.org.debian:01:itest-two";

json ReadJson(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return json::parse(s.str(), nullptr, false);
}

void WriteText(const fs::path& p, const std::string& text) {
  std::ofstream out(p);
  out << text;
}

uint16_t FreePort() {
  auto port = harness::net::PickFreePort();
  EXPECT_TRUE(port.ok()) << port.error();
  return port.ok() ? static_cast<uint16_t>(port.value()) : 0;
}

// reftarget with an admin socket in a temp dir, stopped (SIGTERM, then SIGKILL) on destruction.
class AdminTarget {
 public:
  explicit AdminTarget(const fs::path& dir) : dir_(dir) {}
  ~AdminTarget() { Stop(); }

  fs::path config() const { return dir_ / "saveconfig.json"; }
  fs::path socket() const { return dir_ / "admin.sock"; }
  fs::path log() const { return dir_ / "reftarget.log"; }

  // Starts reftarget and waits (bounded) until the admin socket answers.
  bool Start(std::string* error) {
    pid_ = SpawnBackground({TargetProcess::BinaryPath(), "--config", config().string(), "--admin-socket",
                            socket().string(), "--log-level", "info"},
                           log().string(), error);
    if (pid_ < 0) return false;
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (std::chrono::steady_clock::now() < deadline) {
      if (!ChildAlive(pid_, nullptr)) {
        *error = "reftarget exited during start; log: " + Tail();
        pid_ = -1;
        return false;
      }
      if (Ctl({"--request", R"({"op":"status"})"}).Ok()) return true;
      std::this_thread::sleep_for(20ms);
    }
    *error = "the admin socket did not answer within 10 s; log: " + Tail();
    return false;
  }
  void Stop() {
    if (pid_ > 0) TerminateAndReap(pid_, 10s);
    pid_ = -1;
  }
  void Kill() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
  }
  pid_t pid() const { return pid_; }
  ProcessResult Ctl(std::vector<std::string> args) const {
    std::vector<std::string> argv = {REFTARGET_CTL_BIN, "--socket", socket().string()};
    argv.insert(argv.end(), args.begin(), args.end());
    return RunProcess(argv, 60s);
  }
  std::string Tail() const {
    std::ifstream in(log());
    std::stringstream s;
    s << in.rdbuf();
    std::string text = s.str();
    return text.size() > 3000 ? text.substr(text.size() - 3000) : text;
  }

 private:
  fs::path dir_;
  pid_t pid_ = -1;
};

// A storage object as rtslib-fb dumps it, from the targetcli-saved fixture's first object.
json StorageObject(const json& fixture_so, const std::string& plugin, const std::string& name,
                   const std::string& dev, uint64_t size, const std::string& wwn) {
  json so;
  so["alua_tpgs"] = fixture_so["alua_tpgs"];
  so["attributes"] = fixture_so["attributes"];
  so["name"] = name;
  so["plugin"] = plugin;
  so["wwn"] = wwn;
  if (plugin == "fileio") {
    so["dev"] = dev;
    so["size"] = size;
    so["write_back"] = true;
  } else if (plugin == "block") {
    so["dev"] = dev;
    so["readonly"] = false;
    so["write_back"] = false;
  } else {
    so["size"] = size;  // rtslib dumps "nullio" only when it is on
  }
  return so;
}

json Acl(const json& fixture_acl, const std::string& initiator, const std::string& user,
         const std::string& secret, const std::string& mutual_user, const std::string& mutual_secret,
         const std::vector<std::pair<int, int>>& mapped) {
  json acl;
  acl["attributes"] = fixture_acl["attributes"];
  acl["chap_userid"] = user;
  acl["chap_password"] = secret;
  if (!mutual_user.empty()) {
    acl["chap_mutual_userid"] = mutual_user;
    acl["chap_mutual_password"] = mutual_secret;
  }
  acl["mapped_luns"] = json::array();
  for (auto [index, tpg_lun] : mapped) {
    acl["mapped_luns"].push_back(
        {{"alias", "m" + std::to_string(index)}, {"index", index}, {"tpg_lun", tpg_lun}, {"write_protect", false}});
  }
  acl["node_wwn"] = initiator;
  return acl;
}

json Lun(int index, const std::string& so) {
  return {{"alias", "l" + std::to_string(index)}, {"alua_tg_pt_gp_name", "default_tg_pt_gp"},
          {"index", index}, {"storage_object", so}};
}

class AdminCtlTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(dir_.ok()) << dir_.error();
    ASSERT_FALSE(TargetProcess::BinaryPath().empty());
  }
  TempDir dir_{"admin-ctl-"};
};

TEST_F(AdminCtlTest, LioFileWithTwoTargetsRestoresServesAndSavesBackEqual) {
  const json fixture = ReadJson(ADMIN_TESTDATA_DIR "/lio-saveconfig-fileio-acl.json");
  ASSERT_FALSE(fixture.is_discarded());
  const json& tpl_so = fixture["storage_objects"][0];
  const json& tpl_tpg = fixture["targets"][0]["tpgs"][0];
  const json& tpl_acl = tpl_tpg["node_acls"][0];

  fs::path file = dir_.CreateFile("fileio0.img", 32 << 20);
  fs::path block_file = dir_.CreateFile("block0.img", 32 << 20);
  std::string reason;
  auto loop = LoopDevice::Attach(block_file.string(), &reason);
  if (!loop) GTEST_SKIP() << "BLOCK needs a loop device: " << reason;
  const uint16_t port = FreePort();

  json doc;
  doc["fabric_modules"] = json::array();
  doc["storage_objects"] = {
      StorageObject(tpl_so, "block", "block0", loop->path(), 0, "5a1e8c5e-7b2f-4f0e-9c1d-2b3a4c5d6e7f"),
      StorageObject(tpl_so, "fileio", "fileio0", file.string(), 32 << 20, "4e28d341-9390-4a4e-8a1e-0f1b2c3d4e5f"),
      StorageObject(tpl_so, "ramdisk", "ram0", "", 16 << 20, "3c1b2a09-8f7e-4d6c-9b5a-493827161514")};
  auto tpg = [&](const json& acls, const json& luns, bool auth) {
    json t = tpl_tpg;
    t["attributes"]["authentication"] = auth ? 1 : 0;
    t["luns"] = luns;
    t["node_acls"] = acls;
    t["portals"] = json::array({{{"ip_address", "127.0.0.1"}, {"iser", false}, {"offload", false}, {"port", port}}});
    return t;
  };
  doc["targets"] = json::array();
  doc["targets"].push_back(
      {{"fabric", "iscsi"},
       {"tpgs", {tpg(json::array({Acl(tpl_acl, kInitiator1, "one-user", "OneWaySecret-16c", "", "", {{0, 0}, {1, 1}})}),
                     json::array({Lun(0, "/backstores/fileio/fileio0"), Lun(1, "/backstores/ramdisk/ram0")}), true)}},
       {"wwn", kTarget1}});
  doc["targets"].push_back(
      {{"fabric", "iscsi"},
       {"tpgs", {tpg(json::array({Acl(tpl_acl, kInitiator2, "two-user", "MutualInitSecr1", "two-target",
                                      "MutualTgtSecret2", {{0, 0}, {1, 1}}),
                                  Acl(tpl_acl, kInitiator1, "one-user", "OneWaySecret-16c", "", "", {{0, 1}})}),
                     json::array({Lun(0, "/backstores/block/block0"), Lun(1, "/backstores/ramdisk/ram0")}), true)}},
       {"wwn", kTarget2}});
  const fs::path lio_file = dir_.path() / "from-lio.json";
  WriteText(lio_file, doc.dump(2) + "\n");

  AdminTarget target(dir_.path());
  std::string error;
  ASSERT_TRUE(target.Start(&error)) << error;
  ProcessResult restored = target.Ctl({"restoreconfig", lio_file.string()});
  ASSERT_TRUE(restored.Ok()) << restored.Describe() << " " << restored.err << target.Tail();
  EXPECT_NE(restored.out.find("2 target(s), 3 storage object(s)"), std::string::npos) << restored.out;

  // It serves: mutual CHAP on target two, BLOCK LUN 0 writable and verified.
  LibiscsiLogin login;
  login.initiator = kInitiator2;
  login.portal = "127.0.0.1:" + std::to_string(port);
  login.target = kTarget2;
  login.user = "two-user";
  login.secret = "MutualInitSecr1";
  login.target_user = "two-target";
  login.target_secret = "MutualTgtSecret2";
  {
    IscsiContextPtr ctx = LibiscsiConnect(login, &error);
    ASSERT_TRUE(ctx) << error << target.Tail();
    EXPECT_TRUE(WriteReadVerify(ctx.get(), 0, 8, MakePattern(1, 8, 4096), 512, &error)) << error;
    // LUN 1 is new to this I_T nexus: its first command reports 29/00 (SAM-5).
    ScsiTaskPtr tur(iscsi_testunitready_sync(ctx.get(), 1));
    ASSERT_TRUE(tur);
    EXPECT_TRUE(WriteReadVerify(ctx.get(), 1, 8, MakePattern(2, 8, 4096), 512, &error)) << error;
  }
  login.secret = "WrongSecret-1234";
  EXPECT_FALSE(LibiscsiConnect(login, &error)) << "a wrong CHAP secret must not log in";

  const fs::path saved = dir_.path() / "saved.json";
  ProcessResult save = target.Ctl({"saveconfig", saved.string()});
  ASSERT_TRUE(save.Ok()) << save.Describe() << " " << save.err;
  struct stat st{};
  ASSERT_EQ(::stat(saved.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u) << "the file holds CHAP secrets";
  const json back = ReadJson(saved);
  ASSERT_FALSE(back.is_discarded());
  EXPECT_EQ(back, doc) << "saved:\n" << back.dump(2);
}

TEST_F(AdminCtlTest, KillDuringSaveconfigNeverLeavesAnEmptyOrPartialFile) {
  AdminTarget target(dir_.path());
  std::string error;
  ASSERT_TRUE(target.Start(&error)) << error;
  // A few hundred objects make the file large enough (~100 KiB) for kills to land mid-save.
  json doc;
  doc["storage_objects"] = json::array();
  for (int i = 0; i < 300; ++i) {
    doc["storage_objects"].push_back({{"plugin", "ramdisk"}, {"name", "r" + std::to_string(i)},
                                      {"size", 1 << 20}, {"nullio", true},
                                      {"wwn", "00000000-0000-0000-0000-" + std::to_string(100000000000 + i)}});
  }
  doc["targets"] = json::array();
  const fs::path seed = dir_.path() / "seed.json";
  WriteText(seed, doc.dump(2));
  ASSERT_TRUE(target.Ctl({"restoreconfig", seed.string()}).Ok());
  // How long a save takes from spawning reftarget-ctl to its answer: kills are spread over
  // that window, so some land before the save, some inside it, some after.
  ProcessResult timed = target.Ctl({"saveconfig"});
  ASSERT_TRUE(timed.Ok());
  const int64_t window_us = std::max<int64_t>(1000, std::chrono::duration_cast<std::chrono::microseconds>(
                                                        timed.elapsed).count());

  std::mt19937 rng(12345);
  int killed_mid_save = 0, saved_before_kill = 0;
  for (int cycle = 0; cycle < 50; ++cycle) {
    // Every cycle changes the configuration, so every save also writes a backup.
    ProcessResult created =
        target.Ctl({"/backstores/ramdisk", "create", "c" + std::to_string(cycle), "1M"});
    ASSERT_TRUE(created.Ok()) << "cycle " << cycle << ": " << created.err;
    pid_t saver = SpawnBackground({REFTARGET_CTL_BIN, "--socket", target.socket().string(), "saveconfig"},
                                  "", &error);
    ASSERT_GT(saver, 0) << error;
    std::this_thread::sleep_for(std::chrono::microseconds(rng() % (window_us * 3 / 2)));
    target.Kill();
    int status = 0;
    ::waitpid(saver, &status, 0);
    if (!(WIFEXITED(status) && WEXITSTATUS(status) == 0)) ++killed_mid_save;

    // The file and every backup are whole: the file reloads in reftarget.
    const json file = ReadJson(target.config());
    ASSERT_FALSE(file.is_discarded()) << "cycle " << cycle << ": saveconfig.json does not parse";
    ASSERT_GE(file["storage_objects"].size(), 300u) << "cycle " << cycle;
    if (file.dump().find("\"c" + std::to_string(cycle) + "\"") != std::string::npos) ++saved_before_kill;
    size_t backups = 0;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(dir_.path() / "backup", ec)) {
      if (e.path().extension() != ".json") continue;  // a temporary of a killed backup write
      ++backups;
      const json b = ReadJson(e.path());
      ASSERT_FALSE(b.is_discarded()) << e.path() << " does not parse";
      ASSERT_GE(b["storage_objects"].size(), 300u) << e.path();
    }
    EXPECT_LE(backups, 10u);
    ASSERT_TRUE(target.Start(&error)) << "cycle " << cycle << ": " << error;
  }
  // Kills must straddle the save: some before it completed, some after, or the test proves little.
  EXPECT_GE(killed_mid_save, 5) << "no kill landed before a save answered";
  EXPECT_GE(saved_before_kill, 5) << "no save completed before its kill";
  RecordProperty("save_window_us", static_cast<int>(window_us));
  RecordProperty("killed_before_answer", killed_mid_save);
  RecordProperty("file_saved_before_kill", saved_before_kill);
  int temp_files = 0;
  for (const auto& e : fs::directory_iterator(dir_.path())) {
    temp_files += e.path().filename().string().find(".tmp.") != std::string::npos;
  }
  EXPECT_LE(temp_files, 1) << "stale temporary files are cleaned by the next save";
}

TEST_F(AdminCtlTest, BadCommandsNameThePathAndArgument) {
  AdminTarget target(dir_.path());
  std::string error;
  ASSERT_TRUE(target.Start(&error)) << error;
  ProcessResult bad_size = target.Ctl({"/backstores/ramdisk", "create", "r0", "12Q"});
  EXPECT_EQ(bad_size.exit_code, 1);
  EXPECT_NE(bad_size.err.find("/backstores/ramdisk"), std::string::npos) << bad_size.err;
  EXPECT_NE(bad_size.err.find("12Q"), std::string::npos) << bad_size.err;
  ProcessResult no_path = target.Ctl({"/iscsi/iqn.2003-01.org.example:none/tpg1/luns", "create",
                                      "/backstores/ramdisk/x"});
  EXPECT_EQ(no_path.exit_code, 1);
  EXPECT_NE(no_path.err.find("iqn.2003-01.org.example:none"), std::string::npos) << no_path.err;
  ProcessResult clear = target.Ctl({"clearconfig"});
  EXPECT_EQ(clear.exit_code, 1);
  EXPECT_NE(clear.err.find("confirm=true"), std::string::npos) << clear.err;
  ProcessResult no_socket = RunProcess({REFTARGET_CTL_BIN, "--socket", (dir_.path() / "none.sock").string(), "ls"}, 10s);
  EXPECT_EQ(no_socket.exit_code, 2);
  EXPECT_NE(no_socket.err.find("none.sock"), std::string::npos) << no_socket.err;
  struct stat st{};
  ASSERT_EQ(::stat(target.socket().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  // A batch is all or nothing: its second command fails, so the first leaves no trace.
  ProcessResult batch = target.Ctl({"/backstores/ramdisk", "create", "b0", "1M", ";",
                                    "/iscsi/iqn.2003-01.org.example:none/tpg1/luns", "create",
                                    "/backstores/ramdisk/b0"});
  EXPECT_EQ(batch.exit_code, 1);
  EXPECT_NE(batch.err.find("command 2"), std::string::npos) << batch.err;
  ProcessResult tree = target.Ctl({"ls"});
  EXPECT_TRUE(tree.Ok()) << "the target still answers";
  EXPECT_EQ(tree.out.find("b0"), std::string::npos) << tree.out;
  ProcessResult both = target.Ctl({"/backstores/ramdisk", "create", "b1", "1M", ";",
                                   "/backstores/ramdisk", "create", "b2", "1M"});
  EXPECT_TRUE(both.Ok()) << both.err;
  tree = target.Ctl({"ls", "/backstores/ramdisk"});
  EXPECT_NE(tree.out.find("b1"), std::string::npos) << tree.out;
  EXPECT_NE(tree.out.find("b2"), std::string::npos) << tree.out;
}

TEST_F(AdminCtlTest, SessionsListInitiatorsWithLunCounters) {
  AdminTarget target(dir_.path());
  std::string error;
  ASSERT_TRUE(target.Start(&error)) << error;
  const uint16_t port = FreePort();
  const std::string iqn = "iqn.2003-01.org.reftarget.itest:sessions";
  for (std::vector<std::string> words : std::vector<std::vector<std::string>>{
           {"/backstores/ramdisk", "create", "r0", "16M"},
           {"/iscsi", "create", iqn},
           {"/iscsi/" + iqn + "/tpg1/portals", "create", "127.0.0.1", std::to_string(port)},
           {"/iscsi/" + iqn + "/tpg1/luns", "create", "/backstores/ramdisk/r0"},
           {"/iscsi/" + iqn + "/tpg1", "set", "attribute", "generate_node_acls=1", "demo_mode_write_protect=0"}}) {
    ProcessResult r = target.Ctl(words);
    ASSERT_TRUE(r.Ok()) << words[0] << " " << words[1] << ": " << r.err;
  }
  LibiscsiLogin login;
  login.portal = "127.0.0.1:" + std::to_string(port);
  login.target = iqn;
  IscsiContextPtr ctx = LibiscsiConnect(login, &error);
  ASSERT_TRUE(ctx) << error << target.Tail();
  ASSERT_TRUE(WriteReadVerify(ctx.get(), 0, 0, MakePattern(3, 0, 8192), 512, &error)) << error;
  ProcessResult listed = target.Ctl({"--json", "sessions"});
  ASSERT_TRUE(listed.Ok()) << listed.err;
  const json answer = json::parse(listed.out, nullptr, false);
  ASSERT_FALSE(answer.is_discarded()) << listed.out;
  ASSERT_EQ(answer["sessions"].size(), 1u) << listed.out;
  const json& s = answer["sessions"][0];
  EXPECT_EQ(s["initiator"], login.initiator);
  EXPECT_EQ(s["target"], iqn);
  EXPECT_NE(s["initiator_address"].get<std::string>().find("127.0.0.1:"), std::string::npos);
  EXPECT_EQ(s["parameters"]["ErrorRecoveryLevel"], "0");
  ASSERT_EQ(s["luns"].size(), 1u);
  EXPECT_GE(s["luns"][0]["write_bytes"].get<uint64_t>(), 8192u);
  EXPECT_GE(s["luns"][0]["read_bytes"].get<uint64_t>(), 8192u);
  ProcessResult text = target.Ctl({"sessions", "detail"});
  ASSERT_TRUE(text.Ok());
  EXPECT_NE(text.out.find(login.initiator), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("lun0: commands"), std::string::npos) << text.out;
}

}  // namespace
}  // namespace itest
