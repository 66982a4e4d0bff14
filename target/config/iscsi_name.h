// Validation of iSCSI names (RFC 3720 §3.2.6; RFC 7143 §4.2.7) as target and initiator
// names in saveconfig.json, following rtslib's normalize_wwn() where it is stricter.
#pragma once

#include <string>
#include <string_view>

#include "target/common/status.h"

namespace reftarget::config {

// RFC 3720 §3.2.6.1: an iSCSI name is at most 223 bytes (UTF-8).
inline constexpr size_t kMaxIscsiNameLength = 223;

// Returns `name` normalized as rtslib stores it: lowercase (RFC 3722 stringprep folds
// case), and for eui./naa. names the ':' and '-' separators removed. Accepted forms:
//   iqn.YYYY-MM.reversed.domain[:anything]  (month 01..12; at least two domain labels)
//   eui.<16 hex digits>                     (RFC 3720 §3.2.6.3.2)
//   naa.<16 or 32 hex digits>               (RFC 3980)
// Characters are those of RFC 3720 §3.2.6.2: a-z 0-9 '-' '.' ':' and non-ASCII UTF-8.
// On failure the Status message says what is wrong, without naming the field.
Result<std::string> NormalizeIscsiName(std::string_view name);

}  // namespace reftarget::config
