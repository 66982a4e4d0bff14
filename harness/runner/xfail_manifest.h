// XfailManifest: the known deviations of one target, each naming the test(s) (a glob on the
// result id), the clause the target deviates from and why. A listed test that fails is
// XFAIL, not FAIL; a listed test that passes stays PASS and is reported as fixed, so the
// manifest can be trimmed. Manifests ship in suites/conformance/xfail/<adapter>.json.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "harness/common/status.h"
#include "reports/report_model.h"

namespace harness::runner {

struct XfailEntry {
  std::string test;    // glob on "<suite>.<name>" or "<name>"; '*' matches any run of characters
  std::string clause;  // "SBC-3 5.7"
  std::string why;
};

class XfailManifest {
 public:
  // Parses {"adapter": NAME, "entries": [{"test", "clause", "why"}, ...]}; errors name the
  // file and the entry.
  static Result<XfailManifest> Load(const std::filesystem::path& path);
  // Returns the manifest for `adapter` from the first directory that has <adapter>.json, or
  // an empty manifest. Searched: $ISCSI_HARNESS_XFAIL_DIR, the build tree and install tree.
  static Result<XfailManifest> ForAdapter(const std::string& adapter);

  // Rewrites every FAIL that an entry matches into XFAIL (the reason names the entry) and
  // returns the ids of listed tests that passed.
  std::vector<std::string> Apply(std::vector<reports::TestResult>* results) const;

  const std::vector<XfailEntry>& entries() const { return entries_; }
  const std::filesystem::path& source() const { return source_; }

 private:
  std::vector<XfailEntry> entries_;
  std::filesystem::path source_;
};

// Returns true if glob `pattern` ('*' = any run of characters) matches all of `text`.
bool GlobMatch(std::string_view pattern, std::string_view text);

}  // namespace harness::runner
