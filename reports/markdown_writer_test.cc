#include "reports/markdown_writer.h"

#include <gtest/gtest.h>

#include "reports/testing/sample_report.h"

namespace harness::reports {
namespace {

using testing::SampleReport;

TEST(MarkdownWriterTest, HeadlineCarriesVerdictAndTarget) {
  std::string md = RenderMarkdown(SampleReport());
  EXPECT_EQ(md.rfind("# ❌ FAIL: 2 failed, 6 passed, 3 skipped, 1 xfail — reference (LIO-ORG "
                     "reftarget 0.1) at `127.0.0.1:3260`\n",
                     0),
            0u)
      << md;
  Report passing = SampleReport();
  for (TestResult& t : passing.tests) {
    if (t.outcome == Outcome::kFail) t.outcome = Outcome::kPass;
  }
  RecomputeCounts(&passing);
  EXPECT_EQ(RenderMarkdown(passing).rfind("# ✅ PASS: 0 failed", 0), 0u);
}

TEST(MarkdownWriterTest, TotalsAndSuiteTables) {
  std::string md = RenderMarkdown(SampleReport());
  EXPECT_NE(md.find("| suite | PASS | FAIL | SKIP | XFAIL | total | time |\n"
                    "|---|---:|---:|---:|---:|---:|---:|\n"
                    "| conformance (gtest) | 2 | 2 | 1 | 1 | 6 | 12.5 s |\n"
                    "| libiscsi (iscsi-test-cu) | 3 | 0 | 2 | 0 | 5 | 2 m 30 s |\n"
                    "| perf (fio) | 1 | 0 | 0 | 0 | 1 | 37.8 s |\n"
                    "| **all** | 6 | 2 | 3 | 1 | 12 | 3 m 21 s |\n"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("| run | `run-1` |"), std::string::npos);
  EXPECT_NE(md.find("| profile | quick (shard 1/1) |"), std::string::npos);
}

TEST(MarkdownWriterTest, FailuresShowReasonClauseExpectedActual) {
  std::string md = RenderMarkdown(SampleReport());
  EXPECT_NE(md.find("## Failures (2)\n\n- **`Conformance.Read10.BeyondEol`**: READ(10) past the "
                    "last LBA was not rejected — SBC-3 5.8\n"
                    "  - expected: `CHECK CONDITION 05/21/00 LBA OUT OF RANGE`\n"
                    "  - actual: `GOOD`\n"
                    "  - cdb: `28000000ffff00000800`\n"),
            std::string::npos)
      << md;
}

TEST(MarkdownWriterTest, SkipsGroupedByReasonMostFirst) {
  std::string md = RenderMarkdown(SampleReport());
  size_t table =
      md.find("## Skipped, by reason\n\n| reason | tests | examples |\n|---|---:|---|\n");
  ASSERT_NE(table, std::string::npos) << md;
  EXPECT_NE(md.find("| COMPARE AND WRITE is not supported by the target | 2 | "
                    "`SCSI.CompareAndWrite.Simple`, `SCSI.Unmap.ZeroBlocks` |\n| adapter cannot "
                    "inject a stalled backstore | 1 |",
                    table),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("## Known failures (XFAIL, 1)"), std::string::npos);
}

TEST(MarkdownWriterTest, MetricsTable) {
  std::string md = RenderMarkdown(SampleReport());
  EXPECT_NE(md.find("| perf | iops | backstore=fileio, job=randread-4k-qd32 | 35,600 IOPS | "
                    "±1.3% |"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("| perf | lat_p99 | backstore=fileio, job=randread-4k-qd32 | 2,100 us |"),
            std::string::npos);
}

// Returns `md` without its code spans (CommonMark: a run of N backticks up to the next run
// of exactly N), whose content is shown literally and so cannot inject markup.
std::string WithoutCodeSpans(const std::string& md) {
  std::string out;
  size_t i = 0;
  auto run_at = [&](size_t at) {
    size_t n = 0;
    while (at + n < md.size() && md[at + n] == '`') ++n;
    return n;
  };
  while (i < md.size()) {
    size_t n = run_at(i);
    if (n == 0) {
      out += md[i++];
      continue;
    }
    size_t j = i + n;
    size_t close = std::string::npos;
    while (j < md.size()) {
      size_t m = run_at(j);
      if (m == n) {
        close = j;
        break;
      }
      j += m > 0 ? m : 1;
    }
    if (close == std::string::npos) {
      out.append(md, i, n);
      i += n;
    } else {
      out += "CODE";
      i = close + n;
    }
  }
  return out;
}

TEST(MarkdownWriterTest, HostileTextCannotBreakTablesOrInjectHtml) {
  std::string md = RenderMarkdown(SampleReport());
  std::string prose = WithoutCodeSpans(md);
  EXPECT_EQ(prose.find('<'), prose.find("<br>")) << prose;  // only our line breaks
  EXPECT_EQ(prose.find("<script"), std::string::npos);
  EXPECT_EQ(md.find('\x01'), std::string::npos);
  EXPECT_EQ(md.find('\x1b'), std::string::npos);
  EXPECT_EQ(md.find('\xff'), std::string::npos);
  // Every table row keeps its column count: no unescaped '|' from the data.
  size_t pos = 0;
  while ((pos = md.find("\n| ", pos)) != std::string::npos) {
    size_t end = md.find('\n', pos + 1);
    std::string row = md.substr(pos + 1, end - pos - 1);
    size_t bars = 0;
    for (size_t i = 0; i < row.size(); ++i) bars += row[i] == '|' && (i == 0 || row[i - 1] != '\\');
    EXPECT_TRUE(bars == 3 || bars == 4 || bars == 6 || bars == 8) << row;
    pos = end;
  }
}

}  // namespace
}  // namespace harness::reports
