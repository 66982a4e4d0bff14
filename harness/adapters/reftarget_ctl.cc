#include "harness/adapters/reftarget_ctl.h"

#include <utility>

namespace harness::adapters::refctl {
namespace {

// targetcli refuses storage object names with '/' (they are path components) and any blank
// would split the word in its shell; 64 bytes is rtslib's storage object name limit.
constexpr size_t kMaxNameBytes = 64;

std::string TpgLuns(const std::string& iqn) { return "/iscsi/" + iqn + "/tpg1/luns"; }

}  // namespace

Result<std::string> BackstoreDir(const std::string& field, Backing backing) {
  switch (backing) {
    case Backing::kFileio:
      return std::string("/backstores/fileio");
    case Backing::kBlock:
      return std::string("/backstores/block");
    case Backing::kRamdisk:
      return std::string("/backstores/ramdisk");
    case Backing::kNull:
      break;
  }
  return Status::Error(field + " null: reftarget-ctl has no create form for a NULL backstore");
}

Status ValidateLun(const LunSpec& lun) {
  Status status = CheckPrintableToken("lun.name", lun.name, kMaxNameBytes, false, "/",
                                      "which a targetcli path cannot carry");
  if (!status.ok()) return status;
  if (Result<std::string> dir = BackstoreDir("lun.backing", lun.backing); !dir.ok()) {
    return dir.status();
  }
  if (status = CheckLunSize("lun", lun); !status.ok()) return status;
  if (lun.backing != Backing::kRamdisk && lun.path.empty()) {
    return Status::Error("lun.path: empty for a " + std::string(BackingName(lun.backing)) +
                         " LUN (the adapter creates the backing first)");
  }
  // The create forms carry no attributes; say so rather than export something else.
  const char* why = "reftarget-ctl's create forms cannot set it";
  if (lun.block_size != 512) {
    return Status::Error("lun.block_size " + std::to_string(lun.block_size) + ": " + why);
  }
  if (lun.thin) return Status::Error(std::string("lun.thin: ") + why);
  if (lun.read_only) return Status::Error(std::string("lun.read_only: ") + why);
  if (lun.removable) return Status::Error(std::string("lun.removable: ") + why);
  return Status::Ok();
}

Argv CreateBackstoreArgs(const LunSpec& lun) {
  const std::string dir = BackstoreDir("lun.backing", lun.backing).value();
  switch (lun.backing) {
    case Backing::kFileio:
      return {dir,
              "create",
              lun.name,
              lun.path.string(),
              std::to_string(lun.size_bytes),
              std::string("write_back=") + (lun.write_back ? "true" : "false")};
    case Backing::kBlock:
      return {dir, "create", lun.name, lun.path.string()};
    case Backing::kRamdisk:
    case Backing::kNull:
      break;
  }
  return {dir, "create", lun.name, std::to_string(lun.size_bytes)};
}

Argv CreateLunArgs(const std::string& iqn, const LunSpec& lun, int lun_number) {
  return {TpgLuns(iqn), "create", BackstoreDir("lun.backing", lun.backing).value() + "/" + lun.name,
          "lun=" + std::to_string(lun_number)};
}

Argv DeleteLunArgs(const std::string& iqn, int lun_number) {
  return {TpgLuns(iqn), "delete", std::to_string(lun_number)};
}

Argv DeleteBackstoreArgs(const LunSpec& lun) {
  return {BackstoreDir("lun.backing", lun.backing).value(), "delete", lun.name};
}

Argv Batch(const std::vector<Argv>& commands) {
  Argv out;
  for (const auto& c : commands) {
    if (!out.empty()) out.push_back(";");
    out.insert(out.end(), c.begin(), c.end());
  }
  return out;
}

Argv ResizeArgs(const LunSpec& lun, uint64_t size_bytes) {
  return {BackstoreDir("lun.backing", lun.backing).value() + "/" + lun.name, "resize",
          std::to_string(size_bytes)};
}

ReftargetLuns::ReftargetLuns(CtlOptions options) : options_(std::move(options)) {
  if (!options_.runner) options_.runner = DefaultCommandRunner();
}

std::vector<int> ReftargetLuns::Attach(const TargetSpec& running, BackingFiles* files) {
  files_ = files;
  return exported_.Start(running).lun_numbers;
}

void ReftargetLuns::Detach() {
  exported_.Stop();
  files_ = nullptr;
}

Status ReftargetLuns::Run(const Argv& args) const {
  return RunWithin(args, options_.limit).status();
}

Result<std::string> ReftargetLuns::RunWithin(const Argv& args,
                                             std::chrono::milliseconds limit) const {
  Argv argv = {options_.program.string(), "--socket", options_.socket.string()};
  argv.insert(argv.end(), args.begin(), args.end());
  return RunTool(options_.runner, argv, limit, {});
}

Result<std::chrono::milliseconds> ReftargetLuns::QuerySessions(
    std::chrono::milliseconds limit) const {
  const auto begun = std::chrono::steady_clock::now();
  if (Result<std::string> r = RunWithin({"sessions", "detail"}, limit); !r.ok()) {
    return r.status();
  }
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                               begun);
}

