// fio job files for each engine, their validation, and the JSON parser: on a document fio
// 3.33 printed (testdata), on broken documents, and on a real fio run of a generated job
// (null engine) when fio is available.
#include "harness/drivers/fio_job.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "harness/drivers/fio_result.h"
#include "harness/net/tcp_util.h"
#include "harness/process/child_process.h"

namespace harness::drivers {
namespace {

std::string ReadTestdata(const std::string& name) {
  std::ifstream in(std::string(HARNESS_DRIVERS_TESTDATA_DIR) + "/" + name);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

FioJobSpec IscsiSpec() {
  FioJobSpec spec;
  spec.name = "randread-4k-qd32";
  spec.pattern = FioPattern::kRandRead;
  spec.iodepth = 32;
  spec.target = "iscsi://127.0.0.1:3260/iqn.2003-01.org.x:t/0";
  spec.initiator = "iqn.2003-01.org.x:perf";
  return spec;
}

TEST(FioJob, IscsiJobEscapesTheUrlAndExcludesTheWarmUp) {
  const std::string file = FioJobFile(IscsiSpec());
  EXPECT_NE(file.find("ioengine=libiscsi\n"), std::string::npos);
  EXPECT_NE(file.find("filename=iscsi\\://127.0.0.1\\:3260/iqn.2003-01.org.x\\:t/0\n"),
            std::string::npos)
      << file;
  EXPECT_NE(file.find("initiator=iqn.2003-01.org.x:perf\n"), std::string::npos);
  EXPECT_NE(file.find("ramp_time=2\n"), std::string::npos);
  EXPECT_NE(file.find("lat_percentiles=1\n"), std::string::npos);
  EXPECT_NE(file.find("[randread-4k-qd32]\nrw=randread\n"), std::string::npos) << file;
  EXPECT_EQ(file.find("direct="), std::string::npos) << "not a file engine";
}

TEST(FioJob, FileMixedAndNetJobs) {
  FioJobSpec raw = IscsiSpec();
  raw.name = "mixed";
  raw.engine = FioEngine::kIoUring;
  raw.target = "/dev/loop7";
  raw.direct = true;
  raw.pattern = FioPattern::kRandRw;
  raw.read_percent = 70;
  raw.numjobs = 4;
  ASSERT_TRUE(ValidateFioJob(raw).ok()) << ValidateFioJob(raw).message();
  const std::string file = FioJobFile(raw);
  EXPECT_NE(file.find("direct=1\nfilename=/dev/loop7\n"), std::string::npos) << file;
  EXPECT_NE(file.find("rw=randrw\nrwmixread=70\nnumjobs=4\n"), std::string::npos) << file;
  EXPECT_EQ(file.find("initiator="), std::string::npos);

  FioJobSpec net = IscsiSpec();
  net.name = "tcp";
  net.engine = FioEngine::kNet;
  net.pattern = FioPattern::kSeqWrite;
  net.block_size = 128 * 1024;
  net.target = "40123";
  ASSERT_TRUE(ValidateFioJob(net).ok()) << ValidateFioJob(net).message();
  const std::string pair = FioJobFile(net);
  EXPECT_NE(pair.find("port=40123\n[tcp]\nlisten=1\nrw=read\n[tcp-sender]\n"), std::string::npos)
      << pair;
  EXPECT_NE(pair.find("hostname=127.0.0.1\nrw=write\n"), std::string::npos);
  EXPECT_NE(pair.find("size=1099511627776\n"), std::string::npos) << "fio's net engine needs one";
}

TEST(FioJob, ValidationNamesTheField) {
  auto error = [](FioJobSpec spec) { return ValidateFioJob(spec).message(); };
  FioJobSpec s = IscsiSpec();
  EXPECT_TRUE(ValidateFioJob(s).ok());
  s.name = "bad name";
  EXPECT_NE(error(s).find("name"), std::string::npos);
  s = IscsiSpec();
  s.iodepth = 0;
  EXPECT_NE(error(s).find("iodepth 0"), std::string::npos);
  s = IscsiSpec();
  s.block_size = 1000;
  EXPECT_NE(error(s).find("block_size 1000"), std::string::npos);
  s = IscsiSpec();
  s.target = "/tmp/x";
  EXPECT_NE(error(s).find("not an iscsi://"), std::string::npos);
  s = IscsiSpec();
  s.initiator = "iqn.x\n[evil]";
  EXPECT_NE(error(s).find("one line"), std::string::npos);
  s = IscsiSpec();
  s.engine = FioEngine::kNet;
  s.target = "70000";
  EXPECT_NE(error(s).find("not a TCP port"), std::string::npos);
  s.target = "4000";
  EXPECT_NE(error(s).find("pattern must be write"), std::string::npos);
  s = IscsiSpec();
  s.engine = FioEngine::kNull;
  EXPECT_NE(error(s).find("size_bytes"), std::string::npos);
}

TEST(FioResult, ReadsEveryFigureOfARealDocument) {
  // fio 3.33, null engine, randrw 70/30, 4k, QD32, lat_percentiles=1, after a banner line.
  const std::string doc =
      "note: a banner fio printed first\n" + ReadTestdata("fio_3.33_randrw_null.json");
  auto r = ParseFioJob(doc, "mixed-4k-qd32");
  ASSERT_TRUE(r.ok()) << r.error();
  const FioJobResult& j = r.value();
  EXPECT_EQ(j.fio_version, "fio-3.33");
  EXPECT_EQ(j.error, 0);
  EXPECT_NEAR(j.runtime_s, 1.0, 0.01);
  EXPECT_NEAR(j.read.iops, 1609500.998004, 1e-3);
  EXPECT_NEAR(j.write.iops, 689771.457086, 1e-3);
  EXPECT_EQ(j.read.bytes_per_s, 6592516087.0);
  EXPECT_EQ(j.read.lat_percentile_us.size(), 3u);
  EXPECT_NEAR(j.read.lat_percentile_us.at(99.9), 0.490, 1e-9);
  EXPECT_GT(j.read.total_ios, 0u);
  EXPECT_GT(j.read.lat_mean_us, 0);
}

TEST(FioResult, BrokenDocumentsNameWhatIsMissing) {
  const std::string good = ReadTestdata("fio_3.33_randrw_null.json");
  EXPECT_EQ(ParseFioJob("fio: engine libiscsi not loadable", "x").error(),
            "fio printed no JSON document");
  EXPECT_EQ(ParseFioJob(good, "other").error(), "fio JSON: no job named 'other'");
  nlohmann::json doc = nlohmann::json::parse(good);
  doc["jobs"][0]["read"]["lat_ns"].erase("percentile");
  EXPECT_NE(ParseFioJob(doc.dump(), "mixed-4k-qd32").error().find("lat_percentiles=1"),
            std::string::npos);
  doc = nlohmann::json::parse(good);
  doc["jobs"][0]["write"]["iops"] = "fast";
  EXPECT_EQ(ParseFioJob(doc.dump(), "mixed-4k-qd32").error(),
            "fio JSON: jobs[0].write.iops is not a number");
  doc = nlohmann::json::parse(good);
  doc["jobs"][0].erase("job_runtime");
  EXPECT_EQ(ParseFioJob(doc.dump(), "mixed-4k-qd32").error(),
            "fio JSON: jobs[0].job_runtime missing");
  EXPECT_FALSE(ParseFioJob(good.substr(0, good.size() / 2), "mixed-4k-qd32").ok());
}

std::string FindFio() {
  const char* env = std::getenv("FIO");
  return env != nullptr && *env != '\0' ? env : process::FindProgram("fio");
}

// Writes `spec`'s job file, runs fio on it and returns its standard output.
process::RunResult RunFio(const std::string& fio, const FioJobSpec& spec) {
  const auto path = std::filesystem::temp_directory_path() /
                    ("fio-job-test-" + std::to_string(::getpid()) + "-" + spec.name + ".fio");
  {
    std::ofstream out(path);
    out << FioJobFile(spec);
  }
  process::RunOptions o;
  o.limit = std::chrono::seconds(60);
  o.separate_stderr = true;
  process::RunResult run = process::Run({fio, "--output-format=json", path.string()}, o);
  std::filesystem::remove(path);
  return run;
}

TEST(FioResult, AGeneratedNetPairMeasuresLoopbackTcp) {
  const std::string fio = FindFio();
  if (fio.empty()) GTEST_SKIP() << "fio not found (set FIO)";
  auto port = net::PickFreePort();
  ASSERT_TRUE(port.ok()) << port.error();
  FioJobSpec spec;
  spec.name = "tcp";
  spec.engine = FioEngine::kNet;
  spec.pattern = FioPattern::kSeqWrite;
  spec.block_size = 128 * 1024;
  spec.target = std::to_string(port.value());
  spec.runtime = std::chrono::seconds(1);
  spec.ramp = std::chrono::seconds(0);
  ASSERT_TRUE(ValidateFioJob(spec).ok()) << ValidateFioJob(spec).message();
  process::RunResult run = RunFio(fio, spec);
  ASSERT_TRUE(run.exited_ok()) << run.Describe() << "\n" << run.output << run.error_output;
  auto r = ParseFioJob(run.output, "tcp");
  ASSERT_TRUE(r.ok()) << r.error() << "\n" << run.output;
  EXPECT_GT(r.value().read.bytes_per_s, 0) << "the receiver's figures";
}

TEST(FioResult, AGeneratedJobRunsInFioAndParses) {
  const std::string fio = FindFio();
  if (fio.empty()) GTEST_SKIP() << "fio not found (set FIO)";
  FioJobSpec spec;
  spec.name = "null-randread";
  spec.engine = FioEngine::kNull;
  spec.size_bytes = 64ull << 20;
  spec.iodepth = 8;
  spec.runtime = std::chrono::seconds(1);
  spec.ramp = std::chrono::seconds(0);
  ASSERT_TRUE(ValidateFioJob(spec).ok());
  process::RunResult run = RunFio(fio, spec);
  ASSERT_TRUE(run.exited_ok()) << run.Describe() << "\n" << run.output;
  auto r = ParseFioJob(run.output, "null-randread");
  ASSERT_TRUE(r.ok()) << r.error() << "\n" << run.output;
  EXPECT_GT(r.value().read.iops, 0);
  EXPECT_EQ(r.value().write.total_ios, 0u);
  EXPECT_EQ(r.value().read.lat_percentile_us.count(99.99), 1u);
}

}  // namespace
}  // namespace harness::drivers
