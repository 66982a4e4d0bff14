#include "harness/adapters/scst_adapter.h"

#include <algorithm>
#include <fstream>
#include <utility>

#include "harness/adapters/scst_config.h"

namespace harness::adapters {

ScstAdapter::ScstAdapter(ScstAdapterOptions options)
    : options_(std::move(options)),
      runner_(options_.runner ? options_.runner : DefaultCommandRunner()),
      backings_(options_.work_dir, runner_, options_.command_limit) {}

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

std::string ScstAdapter::version() const {
  std::ifstream in(options_.sysfs_dir / "version");
  std::string line;
  if (!in || !std::getline(in, line)) return "";
  return line;
}

std::filesystem::path ScstAdapter::ConfigFile() const {
  return options_.work_dir / "scst-harness.conf";
}

Status ScstAdapter::RunAll(const std::vector<std::vector<std::string>>& commands,
                           const std::vector<std::string>& secrets, bool keep_going) {
  Status first = Status::Ok();
  for (size_t i = 0; i < commands.size(); ++i) {
    std::vector<std::string> argv = commands[i];
    argv[0] = options_.scstadmin;
    Result<std::string> out = RunTool(runner_, argv, options_.command_limit, secrets);
    if (out.ok()) continue;
    Status failure = Status::Error("SCST: step " + std::to_string(i + 1) + " of " +
                                   std::to_string(commands.size()) + ": " + out.error());
    if (!keep_going) return failure;
    if (first.ok()) first = failure;
  }
  return first;
}

Status ScstAdapter::CheckSysfs(const std::vector<std::string>& paths) const {
  for (const std::string& path : paths) {
    std::error_code ec;
    if (!std::filesystem::exists(options_.sysfs_dir / path, ec)) {
      return Status::Error("SCST: scstadmin succeeded but " + (options_.sysfs_dir / path).string() +
                           " does not exist");
    }
  }
  return Status::Ok();
}

Result<RunningTarget> ScstAdapter::Start(const TargetSpec& spec) {
  if (started_) return Status::Error("the scst adapter is already running " + running_.iqn);
  const std::string unavailable = Unavailable();
  if (!unavailable.empty()) return Status::Error(unavailable);
  Status status = scst::ValidateSpec(spec);
  if (!status.ok()) return Status::Error("SCST: " + status.message());
  if (options_.work_dir.empty()) {
    return Status::Error("SCST: the adapter needs a work_dir for its scst.conf");
  }

  TargetSpec resolved = spec;
  for (LunSpec& lun : resolved.luns) {
    status = backings_.Prepare(&lun);
    if (!status.ok()) {
      backings_.ReleaseAll();
      return status;
    }
  }
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

  started_ = true;
  running_ = resolved;
  lun_numbers_.clear();
  RunningTarget target;
  target.portal = Portal{options_.ipv4_address, options_.port};
  if (spec.ipv6_portal) target.ipv6_portal = Portal{options_.ipv6_address, options_.port};
  target.iqn = spec.iqn;
  for (size_t i = 0; i < spec.luns.size(); ++i) {
    lun_numbers_.push_back(static_cast<int>(i));
    target.lun_numbers.push_back(static_cast<int>(i));
  }
  const std::string v = version();
  target.product = v.empty() ? "SCST" : "SCST " + v;
  return target;
}

Status ScstAdapter::Stop() {
  if (!started_) return backings_.ReleaseAll();
  started_ = false;
  Status status = RunAll(scst::TeardownCommands(running_), scst::Secrets(running_), true);
  Status released = backings_.ReleaseAll();
  if (status.ok()) status = released;
  std::error_code ec;
  std::filesystem::remove(ConfigFile(), ec);
  running_ = TargetSpec{};
  lun_numbers_.clear();
  return status;
}

Result<int> ScstAdapter::AddLun(const LunSpec& lun) {
  if (!started_) return Status::Error("the scst adapter has no running target to add a LUN to");
  int number = 0;
  while (std::find(lun_numbers_.begin(), lun_numbers_.end(), number) != lun_numbers_.end()) {
    ++number;
  }
  Status status = scst::ValidateAddLun(running_, lun, number);
  if (!status.ok()) return Status::Error("SCST: " + status.message());
  LunSpec resolved = lun;
  status = backings_.Prepare(&resolved);
  if (!status.ok()) return status;
  Result<std::vector<scst::Argv>> commands = scst::AddLunCommands(running_, resolved, number);
  if (!commands.ok()) {
    backings_.Release(resolved.name);
    return Status::Error("SCST: " + commands.error());
  }
  const std::vector<std::string> secrets = scst::Secrets(running_);
  status = RunAll(commands.value(), secrets, false);
  if (status.ok()) status = CheckSysfs(scst::ExpectedLunSysfsPaths(running_, resolved, number));
  if (!status.ok()) {
    Result<std::vector<scst::Argv>> undo =
        scst::RemoveLunCommands(running_, resolved, number, /*other_luns_remain=*/false);
    if (undo.ok()) RunAll(undo.value(), secrets, true);
    backings_.Release(resolved.name);
    return status;
  }
  running_.luns.push_back(resolved);
  lun_numbers_.push_back(number);
  return number;
}

Status ScstAdapter::RemoveLun(int lun_number) {
  if (!started_) return Status::Error("the scst adapter has no running target");
  auto it = std::find(lun_numbers_.begin(), lun_numbers_.end(), lun_number);
  if (it == lun_numbers_.end()) {
    return Status::Error("SCST: LUN " + std::to_string(lun_number) + " is not exported by " +
                         running_.iqn);
  }
  const size_t index = static_cast<size_t>(it - lun_numbers_.begin());
  const LunSpec lun = running_.luns[index];
  Result<std::vector<scst::Argv>> commands =
      scst::RemoveLunCommands(running_, lun, lun_number, running_.luns.size() > 1);
  if (!commands.ok()) return Status::Error("SCST: " + commands.error());
  Status status = RunAll(commands.value(), scst::Secrets(running_), false);
  if (!status.ok()) return status;
  running_.luns.erase(running_.luns.begin() + static_cast<std::ptrdiff_t>(index));
  lun_numbers_.erase(it);
  return backings_.Release(lun.name);
}

}  // namespace harness::adapters
