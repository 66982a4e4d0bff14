#include "reports/report_io.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>

#include "reports/file_io.h"
#include "reports/schema_text.h"
#include "reports/testing/sample_report.h"

namespace harness::reports {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

class ReportIoTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("reports_io_test." + std::to_string(::getpid()) + "." +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Writes `doc` as report.json and returns LoadReport's error ("" if it loaded).
  std::string LoadError(const json& doc) {
    fs::path path = dir_ / "report.json";
    EXPECT_TRUE(WriteFileAtomically(path, doc.dump(2)).ok());
    Result<Report> r = LoadReport(path);
    return r.ok() ? "" : r.error();
  }

  json SampleJson() { return json::parse(SerializeReport(testing::SampleReport())); }

  fs::path dir_;
};

TEST_F(ReportIoTest, EmbeddedSchemaIsTheSourceFile) {
  Result<std::string> source = ReadWholeFile(fs::path(REPORTS_SCHEMA_DIR) / "report.schema.json");
  ASSERT_TRUE(source.ok()) << source.error();
  EXPECT_EQ(ReportSchemaText(), source.value());
  EXPECT_EQ(json::parse(ReportSchemaText())["properties"]["schema_version"]["enum"][0],
            std::string(kSchemaVersion));
}

TEST_F(ReportIoTest, WrittenReportValidatesAndRoundTrips) {
  Report original = testing::SampleReport();
  fs::path path = dir_ / "report.json";
  Status st = WriteReport(path, original);
  ASSERT_TRUE(st.ok()) << st.message();

  // Every report the writer produces validates against the schema file in the source tree.
  Result<std::string> schema = ReadWholeFile(fs::path(REPORTS_SCHEMA_DIR) / "report.schema.json");
  ASSERT_TRUE(schema.ok());
  auto validator = SchemaValidator::Create(json::parse(schema.value()));
  ASSERT_TRUE(validator.ok()) << validator.error();
  Result<std::string> written = ReadWholeFile(path);
  ASSERT_TRUE(written.ok());
  EXPECT_TRUE(validator.value().Validate(json::parse(written.value())).empty());

  Result<Report> loaded = LoadReport(path);
  ASSERT_TRUE(loaded.ok()) << loaded.error();
  // Invalid UTF-8 in the sample's hostile text is written as U+FFFD, so compare through JSON.
  EXPECT_EQ(json(loaded.value()), json::parse(SerializeReport(original)));
  EXPECT_EQ(loaded.value().tests[2].failure->cdb_hex, "28000000ffff00000800");
  EXPECT_EQ(loaded.value().metrics[4].better, Better::kLower);
  EXPECT_EQ(loaded.value().run.shard->count, 1);
  EXPECT_EQ(loaded.value().run.target.probe["vpd_b0"]["max_transfer_length"], 8192);
}

TEST_F(ReportIoTest, MinimalReportValidates) {
  Report r;
  r.run.run_id = "r1";
  r.run.harness_version = "0.1.0";
  r.run.started_at = "2024-01-01T00:00:00Z";
  r.run.ended_at = "2024-01-01T00:00:00Z";
  r.run.host = Host{"h", "k", 1, 0};
  r.run.profile = "quick";
  r.run.target.portal = "127.0.0.1:3260";
  EXPECT_TRUE(ValidateReportJson(json(r)).empty());
  Status st = WriteReport(dir_ / "report.json", r);
  EXPECT_TRUE(st.ok()) << st.message();
}

TEST_F(ReportIoTest, OverwritesAtomicallyWithoutLeavingTemporaries) {
  fs::path path = dir_ / "report.json";
  ASSERT_TRUE(WriteFileAtomically(path, "old").ok());
  ASSERT_TRUE(WriteReport(path, testing::SampleReport()).ok());
  size_t files = 0;
  for (const auto& entry : fs::directory_iterator(dir_)) {
    ++files;
    EXPECT_EQ(entry.path().filename(), "report.json");
  }
  EXPECT_EQ(files, 1u);
  EXPECT_TRUE(LoadReport(path).ok());
}

TEST_F(ReportIoTest, MissingReasonNamesFileAndPath) {
  json doc = SampleJson();
  ASSERT_EQ(doc["tests"][2]["outcome"], "FAIL");
  doc["tests"][2].erase("reason");
  std::string error = LoadError(doc);
  EXPECT_NE(error.find((dir_ / "report.json").string() + ": /tests/2/reason: required"),
            std::string::npos)
      << error;
}

TEST_F(ReportIoTest, EmptyReasonForSkipIsRejected) {
  json doc = SampleJson();
  ASSERT_EQ(doc["tests"][3]["outcome"], "SKIP");
  doc["tests"][3]["reason"] = "";
  EXPECT_NE(LoadError(doc).find("/tests/3/reason: string of 0 characters"), std::string::npos);
}

TEST_F(ReportIoTest, UnknownOutcomeNamesPath) {
  json doc = SampleJson();
  doc["tests"][0]["outcome"] = "MAYBE";
  std::string error = LoadError(doc);
  EXPECT_NE(error.find("/tests/0/outcome: value \"MAYBE\" is not one of"), std::string::npos)
      << error;
}

TEST_F(ReportIoTest, UnknownTopLevelFieldIsRejected) {
  json doc = SampleJson();
  doc["extra"] = 1;
  doc["run"]["target"]["colour"] = "blue";
  std::string error = LoadError(doc);
  EXPECT_NE(error.find("/extra: property is not allowed"), std::string::npos) << error;
  EXPECT_NE(error.find("/run/target/colour: property is not allowed"), std::string::npos) << error;
}

TEST_F(ReportIoTest, BadFieldsNamePaths) {
  json doc = SampleJson();
  doc["run"]["started_at"] = "2024-05-01 12:00:00";
  doc["run"]["host"]["cpus"] = 0;
  doc["tests"][2]["failure"]["sense_hex"] = "70 00";
  doc["tests"][0]["name"] = "NotAStableId";
  doc["run"]["target"]["adapter"] = "iet";
  doc["metrics"][0]["spread"] = -1;
  std::string error =
      ValidateReportJson(doc).empty() ? "" : FormatErrors("r", ValidateReportJson(doc), 99);
  for (const char* path : {"/run/started_at", "/run/host/cpus", "/tests/2/failure/sense_hex",
                           "/tests/0/name", "/run/target/adapter", "/metrics/0/spread"}) {
    EXPECT_NE(error.find(std::string("r: ") + path + ": "), std::string::npos) << path << "\n"
                                                                               << error;
  }
}

TEST_F(ReportIoTest, InconsistentCountsNamePath) {
  json doc = SampleJson();
  doc["suites"][0]["counts"]["pass"] = 99;
  doc["suites"][0]["counts"]["total"] = 103;
  std::string error = LoadError(doc);
  EXPECT_NE(error.find("/suites/0/counts: counts {pass 99"), std::string::npos) << error;
  EXPECT_NE(error.find("/totals/counts: totals"), std::string::npos) << error;
}

TEST_F(ReportIoTest, WrongTotalNamesPath) {
  json doc = SampleJson();
  doc["totals"]["counts"]["total"] = 1;
  EXPECT_NE(LoadError(doc).find("/totals/counts/total: total 1 is not the sum"), std::string::npos);
}

TEST_F(ReportIoTest, DuplicateTestAndUnknownSuite) {
  json doc = SampleJson();
  doc["tests"][1]["name"] = doc["tests"][0]["name"];
  doc["tests"][6]["suite"] = "nope";
  std::string error = LoadError(doc);
  EXPECT_NE(error.find("/tests/1/name: duplicate test id"), std::string::npos) << error;
  EXPECT_NE(error.find("/tests/6/suite: names suite \"nope\""), std::string::npos) << error;
}

TEST_F(ReportIoTest, NewerSchemaVersionIsRefusedClearly) {
  json doc = SampleJson();
  doc["schema_version"] = "2.0";
  doc["something_new"] = true;
  std::string error = LoadError(doc);
  EXPECT_NE(error.find("/schema_version: report schema version \"2.0\" is not readable"),
            std::string::npos)
      << error;
  EXPECT_EQ(error.find("something_new"), std::string::npos) << error;
  doc["schema_version"] = "1.2";  // a newer minor than this reader's 1.1
  EXPECT_NE(LoadError(doc).find("is not readable"), std::string::npos);
}

TEST_F(ReportIoTest, SyntaxErrorNamesFileLineAndColumn) {
  fs::path path = dir_ / "report.json";
  ASSERT_TRUE(WriteFileAtomically(path, "{\n  \"run\": [1,\n  }\n").ok());
  Result<Report> r = LoadReport(path);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().find(path.string() + ": not valid JSON"), std::string::npos) << r.error();
  EXPECT_NE(r.error().find("line 3"), std::string::npos) << r.error();
}

