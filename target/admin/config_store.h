// Where the running configuration is saved: targetcli's layout. `saveconfig` writes the file
// crash-safely (config::SaveConfigFile) after keeping the file it replaces in
// <dir>/backup/saveconfig-YYYYMMDD-HH:MM:SS.json, at most `keep` backups (targetcli's
// max_backup_files, default 10); the oldest beyond that are deleted.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "target/common/status.h"
#include "target/config/config_model.h"

namespace reftarget::admin {

inline constexpr size_t kDefaultBackups = 10;

// Saves `config` to `path`, backing up the previous file first if its contents differ.
// Never leaves `path` or a backup empty or partial. Errors name the file.
Status SaveWithBackup(const config::Config& config, const std::string& path,
                      size_t keep = kDefaultBackups);

// Returns the backup files of `path`, oldest first.
std::vector<std::string> ListBackups(const std::string& path);

}  // namespace reftarget::admin
