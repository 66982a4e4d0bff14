// Renders index.html in headless Chromium (Debian package `chromium`) and checks that it
// draws and runs without a console message, with and without JavaScript.
//
// How console errors are detected: with --enable-logging=stderr --v=0 Chromium logs every
// page console message (uncaught exceptions, console.error, Content-Security-Policy
// violations) to stderr as a line holding "CONSOLE" ("...:INFO:CONSOLE:12] "Uncaught
// ReferenceError: ...", source: file:///...").  Our page logs nothing, so any such line is a
// failure. ConsoleCheckSeesErrors proves the detection still works with the installed
// Chromium. Independently, --dump-dom must show <html data-script-ok="1">, which the inline
// script sets as its last statement, so a script that threw or never parsed is caught even
// if the log format changes.
//
// "JavaScript disabled" is rendered by removing the <script> element: Chromium's new
// headless mode (the only one since 132) ignores --disable-javascript and produces no
// screenshot with --blink-settings=scriptEnabled=false (checked with 156).
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <sstream>

#include "reports/file_io.h"
#include "reports/html_sections.h"
#include "reports/html_writer.h"
#include "reports/testing/png_probe.h"
#include "reports/testing/run_program.h"
#include "reports/testing/sample_report.h"

namespace harness::reports {
namespace {

namespace fs = std::filesystem;
using testing::ProgramResult;

constexpr auto kBrowserLimit = std::chrono::seconds(90);

uint32_t Rgb(const std::string& css) {
  return static_cast<uint32_t>(std::stoul(css.substr(1), nullptr, 16));
}

std::vector<std::string> ConsoleLines(const std::string& err) {
  std::vector<std::string> lines;
  std::istringstream in(err);
  for (std::string line; std::getline(in, line);) {
    if (line.find("CONSOLE") != std::string::npos || line.find("Uncaught") != std::string::npos) {
      lines.push_back(line);
    }
  }
  return lines;
}

std::vector<Report> TwoRuns() {
  Report tgt = testing::SampleReport(Adapter::kTgt, "run-2");
  tgt.tests[0].outcome = Outcome::kFail;
  tgt.tests[0].reason = "login rejected";
  tgt.metrics[0].value = 24000;
  RecomputeCounts(&tgt);
  return {testing::SampleReport(), tgt};
}

class HtmlBrowserTest : public ::testing::Test {
 protected:
  void SetUp() override {
    chromium_ = testing::FindOnPath("chromium");
    if (chromium_.empty()) {
      GTEST_SKIP() << "chromium not found on PATH (Debian package `chromium`); the headless "
                      "rendering check of index.html did not run";
    }
    dir_ = fs::temp_directory_path() /
           ("reports_browser_test." + std::to_string(::getpid()) + "." +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override {
    if (!dir_.empty()) fs::remove_all(dir_);
  }

  // Renders `html` and returns Chromium's result; the screenshot is dir_/shot.png and the
  // DOM after scripts ran is the result's `out`.
  ProgramResult Render(const std::string& html) {
    fs::path page = dir_ / "index.html";
    EXPECT_TRUE(WriteFileAtomically(page, html).ok());
    auto run = testing::RunProgram(
        {chromium_, "--headless", "--disable-gpu", "--no-sandbox", "--no-first-run",
         "--enable-logging=stderr", "--v=0", "--user-data-dir=" + (dir_ / "profile").string(),
         "--window-size=1280,2000", "--screenshot=" + (dir_ / "shot.png").string(), "--dump-dom",
         "file://" + page.string()},
        kBrowserLimit);
    EXPECT_TRUE(run.ok()) << run.error();
    if (!run.ok()) return ProgramResult{};
    EXPECT_FALSE(run.value().timed_out) << "chromium did not finish in time";
    EXPECT_EQ(run.value().exit_code, 0) << run.value().err;
    return run.value();
  }

  // Checks the screenshot is the page, not a blank or error page: full size, and the
  // outcome colours of the charts and cells are on it.
  void ExpectDrawnReport() {
    auto png = testing::ProbePng(dir_ / "shot.png");
    ASSERT_TRUE(png.ok()) << png.error();
    EXPECT_EQ(png.value().width, 1280u);
    EXPECT_EQ(png.value().height, 2000u);
    EXPECT_GT(fs::file_size(dir_ / "shot.png"), 40000u);  // a blank page is about 12 KB
    if (!png.value().decoded) return;  // built without zlib: header and size only
    const std::set<uint32_t>& colors = png.value().colors;
    EXPECT_GT(colors.size(), 50u);
    for (Outcome o : {Outcome::kPass, Outcome::kFail, Outcome::kXfail}) {
      EXPECT_EQ(colors.count(Rgb(html::OutcomeColor(o))), 1u) << OutcomeName(o);
    }
  }

  std::string chromium_;
  fs::path dir_;
};

TEST_F(HtmlBrowserTest, ComparisonPageRendersWithoutConsoleMessages) {
  ProgramResult r = Render(RenderHtml(TwoRuns()));
  EXPECT_EQ(ConsoleLines(r.err), std::vector<std::string>{});
  EXPECT_NE(r.out.find("data-script-ok=\"1\""), std::string::npos)
      << "the inline script did not run to the end";
  // The script un-hid the filter controls.
  EXPECT_NE(r.out.find("<div class=\"controls\" data-for=\"run-0-tests\">"), std::string::npos);
  ExpectDrawnReport();
}

TEST_F(HtmlBrowserTest, PageRendersWithoutJavaScript) {
  std::string page = RenderHtml(TwoRuns());
  size_t open = page.find("<script>");
  size_t close = page.find("</script>");
  ASSERT_NE(open, std::string::npos);
  page.erase(open, close + std::string("</script>").size() - open);
  ProgramResult r = Render(page);
  EXPECT_EQ(ConsoleLines(r.err), std::vector<std::string>{});
  EXPECT_EQ(r.out.find("data-script-ok"), std::string::npos);
  EXPECT_NE(r.out.find("data-for=\"run-0-tests\" hidden"), std::string::npos);
  EXPECT_NE(r.out.find("<td class=\"id\">Conformance.Read10.BeyondEol</td>"), std::string::npos);
  ExpectDrawnReport();
}

TEST_F(HtmlBrowserTest, ConsoleCheckSeesErrors) {
  // The negative control: a thrown error and a blocked network load must both be seen, or
  // the two tests above prove nothing with this Chromium.
  std::string page =
      "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><meta "
      "http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; script-src "
      "'unsafe-inline'\"></head><body><img src=\"http://example.invalid/x.png\" alt=\"\">"
      "<script>undefinedFunctionForTheTest();</script></body></html>";
  ProgramResult r = Render(page);
  std::vector<std::string> lines = ConsoleLines(r.err);
  std::string all;
  for (const std::string& l : lines) all += l + "\n";
  EXPECT_NE(all.find("Uncaught ReferenceError"), std::string::npos) << r.err;
  EXPECT_NE(all.find("Content Security Policy"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace harness::reports
