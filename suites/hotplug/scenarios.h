// The hotplug scenarios (README.md says what each measures and why). Each runs with LUN A
// under verified load and returns one TestResult; they run in this order because
// RemoveLun.UnderIo removes the LUN that AddLun.ReAdd re-adds.
#pragma once

#include <functional>
#include <string>

#include "reports/report_model.h"
#include "suites/hotplug/hotplug_context.h"

namespace harness::hotplug {

// Runs LUN A's load around `body`: the lead-in, `body` (which makes the changes), the
// settle time; then judges LUN A against `expected_triple` once per change. The series and
// metrics go to `record`.
void AroundLoad(HotplugContext& ctx, ScenarioRecord& record, const std::string& expected_triple,
                const std::function<void(LoadWindow&)>& body);

// hotplug.Baseline.LunA: LUN A alone; sets ctx.baseline_iops.
reports::TestResult RunBaseline(HotplugContext& ctx);
// hotplug.AddLun.AddAndUse: add LUN B, write, read and verify it over the idle session, then
// remove it (two changes).
reports::TestResult AddAndUse(HotplugContext& ctx);
// hotplug.RemoveLun.Idle: remove the idle LUN C; it must answer 05/25/00 afterwards.
reports::TestResult RemoveIdle(HotplugContext& ctx);
// hotplug.RemoveLun.UnderIo: remove LUN R while a second generator loads it; records what
// its commands got.
reports::TestResult RemoveUnderIo(HotplugContext& ctx);
// hotplug.AddLun.ReAdd: add LUN R back from the same file; the pattern written before the
// removal must read back.
reports::TestResult ReAdd(HotplugContext& ctx);
// hotplug.Churn.AddRemoveCycles: add and remove a LUN config.cycles times; no fd or RSS
// growth.
reports::TestResult AddRemoveCycles(HotplugContext& ctx);
// hotplug.Churn.ManyLuns: add config.many_luns LUNs, then remove them; no fd or RSS growth.
reports::TestResult ManyLuns(HotplugContext& ctx);
// hotplug.Resize.Grow: grow LUN A under its load; 06/2A/09 once per nexus, then the new
// capacity.
reports::TestResult ResizeGrow(HotplugContext& ctx);

// One scenario as the suite runs and reports it.
struct Scenario {
  const char* name;    // "hotplug.AddLun.AddAndUse"
  const char* family;  // "AddLun"
  std::function<reports::TestResult(HotplugContext&)> run;
};
// Returns the scenarios after the baseline, in the order they run.
const std::vector<Scenario>& Scenarios();

}  // namespace harness::hotplug
