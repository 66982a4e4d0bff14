// Hostile input through a real Connection: absurd lengths, a full AHS, resource exhaustion
// by immediate commands, and thousands of random PDUs with a fixed seed. The target may
// close the offending connection; it must never crash or disturb another session.
#include <algorithm>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "target/iscsi/session/connection_test_util.h"

namespace reftarget::iscsi::testing {
namespace {

using HostileTest = ConnectionTest;

TEST_F(HostileTest, HugeDataSegmentLengthClosesOnlyThatConnection) {
  LoginOptions first;
  first.isid = {0x80, 0, 0, 0, 0, 1};
  LoginOptions second;
  second.isid = {0x80, 0, 0, 0, 0, 2};
  auto victim = LoggedIn(first);
  auto bystander = LoggedIn(second);
  ASSERT_TRUE(victim && bystander);
  Bhs bhs = Encode(NopOutPdu{true, 0, 0, 0x10, kReservedTag, victim->cmd_sn, 0});
  Store24(&bhs[5], 0xffffff);  // 16 MiB, announced but never sent
  ASSERT_TRUE(victim->SendRaw(bhs));
  EXPECT_TRUE(victim->WaitForClose());
  EXPECT_TRUE(victim->discarded().empty());
  EXPECT_TRUE(bystander->Ping().has_value()) << "another session is unaffected";
  EXPECT_EQ(OpenConnections(), 1u);
  EXPECT_EQ(sessions_.size(), 1u);
}

TEST_F(HostileTest, DataOutOverMaxRecvDataSegmentLengthCloses) {
  auto ini = LoggedIn();
  ASSERT_TRUE(ini);
  std::vector<uint8_t> big(8192 + 4, 0);
  ini->SendDataOut(0x1, 0x1, 0, 0, big, true);  // the target declared 8192
  EXPECT_TRUE(ini->WaitForClose());
}

TEST_F(HostileTest, TotalAhsLength255IsHandled) {
  auto ini = LoggedIn();
  ASSERT_TRUE(ini);
  ASSERT_TRUE(ini->ClearUnitAttention(0));
  // 1020 bytes of AHS: one Extended CDB AHS (type 1) whose length claims all of it.
  std::vector<uint8_t> ahs(1020, 0);
  Store16(&ahs[0], 1017);
  ahs[2] = 1;
  ScsiCommandPdu c;
  c.final = true;
  c.attribute = 1;
  c.itt = ini->NextItt();
  c.cmd_sn = ini->cmd_sn++;
  ASSERT_TRUE(ini->SendPdu(Encode(c), {}, ahs));
  auto pdu = ini->Recv();
  ASSERT_TRUE(pdu.has_value()) << ini->error();
  EXPECT_TRUE(pdu->opcode() == static_cast<uint8_t>(Opcode::kScsiResponse) ||
              pdu->opcode() == static_cast<uint8_t>(Opcode::kReject))
      << Describe(*pdu);
  // A NOP-Out with a full AHS of garbage types: read and ignored.
  std::vector<uint8_t> junk = Pattern(1020, 60);
  NopOutPdu n{true, 0, 0, 0x77, kReservedTag, ini->cmd_sn, 0};
  ASSERT_TRUE(ini->SendPdu(Encode(n), {}, junk));
  auto nop = ini->RecvFor(static_cast<uint8_t>(Opcode::kNopIn), 0x77, nullptr);
  EXPECT_TRUE(nop.has_value()) << ini->error();
  EXPECT_TRUE(ini->Ping().has_value());
}

TEST_F(HostileTest, ImmediateCommandsAreBounded) {
  // Non-immediate commands are bounded by the CmdSN window; immediate ones bypass it. A
  // WRITE allocates its whole EDTL (up to 32 MiB) when it arrives and then waits for Data-Out
  // forever, so an initiator could pin unbounded memory. Expect TASK SET FULL or Reject 0x06
  // once the outstanding immediate commands exceed several times the queue depth.
  TargetConfig c;
  c.cmdsn_depth = 8;
  Configure(c);
  LoginOptions o;
  o.Set("ImmediateData", "No");
  auto ini = LoggedIn(o);
  ASSERT_TRUE(ini);
  ASSERT_TRUE(ini->ClearUnitAttention(0));
  constexpr int kCommands = 256;
  for (int i = 0; i < kCommands; ++i) {
    ScsiRequest rq;
    rq.cdb = Write10Cdb(0, 128);
    rq.write = true;
    rq.edtl = 65536;
    rq.immediate = true;
    ini->StartScsi(rq);
  }
  int r2ts = 0, refusals = 0;
  for (int i = 0; i < kCommands; ++i) {
    auto pdu = ini->Recv(1000);
    if (!pdu) break;
    if (pdu->opcode() == static_cast<uint8_t>(Opcode::kR2T)) ++r2ts;
    if (pdu->opcode() == static_cast<uint8_t>(Opcode::kReject) ||
        pdu->opcode() == static_cast<uint8_t>(Opcode::kScsiResponse)) {
      ++refusals;
    }
  }
  EXPECT_EQ(r2ts + refusals, kCommands) << ini->error();
  ASSERT_FALSE(refusals == 0)
    << "immediate commands beyond the session depth must be refused (RFC 7143 §11.17.1: Reject 0x06 or TASK SET FULL); got " << r2ts << " R2Ts";
  EXPECT_GT(refusals, 0);
}

// Builds one random PDU: mostly well-formed headers with random fields (so that the deep
// paths run), sometimes raw random bytes.
struct RandomPdu {
  Bhs bhs{};
  std::vector<uint8_t> ahs;
  std::vector<uint8_t> data;
  bool raw = false;  // send bhs + data as bytes, whatever the header claims
};

RandomPdu MakeRandomPdu(std::mt19937& rng, uint32_t cmd_sn, const std::vector<uint32_t>& itts) {
  auto u32 = [&] { return static_cast<uint32_t>(rng()); };
  auto pick = [&](uint32_t n) { return static_cast<uint32_t>(rng() % n); };
  auto near_sn = [&] { return pick(4) == 0 ? u32() : cmd_sn + pick(6) - 2; };
  auto some_itt = [&] { return itts.empty() || pick(3) == 0 ? u32() : itts[pick(itts.size())]; };
  RandomPdu p;
  uint32_t dsl = 0;
  switch (pick(10)) {
    case 0:
    case 1: {
      ScsiCommandPdu c;
      c.immediate = pick(2);
      c.final = pick(4) != 0;
      c.read = pick(2);
      c.write = pick(2);
      c.attribute = static_cast<uint8_t>(pick(8));
      c.lun = pick(8) == 0 ? u32() : EncodeLun(pick(3));
      c.itt = some_itt();
      c.expected_data_transfer_length = pick(4) == 0 ? u32() : pick(65536);
      c.cmd_sn = near_sn();
      for (auto& b : c.cdb) b = static_cast<uint8_t>(rng());
      if (pick(2)) c.cdb[0] = pick(2) ? 0x28 : 0x2a;
      if (pick(2)) std::fill(c.cdb.begin() + 2, c.cdb.begin() + 7, 0);
      dsl = c.write && pick(2) ? pick(8192) : 0;
      p.bhs = Encode(c);
      break;
    }
    case 2:
    case 3: {
      DataOutPdu d;
      d.final = pick(2);
      d.lun = EncodeLun(pick(2));
      d.itt = some_itt();
      d.target_transfer_tag = pick(2) ? pick(64) : kReservedTag;
      d.data_sn = pick(4);
      d.buffer_offset = pick(4) == 0 ? u32() : pick(65536);
      dsl = pick(8193);
      p.bhs = Encode(d);
      break;
    }
    case 4: {
      TaskMgmtRequestPdu t;
      t.immediate = pick(2);
      t.function = static_cast<uint8_t>(pick(4) == 0 ? pick(128) : 1 + pick(6));  // not 7
      t.lun = EncodeLun(pick(3));
      t.itt = u32();
      t.referenced_task_tag = some_itt();
      t.cmd_sn = near_sn();
      t.ref_cmd_sn = near_sn();
      p.bhs = Encode(t);
      break;
    }
    case 5: {
      NopOutPdu n;
      n.immediate = pick(2);
      n.itt = pick(8) == 0 ? kReservedTag : u32();
      n.target_transfer_tag = pick(4) == 0 ? u32() : kReservedTag;
      n.cmd_sn = near_sn();
      dsl = pick(2) ? pick(9000) : 0;
      p.bhs = Encode(n);
      break;
    }
    case 6: {
      TextRequestPdu t;
      t.immediate = pick(2);
      t.final = pick(2);
      t.continue_ = !t.final && pick(2);
      t.itt = u32();
      t.target_transfer_tag = pick(2) ? kReservedTag : pick(64);
      t.cmd_sn = near_sn();
      std::string keys =
          pick(2)
              ? login::EncodeTextKeys({{"SendTargets", "All"}})
              : login::EncodeTextKeys({{"MaxRecvDataSegmentLength", std::to_string(pick(70000))}});
      p.data.assign(keys.begin(), keys.end());
      p.bhs = Encode(t);
      break;
    }
    case 7: {
      if (pick(8) == 0) {  // rarely: logout (the harness logs in again)
        LogoutRequestPdu l;
        l.immediate = true;
        l.reason_code = static_cast<uint8_t>(pick(3));
        l.itt = u32();
        l.cmd_sn = cmd_sn;
        p.bhs = Encode(l);
      } else {
        SnackRequestPdu s;
        s.type = static_cast<uint8_t>(pick(4));
        s.itt = u32();
        p.bhs = Encode(s);
      }
      break;
    }
    default: {  // raw random header with a bounded data segment
      for (auto& b : p.bhs) b = static_cast<uint8_t>(rng());
      p.bhs[4] = pick(4) == 0 ? static_cast<uint8_t>(pick(256)) : 0;
      uint32_t announced = pick(10) == 0 ? u32() & 0xffffff : pick(4096);
      Store24(&p.bhs[5], announced);
      p.raw = true;
      dsl = std::min<uint32_t>(announced, 4096);
      break;
    }
  }
  if (p.data.empty() && dsl > 0) {
    p.data.resize(dsl);
    for (auto& b : p.data) b = static_cast<uint8_t>(rng());
  }
  if (pick(16) == 0) {
    p.ahs.resize(4 * (1 + pick(64)));
    for (auto& b : p.ahs) b = static_cast<uint8_t>(rng());
  }
  return p;
}

// Seed and length can be changed for exploration (the default run is fixed and fast):
// REFTARGET_SESSION_FUZZ_SEED=N REFTARGET_SESSION_FUZZ_PDUS=M.
uint32_t EnvOr(const char* name, uint32_t fallback) {
  const char* v = std::getenv(name);
  return v != nullptr ? static_cast<uint32_t>(std::strtoul(v, nullptr, 10)) : fallback;
}

class RandomPduTest : public ConnectionTest {
 protected:
  // Sends `default_count` random PDUs (seeded), logging in again whenever the target closes
  // the connection, then checks that a fresh session works. With `digests`, both digests are
  // negotiated, so the raw PDUs also exercise the digest receive states.
  void Run(bool digests, uint32_t default_seed, uint32_t default_count);
};

void RandomPduTest::Run(bool digests, uint32_t default_seed, uint32_t default_count) {
  const uint32_t seed = EnvOr("REFTARGET_SESSION_FUZZ_SEED", default_seed);
  const uint32_t count = EnvOr("REFTARGET_SESSION_FUZZ_PDUS", default_count);
  RecordProperty("seed", static_cast<int>(seed));
  std::mt19937 rng(seed);
  std::unique_ptr<Initiator> ini;
  std::vector<uint32_t> itts;
  int logins = 0;
  uint16_t session_number = 1;
  auto reconnect = [&] {
    LoginOptions o;
    o.isid = {0x80,
              0,
              0,
              0,
              static_cast<uint8_t>(session_number >> 8),
              static_cast<uint8_t>(session_number)};
    ++session_number;
    if (digests) o.Set("HeaderDigest", "CRC32C").Set("DataDigest", "CRC32C");
    ini = LoggedIn(o);
    ++logins;
    itts.clear();
  };
  reconnect();
  ASSERT_TRUE(ini);
  for (uint32_t i = 0; i < count; ++i) {
    RandomPdu p = MakeRandomPdu(rng, ini->cmd_sn, itts);
    uint32_t itt = Load32(&p.bhs[16]);
    if (itts.size() < 32) itts.push_back(itt);
    // Send the header with its true lengths unless the header is raw random.
    bool sent;
    if (!p.raw) {
      sent = ini->SendPdu(p.bhs, p.data, p.ahs);
    } else {
      std::vector<uint8_t> raw(p.bhs.begin(), p.bhs.end());
      raw.insert(raw.end(), p.data.begin(), p.data.end());
      sent = ini->SendRaw(raw);
    }
    // Read whatever the target answered; follow its ExpCmdSN; notice a close.
    bool closed = !sent;
    while (!closed && ini->Recv(0).has_value()) {
    }
    closed = closed || ini->closed();
    if (!closed && ini->last_exp_cmd_sn != 0) ini->cmd_sn = ini->last_exp_cmd_sn;
    if (closed) {
      reconnect();
      ASSERT_TRUE(ini) << "a new login failed after random PDU " << i;
    }
  }
  RecordProperty("logins", logins);
  EXPECT_GT(logins, 1) << "some random PDUs must have closed the connection";
  // The target still serves a fresh session normally.
  LoginOptions o;
  o.isid = {0x80, 0, 0, 1, 0, 0};
  auto check = LoggedIn(o);
  ASSERT_TRUE(check);
  std::vector<uint8_t> data = Pattern(100, 61);
  auto nop = check->Ping(data);
  ASSERT_TRUE(nop.has_value()) << check->error();
  EXPECT_EQ(nop->data, data);
  ScsiRequest tur;
  tur.cdb = TestUnitReadyCdb();
  ScsiResult r = check->Scsi(tur);
  EXPECT_TRUE(r.completed) << r.error;
}

TEST_F(RandomPduTest, NeverCrashTheTarget) { Run(false, 20260101, 3000); }

TEST_F(RandomPduTest, WithDigestsNeverCrashTheTarget) { Run(true, 20260102, 1500); }

}  // namespace
}  // namespace reftarget::iscsi::testing
