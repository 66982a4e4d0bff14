// The suite's gate: an adapter that cannot change LUNs live (or is not managed) gets every
// scenario SKIPped with the adapter's reason, and nothing is started.
#include "suites/hotplug/hotplug_suite.h"

#include <gtest/gtest.h>

#include "suites/hotplug/scenarios.h"

namespace harness::hotplug {
namespace {

class StaticAdapter : public adapters::TargetAdapter {
 public:
  explicit StaticAdapter(adapters::Capabilities caps) : caps_(std::move(caps)) {}
  std::string name() const override { return "static"; }
  adapters::Capabilities capabilities() const override { return caps_; }
  Result<adapters::RunningTarget> Start(const adapters::TargetSpec&) override {
    ++starts;
    return Status::Error("must not be started");
  }
  Status Stop() override { return Status::Ok(); }
  int starts = 0;

 private:
  adapters::Capabilities caps_;
};

std::vector<reports::TestResult> RunWith(StaticAdapter* adapter, bool allow_data_loss) {
  runner::SuiteEnv env;
  env.adapter = adapter;
  env.out_dir = std::filesystem::temp_directory_path() / "hotplug-suite-test";
  env.allow_data_loss = allow_data_loss;
  std::vector<reports::TestResult> results;
  HotplugSuite suite;
  suite.Run(env, &results);
  return results;
}

TEST(HotplugSuiteTest, WithoutLiveLunChangesEveryScenarioSkipsWithTheReason) {
  adapters::Capabilities caps;
  caps.managed = true;
  caps.backings = {adapters::Backing::kFileio};
  StaticAdapter adapter(caps);
  const std::vector<reports::TestResult> results = RunWith(&adapter, true);
  ASSERT_EQ(results.size(), Scenarios().size() + 1);
  EXPECT_EQ(results[0].name, "hotplug.Baseline.LunA");
  for (size_t i = 0; i < results.size(); ++i) {
    EXPECT_EQ(results[i].outcome, reports::Outcome::kSkip) << results[i].name;
    EXPECT_EQ(results[i].reason,
              "the static adapter cannot add or remove LUNs while the target runs");
    if (i > 0) {
      EXPECT_EQ(results[i].name, Scenarios()[i - 1].name);
    }
  }
  EXPECT_EQ(adapter.starts, 0);
}

TEST(HotplugSuiteTest, OtherReasonsNotToRun) {
  adapters::Capabilities caps;
  caps.managed = false;
  StaticAdapter adapter(caps);
  EXPECT_EQ(WhyNotRunnable(adapter, caps, true),
            "the static adapter cannot configure the target (it is not managed)");
  caps.managed = true;
  caps.live_lun_changes = true;
  EXPECT_EQ(WhyNotRunnable(adapter, caps, true), "the static adapter cannot export FILEIO LUNs");
  caps.backings = {adapters::Backing::kFileio};
  EXPECT_NE(WhyNotRunnable(adapter, caps, false).find("--allow-data-loss"), std::string::npos);
  EXPECT_EQ(WhyNotRunnable(adapter, caps, true), "");
}

TEST(HotplugSuiteTest, ProfilesSetTheCounts) {
  const HotplugConfig quick = ConfigFor(runner::Profile::kQuick);
  const HotplugConfig full = ConfigFor(runner::Profile::kFull);
  EXPECT_EQ(quick.cycles, 20);
  EXPECT_EQ(quick.many_luns, 16);
  EXPECT_EQ(quick.baseline, std::chrono::seconds(3));
  EXPECT_EQ(full.cycles, 100);
  EXPECT_EQ(full.many_luns, 64);
  EXPECT_EQ(full.baseline, std::chrono::seconds(10));
  EXPECT_DOUBLE_EQ(full.thresholds.min_iops_ratio, 0.9);
}

}  // namespace
}  // namespace harness::hotplug
