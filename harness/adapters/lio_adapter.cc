#include "harness/adapters/lio_adapter.h"

#include <utility>

namespace harness::adapters {

LioAdapter::LioAdapter(LioAdapterOptions options)
    : options_(std::move(options)),
      targetcli_("LIO", options_.targetcli, options_.runner, options_.command_limit),
      backings_(options_.work_dir, BackingOptions{targetcli_.runner(), options_.command_limit}) {}

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

std::string LioAdapter::version() const { return ReadFirstLine(options_.configfs_dir / "version"); }

Status LioAdapter::RunCommands(const std::vector<lio::Command>& commands,
                               const std::vector<std::string>& secrets) {
  for (size_t i = 0; i < commands.size(); ++i) {
    Status step = targetcli_.RunStep(commands[i].argv, i, commands.size(), secrets);
    if (!step.ok() && !commands[i].may_fail) return step;
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
  Result<std::string> out =
      RunTool(targetcli_.runner(), {options_.targetctl, "restore", file.string()},
              options_.command_limit, lio::Secrets(spec));
  // The file holds CHAP secrets and the kernel now holds the configuration.
  std::error_code ec;
  std::filesystem::remove(file, ec);
  return out.status();
}

Status LioAdapter::CheckConfigfs(const std::vector<std::string>& paths) const {
  if (std::optional<std::filesystem::path> missing = FirstMissing(options_.configfs_dir, paths)) {
    return Status::Error("LIO: the commands succeeded but configfs lacks " + missing->string() +
                         " (an older targetcli exits 0 after a failed command)");
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
  Status status = exported_.CheckIdle();
  if (!status.ok()) return status;
  const std::string unavailable = Unavailable();
  if (!unavailable.empty()) return Status::Error(unavailable);
  status = lio::ValidateSpec(spec);
  if (!status.ok()) return Status::Error("LIO: " + status.message());

  TargetSpec resolved = spec;
  status = backings_.PrepareAll(&resolved.luns);
  if (!status.ok()) return status;
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

  tpg_ = lio::PlanTpg(resolved).value();
  RunningTarget target = exported_.Start(resolved);
  target.portal = Portal{options_.portal.ipv4_address, options_.portal.port};
  if (spec.ipv6_portal) {
    target.ipv6_portal = Portal{options_.portal.ipv6_address, options_.portal.port};
  }
  const std::string v = version();
  target.product = v.empty() ? "LIO" : "LIO (" + v + ")";
  return target;
}

Status LioAdapter::Stop() {
  if (!exported_.running()) return backings_.ReleaseAll();
  Status status = Status::Ok();
  const std::vector<std::string> secrets = lio::Secrets(exported_.spec());
  // Every teardown step runs even after a failure, so that as much as possible is removed.
  for (const lio::Command& command : lio::TeardownCommands(exported_.spec())) {
    Status step = RunCommands({command}, secrets);
    if (!step.ok() && status.ok()) status = step;
  }
  Status released = backings_.ReleaseAll();
  if (status.ok()) status = released;
  exported_.Stop();
  return status;
}

Result<int> LioAdapter::AddLun(const LunSpec& lun) {
  Result<int> free_number = exported_.FreeNumber();
  if (!free_number.ok()) return free_number.status();
  const int number = free_number.value();
  const TargetSpec& running = exported_.spec();
  Status status = lio::ValidateAddLun(running, tpg_, lun, number);
  if (!status.ok()) return Status::Error("LIO: " + status.message());
  LunSpec resolved = lun;
  status = backings_.Prepare(&resolved);
  if (!status.ok()) return status;
  Result<std::vector<lio::Command>> commands = lio::AddLunCommands(running, tpg_, resolved, number);
  if (!commands.ok()) {
    backings_.Release(resolved.name);
    return Status::Error("LIO: " + commands.error());
  }
  const std::vector<std::string> secrets = lio::Secrets(running);
  status = RunCommands(commands.value(), secrets);
  if (status.ok()) status = CheckConfigfs(lio::ExpectedLunConfigfsPaths(running, number));
  if (!status.ok()) {
    std::vector<lio::Command> undo = lio::RemoveLunCommands(running, resolved, number);
    for (lio::Command& c : undo) c.may_fail = true;
    RunCommands(undo, secrets);
    backings_.Release(resolved.name);
    return status;
  }
  exported_.Add(resolved, number);
  return number;
}

Status LioAdapter::RemoveLun(int lun_number) {
  Result<size_t> index = exported_.Find(lun_number);
  if (!index.ok()) return index.status();
  const TargetSpec& running = exported_.spec();
  Status status =
      RunCommands(lio::RemoveLunCommands(running, running.luns[index.value()], lun_number),
                  lio::Secrets(running));
  if (!status.ok()) return status;
  return backings_.Release(exported_.Remove(index.value()).name);
}

}  // namespace harness::adapters
