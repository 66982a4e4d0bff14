// The ConnectionTest fixture (see connection_test_util.h).
#include <fcntl.h>
#include <sys/socket.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <future>
#include <thread>

#include "target/backstore/ramdisk.h"
#include "target/common/logging.h"
#include "target/iscsi/session/connection_test_util.h"

namespace reftarget::iscsi::testing {
namespace {

using Clock = std::chrono::steady_clock;

}  // namespace

void ConnectionTest::SetUp() {
  log::SetLevel(log::Level::kError);
  backstore::BackstoreSpec spec;
  spec.plugin = "ramdisk";
  spec.name = "rd0";
  spec.size = kLun0Bytes;
  spec.block_size = kBlockSize;
  auto rd0 = backstore::RamdiskBackstore::Open(spec);
  ASSERT_TRUE(rd0.ok()) << rd0.error();
  std::shared_ptr<backstore::Backstore> store0 = std::move(rd0).value();
  scsi::LogicalUnitConfig lu_config;
  lu_config.name = "rd0";
  lun0_ = std::make_shared<scsi::LogicalUnit>(lu_config, store0);

  spec.name = "rd1";
  spec.size = kLun1Bytes;
  auto rd1 = backstore::RamdiskBackstore::Open(spec);
  ASSERT_TRUE(rd1.ok()) << rd1.error();
  auto faulty = std::make_shared<backstore::FaultyBackstore>(std::move(rd1).value());
  faulty_ = faulty.get();
  lu_config.name = "faulty1";
  lun1_ = std::make_shared<scsi::LogicalUnit>(lu_config, std::move(faulty));
  Configure(config_);
  reactor_.Start();
}

void ConnectionTest::Configure(const TargetConfig& config) {
  config_ = config;
  auto tpg = std::make_shared<TpgRuntime>();
  tpg->target_name = kTargetName;
  tpg->tag = 1;
  tpg->parameters = config.parameters;
  tpg->require_chap = config.require_chap;
  tpg->generate_node_acls = config.generate_node_acls;
  tpg->tpg_auth = config.tpg_auth;
  tpg->portals = {config.portal};
  tpg->demo_luns[0] = scsi::MappedLun{lun0_, false};
  tpg->demo_luns[1] = scsi::MappedLun{lun1_, false};
  for (const auto& name : config.acl_initiators) {
    AclRuntime acl;
    acl.initiator_name = name;
    acl.auth = config.tpg_auth;
    acl.luns = tpg->demo_luns;
    tpg->acls[name] = acl;
  }
  tpg->cmdsn_depth = config.cmdsn_depth;
  auto snapshot = std::make_shared<TargetSnapshot>();
  snapshot->tpgs.push_back(tpg);
  registry_.Publish(snapshot);
}

std::unique_ptr<Initiator> ConnectionTest::Connect() {
  int fds[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0) {
    ADD_FAILURE() << "socketpair: " << std::strerror(errno);
    return nullptr;
  }
  fcntl(fds[0], F_SETFL, fcntl(fds[0], F_GETFL) | O_NONBLOCK);
  ConnectionContext context{&registry_, &sessions_, &inflight_};
  static std::atomic<uint16_t> next_port{40000};
  net::Endpoint peer{"127.0.0.1", next_port.fetch_add(1), false};
  auto conn = std::make_shared<Connection>(fds[0], peer, config_.portal, &reactor_, context);
  connections_.push_back(conn);
  reactor_.Post([conn] { conn->Start(); });
  return std::make_unique<Initiator>(fds[1]);
}

std::unique_ptr<Initiator> ConnectionTest::LoggedIn(const LoginOptions& options) {
  auto ini = Connect();
  if (!ini) return nullptr;
  LoginResult r = ini->Login(options);
  EXPECT_TRUE(r.ok) << "login failed: status 0x" << std::hex << r.status() << " " << r.error;
  if (!r.ok) return nullptr;
  return ini;
}

bool ConnectionTest::RunOnReactor(std::function<void()> fn) {
  auto done = std::make_shared<std::promise<void>>();
  auto future = done->get_future();
  reactor_.Post([fn = std::move(fn), done] {
    fn();
    done->set_value();
  });
  return future.wait_for(std::chrono::milliseconds(kWaitMs)) == std::future_status::ready;
}

size_t ConnectionTest::OpenConnections() {
  size_t open = 0;
  RunOnReactor([&] {
    for (const auto& c : connections_) open += c->closed() ? 0 : 1;
  });
  return open;
}

void ConnectionTest::TearDown() {
  // Close every connection on its thread, let held backstore operations finish (their
  // completions are posted to the reactor), and only then stop the reactor.
  RunOnReactor([this] {
    for (const auto& c : connections_) c->Close("test teardown");
  });
  if (faulty_ != nullptr) {
    faulty_->ClearRules();
    faulty_->ReleaseHung();
  }
  auto deadline = Clock::now() + std::chrono::milliseconds(kWaitMs);
  while (inflight_.load() != 0 && Clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  EXPECT_EQ(inflight_.load(), 0u) << "SCSI commands still in flight at teardown";
  RunOnReactor([] {});
  reactor_.Stop();
  connections_.clear();
  lun1_.reset();
  lun0_.reset();
  registry_.Publish(std::make_shared<TargetSnapshot>());
}

}  // namespace reftarget::iscsi::testing
