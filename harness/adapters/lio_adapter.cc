#include "harness/adapters/lio_adapter.h"

#include <algorithm>
#include <fstream>
#include <utility>

namespace harness::adapters {

LioAdapter::LioAdapter(LioAdapterOptions options)
    : options_(std::move(options)),
      runner_(options_.runner ? options_.runner : DefaultCommandRunner()),
      backings_(options_.work_dir, runner_, options_.command_limit) {}

LioAdapter::~LioAdapter() { Stop(); }

Capabilities LioAdapter::capabilities() const {
  Capabilities c;
  c.managed = true;
  c.data_loss_allowed = true;  // the LUNs are files and loop devices the adapter created
  c.live_lun_changes = true;   // configfs LUN add/remove on a live TPG
  c.chap = true;
  c.mutual_chap = true;
  c.discovery_auth = true;
  c.acls = true;
  c.ipv6 = true;
  c.thin = true;  // emulate_tpu/emulate_tpws on fileio and block (not on rd_mcp)
  c.read_only_luns = true;
  c.removable_luns = false;  // no removable-medium emulation in LIO
  c.block_size_4096 = true;
  c.process_faults = false;  // the target is the kernel: nothing to SIGKILL
  // NULL is rd_mcp with rd_nullio=1 (rtslib RDMCPStorageObject nullio).
  c.backings = {Backing::kFileio, Backing::kBlock, Backing::kRamdisk, Backing::kNull};
  return c;
}

std::string LioAdapter::Unavailable() const {
  std::error_code ec;
  if (!std::filesystem::is_directory(options_.configfs_dir, ec)) {
    return "LIO needs the target_core_mod kernel module and configfs (" +
           options_.configfs_dir.string() + " missing)";
  }
  if (process::FindProgram(options_.targetcli).empty()) {
    return "LIO needs " + options_.targetcli +
           " (targetcli-fb), which is not installed or not in PATH";
  }
  // Restore mode still tears down with targetcli (targetctl's only undo is `clear`, which
  // would delete every target on the host).
  if (options_.use_targetctl_restore && process::FindProgram(options_.targetctl).empty()) {
    return "LIO needs " + options_.targetctl +
           " (python3-rtslib-fb), which is not installed or not in PATH";
  }
  return "";
}

std::string LioAdapter::version() const {
  std::ifstream in(options_.configfs_dir / "version");
  std::string line;
  if (!in || !std::getline(in, line)) return "";
  return line;
}

Status LioAdapter::RunCommands(const std::vector<lio::Command>& commands,
                               const std::vector<std::string>& secrets) {
  for (size_t i = 0; i < commands.size(); ++i) {
    std::vector<std::string> argv = commands[i].argv;
    argv[0] = options_.targetcli;
    Result<std::string> out = RunTool(runner_, argv, options_.command_limit, secrets);
    if (!out.ok() && !commands[i].may_fail) {
      return Status::Error("LIO: step " + std::to_string(i + 1) + " of " +
                           std::to_string(commands.size()) + ": " + out.error());
    }
  }
  return Status::Ok();
}

Status LioAdapter::RunSaveConfig(const TargetSpec& spec) {
  Result<nlohmann::json> config = lio::SaveConfig(spec, options_.portal);
  if (!config.ok()) return config.status();
  if (options_.work_dir.empty()) {
    return Status::Error("LIO: use_targetctl_restore needs a work_dir for saveconfig.json");
  }
  const std::filesystem::path file = options_.work_dir / "lio-saveconfig.json";
  Status status = WritePrivateFile(file, config.value().dump(2) + "\n");
  if (!status.ok()) return status;
  Result<std::string> out = RunTool(runner_, {options_.targetctl, "restore", file.string()},
                                    options_.command_limit, lio::Secrets(spec));
  // The file holds CHAP secrets and the kernel now holds the configuration.
  std::error_code ec;
  std::filesystem::remove(file, ec);
  return out.status();
}

Status LioAdapter::CheckConfigfs(const std::vector<std::string>& paths) const {
  for (const std::string& path : paths) {
    std::error_code ec;
    if (!std::filesystem::exists(options_.configfs_dir / path, ec)) {
      return Status::Error("LIO: the commands succeeded but configfs lacks " +
                           (options_.configfs_dir / path).string() +
                           " (an older targetcli exits 0 after a failed command)");
    }
  }
  return Status::Ok();
}

void LioAdapter::Rollback(const TargetSpec& spec) {
  std::vector<lio::Command> teardown = lio::TeardownCommands(spec);
  for (lio::Command& c : teardown) c.may_fail = true;
  RunCommands(teardown, lio::Secrets(spec));
  backings_.ReleaseAll();
}

Result<RunningTarget> LioAdapter::Start(const TargetSpec& spec) {
  if (started_) return Status::Error("the lio adapter is already running " + running_.iqn);
  const std::string unavailable = Unavailable();
  if (!unavailable.empty()) return Status::Error(unavailable);
  Status status = lio::ValidateSpec(spec);
  if (!status.ok()) return Status::Error("LIO: " + status.message());

  TargetSpec resolved = spec;
  for (LunSpec& lun : resolved.luns) {
    status = backings_.Prepare(&lun);
    if (!status.ok()) {
      backings_.ReleaseAll();
      return status;
    }
  }
  if (options_.use_targetctl_restore) {
    status = RunSaveConfig(resolved);
  } else {
    Result<std::vector<lio::Command>> commands = lio::SetupCommands(resolved, options_.portal);
    status =
        commands.ok() ? RunCommands(commands.value(), lio::Secrets(resolved)) : commands.status();
  }
  if (status.ok()) status = CheckConfigfs(lio::ExpectedConfigfsPaths(resolved, options_.portal));
  if (!status.ok()) {
    Rollback(resolved);
    return status;
  }

  started_ = true;
  running_ = resolved;
  tpg_ = lio::PlanTpg(resolved).value();
  lun_numbers_.clear();
  RunningTarget target;
  target.portal = Portal{options_.portal.ipv4_address, options_.portal.port};
  if (spec.ipv6_portal) {
    target.ipv6_portal = Portal{options_.portal.ipv6_address, options_.portal.port};
  }
  target.iqn = spec.iqn;
  for (size_t i = 0; i < spec.luns.size(); ++i) {
    lun_numbers_.push_back(static_cast<int>(i));
    target.lun_numbers.push_back(static_cast<int>(i));
  }
  const std::string v = version();
  target.product = v.empty() ? "LIO" : "LIO (" + v + ")";
  return target;
}

Status LioAdapter::Stop() {
  if (!started_) return backings_.ReleaseAll();
  started_ = false;
  Status status = Status::Ok();
  const std::vector<std::string> secrets = lio::Secrets(running_);
  // Every teardown step runs even after a failure, so that as much as possible is removed.
  for (const lio::Command& command : lio::TeardownCommands(running_)) {
    Status step = RunCommands({command}, secrets);
    if (!step.ok() && status.ok()) status = step;
  }
  Status released = backings_.ReleaseAll();
  if (status.ok()) status = released;
  running_ = TargetSpec{};
  lun_numbers_.clear();
  return status;
}

Result<int> LioAdapter::AddLun(const LunSpec& lun) {
  if (!started_) return Status::Error("the lio adapter has no running target to add a LUN to");
  int number = 0;
  while (std::find(lun_numbers_.begin(), lun_numbers_.end(), number) != lun_numbers_.end()) {
    ++number;
  }
  Status status = lio::ValidateAddLun(running_, tpg_, lun, number);
  if (!status.ok()) return Status::Error("LIO: " + status.message());
  LunSpec resolved = lun;
  status = backings_.Prepare(&resolved);
  if (!status.ok()) return status;
  Result<std::vector<lio::Command>> commands =
      lio::AddLunCommands(running_, tpg_, resolved, number);
  if (!commands.ok()) {
    backings_.Release(resolved.name);
    return Status::Error("LIO: " + commands.error());
  }
  const std::vector<std::string> secrets = lio::Secrets(running_);
  status = RunCommands(commands.value(), secrets);
  if (status.ok()) {
    status = CheckConfigfs(lio::ExpectedLunConfigfsPaths(running_, number));
  }
  if (!status.ok()) {
    std::vector<lio::Command> undo = lio::RemoveLunCommands(running_, resolved, number);
    for (lio::Command& c : undo) c.may_fail = true;
    RunCommands(undo, secrets);
    backings_.Release(resolved.name);
    return status;
  }
  running_.luns.push_back(resolved);
  lun_numbers_.push_back(number);
  return number;
}

Status LioAdapter::RemoveLun(int lun_number) {
  if (!started_) return Status::Error("the lio adapter has no running target");
  auto it = std::find(lun_numbers_.begin(), lun_numbers_.end(), lun_number);
  if (it == lun_numbers_.end()) {
    return Status::Error("LIO: LUN " + std::to_string(lun_number) + " is not exported by " +
                         running_.iqn);
  }
  const size_t index = static_cast<size_t>(it - lun_numbers_.begin());
  const LunSpec lun = running_.luns[index];
  Status status =
      RunCommands(lio::RemoveLunCommands(running_, lun, lun_number), lio::Secrets(running_));
  if (!status.ok()) return status;
  running_.luns.erase(running_.luns.begin() + static_cast<std::ptrdiff_t>(index));
  lun_numbers_.erase(it);
  return backings_.Release(lun.name);
}

}  // namespace harness::adapters
