// LoopDevice: a loop block device over a file (losetup -f --show FILE), detached on
// destruction. BLOCK backstore tests use it; it needs root.
#pragma once

#include <memory>
#include <string>

namespace itest {

class LoopDevice {
 public:
  // Attaches `file`. Returns null with `*reason` set when not root or losetup fails (the
  // caller skips with that reason).
  static std::unique_ptr<LoopDevice> Attach(const std::string& file, std::string* reason);
  ~LoopDevice();
  LoopDevice(const LoopDevice&) = delete;
  LoopDevice& operator=(const LoopDevice&) = delete;

  // Returns the device path, e.g. "/dev/loop3".
  const std::string& path() const { return path_; }

 private:
  explicit LoopDevice(std::string path) : path_(std::move(path)) {}
  std::string path_;
};

}  // namespace itest
