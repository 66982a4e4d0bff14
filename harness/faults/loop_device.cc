#include "harness/faults/loop_device.h"

#include "harness/process/spawn_run.h"

namespace harness::faults {
namespace {

constexpr auto kLosetupLimit = std::chrono::seconds(30);

std::string Trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

}  // namespace

Result<std::unique_ptr<LoopDevice>> LoopDevice::Attach(const std::filesystem::path& file,
                                                       bool direct_io) {
  std::vector<std::string> argv = {"losetup", "-f", "--show"};
  if (direct_io) argv.push_back("--direct-io=on");
  argv.push_back(file.string());
  process::RunOptions o;
  o.limit = kLosetupLimit;
  o.separate_stderr = true;
  const process::RunResult r = process::SpawnRun(argv, o);
  const std::string device = Trimmed(r.output);
  if (!r.exited_ok() || device.rfind("/dev/loop", 0) != 0) {
    return Status::Error("losetup -f --show " + file.string() + ": " + r.Describe() + " " +
                         Trimmed(r.error_output + r.output));
  }
  return std::make_unique<LoopDevice>(Key(), device, file);
}

LoopDevice::~LoopDevice() { (void)Detach(); }

Status LoopDevice::Detach() {
  if (!attached_) return Status::Ok();
  process::RunOptions o;
  o.limit = kLosetupLimit;
  const process::RunResult r = process::SpawnRun({"losetup", "-d", device_}, o);
  if (!r.exited_ok()) {
    return Status::Error("losetup -d " + device_ + ": " + r.Describe() + " " + Trimmed(r.output));
  }
  attached_ = false;
  return Status::Ok();
}

}  // namespace harness::faults
