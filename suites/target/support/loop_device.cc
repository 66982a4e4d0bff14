#include "suites/target/support/loop_device.h"

#include <unistd.h>

#include <iostream>

#include "suites/target/support/subprocess.h"

namespace itest {

std::unique_ptr<LoopDevice> LoopDevice::Attach(const std::string& file, std::string* reason) {
  if (geteuid() != 0) {
    *reason = "BLOCK backstore needs a loop device, and losetup needs root";
    return nullptr;
  }
  ProcessResult r = RunProcess({"losetup", "-f", "--show", file}, std::chrono::seconds(20));
  if (!r.Ok()) {
    *reason = "losetup -f --show " + file + " failed (" + r.Describe() + "): " + r.err;
    return nullptr;
  }
  std::string dev = r.out;
  while (!dev.empty() && (dev.back() == '\n' || dev.back() == ' ')) dev.pop_back();
  if (dev.rfind("/dev/", 0) != 0) {
    *reason = "losetup printed no device: '" + r.out + "'";
    return nullptr;
  }
  return std::unique_ptr<LoopDevice>(new LoopDevice(dev));
}

LoopDevice::~LoopDevice() {
  ProcessResult r = RunProcess({"losetup", "-d", path_}, std::chrono::seconds(20));
  if (!r.Ok()) std::cerr << "losetup -d " << path_ << " failed: " << r.Describe() << " " << r.err;
}

}  // namespace itest
