// The backing storage an adapter creates for LUNs that come without a path: a sparse file
// for FILEIO, a loop device over one for BLOCK (ENVIRONMENT.md: loop devices are built in
// and `losetup -f --show FILE` works as root). Every adapter that manages a target (reftarget,
// tgt, LIO, SCST) keeps one; what it created is kept per LUN, so that RemoveLun releases one
// LUN's storage and Stop (or the destructor) the rest, in reverse order of creation.
#pragma once

#include <chrono>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "harness/adapters/command_runner.h"
#include "harness/adapters/target_adapter.h"
#include "harness/common/status.h"

namespace harness::adapters {

struct BackingOptions {
  CommandRunner runner;                     // runs losetup; empty: process::Run
  std::chrono::milliseconds limit{30'000};  // per losetup command
  bool loop_direct_io = false;              // attach loop devices with --direct-io=on
};

class BackingFiles {
 public:
  // Creates nothing yet; files go under `dir`, created on first use.
  explicit BackingFiles(std::filesystem::path dir, BackingOptions options = {});
  ~BackingFiles();
  BackingFiles(const BackingFiles&) = delete;
  BackingFiles& operator=(const BackingFiles&) = delete;

  // Fills lun->path when it is empty: FILEIO gets DIR/NAME.img (sparse, size_bytes long),
  // BLOCK a loop device over such a file. RAMDISK and NULL need nothing. Returns the failure
  // naming the LUN; creates nothing on failure.
  Status Prepare(LunSpec* lun);
  // Prepares every LUN in order. On a failure releases what this call created and returns
  // the failure.
  Status PrepareAll(std::vector<LunSpec>* luns);
  // Creates (replacing) DIR/NAME.img for `lun`, sparse and size_bytes long, whatever its
  // backing (tgt keeps RAMDISK LUNs as files on tmpfs); returns its path. Release(lun.name)
  // removes it.
  Result<std::filesystem::path> CreateSparseFile(const LunSpec& lun);
  // Detaches the loop device and removes the file created for LUN `name`, if any.
  Status Release(const std::string& name);
  // Releases everything created so far, newest first. Returns the first failure. Idempotent.
  Status ReleaseAll();
  const std::filesystem::path& dir() const { return dir_; }

 private:
  struct Created {
    std::string lun_name;
    std::filesystem::path file;
    std::string loop_device;  // "" unless BLOCK
  };
  Status ReleaseOne(const Created& created);

  std::filesystem::path dir_;
  BackingOptions options_;
  std::vector<Created> created_;  // in creation order
};

}  // namespace harness::adapters
