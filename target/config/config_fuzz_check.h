// The property the config fuzzer checks on every input, shared with its replay test.
#pragma once

#include <string_view>

namespace reftarget::config {

// Parses `data` as saveconfig.json. A refusal must be a one-line message that starts with
// the source name. An accepted file must serialize, load back to an equal Config and
// serialize to the same text again. Aborts with a message on stderr on any violation.
void CheckConfigInput(std::string_view data);

}  // namespace reftarget::config
