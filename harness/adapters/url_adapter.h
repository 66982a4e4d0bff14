// The url adapter: an existing portal the harness does not manage
// (iscsi://[user%password@]host[:port]/iqn/lun). Read-only unless the user passes
// --allow-data-loss: destructive tests then run against LUN `lun` of that target.
#pragma once

#include <string>

#include "harness/adapters/target_adapter.h"

namespace harness::adapters {

struct ParsedUrl {
  std::string user, password;
  Portal portal;
  std::string iqn;
  int lun = 0;
};

// Parses libiscsi's URL form; errors name the part that is wrong.
Result<ParsedUrl> ParseIscsiUrl(const std::string& url);

class UrlAdapter : public TargetAdapter {
 public:
  UrlAdapter(ParsedUrl url, bool allow_data_loss) : url_(std::move(url)), allow_(allow_data_loss) {}
  std::string name() const override { return "url"; }
  Capabilities capabilities() const override;
  // Ignores the spec's LUNs: checks that the portal accepts TCP and returns the URL's LUN.
  Result<RunningTarget> Start(const TargetSpec& spec) override;
  Status Stop() override { return Status::Ok(); }
  const ParsedUrl& url() const { return url_; }

 private:
  ParsedUrl url_;
  bool allow_;
};

}  // namespace harness::adapters
