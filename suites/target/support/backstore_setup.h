// Makes one storage object of each backstore kind for parameterized suites: FILEIO on a
// sparse file, BLOCK on a loop device over a file (root only), RAMDISK in memory.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "suites/target/support/loop_device.h"
#include "suites/target/support/saveconfig_builder.h"
#include "suites/target/support/temp_dir.h"

namespace itest {

// The kinds, in the order suites run them: "fileio", "block", "ramdisk".
const std::vector<std::string>& BackstoreKinds();

struct Backstore {
  StorageObjectSpec spec;
  std::unique_ptr<LoopDevice> loop;  // BLOCK only; detached when this goes away
};

// Creates storage object `name` of `kind` and `size` bytes with files under `dir`. With
// `thin`, sets emulate_tpu=1 (UNMAP, WRITE SAME UNMAP, GET LBA STATUS) where the kind can
// deallocate (FILEIO, RAMDISK). Returns false with `*skip_reason` when the kind cannot run
// here (BLOCK without root), or `*error` for anything else.
bool MakeBackstore(const std::string& kind, const std::string& name, uint64_t size, bool thin,
                   TempDir* dir, Backstore* out, std::string* skip_reason, std::string* error);

}  // namespace itest
