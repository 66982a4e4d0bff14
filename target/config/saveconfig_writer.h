// Writes the Config model as LIO's saveconfig.json, the way rtslib-fb's save_to_file()
// does: json.dumps(dump(), sort_keys=True, indent=2) plus a newline, keys named as rtslib
// writes them, and every kept unknown key (`extra`) written back in its node.
#pragma once

#include <string>
#include <string_view>

#include "target/common/status.h"
#include "target/config/config_model.h"

namespace reftarget::config {

// Returns the document as saveconfig.json text (sorted keys, 2-space indent, ASCII with
// \u escapes like Python's json module, trailing newline). Never fails; a string that is
// not valid UTF-8 (only possible in a Config built by hand) is written with U+FFFD.
std::string SerializeConfig(const Config& config);

// Writes SerializeConfig(config) to `path` crash-safely: a temporary file in the same
// directory (mode 0600: the file holds CHAP secrets), fsync, rename over `path`, fsync of
// the directory. `path` is either the old file or the complete new one, never empty or
// partial. Refuses (and writes nothing) if the text would not load back with ParseConfig.
Status SaveConfigFile(const Config& config, const std::string& path);

// Writes `text` to `path` the same crash-safe way (mode 0600): after a crash `path` holds
// either its old contents or all of `text`.
Status WriteFileAtomically(const std::string& path, std::string_view text);

}  // namespace reftarget::config
