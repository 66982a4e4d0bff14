// The reference adapter: runs this project's reftarget as a child process on a free loopback
// port with a saveconfig.json generated in LIO's schema (the same file LIO's targetctl would
// restore, so the compatibility claim is exercised on every run), keeps its log, and stops it
// with SIGTERM (reftarget drains and exits 0).
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "harness/adapters/backing_files.h"
#include "harness/adapters/target_adapter.h"
#include "harness/process/child_process.h"

namespace harness::adapters {

struct ReferenceOptions {
  std::filesystem::path work_dir;   // saveconfig.json, the log and backing files
  std::filesystem::path reftarget;  // empty: FindReftarget()
  std::string log_level = "info";
  int threads = 0;                  // --threads; 0: reftarget's default (one per core)
};

// Returns the reftarget binary: $REFTARGET_BIN, else next to this program in the build tree
// (../../target/daemon/reftarget from harness/cli/), else `reftarget` in PATH; "" if none.
std::filesystem::path FindReftarget();

class ReferenceAdapter : public TargetAdapter {
 public:
  explicit ReferenceAdapter(ReferenceOptions options);
  ~ReferenceAdapter() override;

  std::string name() const override { return "reference"; }
  Capabilities capabilities() const override;
  Result<RunningTarget> Start(const TargetSpec& spec) override;
  Status Stop() override;
  std::string version() const override;

 private:
  ReferenceOptions options_;
  std::unique_ptr<process::BackgroundProcess> reftarget_;
  std::unique_ptr<BackingFiles> files_;
  std::string last_stop_;  // how the last run ended ("exit 0")
};

}  // namespace harness::adapters
