// The Caching mode page (SBC-3 §6.4.5, page code 08h): whether the target says it has a
// volatile write cache enabled (WCE=1), which decides what a power cut may take (T40/T41).
#pragma once

#include <cstdint>
#include <span>

#include "harness/common/status.h"
#include "harness/iscsi/session.h"

namespace harness::durability {

inline constexpr uint8_t kCachingPage = 0x08;

// Returns the WCE bit from MODE SENSE parameter data: `ten` for MODE SENSE(10)'s 8-byte
// header, else MODE SENSE(6)'s 4-byte one. Fails naming the field that does not fit.
Result<bool> ParseCachingWce(std::span<const uint8_t> data, bool ten);

// Reads the current Caching mode page of `lun` (MODE SENSE(10), or (6) if (10) is refused)
// and returns its WCE bit. Retries unit attentions.
Result<bool> ReadWriteCacheEnabled(iscsi::Session& session, int lun);

}  // namespace harness::durability
