#include "reports/report_io.h"

#include <charconv>
#include <cstdlib>

#include "reports/file_io.h"
#include "reports/report_check.h"
#include "reports/schema_text.h"

namespace harness::reports {
namespace {

using nlohmann::json;

struct Version {
  int major = -1;
  int minor = -1;
};

Version ParseVersion(std::string_view text) {
  Version v;
  size_t dot = text.find('.');
  if (dot == std::string_view::npos) return Version{};
  auto a = std::from_chars(text.data(), text.data() + dot, v.major);
  auto b = std::from_chars(text.data() + dot + 1, text.data() + text.size(), v.minor);
  if (a.ec != std::errc() || a.ptr != text.data() + dot || b.ec != std::errc() ||
      b.ptr != text.data() + text.size()) {
    return Version{};
  }
  return v;
}

// README.md's policy: a reader takes its own major version and any minor up to its own.
// Checked before the schema so that a newer report gets this message rather than a list of
// unknown fields.
std::vector<ValidationError> CheckVersion(const json& document) {
  if (!document.is_object()) return {};
  auto it = document.find("schema_version");
  if (it == document.end() || !it->is_string()) return {};
  Version ours = ParseVersion(kSchemaVersion);
  Version theirs = ParseVersion(it->get<std::string>());
  if (theirs.major == ours.major && theirs.minor >= 0 && theirs.minor <= ours.minor) return {};
  return {{"/schema_version",
           "report schema version " + it->dump() + " is not readable by this reader (reads " +
               std::to_string(ours.major) + ".0 to " + std::string(kSchemaVersion) + ")"}};
}

// The schema cannot say that "total" is the sum of the other counts.
void CheckTotal(const json& counts, const std::string& at, std::vector<ValidationError>* out) {
  int64_t sum = 0;
  for (const char* key : {"pass", "fail", "skip", "xfail"}) sum += counts.at(key).get<int64_t>();
  if (counts.at("total").get<int64_t>() != sum) {
    out->push_back({at + "/total", "total " + counts.at("total").dump() +
                                       " is not the sum of pass, fail, skip and xfail (" +
                                       std::to_string(sum) + ")"});
  }
}

std::string LineAndColumn(std::string_view text, size_t byte) {
  size_t line = 1;
  size_t column = 1;
  for (size_t i = 0; i < byte && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  return "line " + std::to_string(line) + ", column " + std::to_string(column);
}

}  // namespace

const SchemaValidator& ReportSchemaValidator() {
  // The embedded schema is a build input checked by report_schema_test, so failing here is
  // a build defect, not an input error.
  static const SchemaValidator kValidator = [] {
    auto created = SchemaValidator::Create(json::parse(ReportSchemaText()));
    if (!created.ok()) std::abort();
    return std::move(created).value();
  }();
  return kValidator;
}

std::vector<ValidationError> ValidateReportJson(const json& document) {
  std::vector<ValidationError> errors = CheckVersion(document);
  if (!errors.empty()) return errors;
  errors = ReportSchemaValidator().Validate(document);
  if (!errors.empty()) return errors;
  for (size_t i = 0; i < document["suites"].size(); ++i) {
    CheckTotal(document["suites"][i]["counts"], "/suites/" + std::to_string(i) + "/counts",
               &errors);
  }
  CheckTotal(document["totals"]["counts"], "/totals/counts", &errors);
  Report report;
  try {
    report = document.get<Report>();
  } catch (const std::exception& e) {
    // Unreachable for a document that passed the schema; kept as a value, not a crash.
    errors.push_back({"", std::string("cannot convert: ") + e.what()});
    return errors;
  }
  std::vector<ValidationError> more = CheckConsistency(report);
  errors.insert(errors.end(), more.begin(), more.end());
  return errors;
}

std::string FormatErrors(const std::string& source_name, const std::vector<ValidationError>& errors,
                         size_t limit) {
  std::string out;
  for (size_t i = 0; i < errors.size() && i < limit; ++i) {
    if (!out.empty()) out += "\n";
    out += source_name + ": " + errors[i].ToString();
  }
  if (errors.size() > limit) {
    out += "\n" + source_name + ": (" + std::to_string(errors.size() - limit) + " more)";
  }
  return out;
}

Result<Report> ParseReport(std::string_view text, const std::string& source_name) {
  json document;
  try {
    document = json::parse(text);
  } catch (const json::parse_error& e) {
    return Status::Error(source_name + ": not valid JSON at byte " + std::to_string(e.byte) + " (" +
                         LineAndColumn(text, e.byte == 0 ? 0 : e.byte - 1) + "): " + e.what());
  }
  std::vector<ValidationError> errors = ValidateReportJson(document);
  if (!errors.empty()) return Status::Error(FormatErrors(source_name, errors));
  return document.get<Report>();
}

Result<Report> LoadReport(const std::filesystem::path& path) {
  Result<std::string> text = ReadWholeFile(path);
  if (!text.ok()) return text.status();
  return ParseReport(text.value(), path.string());
}

std::string SerializeReport(const Report& report) {
  json j = report;
  // Invalid UTF-8 in a captured log must not make the dump throw; it is replaced by U+FFFD.
  return j.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

Status WriteReport(const std::filesystem::path& path, const Report& report) {
  std::string text = SerializeReport(report);
  std::vector<ValidationError> errors = ValidateReportJson(json::parse(text));
  if (!errors.empty()) {
    return Status::Error("refusing to write an invalid report to " + path.string() + ":\n" +
                         FormatErrors(path.string(), errors));
  }
  return WriteFileAtomically(path, text);
}

}  // namespace harness::reports
