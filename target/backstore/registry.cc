// OpenBackstore: the one place that maps a plugin name to a store kind (STYLE.md: stores are
// "registered by name in one explicit registry function").
#include <memory>
#include <string>

#include "target/backstore/backstore.h"
#include "target/backstore/block.h"
#include "target/backstore/fileio.h"
#include "target/backstore/null_store.h"
#include "target/backstore/ramdisk.h"
#include "target/backstore/store_util.h"

namespace reftarget::backstore {
namespace {

constexpr unsigned kMaxWorkers = 256;

// Checks the fields every kind shares.
Status ValidateSpec(const BackstoreSpec& spec) {
  const std::string label = StoreLabel(spec);
  if (spec.name.empty()) return Status::Error(label + ": name is empty");
  if (spec.name.find('/') != std::string::npos) {
    return Status::Error(label + ": name '" + spec.name + "' contains '/'");
  }
  // Capabilities::block_size is 512 or 4096 for every consumer above this layer.
  if (spec.block_size != 512 && spec.block_size != 4096) {
    return Status::Error(label + ": block_size " + std::to_string(spec.block_size) +
                         ": must be 512 or 4096");
  }
  if (spec.workers == 0 || spec.workers > kMaxWorkers) {
    return Status::Error(label + ": workers " + std::to_string(spec.workers) + ": must be 1.." +
                         std::to_string(kMaxWorkers));
  }
  return Status::Ok();
}

template <typename T>
Result<std::unique_ptr<Backstore>> Upcast(Result<std::unique_ptr<T>> opened) {
  if (!opened.ok()) return opened.status();
  return std::unique_ptr<Backstore>(std::move(opened).value());
}

}  // namespace

Result<std::unique_ptr<Backstore>> OpenBackstore(const BackstoreSpec& spec) {
  if (spec.plugin != "fileio" && spec.plugin != "block" && spec.plugin != "ramdisk" &&
      spec.plugin != "rd_mcp" && spec.plugin != "null") {
    return Status::Error(StoreLabel(spec) + ": unknown backstore plugin '" + spec.plugin +
                         "' (known: fileio, block, ramdisk, rd_mcp, null)");
  }
  Status valid = ValidateSpec(spec);
  if (!valid.ok()) return valid;

  if (spec.plugin == "fileio") return Upcast(FileioBackstore::Open(spec));
  if (spec.plugin == "block") return Upcast(BlockBackstore::Open(spec));
  if (spec.plugin == "null") return Upcast(NullBackstore::Open(spec, "null"));
  // "rd_mcp" is LIO's name for the ramdisk plugin in saveconfig.json.
  if (spec.nullio) return Upcast(NullBackstore::Open(spec, "ramdisk"));
  return Upcast(RamdiskBackstore::Open(spec));
}

}  // namespace reftarget::backstore
