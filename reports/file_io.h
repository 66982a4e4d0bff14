// Whole-file reads and crash-safe writes for report files.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "reports/status.h"

namespace harness::reports {

// Returns the contents of `path`; the error names the file and the errno text.
Result<std::string> ReadWholeFile(const std::filesystem::path& path);

// Replaces `path` with `contents` so that a crash leaves either the old or the new file,
// never a torn one: write a temporary file in the same directory, fsync it, rename it over
// `path`, then fsync the directory so the rename itself is durable.
Status WriteFileAtomically(const std::filesystem::path& path, std::string_view contents);

// Appends `line` plus '\n' to `path` (created 0644 if missing) with one write(2) on an
// O_APPEND descriptor, then fsyncs. If the file does not end in '\n' (a torn append from a
// crash), a '\n' is written first so the torn line stays a line of its own.
Status AppendLineDurably(const std::filesystem::path& path, std::string_view line);

}  // namespace harness::reports
