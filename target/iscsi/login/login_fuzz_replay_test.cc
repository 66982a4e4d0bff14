// Replays every file in fuzz_corpus/ (seeds and inputs saved from fuzzing runs) through the
// login fuzz harness, so that a fixed crash stays fixed without needing clang or libFuzzer.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <vector>

#include "target/iscsi/login/login_fuzz_target.h"

namespace reftarget::iscsi::login {
namespace {

TEST(LoginFuzzReplay, EveryCorpusFileRuns) {
  const std::filesystem::path corpus = REFTARGET_LOGIN_FUZZ_CORPUS;
  ASSERT_TRUE(std::filesystem::is_directory(corpus)) << corpus;
  size_t files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(corpus)) {
    if (!entry.is_regular_file()) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::vector<uint8_t> data((std::istreambuf_iterator<char>(in)),
                              std::istreambuf_iterator<char>());
    SCOPED_TRACE(entry.path().filename().string());
    RunLoginFuzzInput(data.data(), data.size());
    ++files;
  }
  EXPECT_GE(files, 10u) << "the seed corpus should hold at least 10 inputs";
}

}  // namespace
}  // namespace reftarget::iscsi::login
