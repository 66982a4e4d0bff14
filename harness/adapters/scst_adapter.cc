#include "harness/adapters/scst_adapter.h"

#include <utility>

#include "harness/adapters/scst_config.h"

namespace harness::adapters {

ScstAdapter::ScstAdapter(ScstAdapterOptions options)
    : options_(std::move(options)),
      scstadmin_("SCST", options_.scstadmin, options_.runner, options_.command_limit),
      backings_(options_.work_dir, BackingOptions{scstadmin_.runner(), options_.command_limit}) {}

ScstAdapter::~ScstAdapter() { Stop(); }

Capabilities ScstAdapter::capabilities() const {
  Capabilities c;
  c.managed = true;
  c.data_loss_allowed = true;  // the LUNs are files and loop devices the adapter created
  c.live_lun_changes = true;   // scstadmin -add_lun / -rem_lun on an enabled target
  c.chap = true;
  c.mutual_chap = true;
  c.discovery_auth = true;
  c.acls = true;  // an initiator group; others log in but see no LUNs
  c.ipv6 = true;  // iscsi-scstd listens on every address it can
  c.thin = true;  // thin_provisioned on vdisk_fileio and vdisk_blockio
  c.read_only_luns = true;
  c.removable_luns = false;  // `removable` sets RMB only; no eject outside vcdrom
  c.block_size_4096 = true;
  c.process_faults = false;  // the target is the kernel (iscsi-scstd only logs in)
  c.backings = {Backing::kFileio, Backing::kBlock, Backing::kNull};
  return c;
}

std::string ScstAdapter::Unavailable() const {
  std::error_code ec;
  if (!std::filesystem::is_directory(options_.sysfs_dir, ec)) {
    return "SCST needs its kernel modules (scst, scst_vdisk, iscsi-scst) loaded (" +
           options_.sysfs_dir.string() + " missing)";
  }
  if (!std::filesystem::is_directory(options_.sysfs_dir / "targets" / "iscsi", ec)) {
    return "SCST needs the iscsi-scst module and iscsi-scstd (" +
           (options_.sysfs_dir / "targets" / "iscsi").string() + " missing)";
  }
  if (process::FindProgram(options_.scstadmin).empty()) {
    return "SCST needs " + options_.scstadmin + ", which is not installed or not in PATH";
  }
  return "";
}

std::string ScstAdapter::version() const { return ReadFirstLine(options_.sysfs_dir / "version"); }

std::filesystem::path ScstAdapter::ConfigFile() const {
  return options_.work_dir / "scst-harness.conf";
}

Status ScstAdapter::RunAll(const std::vector<std::vector<std::string>>& commands,
                           const std::vector<std::string>& secrets, bool keep_going) {
  Status first = Status::Ok();
  for (size_t i = 0; i < commands.size(); ++i) {
    Status failure = scstadmin_.RunStep(commands[i], i, commands.size(), secrets);
    if (failure.ok()) continue;
    if (!keep_going) return failure;
    if (first.ok()) first = failure;
  }
  return first;
}

Status ScstAdapter::CheckSysfs(const std::vector<std::string>& paths) const {
  if (std::optional<std::filesystem::path> missing = FirstMissing(options_.sysfs_dir, paths)) {
    return Status::Error("SCST: scstadmin succeeded but " + missing->string() + " does not exist");
  }
  return Status::Ok();
}

Result<RunningTarget> ScstAdapter::Start(const TargetSpec& spec) {
  Status status = exported_.CheckIdle();
  if (!status.ok()) return status;
  const std::string unavailable = Unavailable();
  if (!unavailable.empty()) return Status::Error(unavailable);
  status = scst::ValidateSpec(spec);
  if (!status.ok()) return Status::Error("SCST: " + status.message());
  if (options_.work_dir.empty()) {
    return Status::Error("SCST: the adapter needs a work_dir for its scst.conf");
  }

  TargetSpec resolved = spec;
  status = backings_.PrepareAll(&resolved.luns);
  if (!status.ok()) return status;
  const std::vector<std::string> secrets = scst::Secrets(resolved);
  Result<std::string> text = scst::ConfigText(resolved);
  status = text.ok() ? WritePrivateFile(ConfigFile(), text.value()) : text.status();
  if (status.ok()) {
    status = RunAll({scst::ApplyConfigCommand(ConfigFile().string())}, secrets, false);
  }
  if (status.ok()) status = CheckSysfs(scst::ExpectedSysfsPaths(resolved));
  if (!status.ok()) {
    RunAll(scst::TeardownCommands(resolved), secrets, true);
    backings_.ReleaseAll();
    return status;
  }

  RunningTarget target = exported_.Start(resolved);
  target.portal = Portal{options_.ipv4_address, options_.port};
  if (spec.ipv6_portal) target.ipv6_portal = Portal{options_.ipv6_address, options_.port};
  const std::string v = version();
  target.product = v.empty() ? "SCST" : "SCST " + v;
  return target;
}

Status ScstAdapter::Stop() {
  if (!exported_.running()) return backings_.ReleaseAll();
  const TargetSpec& running = exported_.spec();
  Status status = RunAll(scst::TeardownCommands(running), scst::Secrets(running), true);
  Status released = backings_.ReleaseAll();
  if (status.ok()) status = released;
  std::error_code ec;
  std::filesystem::remove(ConfigFile(), ec);
  exported_.Stop();
  return status;
}

Result<int> ScstAdapter::AddLun(const LunSpec& lun) {
  Result<int> free_number = exported_.FreeNumber();
  if (!free_number.ok()) return free_number.status();
  const int number = free_number.value();
  const TargetSpec& running = exported_.spec();
  Status status = scst::ValidateAddLun(running, lun, number);
  if (!status.ok()) return Status::Error("SCST: " + status.message());
  LunSpec resolved = lun;
  status = backings_.Prepare(&resolved);
  if (!status.ok()) return status;
  Result<std::vector<scst::Argv>> commands = scst::AddLunCommands(running, resolved, number);
  if (!commands.ok()) {
    backings_.Release(resolved.name);
    return Status::Error("SCST: " + commands.error());
  }
  const std::vector<std::string> secrets = scst::Secrets(running);
  status = RunAll(commands.value(), secrets, false);
  if (status.ok()) status = CheckSysfs(scst::ExpectedLunSysfsPaths(running, resolved, number));
  if (!status.ok()) {
    Result<std::vector<scst::Argv>> undo =
        scst::RemoveLunCommands(running, resolved, number, /*other_luns_remain=*/false);
    if (undo.ok()) RunAll(undo.value(), secrets, true);
    backings_.Release(resolved.name);
    return status;
  }
  exported_.Add(resolved, number);
  return number;
}

Status ScstAdapter::RemoveLun(int lun_number) {
  Result<size_t> index = exported_.Find(lun_number);
  if (!index.ok()) return index.status();
  const TargetSpec& running = exported_.spec();
  Result<std::vector<scst::Argv>> commands = scst::RemoveLunCommands(
      running, running.luns[index.value()], lun_number, running.luns.size() > 1);
  if (!commands.ok()) return Status::Error("SCST: " + commands.error());
  Status status = RunAll(commands.value(), scst::Secrets(running), false);
  if (!status.ok()) return status;
  return backings_.Release(exported_.Remove(index.value()).name);
}

}  // namespace harness::adapters
