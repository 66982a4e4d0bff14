// LoopDevice: a loop device attached to a file (losetup), detached when the object dies. Over
// a file on faultfs it gives a BLOCK backstore whose I/O fails, stalls or hangs for real.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "harness/common/status.h"

namespace harness::faults {

class LoopDevice {
 public:
  // Attaches the first free loop device to `file` (O_DIRECT on the file if `direct_io`);
  // the failure quotes losetup.
  static Result<std::unique_ptr<LoopDevice>> Attach(const std::filesystem::path& file,
                                                    bool direct_io);
  // Only Attach makes one.
  class Key {
    friend class LoopDevice;
    Key() = default;
  };
  LoopDevice(Key, std::string device, std::filesystem::path file)
      : device_(std::move(device)), file_(std::move(file)) {}
  ~LoopDevice();
  LoopDevice(const LoopDevice&) = delete;
  LoopDevice& operator=(const LoopDevice&) = delete;

  // Detaches it (a fault: "the loop device went away" under a live BLOCK LUN, or cleanup).
  // Idempotent; the failure quotes losetup.
  Status Detach();
  // Returns "/dev/loopN".
  const std::string& device() const { return device_; }
  const std::filesystem::path& file() const { return file_; }
  bool attached() const { return attached_; }

 private:
  std::string device_;
  std::filesystem::path file_;
  bool attached_ = true;
};

}  // namespace harness::faults
