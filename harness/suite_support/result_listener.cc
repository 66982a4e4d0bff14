#include "harness/suite_support/result_listener.h"

#include <fstream>

namespace harness::suite {

void ResultListener::OnTestEnd(const ::testing::TestInfo& info) {
  const ::testing::TestResult* r = info.result();
  std::string outcome = "PASS";
  std::string reason;
  nlohmann::json failures = nlohmann::json::array();
  for (int i = 0; i < r->total_part_count(); ++i) {
    const ::testing::TestPartResult& part = r->GetTestPartResult(i);
    const std::string where = std::string(part.file_name() ? part.file_name() : "?") + ":" +
                              std::to_string(part.line_number());
    if (part.skipped()) {
      if (reason.empty()) reason = part.message();
    } else if (part.failed()) {
      failures.push_back(where + ": " + part.message());
    }
  }
  if (!failures.empty()) {
    outcome = "FAIL";
    reason = failures[0].get<std::string>();
  } else if (r->Skipped()) {
    outcome = "SKIP";
    if (reason.empty()) reason = "skipped without a reason";
  }
  nlohmann::json properties = nlohmann::json::object();
  for (int i = 0; i < r->test_property_count(); ++i) {
    const ::testing::TestProperty& p = r->GetTestProperty(i);
    properties[p.key()] = p.value();
  }
  tests_.push_back({{"suite", info.test_suite_name()},
                    {"name", info.name()},
                    {"outcome", outcome},
                    {"reason", reason},
                    {"failures", failures},
                    {"duration_s", static_cast<double>(r->elapsed_time()) / 1000.0},
                    {"properties", properties}});
  Flush();
}

void ResultListener::Flush() {
  const auto tmp = path_.string() + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << nlohmann::json{{"tests", tests_}}.dump(1, ' ', false,
                                                 nlohmann::json::error_handler_t::replace)
        << "\n";
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path_, ec);
}

}  // namespace harness::suite
