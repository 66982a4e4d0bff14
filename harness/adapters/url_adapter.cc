#include "harness/adapters/url_adapter.h"

#include "harness/net/tcp_util.h"

namespace harness::adapters {

Result<ParsedUrl> ParseIscsiUrl(const std::string& url) {
  const std::string scheme = "iscsi://";
  if (url.rfind(scheme, 0) != 0) return Status::Error(url + ": expected iscsi://HOST[:PORT]/IQN/LUN");
  std::string rest = url.substr(scheme.size());
  ParsedUrl out;
  if (auto at = rest.find('@'); at != std::string::npos) {
    std::string cred = rest.substr(0, at);
    rest = rest.substr(at + 1);
    auto pct = cred.find('%');
    out.user = cred.substr(0, pct);
    if (pct != std::string::npos) out.password = cred.substr(pct + 1);
  }
  auto slash = rest.find('/');
  if (slash == std::string::npos) return Status::Error(url + ": missing /IQN/LUN after the host");
  std::string hostport = rest.substr(0, slash);
  std::string path = rest.substr(slash + 1);
  if (!hostport.empty() && hostport[0] == '[') {
    auto close = hostport.find(']');
    if (close == std::string::npos) return Status::Error(url + ": unterminated [IPv6] host");
    out.portal.host = hostport.substr(1, close - 1);
    hostport = hostport.substr(close + 1);
    if (!hostport.empty() && hostport[0] != ':') return Status::Error(url + ": junk after ]");
    hostport = hostport.empty() ? "" : hostport.substr(1);
  } else {
    auto colon = hostport.find(':');
    out.portal.host = hostport.substr(0, colon);
    hostport = colon == std::string::npos ? "" : hostport.substr(colon + 1);
  }
  if (out.portal.host.empty()) return Status::Error(url + ": empty host");
  out.portal.port = 3260;
  if (!hostport.empty()) {
    try {
      size_t used = 0;
      out.portal.port = std::stoi(hostport, &used);
      if (used != hostport.size() || out.portal.port < 1 || out.portal.port > 65535) throw 0;
    } catch (...) {
      return Status::Error(url + ": bad port '" + hostport + "'");
    }
  }
  auto lun_slash = path.rfind('/');
  if (lun_slash == std::string::npos || lun_slash == 0) {
    return Status::Error(url + ": expected /IQN/LUN, got '/" + path + "'");
  }
  out.iqn = path.substr(0, lun_slash);
  const std::string lun = path.substr(lun_slash + 1);
  try {
    size_t used = 0;
    out.lun = std::stoi(lun, &used);
    if (used != lun.size() || out.lun < 0 || out.lun > 16383) throw 0;
  } catch (...) {
    return Status::Error(url + ": bad LUN '" + lun + "'");
  }
  return out;
}

Capabilities UrlAdapter::capabilities() const {
  Capabilities c;
  c.managed = false;
  c.data_loss_allowed = allow_;
  return c;
}

Result<RunningTarget> UrlAdapter::Start(const TargetSpec&) {
  if (!net::WaitForTcpPort(url_.portal.host, url_.portal.port, std::chrono::seconds(10))) {
    return Status::Error(url_.portal.ToString() + ": no TCP answer within 10 s");
  }
  RunningTarget t;
  t.portal = url_.portal;
  t.iqn = url_.iqn;
  t.lun_numbers = {url_.lun};
  t.product = "existing portal " + url_.portal.ToString();
  return t;
}

}  // namespace harness::adapters
