// LiveTarget end to end on loopback: a real reactor, real TCP sessions (the scripted test
// initiator), and configurations applied while the sessions run.
#include "target/admin/live_target.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <future>
#include <thread>

#include "target/backstore/faulty_backstore.h"
#include "target/backstore/test_util.h"
#include "target/config/saveconfig_reader.h"
#include "target/iscsi/session/connection_test_util.h"

namespace reftarget::admin {
namespace {

using iscsi::testing::Initiator;
using iscsi::testing::LoginOptions;
using iscsi::testing::ScsiRequest;
using iscsi::testing::ScsiResult;

constexpr const char* kTarget = "iqn.2003-01.org.reftarget.test:live";

uint16_t FreePort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  return ntohs(a.sin_port);
}

// A configuration with ramdisks r0..r3, one target whose TPG (generated ACLs, writable)
// exports `luns` (LUN index -> ramdisk name) on 127.0.0.1:port.
config::Config MakeConfig(uint16_t port, const std::map<int, std::string>& luns,
                          bool enabled = true) {
  nlohmann::json doc;
  doc["storage_objects"] = nlohmann::json::array();
  for (int i = 0; i < 4; ++i) {
    doc["storage_objects"].push_back({{"plugin", "ramdisk"},
                                      {"name", "r" + std::to_string(i)},
                                      {"size", 4 << 20}});
  }
  nlohmann::json lun_list = nlohmann::json::array();
  for (const auto& [index, name] : luns) {
    lun_list.push_back({{"index", index}, {"storage_object", "/backstores/ramdisk/" + name}});
  }
  doc["targets"] = {{{"wwn", kTarget},
                     {"fabric", "iscsi"},
                     {"tpgs",
                      {{{"tag", 1},
                        {"enable", enabled},
                        {"attributes", {{"generate_node_acls", 1}, {"demo_mode_write_protect", 0}}},
                        {"luns", lun_list},
                        {"portals", {{{"ip_address", "127.0.0.1"}, {"port", port}}}}}}}}};
  auto parsed = config::ParseConfig(doc.dump(), "test");
  EXPECT_TRUE(parsed.ok()) << parsed.error();
  return parsed.value();
}

std::vector<uint64_t> ReportedLuns(Initiator& ini, uint64_t via_lun = 0) {
  ScsiRequest r;
  r.cdb = {0xA0, 0, 0, 0, 0, 0, 0, 0, 0x10, 0, 0, 0};
  r.lun = via_lun;
  r.read = true;
  r.edtl = 4096;
  ScsiResult res = ini.Scsi(r);
  std::vector<uint64_t> out;
  if (res.status != 0 || res.data_in.size() < 8) return out;
  uint32_t len = (res.data_in[0] << 24) | (res.data_in[1] << 16) | (res.data_in[2] << 8) | res.data_in[3];
  for (size_t off = 8; off + 8 <= res.data_in.size() && off < 8 + len; off += 8) {
    out.push_back(((res.data_in[off] & 0x3f) << 8) | res.data_in[off + 1]);
  }
  return out;
}

ScsiResult Tur(Initiator& ini, uint64_t lun) {
  ScsiRequest r;
  r.cdb = iscsi::testing::TestUnitReadyCdb();
  r.lun = lun;
  return ini.Scsi(r);
}

bool IsSense(const ScsiResult& r, uint8_t key, uint8_t asc, uint8_t ascq) {
  return r.completed && r.status == 0x02 && r.sense_key() == key && r.asc() == asc && r.ascq() == ascq;
}

class LiveTargetTest : public ::testing::Test {
 protected:
  void SetUp() override {
    pool_.Start();
    port_ = FreePort();
    // Every store is wrapped so that a test can hang its I/O; units are remembered weakly so
    // that a test can see when one is released.
    LiveTargetOptions options;
    options.open_unit = [this](const config::StorageObject& so)
        -> Result<std::shared_ptr<scsi::LogicalUnit>> {
      backstore::BackstoreSpec spec;
      spec.plugin = so.plugin;
      spec.name = so.name;
      spec.dev = so.dev;
      spec.size = so.size;
      spec.write_back = so.write_back.value_or(so.plugin == "fileio");
      auto inner = backstore::OpenBackstore(spec);
      if (!inner.ok()) return inner.status();
      auto faulty = std::make_shared<backstore::FaultyBackstore>(std::move(inner).value());
      faulty_[so.name] = faulty.get();
      scsi::LogicalUnitConfig lu;
      lu.name = so.name;
      auto unit = std::make_shared<scsi::LogicalUnit>(lu, faulty);
      units_[so.name] = unit;
      return unit;
    };
    auto live = LiveTarget::Start(MakeConfig(port_, {{0, "r0"}}), &pool_, context_, options);
    ASSERT_TRUE(live.ok()) << live.error();
    live_ = std::move(live).value();
  }
  void TearDown() override {
    initiators_.clear();
    if (live_) live_->CloseListeners();
    pool_.Stop();
    if (live_) live_->Shutdown();
  }

