// Live LUN changes on a running reftarget through `reftarget-ctl`, the targetcli-style
// client of its admin socket (DESIGN.md "Commands"). The grammar the reference adapter uses
// (one process per command, exit 0 on success, the reason on stderr otherwise):
//   reftarget-ctl --socket PATH /backstores/fileio create NAME FILE SIZE_BYTES write_back=B
//   reftarget-ctl --socket PATH /backstores/ramdisk create NAME SIZE_BYTES
//   reftarget-ctl --socket PATH /backstores/block create NAME DEVICE
//   reftarget-ctl --socket PATH /iscsi/IQN/tpg1/luns create /backstores/KIND/NAME lun=N
//   reftarget-ctl --socket PATH /iscsi/IQN/tpg1/luns delete N
//   reftarget-ctl --socket PATH /backstores/KIND delete NAME
//   reftarget-ctl --socket PATH /backstores/KIND/NAME resize SIZE_BYTES
// `luns create` maps the new LUN into every ACL of the TPG (targetcli's add_mapped_luns=true
// default), so a target with ACLs needs no extra command here.
//
// The argv builders are pure; ReftargetLuns runs them through an injectable CommandRunner and
// keeps the books (LUN numbers, backing files), so both are unit-tested without a target.
#pragma once

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "harness/adapters/backing_files.h"
#include "harness/adapters/command_runner.h"
#include "harness/adapters/kernel_adapter_support.h"
#include "harness/adapters/target_adapter.h"

namespace harness::adapters::refctl {

using Argv = std::vector<std::string>;

// Returns "/backstores/fileio", "/backstores/block" or "/backstores/ramdisk"; NULL LUNs have
// no create form in reftarget-ctl's grammar, so they are refused naming `field`.
Result<std::string> BackstoreDir(const std::string& field, Backing backing);

// Checks that `lun` can be created through the grammar above: a name targetcli accepts
// (no '/', blanks or control characters), a size that is a multiple of its block size, a
// path for FILEIO and BLOCK, and only what the create forms can say (512-byte blocks, not
// thin, not read-only, not removable). Returns the failure naming the field ("lun.thin").
Status ValidateLun(const LunSpec& lun);

// Returns the arguments (without program and socket) that create `lun`'s storage object.
// REQUIRES: ValidateLun(lun).ok().
Argv CreateBackstoreArgs(const LunSpec& lun);
// Returns the arguments that export /backstores/KIND/NAME of `lun` as LUN `lun_number` of
// `iqn`'s tpg1.
Argv CreateLunArgs(const std::string& iqn, const LunSpec& lun, int lun_number);
// Returns the arguments that withdraw LUN `lun_number` from `iqn`'s tpg1.
Argv DeleteLunArgs(const std::string& iqn, int lun_number);
// Returns the arguments that delete `lun`'s storage object.
Argv DeleteBackstoreArgs(const LunSpec& lun);
// Returns the arguments that resize `lun`'s storage object to `size_bytes`.
// Joins commands with ';' words: reftarget-ctl applies them as one change, all or none.
Argv Batch(const std::vector<Argv>& commands);
Argv ResizeArgs(const LunSpec& lun, uint64_t size_bytes);

struct CtlOptions {
  std::filesystem::path program;            // the reftarget-ctl binary
  std::filesystem::path socket;             // reftarget's --admin-socket
  CommandRunner runner;                     // empty: process::Run
  std::chrono::milliseconds limit{30'000};  // per command
};

// The LUNs of one running reftarget and the reftarget-ctl commands that change them.
class ReftargetLuns {
 public:
  explicit ReftargetLuns(CtlOptions options);

  // Records `running` as started with spec.luns[i] as LUN i and `files` (which must outlive
  // the target) as where AddLun creates backing files. Returns the LUN numbers.
  std::vector<int> Attach(const TargetSpec& running, BackingFiles* files);
  // Forgets the target (it has stopped).
  void Detach();

  // Creates the backing if lun.path is empty, the storage object, then the LUN, at the
  // lowest free LUN number; undoes what it did if a later step fails. Returns the number.
  Result<int> AddLun(const LunSpec& lun);
  // Withdraws LUN `lun_number`, deletes its storage object and releases its backing.
  Status RemoveLun(int lun_number);
  // Resizes LUN `lun_number`'s storage object (FILEIO or RAMDISK; a BLOCK device's size is
  // the device's, which the harness does not change).
  Status ResizeLun(int lun_number, uint64_t new_size_bytes);

  // Runs `reftarget-ctl sessions detail` (every session with its per-LUN counters) within
  // `limit`; returns how long the answer took.
  Result<std::chrono::milliseconds> QuerySessions(std::chrono::milliseconds limit) const;

  const TargetSpec& spec() const { return exported_.spec(); }

 private:
  // Runs `reftarget-ctl --socket SOCKET ARGS...`; the failure quotes the command and stderr.
  Status Run(const Argv& args) const;
  Result<std::string> RunWithin(const Argv& args, std::chrono::milliseconds limit) const;

  CtlOptions options_;
  ExportedLuns exported_{"reference", "reftarget"};
  BackingFiles* files_ = nullptr;
};

}  // namespace harness::adapters::refctl
