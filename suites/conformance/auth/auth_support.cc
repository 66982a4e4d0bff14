#include "suites/conformance/auth/auth_support.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <random>

#include "harness/iscsi/cdb.h"
#include "harness/iscsi/login_error.h"
#include "harness/process/child_process.h"

namespace conformance::auth {
namespace {

using namespace std::chrono_literals;
namespace rp = harness::rawpdu;
namespace hi = harness::iscsi;

std::mt19937_64& Rng() {
  static std::mt19937_64 rng{std::random_device{}()};
  return rng;
}

}  // namespace

hi::Isid FreshLibiscsiIsid() {
  uint64_t v = Rng()();
  return hi::Isid{static_cast<uint32_t>(v & 0xffffff), static_cast<uint16_t>(v >> 32)};
}

hi::ConnectOptions OptionsFor(const TargetUnderTest& t, const InitiatorInfo& who, bool mutual) {
  hi::ConnectOptions o;
  o.portal = t.portal.ToString();
  o.target = t.iqn;
  o.lun = t.luns.empty() ? 0 : t.luns[0].number;
  o.initiator = who.name;
  o.isid = FreshLibiscsiIsid();
  if (who.chap) {
    o.chap = {who.chap->userid, who.chap->password};
    if (mutual) o.mutual = {who.chap->mutual_userid, who.chap->mutual_password};
  }
  o.connect_limit = 5000ms;
  return o;
}

rp::ChapSecrets SecretsFor(const InitiatorInfo& who, bool mutual) {
  rp::ChapSecrets s;
  if (!who.chap) return s;
  s.user = who.chap->userid;
  s.secret = who.chap->password;
  if (mutual) {
    s.target_user = who.chap->mutual_userid;
    s.target_secret = who.chap->mutual_password;
  }
  return s;
}

std::string UnlistedInitiator(const TargetUnderTest& t, const std::string& tag) {
  char suffix[16];
  std::snprintf(suffix, sizeof(suffix), "%06llx",
                static_cast<unsigned long long>(Rng()() & 0xffffff));
  return t.initiator_prefix + ":not-in-acl-" + tag + "-" + suffix;
}

void ExpectTargetServes(const TargetUnderTest& t, const std::string& context) {
  if (t.pid) {
    EXPECT_TRUE(harness::process::ProcessRunning(*t.pid)) << context << ": the target process " << *t.pid
                                      << " has exited";
  }
  const InitiatorInfo* who = t.ChapInitiator(false);
  ASSERT_NE(who, nullptr) << context << ": the target file lists no one-way CHAP initiator";
  const auto start = std::chrono::steady_clock::now();
  auto session = hi::Session::Connect(OptionsFor(t, *who, false));
  ASSERT_TRUE(session.ok()) << context << ": a healthy login afterwards failed: "
                            << session.error();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2s)
      << context << ": the healthy login took longer than 2 s";
  const harness::suite::LunInfo* lun = t.WritableLun();
  ASSERT_NE(lun, nullptr) << context << ": no writable LUN";
  const uint32_t block = lun->spec.block_size;
  const uint64_t blocks = lun->spec.size_bytes / block;
  const uint64_t lba = 1024 + Rng()() % (blocks - 2048);
  hi::CommandRequest read;
  read.cdb = hi::cdb::Read16(lba, 1);
  read.direction = hi::DataDirection::kRead;
  read.data_in_length = block;
  read.lun = lun->number;
  read.limit = 5000ms;
  if (!t.allow_data_loss) {
    hi::CommandResult r = session.value()->Execute(read);
    EXPECT_TRUE(r.good()) << context << ": READ(16) afterwards: " << r.Describe();
    return;
  }
  std::vector<uint8_t> pattern(block);
  for (auto& b : pattern) b = static_cast<uint8_t>(Rng()());
  hi::CommandRequest write;
  write.cdb = hi::cdb::Write16(lba, 1);
  write.direction = hi::DataDirection::kWrite;
  write.data_out = pattern;
  write.lun = lun->number;
  write.limit = 5000ms;
  hi::CommandResult w = session.value()->Execute(write);
  ASSERT_TRUE(w.good()) << context << ": WRITE(16) afterwards: " << w.Describe();
  hi::CommandResult r = session.value()->Execute(read);
  ASSERT_TRUE(r.good()) << context << ": READ(16) afterwards: " << r.Describe();
  EXPECT_EQ(r.data_in, pattern) << context << ": the block read back differs from the one written";
}

