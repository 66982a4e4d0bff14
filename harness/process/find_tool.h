// Finding the programs the harness drives (reftarget, reftarget-ctl, faultfs, netfault): an
// environment variable names one explicitly; otherwise the build tree the harness itself runs
// from; otherwise PATH (an installed product).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace harness::process {

// Returns the directory of the running program ("" if /proc/self/exe cannot be read).
std::filesystem::path SelfDir();

// Returns the first of `candidates` that exists, canonical; "" if none.
std::filesystem::path FirstExisting(const std::vector<std::filesystem::path>& candidates);

// Returns $`env_var` if it is set and not empty; else the first existing of `beside_self`
// (paths relative to SelfDir()); else `name` found in PATH; else "".
std::filesystem::path FindTool(const char* env_var,
                               const std::vector<std::filesystem::path>& beside_self,
                               const std::string& name);

}  // namespace harness::process
