// `ls [PATH] [depth=N]` drawn as targetcli draws it (configshell node.py _render_tree()):
//
//   o- / ......................................................................... [...]
//     o- backstores .............................................................. [...]
//     | o- fileio ................................................. [Storage Objects: 1]
//     | | o- disk0 ................... [/var/disk0.img (1.0GiB) write-back activated]
//
// Each line is "o- NAME", dots, and "[SUMMARY]", padded to `width` columns when it fits
// (targetcli pads to the terminal width; 80 is its usual one); children are sorted by
// name with a trailing number compared as a number (lun2 before lun10); '|' guides continue
// while a node has later siblings. Summaries are targetcli's (ui_backstore.py,
// ui_target.py summary()), computed from the Config alone.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "target/common/status.h"
#include "target/config/config_model.h"

namespace reftarget::admin {

struct TreeOptions {
  int depth = -1;     // levels below PATH to draw; <= 0 draws all (targetcli's depth=0)
  size_t width = 80;  // columns each line is padded to
  // The live capacity of a store, when the caller knows it (the daemon does); otherwise a
  // fileio store with size 0 shows "(size of file)" and a block store "(size of device)".
  std::function<std::optional<uint64_t>(const config::StorageObject&)> capacity;
};

// Draws the tree at `path` (absolute; normalized here) down to `depth` levels (-1: all),
// 80 columns, without a trailing newline. Errors: a path that does not exist.
Result<std::string> RenderTree(const config::Config& config, const std::string& path,
                               int depth = -1);
// As above, with every option.
Result<std::string> RenderTree(const config::Config& config, const std::string& path,
                               const TreeOptions& options);

}  // namespace reftarget::admin
