#include "suites/durability/scenarios.h"

namespace harness::durability {

const std::vector<Scenario>& Scenarios() {
  using adapters::Backing;
  static const std::vector<Scenario> kScenarios = [] {
    std::vector<Scenario> v;
    auto add = [&v](std::string test, Crash crash, Backing backing, bool write_back, bool mixed) {
      Scenario s;
      s.family = crash == Crash::kSigKill ? "SigKill" : "PowerCut";
      s.name = "durability." + s.family + "." + test;
      s.clause = crash == Crash::kSigKill ? "TEST-PLAN T39" : "TEST-PLAN T40/T41; SBC-3 5.24";
      s.crash = crash;
      s.backing = backing;
      s.write_back = write_back;
      s.mixed = mixed;
      v.push_back(s);
    };
    add("FileioWriteThrough", Crash::kSigKill, Backing::kFileio, false, false);
    add("FileioWriteBack", Crash::kSigKill, Backing::kFileio, true, true);
    add("Block", Crash::kSigKill, Backing::kBlock, true, false);
    add("FileioWriteBack", Crash::kPowerCut, Backing::kFileio, true, true);
    add("FileioWriteThrough", Crash::kPowerCut, Backing::kFileio, false, true);
    return v;
  }();
  return kScenarios;
}

}  // namespace harness::durability
