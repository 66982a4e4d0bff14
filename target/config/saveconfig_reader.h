// Reads LIO's saveconfig.json (rtslib-fb's schema, saveconfig.json(5)) into the Config
// model. The reader checks everything it can without touching the system (it never opens a
// device or a backing file) and refuses the file on the first problem, with a message that
// names the file, the JSON pointer of the value and the problem:
//   cfg.json:12:5: syntax error: while parsing object - unexpected '}'; expected string literal
//   cfg.json: /targets/0/tpgs/0/luns/1/storage_object: refers to /backstores/fileio/disk9,
//     which is not defined
// Keys it does not model are kept (each node's `extra`) and listed by UnknownKeys().
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "target/common/status.h"
#include "target/config/config_model.h"

namespace reftarget::config {

// A saveconfig.json is a few KiB; anything this large is not one.
inline constexpr size_t kMaxConfigFileSize = 16 * 1024 * 1024;

// Parses `json_text`; `source_name` (usually the file name) starts every error message.
Result<Config> ParseConfig(std::string_view json_text, std::string_view source_name);

// Reads the file at `path` and parses it; errors start with `path`.
Result<Config> LoadConfigFile(const std::string& path);

// Returns the JSON pointer of every key the reader kept without using it, node by node:
// "/storage_objects/0/alua_tpgs", "/targets/0/tpgs/0/portals/0/iser", ... Targets of
// fabrics other than iscsi and fabric_modules entries other than iscsi are listed whole.
std::vector<std::string> UnknownKeys(const Config& config);

}  // namespace reftarget::config
