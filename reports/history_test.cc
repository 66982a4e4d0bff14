#include "reports/history.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "reports/file_io.h"
#include "reports/testing/sample_report.h"

namespace harness::reports {
namespace {

namespace fs = std::filesystem;
using testing::SampleReport;

class HistoryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("reports_history_test." + std::to_string(::getpid()) + "." +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string FileText() {
    Result<std::string> text = ReadWholeFile(dir_ / kHistoryFileName);
    EXPECT_TRUE(text.ok()) << text.error();
    return text.ok() ? text.value() : "";
  }

  fs::path dir_;
};

TEST_F(HistoryTest, SummaryKeepsOutcomesReasonsAndMetrics) {
  RunSummary s = Summarize(SampleReport());
  EXPECT_EQ(s.run_id, "run-1");
  EXPECT_EQ(s.adapter, Adapter::kReference);
  EXPECT_EQ(s.product, "LIO-ORG reftarget 0.1");
  EXPECT_EQ(s.outcomes.size(), 12u);
  EXPECT_EQ(s.outcomes.at("Conformance.Read10.BeyondEol"), Outcome::kFail);
  EXPECT_EQ(s.reasons.count("Conformance.Login.Simple"), 0u);
  EXPECT_EQ(s.reasons.at("Conformance.Tmf.AbortTask"), "adapter cannot inject a stalled backstore");
  const MetricPoint& p = s.metrics.at("perf/iops{backstore=fileio,job=randread-4k-qd32}");
  EXPECT_DOUBLE_EQ(p.value, 35600);
  EXPECT_EQ(p.unit, "IOPS");
  ASSERT_TRUE(p.spread.has_value());
  EXPECT_EQ(s.metrics.at("perf/lat_p99{backstore=fileio,job=randread-4k-qd32}").better,
            Better::kLower);
}

TEST_F(HistoryTest, AppendsOneLinePerRunAndReadsThemBack) {
  ASSERT_TRUE(AppendHistory(dir_, SampleReport(Adapter::kReference, "run-1")).ok());
  ASSERT_TRUE(AppendHistory(dir_, SampleReport(Adapter::kTgt, "run-2")).ok());
  std::string text = FileText();
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 2);
  EXPECT_EQ(text.rfind("{\"duration_s\":", 0), 0u) << text.substr(0, 80);

  Result<History> history = ReadHistory(dir_);
  ASSERT_TRUE(history.ok()) << history.error();
  ASSERT_EQ(history.value().runs.size(), 2u);
  EXPECT_TRUE(history.value().skipped.empty());
  const RunSummary& second = history.value().runs[1];
  RunSummary expected = Summarize(SampleReport(Adapter::kTgt, "run-2"));
  EXPECT_EQ(second.run_id, "run-2");
  EXPECT_EQ(second.adapter, Adapter::kTgt);
  EXPECT_EQ(second.profile, expected.profile);
  EXPECT_EQ(second.outcomes, expected.outcomes);
  EXPECT_EQ(second.totals, expected.totals);
  EXPECT_EQ(second.metrics.size(), expected.metrics.size());
  EXPECT_EQ(*second.metrics.at("perf/iops{backstore=fileio,job=randread-4k-qd32}").spread,
            *expected.metrics.at("perf/iops{backstore=fileio,job=randread-4k-qd32}").spread);
}

TEST_F(HistoryTest, MissingFileIsEmptyHistory) {
  Result<History> history = ReadHistory(dir_);
  ASSERT_TRUE(history.ok());
  EXPECT_TRUE(history.value().runs.empty());
}

TEST_F(HistoryTest, TornLineIsSkippedAndTheNextAppendStartsAFreshLine) {
  ASSERT_TRUE(AppendHistory(dir_, SampleReport(Adapter::kReference, "run-1")).ok());
  {
    std::ofstream torn(dir_ / kHistoryFileName, std::ios::app);
    torn << "{\"history_version\":1,\"run_id\":\"cut";  // a crash mid-append
  }
  Result<History> before = ReadHistory(dir_);
  ASSERT_TRUE(before.ok());
  EXPECT_EQ(before.value().runs.size(), 1u);
  ASSERT_EQ(before.value().skipped.size(), 1u);
  EXPECT_NE(before.value().skipped[0].find("history.jsonl:2: incomplete last line"),
            std::string::npos)
      << before.value().skipped[0];

  ASSERT_TRUE(AppendHistory(dir_, SampleReport(Adapter::kReference, "run-3")).ok());
  Result<History> after = ReadHistory(dir_);
  ASSERT_TRUE(after.ok());
  ASSERT_EQ(after.value().runs.size(), 2u);
  EXPECT_EQ(after.value().runs[1].run_id, "run-3");
  ASSERT_EQ(after.value().skipped.size(), 1u);
  EXPECT_NE(after.value().skipped[0].find("history.jsonl:2: "), std::string::npos);
}

TEST_F(HistoryTest, UnknownVersionIsSkippedWithReason) {
  std::ofstream(dir_ / kHistoryFileName) << "{\"history_version\":2}\n";
  Result<History> history = ReadHistory(dir_);
  ASSERT_TRUE(history.ok());
  ASSERT_EQ(history.value().skipped.size(), 1u);
  EXPECT_NE(history.value().skipped[0].find("history_version 2 is not readable"),
            std::string::npos);
}

TEST_F(HistoryTest, BaselineIsTheLatestRunOnTheSameTarget) {
  History h;
  h.runs.push_back(Summarize(SampleReport(Adapter::kReference, "r1")));
  h.runs.push_back(Summarize(SampleReport(Adapter::kTgt, "t1")));
  h.runs.push_back(Summarize(SampleReport(Adapter::kReference, "r2")));
  RunSummary current = Summarize(SampleReport(Adapter::kReference, "r3"));
  EXPECT_EQ(FindBaseline(h, current)->run_id, "r2");
  h.runs.push_back(current);  // the current run already appended is not its own baseline
  EXPECT_EQ(FindBaseline(h, current)->run_id, "r2");
  RunSummary other = Summarize(SampleReport(Adapter::kIstgt, "i1"));
  EXPECT_FALSE(FindBaseline(h, other).has_value());
}

}  // namespace
}  // namespace harness::reports