std::string LoginStep::Describe() const {
  if (closed) return "connection closed by the target";
  if (!response) return "no Login Response: " + error;
  std::string out = StatusText(status) + (transit ? ", T=1" : ", T=0") + ", keys {";
  for (size_t i = 0; i < keys.size(); ++i) {
    out += (i ? " " : "") + keys[i].first + "=" + keys[i].second.substr(0, 80);
  }
  return out + "}";
}

std::unique_ptr<RawLoginSteps> RawLoginSteps::Open(const TargetUnderTest& t, std::string initiator,
                                                   bool discovery, std::string* error) {
  auto conn = rp::RawConnection::Connect(t.portal.host, t.portal.port, 5s, error);
  if (!conn) return nullptr;
  std::unique_ptr<RawLoginSteps> s(new RawLoginSteps());
  s->conn_ = std::move(conn);
  s->options_.initiator_name = std::move(initiator);
  s->options_.session_type = discovery ? "Discovery" : "Normal";
  if (!discovery) s->options_.target_name = t.iqn;
  s->options_.isid = harness::rawpdu::RandomIsid();
  return s;
}

LoginStep RawLoginSteps::Send(int csg, int nsg, bool transit, const KeyValues& keys) {
  LoginStep step;
  KeyValues all;
  if (first_) {
    all.emplace_back("InitiatorName", options_.initiator_name);
    all.emplace_back("SessionType", options_.session_type);
    if (!options_.target_name.empty()) all.emplace_back("TargetName", options_.target_name);
  }
  all.insert(all.end(), keys.begin(), keys.end());
  rp::Pdu req = rp::MakeLoginRequest(options_, csg, nsg, transit, 0x1000, 1, exp_stat_sn_, all);
  if (!conn_->SendPdu(req, &step.error)) {
    step.closed = true;
    return step;
  }
  first_ = false;
  rp::Pdu resp;
  rp::RecvStatus st = conn_->Recv(&resp, 5s, &step.error);
  if (st == rp::RecvStatus::kClosed) {
    step.closed = true;
    return step;
  }
  if (st != rp::RecvStatus::kPdu) {
    step.error = std::string(rp::RecvStatusName(st)) + " " + step.error;
    return step;
  }
  if (resp.opcode() != rp::kOpLoginResponse) {
    step.error = "expected a Login Response, got " + rp::OpcodeName(resp.opcode());
    return step;
  }
  step.response = true;
  exp_stat_sn_ = resp.Get32(24) + 1;
  step.status = resp.bhs[36] << 8 | resp.bhs[37];
  step.transit = (resp.flags() & 0x80) != 0;
  step.nsg = resp.flags() & 0x03;
  step.keys = rp::DecodeKeys(resp.data);
  return step;
}

LoginStep RawLoginSteps::StartChap(const std::string& algorithms) {
  LoginStep method = Send(0, 1, false, {{"AuthMethod", "CHAP"}});
  if (!method.response || method.status != 0) return method;
  return Send(0, 1, false, {{"CHAP_A", algorithms}});
}

rp::RawLoginResult RawChapLogin(const TargetUnderTest& t, const InitiatorInfo& who, bool mutual,
                                std::function<void(KeyValues*, const KeyValues&)> mutator) {
  std::string error;
  auto conn = rp::RawConnection::Connect(t.portal.host, t.portal.port, 5s, &error);
  if (!conn) {
    rp::RawLoginResult r;
    r.error = "connect: " + error;
    return r;
  }
  rp::RawLoginOptions o;
  o.initiator_name = who.name;
  o.target_name = t.iqn;
  o.chap = SecretsFor(who, mutual);
  o.isid = harness::rawpdu::RandomIsid();
  o.chap_mutator = std::move(mutator);
  return rp::RawLogin(conn.get(), o);
}

void SetKey(KeyValues* keys, const std::string& key, const std::string& value) {
  for (auto& kv : *keys) {
    if (kv.first == key) {
      kv.second = value;
      return;
    }
  }
  keys->emplace_back(key, value);
}

void DropKey(KeyValues* keys, const std::string& key) {
  std::erase_if(*keys, [&](const auto& kv) { return kv.first == key; });
}

bool StatusIn(int status, std::initializer_list<int> allowed) {
  for (int a : allowed) {
    if (a == status) return true;
  }
  return false;
}

std::string StatusText(int status) {
  if (status < 0) return "(none)";
  return hi::DescribeLoginStatus(status);
}

}  // namespace conformance::auth
