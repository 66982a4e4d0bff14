// Robustness under hostile PDUs (TEST-PLAN T04, T12, T27): while one libiscsi session
// writes, reads back and compares data on LUN 0, a second client opens many short raw
// connections and sends at least 10,000 random or mutated PDUs: random bytes instead of a
// login, login headers with absurd lengths, and after a valid login mutated PDUs with
// random opcodes, flags, AHS lengths, DataSegmentLength claims up to 16 MiB and truncation,
// all confined to LUN 1. Afterwards: the target is alive, the verifying session saw zero
// errors, and a new login completes within 2 s.
//
// Seeded: the seed is printed; REFTARGET_HOSTILE_SEED=N replays a run,
// REFTARGET_HOSTILE_PDUS=N changes the count.
#include <gtest/gtest.h>
#include <sys/socket.h>

#include <atomic>
#include <cstdlib>
#include <iostream>
#include <map>
#include <mutex>
#include <random>
#include <string>
#include <thread>

#include "suites/target/support/libiscsi_client.h"
#include "harness/rawpdu/pdu_mutator.h"
#include "harness/rawpdu/raw_connection.h"
#include "harness/rawpdu/raw_login.h"
#include "suites/target/support/target_process.h"
#include "suites/target/support/temp_dir.h"

namespace itest {

using namespace harness::rawpdu;  // NOLINT: the raw PDU client is the suites' vocabulary
namespace {

using Clock = std::chrono::steady_clock;
constexpr uint32_t kSandboxLun = 1;
constexpr auto kHostileBudget = std::chrono::seconds(40);
constexpr uint64_t kVerifierLunBytes = 32ull << 20;

uint64_t EnvOr(const char* name, uint64_t fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? std::strtoull(v, nullptr, 0) : fallback;
}

// Writes, reads back and compares on LUN 0 until stopped; counts passes and errors.
class Verifier {
 public:
  Verifier(const LibiscsiLogin& login, uint64_t seed) : login_(login), seed_(seed) {}
  ~Verifier() { Stop(); }

  // Returns false with `*error` if the session cannot log in.
  bool Start(std::string* error) {
    ctx_ = LibiscsiConnect(login_, error);
    if (!ctx_) return false;
    if (!ReadCapacity(ctx_.get(), login_.lun, &block_size_, &blocks_, error)) return false;
    thread_ = std::thread([this] { Run(); });
    return true;
  }
  void Stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }
  uint64_t passes() const { return passes_; }
  uint64_t errors() const { return errors_; }
  std::string first_error() {
    std::lock_guard<std::mutex> lock(mu_);
    return first_error_;
  }

 private:
  void Run() {
    std::mt19937_64 rng(seed_);
    const uint32_t sizes[] = {1, 8, 32};
    while (!stop_) {
      const uint32_t n = sizes[rng() % 3];
      const uint64_t lba = rng() % (blocks_ - n);
      std::string error;
      if (WriteReadVerify(ctx_.get(), login_.lun, lba, MakePattern(seed_, lba, n * block_size_),
                          block_size_, &error)) {
        ++passes_;
      } else {
        if (errors_++ == 0) {
          std::lock_guard<std::mutex> lock(mu_);
          first_error_ = error;
        }
        if (!iscsi_is_logged_in(ctx_.get())) return;  // the session is gone
      }
    }
  }

