// The durability suite's scenarios: what each crashes, on which backstore.
#pragma once

#include <string>
#include <vector>

#include "harness/adapters/target_adapter.h"

namespace harness::durability {

enum class Crash {
  kSigKill,   // the target process is SIGKILLed; the page cache survives (T39)
  kPowerCut,  // SIGKILL, then faultfs drops what was not synced (T40)
};

struct Scenario {
  std::string name;    // "durability.SigKill.FileioWriteThrough"
  std::string family;  // "SigKill"
  std::string clause;  // the plan case it implements
  Crash crash = Crash::kSigKill;
  adapters::Backing backing = adapters::Backing::kFileio;
  bool write_back = true;  // FILEIO's write_back setting
  // The load mixes FUA writes and SYNCHRONIZE CACHE into plain writes (always for a power
  // cut; the write-back SigKill scenario too, to crash in the middle of a flush).
  bool mixed = false;
};

// Returns every scenario, in the order the suite runs them.
const std::vector<Scenario>& Scenarios();

}  // namespace harness::durability
