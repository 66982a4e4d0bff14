// libiscsi's iscsi-test-cu as an external conformance suite, run over LUN profiles (plain
// FILEIO, BLOCK, RAMDISK, thin, read-only, removable, 4096-byte blocks, a multipath pair).
// Each family runs as its own bounded process, so a hang costs one family, not the run
// (iscsi-test-cu hangs forever against tgt in Sanitize.BlockEraseReserved). Every CUnit test
// becomes one result; "[SKIPPED]" is SKIP with libiscsi's reason, never PASS.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "harness/runner/suite.h"

namespace harness::runner {

// One LUN the suite exports and the families it runs there.
struct CuProfile {
  std::string name;                   // "fileio", "thin", ...
  adapters::LunSpec lun;
  std::vector<std::string> families;  // empty: every SCSI.* and iSCSI.* family
  bool multipath = false;             // pass the LUN's URL twice (two sessions)
  bool quick = false;                 // part of the quick profile
};

// Returns the profiles the suite knows, in run order.
std::vector<CuProfile> DefaultCuProfiles();
// Returns why `adapter` cannot export `profile` (a skip reason), or nullopt.
std::optional<std::string> CuProfileUnsupported(const CuProfile& profile,
                                                const adapters::TargetAdapter& adapter);
// Returns the families of `iscsi-test-cu --list` output: "SCSI.X" and "iSCSI.X" entries.
std::vector<std::string> ParseCuFamilyList(const std::string& list_output);

class IscsiTestCuSuite : public Suite {
 public:
  std::string name() const override { return "iscsi-test-cu"; }
  reports::SuiteKind kind() const override { return reports::SuiteKind::kIscsiTestCu; }
  std::string description() const override {
    return "libiscsi iscsi-test-cu over LUN profiles, one bounded process per family";
  }
  void Run(const SuiteEnv& env, std::vector<reports::TestResult>* results) override;
};

}  // namespace harness::runner
