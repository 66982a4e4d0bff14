#include "harness/adapters/target_adapter.h"

#include <utility>

namespace harness::adapters {

const char* BackingName(Backing backing) {
  switch (backing) {
    case Backing::kFileio:
      return "fileio";
    case Backing::kBlock:
      return "block";
    case Backing::kRamdisk:
      return "ramdisk";
    case Backing::kNull:
      return "null";
  }
  return "unknown";
}

LunSpec MakeLunSpec(std::string name, Backing backing, uint64_t size_bytes) {
  LunSpec lun;
  lun.name = std::move(name);
  lun.backing = backing;
  lun.size_bytes = size_bytes;
  return lun;
}

std::string Portal::ToString() const {
  const bool v6 = host.find(':') != std::string::npos;
  return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

std::string RunningTarget::Url(size_t index) const {
  const int lun = index < lun_numbers.size() ? lun_numbers[index] : 0;
  return "iscsi://" + portal.ToString() + "/" + iqn + "/" + std::to_string(lun);
}

Result<int> TargetAdapter::AddLun(const LunSpec& lun) {
  return Status::Error(MissingCapability(*this, "add LUN " + lun.name + " while running"));
}

Status TargetAdapter::RemoveLun(int lun_number) {
  return Status::Error(
      MissingCapability(*this, "remove LUN " + std::to_string(lun_number) + " while running"));
}

Status TargetAdapter::ResizeLun(int lun_number, uint64_t new_size_bytes) {
  return Status::Error(MissingCapability(*this, "resize LUN " + std::to_string(lun_number) +
                                                    " to " + std::to_string(new_size_bytes) +
                                                    " bytes while running"));
}

Result<RunningTarget> TargetAdapter::Restart() {
  return Status::Error(MissingCapability(*this, "restart the target on its configuration"));
}

Result<std::chrono::milliseconds> TargetAdapter::QueryManagement(std::chrono::milliseconds) {
  return Status::Error(MissingCapability(*this, "query its management interface"));
}

std::string MissingCapability(const TargetAdapter& adapter, const std::string& what) {
  return "the " + adapter.name() + " adapter cannot " + what;
}

}  // namespace harness::adapters
