// Replays every file of target/config/fuzz_corpus (seeds and every input the fuzzer ever
// found) through the fuzzer's check, so a fixed crash stays fixed in every build.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "target/config/config_fuzz_check.h"

namespace reftarget::config {
namespace {

std::vector<std::filesystem::path> CorpusFiles() {
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(REFTARGET_CONFIG_FUZZ_CORPUS)) {
    if (entry.is_regular_file()) files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

TEST(ConfigFuzzReplay, EveryCorpusFilePassesTheCheck) {
  std::vector<std::filesystem::path> files = CorpusFiles();
  ASSERT_GE(files.size(), 5u) << "the corpus lost its seeds";
  for (const auto& path : files) {
    SCOPED_TRACE(path.string());
    std::ifstream in(path, std::ios::binary);
    std::stringstream buffer;
    buffer << in.rdbuf();
    CheckConfigInput(buffer.str());  // aborts on a violation
  }
}

}  // namespace
}  // namespace reftarget::config
