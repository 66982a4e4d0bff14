#include "harness/drivers/fio_result.h"

#include <cstdlib>
#include <nlohmann/json.hpp>

namespace harness::drivers {
namespace {

using nlohmann::json;

// The value at `key` of `object` as a number, or the failure naming `where`.
Result<double> Number(const json& object, const char* key, const std::string& where) {
  if (!object.is_object() || !object.contains(key)) {
    return Status::Error("fio JSON: " + where + "." + key + " missing");
  }
  const json& v = object[key];
  if (!v.is_number()) return Status::Error("fio JSON: " + where + "." + key + " is not a number");
  return v.get<double>();
}

Result<FioDirection> Direction(const json& job, const char* dir, const std::string& where) {
  const std::string at = where + "." + dir;
  if (!job.contains(dir) || !job[dir].is_object()) {
    return Status::Error("fio JSON: " + at + " missing");
  }
  const json& d = job[dir];
  FioDirection out;
  auto bytes = Number(d, "io_bytes", at);
  auto ios = Number(d, "total_ios", at);
  auto iops = Number(d, "iops", at);
  auto bw = Number(d, "bw_bytes", at);
  for (const auto* r : {&bytes, &ios, &iops, &bw}) {
    if (!r->ok()) return r->status();
    if (r->value() < 0) return Status::Error("fio JSON: a negative figure in " + at);
  }
  out.io_bytes = static_cast<uint64_t>(bytes.value());
  out.total_ios = static_cast<uint64_t>(ios.value());
  out.iops = iops.value();
  out.bytes_per_s = bw.value();
  if (!d.contains("lat_ns") || !d["lat_ns"].is_object()) {
    return Status::Error("fio JSON: " + at + ".lat_ns missing");
  }
  const json& lat = d["lat_ns"];
  auto mean = Number(lat, "mean", at + ".lat_ns");
  if (!mean.ok()) return mean.status();
  out.lat_mean_us = mean.value() / 1000.0;
  // No I/O this way (a read-only job's write side): fio prints no percentiles.
  if (out.total_ios == 0) return out;
  if (!lat.contains("percentile") || !lat["percentile"].is_object()) {
    return Status::Error("fio JSON: " + at +
                         ".lat_ns.percentile missing (the job needs lat_percentiles=1)");
  }
  for (const auto& [key, value] : lat["percentile"].items()) {
    char* end = nullptr;
    const double p = std::strtod(key.c_str(), &end);
    if (end == key.c_str() || *end != '\0' || p <= 0 || p > 100 || !value.is_number()) {
      return Status::Error("fio JSON: " + at + ".lat_ns.percentile has a bad entry '" + key + "'");
    }
    out.lat_percentile_us[p] = value.get<double>() / 1000.0;
  }
  return out;
}

}  // namespace

Result<FioJobResult> ParseFioJob(std::string_view output, const std::string& job_name) {
  const size_t brace = output.find('{');
  if (brace == std::string_view::npos) return Status::Error("fio printed no JSON document");
  json doc = json::parse(output.substr(brace), nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) {
    return Status::Error("fio's output is not a JSON document");
  }
  if (!doc.contains("jobs") || !doc["jobs"].is_array()) {
    return Status::Error("fio JSON: jobs missing");
  }
  const json* found = nullptr;
  size_t index = 0;
  for (size_t i = 0; i < doc["jobs"].size(); ++i) {
    const json& j = doc["jobs"][i];
    if (j.is_object() && j.value("jobname", std::string()) == job_name) {
      found = &j;
      index = i;
      break;
    }
  }
  if (found == nullptr) return Status::Error("fio JSON: no job named '" + job_name + "'");
  const json& job = *found;
  const std::string where = "jobs[" + std::to_string(index) + "]";
  FioJobResult out;
  out.name = job_name;
  out.fio_version = doc.value("fio version", std::string());
  auto error = Number(job, "error", where);
  auto runtime = Number(job, "job_runtime", where);
  auto usr = Number(job, "usr_cpu", where);
  auto sys = Number(job, "sys_cpu", where);
  for (const auto* r : {&error, &runtime, &usr, &sys}) {
    if (!r->ok()) return r->status();
  }
  out.error = static_cast<int>(error.value());
  out.runtime_s = runtime.value() / 1000.0;
  out.usr_cpu_percent = usr.value();
  out.sys_cpu_percent = sys.value();
  auto read = Direction(job, "read", where);
  if (!read.ok()) return read.status();
  auto write = Direction(job, "write", where);
  if (!write.ok()) return write.status();
  out.read = std::move(read).value();
  out.write = std::move(write).value();
  return out;
}

}  // namespace harness::drivers