  LibiscsiLogin login_;
  uint64_t seed_;
  IscsiContextPtr ctx_;
  uint32_t block_size_ = 512;
  uint64_t blocks_ = 0;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::atomic<uint64_t> passes_{0};
  std::atomic<uint64_t> errors_{0};
  std::mutex mu_;
  std::string first_error_;
};

// Reads and drops whatever the target has sent, without blocking.
void DrainInput(int fd) {
  uint8_t buf[65536];
  while (recv(fd, buf, sizeof(buf), MSG_DONTWAIT) > 0) {
  }
}

struct HostileStats {
  uint64_t pdus = 0;
  uint64_t connections = 0;
  uint64_t logins_ok = 0;
  uint64_t logins_failed = 0;
  uint64_t connect_failures = 0;
  std::map<std::string, uint64_t> kinds;
};

TEST(HostilePduTest, TargetSurvivesAndOtherSessionsSeeNoErrors) {
  const uint64_t seed = EnvOr("REFTARGET_HOSTILE_SEED", std::random_device{}());
  const uint64_t want_pdus = EnvOr("REFTARGET_HOSTILE_PDUS", 10000);
  std::cout << "hostile seed: " << seed << " (replay with REFTARGET_HOSTILE_SEED=" << seed << ")\n";
  RecordProperty("seed", std::to_string(seed));

  TempDir dir("itest-hostile-");
  ASSERT_TRUE(dir.ok()) << dir.error();
  auto file = dir.CreateFile("verifier.img", kVerifierLunBytes);
  ASSERT_FALSE(file.empty()) << dir.error();
  StorageObjectSpec verifier_so{"verifier", "fileio", file.string(), kVerifierLunBytes};
  StorageObjectSpec sandbox_so{"sandbox", "ramdisk", "", 16ull << 20};
  TargetSpec spec;
  spec.storage_objects = {verifier_so, sandbox_so};
  spec.luns = {{0, "verifier"}, {1, "sandbox"}};
  std::string error;
  auto target = TargetProcess::Start(spec, &error);
  ASSERT_TRUE(target) << error;

  LibiscsiLogin login;
  login.initiator = "iqn.2003-01.org.reftarget.itest:verifier";
  login.portal = target->portal();
  login.target = target->iqn();
  login.lun = target->Lun(0);
  Verifier verifier(login, seed);
  ASSERT_TRUE(verifier.Start(&error)) << error;
  const auto warmup_deadline = Clock::now() + std::chrono::seconds(10);
  while (verifier.passes() < 5 && verifier.errors() == 0 && Clock::now() < warmup_deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_GE(verifier.passes(), 5u) << "verifier did not get going: " << verifier.first_error();
  const uint64_t passes_before = verifier.passes();

  PduMutator mutator(seed, static_cast<uint32_t>(target->Lun(kSandboxLun)));
  HostileStats stats;
  const auto start = Clock::now();
  while (stats.pdus < want_pdus && Clock::now() - start < kHostileBudget) {
    ++stats.connections;
    auto conn =
        RawConnection::Connect(target->host(), target->port(), std::chrono::seconds(2), &error);
    if (!conn) {
      ++stats.connect_failures;
      ASSERT_TRUE(target->Alive())
          << "target died; seed " << seed << "; " << target->DescribeState();
      ASSERT_LT(stats.connect_failures, 50u) << "target stopped accepting: " << error;
      continue;
    }
    const uint64_t mode = mutator.Uniform(0, 9);
    std::string send_error;
    if (mode < 2) {  // random bytes instead of a login
      std::vector<uint8_t> junk = mutator.RandomBytes(4096);
      conn->SendBytes(junk.data(), junk.size(), std::chrono::milliseconds(200), &send_error);
      ++stats.pdus;
      ++stats.kinds["random-bytes"];
      continue;
    }
    if (mode < 3) {  // hostile login header
      MutatedPdu m = mutator.HostilePreLogin();
      conn->SendBytes(m.bytes.data(), m.bytes.size(), std::chrono::milliseconds(200), &send_error);
      ++stats.pdus;
      ++stats.kinds[m.kind];
      continue;
    }
    RawLoginOptions o;
    o.initiator_name = "iqn.2003-01.org.reftarget.itest:hostile";
    o.target_name = target->iqn();
    std::vector<uint8_t> isid = mutator.RandomIsid();
    std::copy(isid.begin(), isid.end(), o.isid.begin());
    o.timeout = std::chrono::seconds(2);
    RawLoginResult lr = RawLogin(conn.get(), o);
    if (!lr.full_feature) {
      ++stats.logins_failed;
      continue;
    }
    ++stats.logins_ok;
    const uint64_t count = mutator.Uniform(10, 60);
    uint32_t cmd_sn = lr.cmd_sn;
    for (uint64_t i = 0; i < count && stats.pdus < want_pdus; ++i) {
      MutatedPdu m = mutator.NextFfpPdu(cmd_sn, lr.exp_stat_sn);
      if (!(m.bytes[0] & kImmediateBit)) ++cmd_sn;
      ++stats.kinds[m.kind];
      ++stats.pdus;
      if (!conn->SendBytes(m.bytes.data(), m.bytes.size(), std::chrono::milliseconds(200),
                           &send_error)) {
        break;  // the target closed or stopped reading: fine, next connection
      }
      DrainInput(conn->fd());
      if (m.ends_connection) break;
    }
  }
  const auto hostile_seconds = std::chrono::duration<double>(Clock::now() - start).count();
  const uint64_t passes_during = verifier.passes() - passes_before;
  std::this_thread::sleep_for(std::chrono::milliseconds(500));  // let the verifier run on
  verifier.Stop();

  std::cout << "hostile: " << stats.pdus << " PDUs over " << stats.connections << " connections in "
            << hostile_seconds << " s (logins ok " << stats.logins_ok << ", refused "
            << stats.logins_failed << ", connect failures " << stats.connect_failures
            << "); verifier passes " << verifier.passes() << " (during hostile " << passes_during
            << "), errors " << verifier.errors() << "\n";
  for (const auto& [kind, n] : stats.kinds) std::cout << "  " << kind << ": " << n << "\n";

  ASSERT_TRUE(target->Alive()) << "target died; seed " << seed << "; " << target->DescribeState();
  EXPECT_GE(stats.pdus, want_pdus) << "sent fewer PDUs than asked within the time budget";
  EXPECT_GT(stats.logins_ok, 0u) << "no hostile connection ever logged in";
  EXPECT_EQ(verifier.errors(), 0u)
      << "verifying session saw errors; first: " << verifier.first_error() << "; seed " << seed;
  EXPECT_GT(passes_during, 0u) << "the verifier made no progress while under attack";

  // A new login, bounded at 2 s.
  const auto login_start = Clock::now();
  LibiscsiLogin fresh = login;
  fresh.initiator = "iqn.2003-01.org.reftarget.itest:after-hostile";
  fresh.timeout_s = 2;
  IscsiContextPtr ctx = LibiscsiConnect(fresh, &error);
  const auto login_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - login_start).count();
  ASSERT_TRUE(ctx) << "login after the attack failed: " << error;
  EXPECT_LT(login_ms, 2000) << "login after the attack took " << login_ms << " ms";
  std::string verify_error;
  EXPECT_TRUE(
      WriteReadVerify(ctx.get(), target->Lun(0), 0, MakePattern(1, 0, 4096), 512, &verify_error))
      << verify_error;
  ctx.reset();
  EXPECT_EQ(target->Stop(), 0) << "reftarget must drain and exit 0 on SIGTERM";
}

}  // namespace
}  // namespace itest