TEST_F(ReportIoTest, MissingFileNamesFile) {
  Result<Report> r = LoadReport(dir_ / "absent.json");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().find("absent.json: cannot open"), std::string::npos) << r.error();
}

TEST_F(ReportIoTest, WriterRefusesInvalidReportAndWritesNothing) {
  Report r = testing::SampleReport();
  r.tests[0].outcome = Outcome::kSkip;  // no reason, and the counts are now stale
  fs::path path = dir_ / "report.json";
  Status st = WriteReport(path, r);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("/tests/0/reason: required property is missing"), std::string::npos)
      << st.message();
  EXPECT_FALSE(fs::exists(path));
}

TEST_F(ReportIoTest, NonFiniteMetricIsRefused) {
  Report r = testing::SampleReport();
  r.metrics[0].value = std::nan("");
  Status st = WriteReport(dir_ / "report.json", r);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("/metrics/0/value: expected number, got null"), std::string::npos)
      << st.message();
}

TEST_F(ReportIoTest, ErrorListIsCut) {
  std::vector<ValidationError> errors(8, ValidationError{"/a", "bad"});
  std::string text = FormatErrors("f.json", errors, 3);
  EXPECT_EQ(text, "f.json: /a: bad\nf.json: /a: bad\nf.json: /a: bad\nf.json: (5 more)");
}

}  // namespace
}  // namespace harness::reports
