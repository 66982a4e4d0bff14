// What the kernel-target adapters (LIO, SCST) share: running their admin tools with a time
// limit and a redacted error, and the backing storage they create for LUNs that come without
// a path (a sparse file for FILEIO, a loop device over one for BLOCK; ENVIRONMENT.md: loop
// devices are built in and `losetup -f --show FILE` works as root).
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "harness/adapters/target_adapter.h"
#include "harness/common/status.h"
#include "harness/process/child_process.h"

namespace harness::adapters {

// Runs one external command; the adapters take one so that tests can see (and refuse) every
// command without running anything.
using CommandRunner = std::function<process::RunResult(const std::vector<std::string>& argv,
                                                       const process::RunOptions& options)>;

// Returns a runner that calls process::Run.
CommandRunner DefaultCommandRunner();

// Returns `argv` as one line for messages, each secret in `secrets` replaced by "***" and
// arguments with blanks single-quoted.
std::string DescribeCommand(const std::vector<std::string>& argv,
                            const std::vector<std::string>& secrets);

// Returns `text` with every occurrence of every non-empty secret replaced by "***".
std::string Redact(std::string text, const std::vector<std::string>& secrets);

// Runs `argv` with `limit`. Returns the failure as "`CMD` failed (exit 1): OUTPUT", secrets
// redacted from both the command and its output; on success returns the output.
Result<std::string> RunTool(const CommandRunner& runner, const std::vector<std::string>& argv,
                            std::chrono::milliseconds limit,
                            const std::vector<std::string>& secrets);

// Writes `content` to `path` (replacing it), readable by the owner only: the adapters'
// configuration files hold CHAP secrets. Creates the parent directory.
Status WritePrivateFile(const std::filesystem::path& path, const std::string& content);

// Returns "'x'" for a printable character, "byte 0x0a" otherwise (for error messages).
std::string DescribeChar(char c);

// Checks an iSCSI name (RFC 7143 §4.2.7: at most 223 bytes; "iqn.", "eui." or "naa." form;
// after stringprep only lowercase letters, digits, '.', '-' and ':' remain, RFC 3722).
// Returns the failure naming `field`.
Status ValidateIscsiName(const std::string& field, const std::string& name);

// The sparse files and loop devices one adapter created, released in reverse order.
class KernelBackings {
 public:
  // `work_dir` holds the files; it is created on first use.
  KernelBackings(std::filesystem::path work_dir, CommandRunner runner,
                 std::chrono::milliseconds limit);
  ~KernelBackings();
  KernelBackings(const KernelBackings&) = delete;
  KernelBackings& operator=(const KernelBackings&) = delete;

  // Fills lun->path when it is empty: FILEIO gets work_dir/NAME.img (sparse, size_bytes
  // long), BLOCK a loop device over such a file. RAMDISK and NULL need nothing. Returns the
  // failure naming the LUN; creates nothing on failure.
  Status Prepare(LunSpec* lun);
  // Detaches the loop device and removes the file created for LUN `name`, if any.
  Status Release(const std::string& name);
  // Releases everything Prepare created. Returns the first failure. Idempotent.
  Status ReleaseAll();

 private:
  struct Created {
    std::filesystem::path file;
    std::string loop_device;  // "" for FILEIO
  };
  Result<std::filesystem::path> CreateSparseFile(const LunSpec& lun);
  Status ReleaseOne(const Created& created);

  std::filesystem::path work_dir_;
  CommandRunner runner_;
  std::chrono::milliseconds limit_;
  std::vector<std::pair<std::string, Created>> created_;  // in creation order
};

}  // namespace harness::adapters
