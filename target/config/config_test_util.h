// Helpers shared by the config tests.
#pragma once

#include <fstream>
#include <sstream>
#include <string>

namespace reftarget::config::testing {

// Returns the text of testdata/`name` (copies of real targetcli files; see testdata/README).
inline std::string ReadTestdata(const std::string& name) {
  std::ifstream in(std::string(REFTARGET_CONFIG_TESTDATA) + "/" + name, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

inline constexpr const char* kFileioAcl = "lio-saveconfig-fileio-acl.json";
inline constexpr const char* kBlockDemo = "lio-saveconfig-block-demo.json";

}  // namespace reftarget::config::testing
