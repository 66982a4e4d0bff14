// ResultListener: a GoogleTest event listener that writes every finished test (outcome, the
// skip or failure message, duration, recorded properties such as "clause") as JSON to the
// file named by $ISCSI_HARNESS_RESULTS, rewritten after each test so a crash loses at most
// the test that crashed. gtest's own JSON output drops skip reasons (gtest 1.12).
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

namespace harness::suite {

class ResultListener : public ::testing::EmptyTestEventListener {
 public:
  explicit ResultListener(std::filesystem::path path) : path_(std::move(path)) {}
  void OnTestEnd(const ::testing::TestInfo& info) override;

 private:
  void Flush();
  std::filesystem::path path_;
  nlohmann::json tests_ = nlohmann::json::array();
};

}  // namespace harness::suite