Result<int> ReftargetLuns::AddLun(const LunSpec& lun) {
  Result<int> number = exported_.FreeNumber();
  if (!number.ok()) return number.status();
  if (Status s = CheckNotExported(exported_.spec(), lun); !s.ok()) return s;
  // Check what the path does not decide before creating any backing.
  LunSpec checked = lun;
  if (checked.path.empty()) checked.path = "/unset";
  if (Status s = ValidateLun(checked); !s.ok()) return s;
  LunSpec resolved = lun;
  const bool created = resolved.path.empty() && resolved.backing != Backing::kRamdisk;
  if (created) {
    if (files_ == nullptr) return Status::Error("reftarget: no backing directory to add a LUN");
    if (Status s = files_->Prepare(&resolved); !s.ok()) return s;
  }
  auto release = [&] {
    if (created) (void)files_->Release(resolved.name);
  };
  // One invocation, one atomic change: the storage object and its LUN, or neither.
  if (Status s = Run(Batch({CreateBackstoreArgs(resolved),
                            CreateLunArgs(exported_.spec().iqn, resolved, number.value())}));
      !s.ok()) {
    release();
    return s;
  }
  exported_.Add(resolved, number.value());
  return number.value();
}

Status ReftargetLuns::RemoveLun(int lun_number) {
  Result<size_t> index = exported_.Find(lun_number);
  if (!index.ok()) return index.status();
  const LunSpec lun = exported_.spec().luns[index.value()];
  if (Result<std::string> dir = BackstoreDir("lun.backing", lun.backing); !dir.ok()) {
    return dir.status();
  }
  if (Status s =
          Run(Batch({DeleteLunArgs(exported_.spec().iqn, lun_number), DeleteBackstoreArgs(lun)}));
      !s.ok()) {
    return s;
  }
  exported_.Remove(index.value());
  if (files_ != nullptr) (void)files_->Release(lun.name);
  return Status::Ok();
}

Status ReftargetLuns::ResizeLun(int lun_number, uint64_t new_size_bytes) {
  Result<size_t> index = exported_.Find(lun_number);
  if (!index.ok()) return index.status();
  LunSpec lun = exported_.spec().luns[index.value()];
  if (lun.backing != Backing::kFileio && lun.backing != Backing::kRamdisk) {
    return Status::Error("reftarget: LUN " + std::to_string(lun_number) + " is " +
                         BackingName(lun.backing) +
                         ": only FILEIO and RAMDISK storage objects are resized here");
  }
  if (new_size_bytes == 0 || new_size_bytes % lun.block_size != 0) {
    return Status::Error("new_size_bytes " + std::to_string(new_size_bytes) +
                         ": must be a non-zero multiple of block_size " +
                         std::to_string(lun.block_size));
  }
  if (Status s = Run(ResizeArgs(lun, new_size_bytes)); !s.ok()) return s;
  exported_.Remove(index.value());
  lun.size_bytes = new_size_bytes;
  exported_.Add(std::move(lun), lun_number);
  return Status::Ok();
}

}  // namespace harness::adapters::refctl
