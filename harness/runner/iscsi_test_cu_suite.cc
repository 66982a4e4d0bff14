#include "harness/runner/iscsi_test_cu_suite.h"

#include <signal.h>
#include <unistd.h>

#include <set>
#include <sstream>

#include "harness/drivers/cunit_parser.h"
#include "harness/process/child_process.h"

namespace harness::runner {
namespace {

using adapters::Backing;
using reports::Outcome;

constexpr uint64_t kLunBytes = 64ull << 20;
constexpr auto kQuickFamilyLimit = std::chrono::seconds(120);
// The slowest family on reftarget takes under a minute; a hung one (tgt never answers
// Sanitize.BlockEraseReserved) must not cost ten.
constexpr auto kFullFamilyLimit = std::chrono::seconds(300);
constexpr int kMaxTargetRestarts = 5;
constexpr const char* kSuite = "iscsi-test-cu";

// The families issue 2's acceptance names: the quick profile's core.
const std::vector<std::string> kQuickFamilies = {
    "SCSI.Inquiry",       "SCSI.TestUnitReady", "SCSI.ReadCapacity10", "SCSI.ReadCapacity16",
    "SCSI.Read6",         "SCSI.Read10",        "SCSI.Read12",         "SCSI.Read16",
    "SCSI.Write10",       "SCSI.Write12",       "SCSI.Write16",        "SCSI.Verify10",
    "SCSI.Verify12",      "SCSI.Verify16",      "SCSI.WriteVerify10",  "SCSI.WriteVerify12",
    "SCSI.WriteVerify16", "SCSI.WriteSame10",   "SCSI.WriteSame16",    "SCSI.Unmap",
    "SCSI.GetLBAStatus",  "SCSI.ModeSense6",    "SCSI.ReportSupportedOpcodes",
    "iSCSI.iSCSIcmdsn",   "iSCSI.iSCSIdatasn",  "iSCSI.iSCSIResiduals", "iSCSI.iSCSITMF",
};

Outcome ToReportOutcome(drivers::Outcome o) {
  switch (o) {
    case drivers::Outcome::kPass: return Outcome::kPass;
    case drivers::Outcome::kSkip: return Outcome::kSkip;
    case drivers::Outcome::kFail: return Outcome::kFail;
  }
  return Outcome::kFail;
}

// "SCSI.Read10" -> "Read10".
std::string ShortFamily(const std::string& family) {
  auto dot = family.find('.');
  return dot == std::string::npos ? family : family.substr(dot + 1);
}

std::string Tail(const std::string& text, size_t lines) {
  std::vector<std::string> all;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) all.push_back(l);
  std::string out;
  for (size_t i = all.size() > lines ? all.size() - lines : 0; i < all.size(); ++i) {
    out += all[i] + "\n";
  }
  return out;
}

}  // namespace

std::vector<CuProfile> DefaultCuProfiles() {
  auto lun = [](const std::string& name, Backing b) {
    return adapters::MakeLunSpec("cu_" + name, b, kLunBytes);
  };
  std::vector<CuProfile> p;
  p.push_back({"fileio", lun("fileio", Backing::kFileio), {}, false, true});
  p.push_back({"block", lun("block", Backing::kBlock), {}, false, false});
  p.push_back({"ramdisk", lun("ramdisk", Backing::kRamdisk), {}, false, true});
  CuProfile thin{"thin", lun("thin", Backing::kFileio), {}, false, true};
  thin.lun.thin = true;
  p.push_back(thin);
  CuProfile ro{"readonly", lun("readonly", Backing::kFileio), {"SCSI.ReadOnly"}, false, false};
  ro.lun.read_only = true;
  p.push_back(ro);
  CuProfile removable{"removable",
                      lun("removable", Backing::kFileio),
                      {"SCSI.StartStopUnit", "SCSI.PreventAllow", "SCSI.NoMedia"},
                      false,
                      false};
  removable.lun.removable = true;
  p.push_back(removable);
  CuProfile four_k{"4k", lun("4k", Backing::kFileio), {}, false, false};
  four_k.lun.block_size = 4096;
  p.push_back(four_k);
  p.push_back({"multipath", lun("multipath", Backing::kFileio), {"SCSI.MultipathIO"}, true, false});
  return p;
}