  // Returns a socket connected to the portal (the Initiator made from it owns it).
  int ConnectToPortal() {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(port_);
    EXPECT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    return fd;
  }

  Initiator& Login(const std::string& initiator_name, uint8_t isid_last = 1) {
    initiators_.push_back(std::make_unique<Initiator>(ConnectToPortal()));
    LoginOptions o;
    o.initiator_name = initiator_name;
    o.target_name = kTarget;
    o.isid[5] = isid_last;
    auto result = initiators_.back()->Login(o);
    EXPECT_TRUE(result.ok) << result.error << " status " << result.status();
    return *initiators_.back();
  }

  iscsi::TargetRegistry registry_;
  iscsi::SessionTable sessions_;
  std::atomic<uint64_t> inflight_{0};
  iscsi::ConnectionContext context_{&registry_, &sessions_, &inflight_, nullptr};
  net::ReactorPool pool_{1};
  uint16_t port_ = 0;
  std::unique_ptr<LiveTarget> live_;
  std::vector<std::unique_ptr<Initiator>> initiators_;
  std::map<std::string, backstore::FaultyBackstore*> faulty_;         // owned by the units
  std::map<std::string, std::weak_ptr<scsi::LogicalUnit>> units_;
};

// The removal sequence, step by step, on a LUN with a write stuck in its backstore:
// mark removed (05/25/00 at once) -> queued commands refused -> in-flight drained (the change
// waits, and no one is told yet) -> 06/3F/0E -> backstore released.
TEST_F(LiveTargetTest, RemovalSequenceDrainsBeforeTheUnitAttentionThenReleases) {
  ASSERT_TRUE(live_->Apply(MakeConfig(port_, {{0, "r0"}, {1, "r1"}})).ok());
  Initiator& a = Login("iqn.1994-05.org.test:a", 1);
  Initiator& b = Login("iqn.1994-05.org.test:b", 2);
  for (Initiator* ini : {&a, &b}) {
    ASSERT_TRUE(ini->ClearUnitAttention(0));
    ASSERT_TRUE(ini->ClearUnitAttention(1));
  }
  backstore::FaultRule hang;
  hang.op = backstore::IoType::kWrite;
  hang.action = backstore::FaultAction::kHang;
  ASSERT_TRUE(faulty_.at("r1")->AddRule(hang).ok());

  ScsiRequest write;
  write.cdb = iscsi::testing::Write10Cdb(0, 1);
  write.lun = 1;
  write.write = true;
  write.edtl = 512;
  write.write_data = iscsi::testing::Pattern(512, 9);
  write.immediate_bytes = 512;
  const uint32_t stuck = a.StartScsi(write);
  for (int i = 0; i < 200 && faulty_.at("r1")->hung() == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ASSERT_EQ(faulty_.at("r1")->hung(), 1u);

  // Remove LUN 1 and its storage object; the change waits for the stuck write.
  config::Config next = MakeConfig(port_, {{0, "r0"}});
  next.storage_objects.erase(next.storage_objects.begin() + 1);
  auto applying = std::async(std::launch::async, [&] { return live_->Apply(next); });
  ASSERT_EQ(applying.wait_for(std::chrono::milliseconds(300)), std::future_status::timeout)
      << "the commit must wait for the in-flight write";
  // Step 1: new commands to the removed LUN are refused at once, on every session.
  EXPECT_TRUE(IsSense(Tur(b, 1), 0x05, 0x25, 0x00));
  // Not announced yet: the other LUN has no unit attention while the removal drains.
  EXPECT_EQ(Tur(b, 0).status, 0x00);

  EXPECT_EQ(faulty_.at("r1")->ReleaseHung(), 1u);
  ScsiResult finished = a.FinishScsi(stuck, write);
  EXPECT_EQ(finished.status, 0x00) << "an in-flight command reports its real status";
  ASSERT_EQ(applying.wait_for(std::chrono::seconds(5)), std::future_status::ready);
  auto report = applying.get();
  ASSERT_TRUE(report.ok()) << report.error();
  EXPECT_EQ(report.value().drained_commands, 1u);
  EXPECT_FALSE(report.value().drain_timed_out);
  // Step 4: both nexuses are told once.
  for (Initiator* ini : {&a, &b}) {
    EXPECT_TRUE(IsSense(Tur(*ini, 0), 0x06, 0x3F, 0x0E));
    EXPECT_EQ(ReportedLuns(*ini), (std::vector<uint64_t>{0}));
  }
  // Step 5: the backstore is gone once nothing refers to it.
  for (int i = 0; i < 100 && !units_.at("r1").expired(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_TRUE(units_.at("r1").expired()) << "the removed unit and its backstore were released";
  EXPECT_FALSE(units_.at("r0").expired());
}

// A write still waiting for its Data-Out when its LUN goes is answered 05/25/00 once its data
// arrives, and never reaches the store.
TEST_F(LiveTargetTest, QueuedCommandOfARemovedLunIsRefusedNotExecuted) {
  ASSERT_TRUE(live_->Apply(MakeConfig(port_, {{0, "r0"}, {1, "r1"}})).ok());
  Initiator& a = Login("iqn.1994-05.org.test:a");
  ASSERT_TRUE(a.ClearUnitAttention(1));
  ScsiRequest write;
  write.cdb = iscsi::testing::Write10Cdb(0, 8);
  write.lun = 1;
  write.write = true;
  write.edtl = 4096;
  write.write_data = iscsi::testing::Pattern(4096, 3);
  write.answer_r2ts = false;  // hold the data back
  const uint32_t itt = a.StartScsi(write);
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  ASSERT_TRUE(live_->Apply(MakeConfig(port_, {{0, "r0"}})).ok());
  write.answer_r2ts = true;
  ScsiResult r = a.FinishScsi(itt, write);
  EXPECT_TRUE(IsSense(r, 0x05, 0x25, 0x00)) << r.error;
  std::vector<uint8_t> back(4096);
  ASSERT_EQ(backstore::testing::ReadSync(faulty_.at("r1")->inner(), 0, back).error, 0);
  EXPECT_EQ(back, std::vector<uint8_t>(4096, 0)) << "the refused write never reached the store";
}

TEST_F(LiveTargetTest, AddedLunRaisesReportedLunsChangedOncePerNexus) {
  Initiator& a = Login("iqn.1994-05.org.test:a", 1);
  Initiator& b = Login("iqn.1994-05.org.test:b", 2);
  ASSERT_TRUE(a.ClearUnitAttention(0));
  ASSERT_TRUE(b.ClearUnitAttention(0));

  auto report = live_->Apply(MakeConfig(port_, {{0, "r0"}, {1, "r1"}}));
  ASSERT_TRUE(report.ok()) << report.error();
  EXPECT_EQ(report.value().sessions_updated, 2);
  EXPECT_EQ(report.value().nexus_unit_attentions, 2);

  for (Initiator* ini : {&a, &b}) {
    EXPECT_TRUE(IsSense(Tur(*ini, 0), 0x06, 0x3F, 0x0E));
    EXPECT_EQ(ReportedLuns(*ini), (std::vector<uint64_t>{0, 1}));
    EXPECT_EQ(Tur(*ini, 0).status, 0x00) << "REPORT LUNS clears the condition";
    // LUN 1 is new to this nexus: POWER ON first (SAM-5), then usable; no second 3F/0E.
    ScsiResult first = Tur(*ini, 1);
    EXPECT_TRUE(first.status == 0x00 || IsSense(first, 0x06, 0x29, 0x00));
    EXPECT_EQ(Tur(*ini, 1).status, 0x00);
  }
}

TEST_F(LiveTargetTest, RemovedLunAnswersNotSupportedAndOthersGetTheAttention) {
  ASSERT_TRUE(live_->Apply(MakeConfig(port_, {{0, "r0"}, {1, "r1"}})).ok());
  Initiator& a = Login("iqn.1994-05.org.test:a");
  ASSERT_TRUE(a.ClearUnitAttention(0));
  ASSERT_TRUE(a.ClearUnitAttention(1));

  auto report = live_->Apply(MakeConfig(port_, {{0, "r0"}}));
  ASSERT_TRUE(report.ok()) << report.error();
  EXPECT_EQ(report.value().nexus_unit_attentions, 1);
  EXPECT_TRUE(IsSense(Tur(a, 1), 0x05, 0x25, 0x00));
  EXPECT_TRUE(IsSense(Tur(a, 0), 0x06, 0x3F, 0x0E));
  EXPECT_EQ(ReportedLuns(a), (std::vector<uint64_t>{0}));
  EXPECT_EQ(Tur(a, 0).status, 0x00);
}

TEST_F(LiveTargetTest, TargetWithoutLunZeroStillAnswersReportLuns) {
  Initiator& a = Login("iqn.1994-05.org.test:a");
  ASSERT_TRUE(a.ClearUnitAttention(0));
  ASSERT_TRUE(live_->Apply(MakeConfig(port_, {{3, "r3"}})).ok());
  EXPECT_EQ(ReportedLuns(a, 0), (std::vector<uint64_t>{3}));
  EXPECT_TRUE(IsSense(Tur(a, 0), 0x05, 0x25, 0x00));
}

TEST_F(LiveTargetTest, RefusedChangeLeavesEverythingRunning) {
  Initiator& a = Login("iqn.1994-05.org.test:a");
  ASSERT_TRUE(a.ClearUnitAttention(0));
  const config::Config before = live_->config();

  // The new portal's port is taken: prepare fails, nothing changes.
  int busy = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(busy, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(::listen(busy, 1), 0);
  socklen_t len = sizeof addr;
  ::getsockname(busy, reinterpret_cast<sockaddr*>(&addr), &len);
  config::Config next = MakeConfig(port_, {{0, "r0"}, {1, "r1"}});
  config::Portal extra;
  extra.ip_address = "127.0.0.1";
  extra.port = ntohs(addr.sin_port);
  next.targets[0].tpgs[0].portals.push_back(extra);
  auto refused = live_->Apply(next);
  ::close(busy);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().find("127.0.0.1:" + std::to_string(extra.port)), std::string::npos)
      << refused.error();
  EXPECT_EQ(live_->config(), before);
  EXPECT_EQ(Tur(a, 0).status, 0x00) << "no unit attention: nothing changed";
  EXPECT_EQ(ReportedLuns(a), (std::vector<uint64_t>{0}));
}

TEST_F(LiveTargetTest, ResizeRaisesCapacityChanged) {
  Initiator& a = Login("iqn.1994-05.org.test:a");
  ASSERT_TRUE(a.ClearUnitAttention(0));
  config::Config next = live_->config();
  next.storage_objects[0].size = 8 << 20;
  auto report = live_->Apply(next);
  ASSERT_TRUE(report.ok()) << report.error();
  EXPECT_TRUE(IsSense(Tur(a, 0), 0x06, 0x2A, 0x09));
  ScsiRequest cap;
  cap.cdb = {0x25, 0, 0, 0, 0, 0, 0, 0, 0, 0};
  cap.read = true;
  cap.edtl = 8;
  ScsiResult r = a.Scsi(cap);
  ASSERT_EQ(r.status, 0x00);
  ASSERT_EQ(r.data_in.size(), 8u);
  const uint32_t last_lba = (r.data_in[0] << 24) | (r.data_in[1] << 16) | (r.data_in[2] << 8) | r.data_in[3];
  EXPECT_EQ(last_lba, (8u << 20) / 512 - 1);
  // Shrinking is refused and changes nothing.
  next.storage_objects[0].size = 2 << 20;
  auto refused = live_->Apply(next);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().find("shrinking"), std::string::npos) << refused.error();
  EXPECT_EQ(live_->config().storage_objects[0].size, 8u << 20);
}

TEST_F(LiveTargetTest, WriteCacheModeSwitchesLive) {
  char dir_template[] = "/tmp/live-target-XXXXXX";
  ASSERT_NE(::mkdtemp(dir_template), nullptr);
  const std::string file = std::string(dir_template) + "/f0.img";
  config::Config next = MakeConfig(port_, {{0, "r0"}});
  config::StorageObject f0;
  f0.plugin = "fileio";
  f0.name = "f0";
  f0.dev = file;
  f0.size = 4 << 20;
  f0.write_back = true;
  next.storage_objects.push_back(f0);
  config::Lun lun;
  lun.index = 1;
  lun.storage_object = "/backstores/fileio/f0";
  next.targets[0].tpgs[0].luns.push_back(lun);
  ASSERT_TRUE(live_->Apply(next).ok());
  Initiator& a = Login("iqn.1994-05.org.test:a");
  ASSERT_TRUE(a.ClearUnitAttention(1));

  next.storage_objects.back().write_back = false;
  auto report = live_->Apply(next);
  ASSERT_TRUE(report.ok()) << report.error();
  EXPECT_TRUE(IsSense(Tur(a, 1), 0x06, 0x2A, 0x01)) << "MODE PARAMETERS CHANGED";
  ScsiRequest sense;
  sense.cdb = {0x1A, 0x08, 0x08, 0, 255, 0};  // MODE SENSE(6), DBD, caching page
  sense.lun = 1;
  sense.read = true;
  sense.edtl = 255;
  ScsiResult r = a.Scsi(sense);
  ASSERT_EQ(r.status, 0x00);
  ASSERT_GT(r.data_in.size(), 6u);
  EXPECT_EQ(r.data_in[4] & 0x3F, 0x08);
  EXPECT_EQ(r.data_in[6] & 0x04, 0x00) << "WCE is off";
  live_->Shutdown();
  ::unlink(file.c_str());
  ::rmdir(dir_template);
}

TEST_F(LiveTargetTest, StorageObjectInUseCannotChange) {
  config::Config next = live_->config();
  next.storage_objects[0].wwn = "0123456789abcdef";
  auto refused = live_->Apply(next);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().find("/backstores/ramdisk/r0 is in use by /iscsi/" + std::string(kTarget) +
                                 "/tpg1/luns/lun0"),
            std::string::npos)
      << refused.error();
  // An unmapped one can.
  next = live_->config();
  next.storage_objects[2].size = 8 << 20;
  EXPECT_TRUE(live_->Apply(next).ok());
}

TEST_F(LiveTargetTest, DisablingTheTpgEndsItsSessions) {
  Initiator& a = Login("iqn.1994-05.org.test:a");
  ASSERT_TRUE(a.ClearUnitAttention(0));
  auto report = live_->Apply(MakeConfig(port_, {{0, "r0"}}, /*enabled=*/false));
  ASSERT_TRUE(report.ok()) << report.error();
  EXPECT_EQ(report.value().sessions_ended, 1);
  EXPECT_TRUE(a.WaitForClose());
}

TEST_F(LiveTargetTest, InitiatorNetworkRestrictionRefusesOtherSources) {
  // Allowed by the TPG (loopback), refused by the ACL of `b` (a network the test is not on).
  config::Config next = MakeConfig(port_, {{0, "r0"}});
  next.targets[0].tpgs[0].extra["initiator_networks"] = {"127.0.0.0/8", "::1/128"};
  config::NodeAcl acl;
  acl.node_wwn = "iqn.1994-05.org.test:b";
  acl.extra["initiator_networks"] = {"192.0.2.0/24"};
  next.targets[0].tpgs[0].node_acls.push_back(acl);
  ASSERT_TRUE(live_->Apply(next).ok());
  Login("iqn.1994-05.org.test:a");  // generated ACL: the TPG's networks only

  Initiator refused(ConnectToPortal());
  LoginOptions o;
  o.initiator_name = "iqn.1994-05.org.test:b";
  o.target_name = kTarget;
  auto result = refused.Login(o);
  EXPECT_FALSE(result.ok);
  EXPECT_EQ(result.status(), 0x0202) << "authorization failure";

  // A TPG restricted to another network refuses everyone here.
  next.targets[0].tpgs[0].extra["initiator_networks"] = {"198.51.100.0/24"};
  ASSERT_TRUE(live_->Apply(next).ok());
  Initiator outside(ConnectToPortal());
  o.initiator_name = "iqn.1994-05.org.test:c";
  EXPECT_EQ(outside.Login(o).status(), 0x0202);

  // A malformed network is refused with its place named, and nothing changes.
  next.targets[0].tpgs[0].extra["initiator_networks"] = {"10.0.0.1/8"};
  auto bad = live_->Apply(next);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().find("initiator_networks"), std::string::npos) << bad.error();
}

TEST_F(LiveTargetTest, SessionsReportCountersPerLun) {
  Initiator& a = Login("iqn.1994-05.org.test:a");
  ASSERT_TRUE(a.ClearUnitAttention(0));
  ScsiRequest read;
  read.cdb = iscsi::testing::Read10Cdb(0, 8);
  read.read = true;
  read.edtl = 8 * 512;
  ASSERT_EQ(a.Scsi(read).status, 0x00);
  auto sessions = live_->Sessions(std::chrono::seconds(2));
  ASSERT_EQ(sessions.size(), 1u);
  EXPECT_EQ(sessions[0].initiator_name, "iqn.1994-05.org.test:a");
  EXPECT_EQ(sessions[0].target_name, kTarget);
  EXPECT_EQ(sessions[0].negotiated.at("MaxBurstLength").empty(), false);
  ASSERT_EQ(sessions[0].luns.count(0), 1u);
  EXPECT_GE(sessions[0].luns.at(0).commands, 2u);  // the UA-clearing TUR(s) and the read
  EXPECT_EQ(sessions[0].luns.at(0).read_bytes, 8u * 512);
  EXPECT_GE(sessions[0].luns.at(0).errors, 1u);    // the 29/00 unit attention
}

TEST_F(LiveTargetTest, RemovedPortalStopsListening) {
  const uint16_t second = FreePort();
  config::Config next = MakeConfig(port_, {{0, "r0"}});
  config::Portal p;
  p.ip_address = "127.0.0.1";
  p.port = second;
  next.targets[0].tpgs[0].portals.push_back(p);
  ASSERT_TRUE(live_->Apply(next).ok());
  EXPECT_EQ(live_->ListeningOn().size(), 2u);
  ASSERT_TRUE(live_->Apply(MakeConfig(port_, {{0, "r0"}})).ok());
  ASSERT_EQ(live_->ListeningOn().size(), 1u);
  EXPECT_EQ(live_->ListeningOn()[0].port, port_);
}

}  // namespace
}  // namespace reftarget::admin
