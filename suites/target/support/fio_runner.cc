#include "suites/target/support/fio_runner.h"

#include <unistd.h>

#include <cstdlib>
#include <fstream>

#include "harness/drivers/fio_job.h"
#include "suites/target/support/subprocess.h"

#ifndef ITEST_DEFAULT_FIO
#define ITEST_DEFAULT_FIO ""
#endif

namespace itest {

std::string FindFioWithLibiscsi(std::string* reason) {
  const char* env = std::getenv("FIO");
  std::string fio = env != nullptr && *env != '\0' ? env : ITEST_DEFAULT_FIO;
  if (fio.empty() || access(fio.c_str(), X_OK) != 0) {
    *reason = "no fio with the libiscsi engine: set FIO or run ci/install-deps.sh (looked for '" +
              fio + "')";
    return "";
  }
  ProcessResult r = RunProcess({fio, "--enghelp=libiscsi"}, std::chrono::seconds(20));
  if (!r.Ok()) {
    *reason = fio + " has no libiscsi engine (" + r.Describe() + ")";
    return "";
  }
  return fio;
}

FioVerifyResult RunFioVerify(const FioVerifyJob& job) {
  FioVerifyResult result;
  const std::string job_path = job.workdir + "/verify.fio";
  {
    std::ofstream out(job_path);
    out << "[global]\n"
        << "ioengine=libiscsi\n"
        << "initiator=" << job.initiator << "\n"
        << "filename=" << harness::drivers::EscapeFioFilename(job.url) << "\n"
        << "bs=" << job.block_size << "\n"
        << "iodepth=" << job.iodepth << "\n"
        << "size=" << job.size << "\n"
        << "randrepeat=1\n"
        << "[randwrite-verify]\n"
        << "rw=randwrite\n"
        << "verify=" << job.verify << "\n"
        << "do_verify=1\n"
        << "verify_fatal=1\n"
        << "verify_dump=0\n";
    if (!out) {
      result.problem = "cannot write " + job_path;
      return result;
    }
  }
  ProcessResult r = RunProcess({job.fio, "--output-format=json", job_path}, job.timeout);
  result.exit_code = r.Ok() ? 0 : (r.exit_code >= 0 ? r.exit_code : -1);
  result.output = r.err;
  const size_t brace = r.out.find('{');
  if (brace == std::string::npos) {
    result.problem = "fio printed no JSON (" + r.Describe() + ")";
    result.output += r.out;
    return result;
  }
  if (brace > 0) result.output += r.out.substr(0, brace);
  nlohmann::json doc = nlohmann::json::parse(r.out.substr(brace), nullptr, false);
  if (doc.is_discarded() || !doc.contains("jobs") || doc["jobs"].empty()) {
    result.problem = "fio JSON has no jobs (" + r.Describe() + ")";
    return result;
  }
  result.ran = true;
  const auto& j = doc["jobs"][0];
  result.job_error = j.value("error", -1);
  result.write_bytes = j["write"].value("io_bytes", uint64_t{0});
  result.read_bytes = j["read"].value("io_bytes", uint64_t{0});
  result.write_iops = j["write"].value("iops", 0.0);
  result.read_iops = j["read"].value("iops", 0.0);
  if (!r.Ok()) {
    result.problem = "fio " + r.Describe();
  } else if (result.job_error != 0) {
    result.problem = "fio job error " + std::to_string(result.job_error);
  }
  return result;
}

}  // namespace itest