std::optional<std::string> CuProfileUnsupported(const CuProfile& profile,
                                                const adapters::TargetAdapter& adapter) {
  const adapters::Capabilities caps = adapter.capabilities();
  const adapters::LunSpec& l = profile.lun;
  if (!caps.managed) return adapters::MissingCapability(adapter, "create LUNs");
  if (caps.backings.count(l.backing) == 0) {
    return adapters::MissingCapability(adapter,
                                       std::string("export ") + BackingName(l.backing) + " LUNs");
  }
  if (l.backing == Backing::kBlock && geteuid() != 0) {
    return std::string("BLOCK LUNs need loop devices, which need root");
  }
  if (l.thin && !caps.thin) return adapters::MissingCapability(adapter, "export thin LUNs");
  if (l.read_only && !caps.read_only_luns) {
    return adapters::MissingCapability(adapter, "export read-only LUNs");
  }
  if (l.removable && !caps.removable_luns) {
    return adapters::MissingCapability(adapter, "export removable-medium LUNs");
  }
  if (l.block_size == 4096 && !caps.block_size_4096) {
    return adapters::MissingCapability(adapter, "export 4096-byte-block LUNs");
  }
  return std::nullopt;
}

std::vector<std::string> ParseCuFamilyList(const std::string& list_output) {
  std::vector<std::string> out;
  std::istringstream in(list_output);
  for (std::string line; std::getline(in, line);) {
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
    const auto dot = line.find('.');
    if (dot == std::string::npos || line.find('.', dot + 1) != std::string::npos) continue;
    const std::string root = line.substr(0, dot);
    if (root == "SCSI" || root == "iSCSI") out.push_back(line);
  }
  return out;
}

