// TargetUnderTest: what the runner tells a GoogleTest suite program about the target it
// started (or attached to), as a JSON file named by $ISCSI_HARNESS_TARGET. Suites connect
// through it and ask its capabilities; they never branch on the adapter's name.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "harness/adapters/target_adapter.h"
#include "harness/common/status.h"

namespace harness::suite {

// Environment variable naming the target file; the runner sets it for every suite program.
inline constexpr const char* kTargetEnv = "ISCSI_HARNESS_TARGET";
// Environment variable naming where the suite program writes its results (result_listener.h).
inline constexpr const char* kResultsEnv = "ISCSI_HARNESS_RESULTS";

struct LunInfo {
  int number = 0;                 // the LUN number an initiator addresses
  adapters::LunSpec spec;         // what was asked for (backing, size, block size, flags)
};

struct InitiatorInfo {
  std::string name;                       // an initiator IQN the target accepts
  std::optional<adapters::ChapSpec> chap; // its credentials, if the ACL requires CHAP
};

struct TargetUnderTest {
  std::string adapter;  // for reports only
  adapters::Portal portal;
  std::optional<adapters::Portal> ipv6_portal;
  std::string iqn;
  std::vector<LunInfo> luns;
  // ACL entries. Empty: demo mode, any initiator name is accepted without CHAP.
  std::vector<InitiatorInfo> initiators;
  std::optional<adapters::ChapSpec> discovery_chap;
  adapters::Capabilities capabilities;
  bool allow_data_loss = false;
  std::string initiator_prefix = "iqn.2003-01.org.reftarget.harness";
  std::optional<int> pid;  // the target process, when the harness started it

  // Returns an initiator name this target accepts without CHAP (demo mode: a fresh name
  // under initiator_prefix with `tag`); nullopt if every ACL requires CHAP.
  std::optional<std::string> OpenInitiator(const std::string& tag) const;
  // Returns the first ACL entry with CHAP (mutual when `mutual`), or nullptr.
  const InitiatorInfo* ChapInitiator(bool mutual) const;
  // Returns the first LUN whose backing is not read-only, or nullptr.
  const LunInfo* WritableLun() const;
};

nlohmann::json ToJson(const TargetUnderTest& target);
// Parses what ToJson wrote; errors name the JSON key.
Result<TargetUnderTest> FromJson(const nlohmann::json& j);
// Writes/reads the target file.
Status WriteTargetFile(const std::filesystem::path& path, const TargetUnderTest& target);
Result<TargetUnderTest> ReadTargetFile(const std::filesystem::path& path);

// Returns the target named by $ISCSI_HARNESS_TARGET (read once), or nullptr with the reason
// in `*why` when the variable is unset or the file is unreadable.
const TargetUnderTest* CurrentTarget(std::string* why = nullptr);

}  // namespace harness::suite
