// Helpers shared by the admin edit tests: run one command line against a Config, and a
// small config to start from.
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "target/admin/command_line.h"
#include "target/admin/config_edit.h"
#include "target/config/saveconfig_reader.h"
#include "target/config/saveconfig_writer.h"

namespace reftarget::admin::testing {

inline constexpr const char* kTarget = "iqn.2003-01.org.example:t1";
inline constexpr const char* kTarget2 = "iqn.2003-01.org.example:t2";
inline constexpr const char* kClient = "iqn.1994-05.com.redhat:client";
inline constexpr const char* kClient2 = "iqn.1994-05.com.redhat:other";

// A fixed environment: generated names are predictable.
inline EditEnvironment TestEnvironment() {
  EditEnvironment env;
  env.hostname = "Build_Host.example.com";
  env.machine = "x86_64";
  env.random = [] { return uint64_t{0x1234abcdef987654}; };
  return env;
}

// Parses `line` (relative to `cwd`) and applies it to `config`.
inline Result<EditResult> Edit(const config::Config& config, const std::string& line,
                               const std::string& cwd = "/") {
  auto words = SplitWords(line);
  if (!words.ok()) return words.status();
  auto command = ParseCommand(words.value(), cwd);
  if (!command.ok()) return command.status();
  return ApplyEdit(config, command.value(), TestEnvironment());
}

// Applies `line` and returns the new config; fails the test if the edit fails.
inline config::Config MustEdit(const config::Config& config, const std::string& line,
                               const std::string& cwd = "/") {
  auto result = Edit(config, line, cwd);
  EXPECT_TRUE(result.ok()) << line << ": " << result.error();
  return result.ok() ? result.value().config : config;
}

// Returns the error of `line`, or "" (and a test failure) if it succeeds.
inline std::string EditError(const config::Config& config, const std::string& line,
                             const std::string& cwd = "/") {
  auto result = Edit(config, line, cwd);
  EXPECT_FALSE(result.ok()) << line << " was accepted";
  return result.ok() ? "" : result.error();
}

// Runs `get` (or any read command) through GetValues.
inline Result<std::string> Get(const config::Config& config, const std::string& line,
                               const std::string& cwd = "/") {
  auto words = SplitWords(line);
  if (!words.ok()) return words.status();
  auto command = ParseCommand(words.value(), cwd);
  if (!command.ok()) return command.status();
  return GetValues(config, command.value());
}

// One fileio store, one target with one TPG, one LUN, one portal and one ACL mapping it.
inline config::Config BaseConfig() {
  config::Config c;
  c = MustEdit(c, "/backstores/fileio create disk0 /var/disk0.img 1G");
  c = MustEdit(c, std::string("/iscsi create ") + kTarget);
  c = MustEdit(c, std::string("/iscsi/") + kTarget + "/tpg1/luns create /backstores/fileio/disk0");
  c = MustEdit(c, std::string("/iscsi/") + kTarget + "/tpg1/portals create 127.0.0.1 3260");
  c = MustEdit(c, std::string("/iscsi/") + kTarget + "/tpg1/acls create " + kClient);
  return c;
}

inline std::string TpgPath() { return std::string("/iscsi/") + kTarget + "/tpg1"; }

// Returns `config` written and read back (what a reload gives).
inline config::Config Reloaded(const config::Config& config) {
  auto parsed = config::ParseConfig(config::SerializeConfig(config), "reload");
  EXPECT_TRUE(parsed.ok()) << parsed.error();
  return parsed.ok() ? parsed.value() : config::Config{};
}

}  // namespace reftarget::admin::testing
