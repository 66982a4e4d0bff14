#include "suites/target/support/conformance_report.h"

#include <cstdio>
#include <fstream>
#include <sstream>

namespace itest {

std::string FormatFamilyTable(const std::vector<FamilyResult>& results) {
  std::ostringstream out;
  char line[512];
  std::snprintf(line, sizeof(line), "%-9s %-28s %-6s %5s %5s %5s  %s\n", "backstore", "family",
                "result", "pass", "skip", "fail", "reason");
  out << line;
  for (const auto& r : results) {
    std::string reason = r.reason;
    if (reason.size() > 120) reason = reason.substr(0, 117) + "...";
    std::snprintf(line, sizeof(line), "%-9s %-28s %-6s %5d %5d %5d  %s\n", r.backstore.c_str(),
                  r.family.c_str(), OutcomeName(r.outcome), r.passed, r.skipped, r.failed,
                  reason.c_str());
    out << line;
    for (const auto& t : r.tests) {
      if (t.outcome != Outcome::kFail) continue;
      out << "          FAIL " << t.suite << "." << t.name;
      for (const auto& n : t.notes) out << "\n               " << n;
      out << "\n";
    }
  }
  return out.str();
}

nlohmann::json FamilyResultsJson(const std::vector<FamilyResult>& results) {
  nlohmann::json doc;
  doc["tool"] = "iscsi-test-cu";
  doc["results"] = nlohmann::json::array();
  for (const auto& r : results) {
    nlohmann::json j;
    j["backstore"] = r.backstore;
    j["family"] = r.family;
    j["status"] = OutcomeName(r.outcome);
    j["passed"] = r.passed;
    j["skipped"] = r.skipped;
    j["failed"] = r.failed;
    j["seconds"] = r.seconds;
    j["reason"] = r.reason;
    j["tests"] = nlohmann::json::array();
    for (const auto& t : r.tests) {
      j["tests"].push_back({{"suite", t.suite},
                            {"name", t.name},
                            {"status", OutcomeName(t.outcome)},
                            {"notes", t.notes}});
    }
    doc["results"].push_back(std::move(j));
  }
  return doc;
}

bool WriteFamilyResultsJson(const std::string& path, const std::vector<FamilyResult>& results,
                            std::string* error) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp);
    // Invalid UTF-8 in a tool's log must not throw: replace it.
    out << FamilyResultsJson(results).dump(2, ' ', false, nlohmann::json::error_handler_t::replace)
        << "\n";
    if (!out) {
      *error = "write " + tmp + " failed";
      return false;
    }
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    *error = "rename " + tmp + " -> " + path + " failed";
    return false;
  }
  return true;
}

}  // namespace itest
