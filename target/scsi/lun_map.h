// LunMap: what one I_T nexus can address: LUN number → logical unit (+ write protect).
// A session holds a shared_ptr<const LunMap> snapshot; a live change swaps in a new map.
#pragma once

#include <cstdint>
#include <map>
#include <memory>

namespace reftarget::scsi {

class LogicalUnit;

struct MappedLun {
  std::shared_ptr<LogicalUnit> unit;
  bool write_protect = false;  // ACL mapped_lun write_protect or demo_mode_write_protect
};

using LunMap = std::map<uint64_t, MappedLun>;

}  // namespace reftarget::scsi
