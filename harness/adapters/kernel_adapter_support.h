// What the kernel-target adapters (LIO, SCST) share: their common options, the bookkeeping of
// the target they run (its LUNs and LUN numbers through AddLun and RemoveLun), running their
// admin tool as numbered steps, the spec checks both make, and small file helpers.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "harness/adapters/command_runner.h"
#include "harness/adapters/target_adapter.h"
#include "harness/common/status.h"

namespace harness::adapters {

// The options every kernel-target adapter takes.
struct KernelAdapterOptions {
  // Holds the sparse files the adapter creates for FILEIO and BLOCK LUNs that come without a
  // path, and its generated configuration file (mode 0600: it holds CHAP secrets).
  std::filesystem::path work_dir;
  std::chrono::milliseconds command_limit{30'000};  // per command
  CommandRunner runner;                             // empty: process::Run
};

// The target a kernel adapter runs: the spec it was started with, its LUNs as they are now
// after AddLun and RemoveLun, and the LUN number of each.
class ExportedLuns {
 public:
  // `adapter` and `product` name the adapter in messages ("lio", "LIO").
  ExportedLuns(std::string adapter, std::string product);

  bool running() const { return running_; }
  // Returns the failure "the ADAPTER adapter is already running IQN" while a target runs.
  Status CheckIdle() const;
  // Records `spec` as running, spec.luns[i] as LUN i. Returns a RunningTarget with the IQN
  // and LUN numbers filled; the adapter adds its portals and product.
  RunningTarget Start(TargetSpec spec);
  // Forgets the running target.
  void Stop();
  // Returns the running target's spec; its luns are the LUNs exported now.
  const TargetSpec& spec() const { return spec_; }
  // Returns the lowest LUN number not in use, or the failure saying that no target runs.
  Result<int> FreeNumber() const;
  // Returns the index in spec().luns of LUN `lun_number`, or the failure naming the LUN and
  // the IQN ("LIO: LUN 7 is not exported by IQN"), or saying that no target runs.
  Result<size_t> Find(int lun_number) const;
  // Records `lun` as exported as LUN `lun_number`.
  void Add(LunSpec lun, int lun_number);
  // Forgets spec().luns[index] and returns it. REQUIRES: index < spec().luns.size().
  LunSpec Remove(size_t index);

 private:
  std::string adapter_;
  std::string product_;
  bool running_ = false;
  TargetSpec spec_;
  std::vector<int> numbers_;  // LUN number of spec_.luns[i]
};

// A kernel target's admin tool (targetcli, scstadmin) as an adapter runs it: one program,
// one runner, one time limit per command.
class AdminTool {
 public:
  // `product` names the target in messages ("LIO"); an empty `runner` is process::Run.
  AdminTool(std::string product, std::string program, CommandRunner runner,
            std::chrono::milliseconds limit);
  // Runs step `index` (from 0) of `count`: `argv` with argv[0] replaced by the program.
  // Returns the failure as "PRODUCT: step I of N: " and RunTool's message.
  Status RunStep(std::vector<std::string> argv, size_t index, size_t count,
                 const std::vector<std::string>& secrets) const;
  const CommandRunner& runner() const { return runner_; }

 private:
  std::string product_;
  std::string program_;
  CommandRunner runner_;
  std::chrono::milliseconds limit_;
};

// Writes `content` to `path` (replacing it), readable by the owner only: the adapters'
// configuration files hold CHAP secrets. Creates the parent directory.
Status WritePrivateFile(const std::filesystem::path& path, const std::string& content);

// Returns the first line of `file`, or "" if it cannot be read (a kernel target's version).
std::string ReadFirstLine(const std::filesystem::path& file);

// Returns root/path for the first of `paths` that does not exist under `root`, if any: the
// adapters check configfs or sysfs because a tool may exit 0 after a failed command.
std::optional<std::filesystem::path> FirstMissing(const std::filesystem::path& root,
                                                  const std::vector<std::string>& paths);

// Returns "'x'" for a printable character, "byte 0x0a" otherwise (for error messages).
std::string DescribeChar(char c);

// Checks an iSCSI name (RFC 7143 §4.2.7: at most 223 bytes; "iqn.", "eui." or "naa." form;
// after stringprep only lowercase letters, digits, '.', '-' and ':' remain, RFC 3722).
// Returns the failure naming `field`.
Status ValidateIscsiName(const std::string& field, const std::string& name);

// Checks a value that a target's tool must carry intact: not empty, at most `max_length`
// bytes, printable ASCII without blanks and without any character of `forbidden`. A failure
// names `field` and, unless `secret`, the value; a bad character's ends with ", " + `why`.
Status CheckPrintableToken(const std::string& field, const std::string& value, size_t max_length,
                           bool secret, std::string_view forbidden, const std::string& why);

// Returns the failure "FIELD.size_bytes N: must be a non-zero multiple of block_size B".
Status CheckLunSize(const std::string& field, const LunSpec& lun);

// Checks one value that a target's tool must carry intact; a `secret` value is never
// repeated in the message. Returns the failure naming `field`.
using ValueCheck =
    std::function<Status(const std::string& field, const std::string& value, bool secret)>;
// Checks one LUN of a spec. Returns the failure naming `field` ("luns[1]").
using LunCheck = std::function<Status(const std::string& field, const LunSpec& lun)>;

// Checks CHAP credentials with `check`: userid and password, and the mutual pair, which is
// set whole or not at all. Returns the first problem naming the field ("FIELD.password").
Status CheckChap(const std::string& field, const ChapSpec& chap, const ValueCheck& check);

// Checks every LUN with `check_lun` and that no name is used twice, every ACL (its iSCSI
// name, listed once, its CHAP with `check_chap_value`), then the discovery CHAP. Returns the
// first problem naming the field ("luns[1].name", "acls[0].chap.userid").
Status ValidateLunsAndAcls(const TargetSpec& spec, const LunCheck& check_lun,
                           const ValueCheck& check_chap_value);

// Returns the failure "FIELD.path: empty ..." for a FILEIO or BLOCK LUN without a path.
Status CheckPathPresent(const std::string& field, const LunSpec& lun);
// Checks CheckPathPresent for every LUN of `spec` ("luns[i]").
Status CheckPathsPresent(const TargetSpec& spec);

// Returns the failure "lun.name \"NAME\": already exported" if `running` exports a LUN with
// lun.name.
Status CheckNotExported(const TargetSpec& running, const LunSpec& lun);

}  // namespace harness::adapters
