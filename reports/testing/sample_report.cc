#include "reports/testing/sample_report.h"

namespace harness::reports::testing {

std::string HostileText() {
  return std::string("<script>alert('x')</script> & \"q\" | `tick` ]]> \x01\x1b[31m bad:\xff end");
}

Report SampleReport(Adapter adapter, const std::string& run_id) {
  Report r;
  r.run.run_id = run_id;
  r.run.harness_version = "0.1.0";
  r.run.started_at = "2024-05-01T12:00:00.000Z";
  r.run.ended_at = "2024-05-01T12:03:20.500Z";
  r.run.host = Host{"ci-runner-1", "Linux 6.1.0-18-amd64", 2, 25769803776ULL};
  r.run.command_line = {"iscsi-harness", "run",
                        "--target",      std::string(AdapterName(adapter)),
                        "--suites",      "conformance,libiscsi,perf",
                        "--out",         "out"};
  r.run.profile = "quick";
  r.run.shard = Shard{0, 1};
  r.run.target.adapter = adapter;
  r.run.target.portal = "127.0.0.1:3260";
  r.run.target.iqn = "iqn.2003-01.org.example:disk0";
  r.run.target.vendor = "LIO-ORG";
  r.run.target.product = "reftarget";
  r.run.target.revision = "0.1";
  r.run.target.versions = {{"reftarget", "0.1.0"}};
  r.run.target.probe = {{"vpd_b0", {{"max_transfer_length", 8192}}},
                        {"supported_opcodes", {"28", "2a", "35"}},
                        {"login_keys", {{"MaxRecvDataSegmentLength", "262144"}}}};
  r.run.config = {{"time_limit_s", 600}};

  r.suites = {{"conformance", SuiteKind::kGtest, 12.5, {}},
              {"libiscsi", SuiteKind::kIscsiTestCu, 150.25, {}},
              {"perf", SuiteKind::kFio, 37.75, {}}};

  auto test = [&](std::string suite, std::string name, std::string family, Outcome o,
                  std::string reason, double s, std::string clause) {
    TestResult t;
    t.suite = std::move(suite);
    t.name = std::move(name);
    t.family = std::move(family);
    t.outcome = o;
    t.reason = std::move(reason);
    t.duration_s = s;
    t.clause = std::move(clause);
    r.tests.push_back(std::move(t));
    return &r.tests.back();
  };
  test("conformance", "Conformance.Login.Simple", "Login", Outcome::kPass, "", 0.012,
       "RFC 7143 §11.12");
  test("conformance", "Conformance.Login.DigestCrc32c", "Login", Outcome::kPass, "", 0.020,
       "RFC 7143 §13.1");
  TestResult* f = test("conformance", "Conformance.Read10.BeyondEol", "Read10", Outcome::kFail,
                       "READ(10) past the last LBA was not rejected", 0.004, "SBC-3 5.8");
  f->failure = Failure{"CHECK CONDITION 05/21/00 LBA OUT OF RANGE", "GOOD", "28000000ffff00000800",
                       "", "status mismatch"};
  f->log_excerpt = "sent READ(10) lba=0xffff len=8\nreceived GOOD\n" + HostileText();
  test("conformance", "Conformance.Tmf.AbortTask", "Tmf", Outcome::kSkip,
       "adapter cannot inject a stalled backstore", 0, "");
  test("conformance", "Conformance.Reservations.PreemptAbort", "PersistentReserve", Outcome::kXfail,
       "known defect #12: PREEMPT AND ABORT leaves the UA unset", 0.1, "SPC-4 5.12.11.2.5");
  TestResult* odd = test("conformance", "Conformance.Inquiry.Hostile/param=1.5k", "Inquiry",
                         Outcome::kFail, HostileText(), 0.001, "SPC-4 6.6");
  odd->failure = Failure{HostileText(), "sense " + HostileText(), "12000000ff00",
                         "7000050000000000000000002400", HostileText()};
  test("libiscsi", "SCSI.Read10.Simple", "Read10", Outcome::kPass, "", 1.5, "SBC-3 5.8");
  test("libiscsi", "SCSI.Write10.Simple", "Write10", Outcome::kPass, "", 1.25, "SBC-3 5.32");
  test("libiscsi", "SCSI.CompareAndWrite.Simple", "CompareAndWrite", Outcome::kSkip,
       "COMPARE AND WRITE is not supported by the target", 0, "");
  test("libiscsi", "SCSI.Unmap.ZeroBlocks", "Unmap", Outcome::kSkip,
       "COMPARE AND WRITE is not supported by the target", 0, "");
  test("libiscsi", "iSCSI.iSCSIResiduals.Read10Invalid", "iSCSIResiduals", Outcome::kPass, "", 0.75,
       "RFC 7143 §11.4.5.2");
  TestResult* p = test("perf", "Perf.Fio.randread-4k-qd32", "Fio", Outcome::kPass, "", 30.0, "");
  p->metrics = {{"iops", 35612.0}, {"lat_p99_us", 2100.0}};

  auto metric = [&](std::string backstore, std::string job, std::string name, std::string unit,
                    std::vector<double> samples, Better better) {
    Metric m;
    m.suite = "perf";
    m.name = std::move(name);
    m.labels = {{"backstore", std::move(backstore)}, {"job", std::move(job)}};
    m.unit = std::move(unit);
    m.samples = std::move(samples);
    m.value = m.samples[1];  // the median of three sorted samples
    m.spread = RelativeSpread(m.samples);
    m.better = better;
    r.metrics.push_back(std::move(m));
  };
  metric("fileio", "randread-4k-qd32", "iops", "IOPS", {35000, 35600, 36100}, Better::kHigher);
  metric("fileio", "randwrite-4k-qd32", "iops", "IOPS", {30100, 30500, 30600}, Better::kHigher);
  metric("ramdisk", "randread-4k-qd32", "iops", "IOPS", {38000, 38800, 39000}, Better::kHigher);
  metric("ramdisk", "randwrite-4k-qd32", "iops", "IOPS", {36000, 36500, 36900}, Better::kHigher);
  metric("fileio", "randread-4k-qd32", "lat_p99", "us", {2000, 2100, 2200}, Better::kLower);
  RecomputeCounts(&r);
  return r;
}

}  // namespace harness::reports::testing