void IscsiTestCuSuite::Run(const SuiteEnv& env, std::vector<reports::TestResult>* results) {
  auto emit = [&](reports::TestResult r) {
    if (env.on_result) env.on_result(r);
    results->push_back(std::move(r));
  };
  process::RunOptions list_options;
  list_options.limit = std::chrono::seconds(30);
  process::RunResult list = process::Run({"iscsi-test-cu", "--list"}, list_options);
  if (!list.exited_ok()) {
    emit(MakeResult(kSuite, "iscsi-test-cu.setup.(tool)", "setup", Outcome::kSkip,
                    "iscsi-test-cu (Debian libiscsi-bin) is not runnable: " + list.Describe()));
    return;
  }
  const std::vector<std::string> all_families = ParseCuFamilyList(list.output);

  // One target for every supported profile: one LUN each.
  std::vector<CuProfile> profiles;
  adapters::TargetSpec spec;
  spec.iqn = "iqn.2003-01.org.reftarget.harness:iscsi-test-cu";
  const bool managed = env.adapter->capabilities().managed;
  if (!managed) {
    // An existing portal: its one LUN, as it is (destructive tests only with
    // --allow-data-loss, which env.allow_data_loss carries).
    profiles.push_back(CuProfile{"existing", {}, {}, false, true});
  }
  for (const CuProfile& p : DefaultCuProfiles()) {
    if (!managed) break;
    if (env.profile == Profile::kQuick && !p.quick) continue;
    if (auto why = CuProfileUnsupported(p, *env.adapter)) {
      emit(MakeResult(kSuite, std::string(kSuite) + "." + p.name + ".(profile)", "profile",
                      Outcome::kSkip, *why));
      continue;
    }
    profiles.push_back(p);
    spec.luns.push_back(p.lun);
  }
  if (profiles.empty()) return;
  const std::string initiator = env.initiator_prefix + ":iscsi-test-cu";
  const std::string initiator2 = env.initiator_prefix + ":iscsi-test-cu-2";
  if (managed && env.adapter->capabilities().acls) {
    // ACLs for the two initiator names iscsi-test-cu uses: a read-only LUN is then a
    // write-protected mapping, which every target can express (LIO's demo mode cannot
    // write-protect one FILEIO LUN alone).
    spec.acls = {{initiator, std::nullopt}, {initiator2, std::nullopt}};
  }
  auto started = env.adapter->Start(spec);
  if (!started.ok()) {
    for (const CuProfile& p : profiles) {
      emit(MakeResult(kSuite, std::string(kSuite) + "." + p.name + ".(profile)", "profile",
                      Outcome::kFail,
                      "the target did not start: " + started.error()));
    }
    return;
  }
  adapters::RunningTarget target = started.value();
  if (env.on_target_started) env.on_target_started(target, initiator);
  // A target that dies (tgtd does on some hostile inputs) is recorded against the family
  // that killed it and restarted on the same configuration, so one crash costs one family.
  TargetRestarter restarter(env.adapter, kMaxTargetRestarts);
  std::optional<std::string> target_gone;
  process::RunOptions run_options;
  run_options.limit = env.profile == Profile::kQuick ? kQuickFamilyLimit : kFullFamilyLimit;

  for (size_t i = 0; i < profiles.size(); ++i) {
    const CuProfile& p = profiles[i];
    std::vector<std::string> families =
        !p.families.empty() ? p.families
        : env.profile == Profile::kQuick ? kQuickFamilies
                                         : all_families;
    for (const std::string& family : families) {
      if (process::Interrupted()) break;
      const std::string prefix = std::string(kSuite) + "." + p.name + "." + ShortFamily(family);
      if (target_gone) {
        emit(MakeResult(kSuite, prefix + ".(run)", ShortFamily(family), Outcome::kFail,
                        "not run: " + *target_gone));
        continue;
      }
      std::vector<std::string> argv = {"iscsi-test-cu", "-i", initiator, "-I", initiator2,
                                       "--test=" + family};
      if (env.allow_data_loss) argv.push_back("--dataloss");
      argv.push_back(target.Url(i));
      if (p.multipath) argv.push_back(target.Url(i));
      run_options.output_file = env.out_dir / (prefix + ".log");
      process::RunResult run = process::Run(argv, run_options);
      drivers::FamilyResult fr = drivers::SummarizeFamily(
          family, drivers::ParseIscsiTestCuOutput(run.output), run.exited_ok(), run.Describe());
      const double per_test =
          fr.tests.empty() ? 0 : run.duration.count() / 1000.0 / fr.tests.size();
      bool explained = false;
      for (const drivers::CuTest& t : fr.tests) {
        reports::TestResult r = MakeResult(kSuite, prefix + "." + t.name, ShortFamily(family),
                                           ToReportOutcome(t.outcome));
        r.duration_s = per_test;
        std::string notes;
        for (const auto& n : t.notes) notes += n + "\n";
        if (r.outcome == Outcome::kSkip) {
          // libiscsi's own words: "[SKIPPED] UNMAP is not implemented."
          for (const auto& n : t.notes) {
            auto at = n.find("[SKIPPED]");
            if (at == std::string::npos) continue;
            r.reason = n.substr(at + 9);
            r.reason.erase(0, r.reason.find_first_not_of(' '));
          }
          if (r.reason.empty()) r.reason = "skipped by iscsi-test-cu";
        } else if (r.outcome == Outcome::kFail) {
          explained = true;
          r.reason = notes.empty() ? "failed in iscsi-test-cu" : notes.substr(0, 2000);
          r.log_excerpt = Tail(notes, 40);
        }
        emit(std::move(r));
      }
      // A family that failed without a failing test to show for it: crash, hang, no summary.
      if (fr.outcome == drivers::Outcome::kFail && !explained) {
        reports::TestResult r = MakeResult(kSuite, prefix + ".(run)", ShortFamily(family),
                                           Outcome::kFail, fr.reason);
        r.duration_s = run.duration.count() / 1000.0;
        r.log_excerpt = Tail(run.output, 40);
        emit(std::move(r));
      }
      if (!TargetProcessAlive(target.pid)) {
        emit(TargetDiedResult(kSuite, prefix + ".(target)", ShortFamily(family), "this family",
                              target));
        auto again = restarter.Restart(spec);
        if (again.ok()) {
          target = again.value();
        } else {
          target_gone = again.error();
        }
      }
    }
  }
  env.adapter->Stop();
}

}  // namespace harness::runner
