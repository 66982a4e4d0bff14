#include "suites/target/support/backstore_setup.h"

namespace itest {

const std::vector<std::string>& BackstoreKinds() {
  static const std::vector<std::string> kinds = {"fileio", "block", "ramdisk"};
  return kinds;
}

bool MakeBackstore(const std::string& kind, const std::string& name, uint64_t size, bool thin,
                   TempDir* dir, Backstore* out, std::string* skip_reason, std::string* error) {
  out->spec = StorageObjectSpec{};
  out->spec.name = name;
  out->spec.plugin = kind;
  out->spec.size = size;
  if (kind == "fileio") {
    auto file = dir->CreateFile(name + ".img", size);
    if (file.empty()) {
      *error = dir->error();
      return false;
    }
    out->spec.dev = file.string();
    if (thin) out->spec.attributes["emulate_tpu"] = 1;
    return true;
  }
  if (kind == "block") {
    auto file = dir->CreateFile(name + ".img", size);
    if (file.empty()) {
      *error = dir->error();
      return false;
    }
    out->loop = LoopDevice::Attach(file.string(), skip_reason);
    if (!out->loop) return false;
    out->spec.dev = out->loop->path();
    return true;
  }
  if (kind == "ramdisk") {
    if (thin) out->spec.attributes["emulate_tpu"] = 1;
    return true;
  }
  *error = "unknown backstore kind " + kind;
  return false;
}

}  // namespace itest
