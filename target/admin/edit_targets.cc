// /iscsi create|delete, /iscsi/WWN create|delete (TPGs), tpgN enable|disable and
// tpgN/portals create|delete (targetcli ui_target.py; rtslib target.py).
#include <algorithm>
#include <cstdio>

#include "target/admin/edit_internal.h"
#include "target/config/iscsi_name.h"
#include "target/config/portal_address.h"

namespace reftarget::admin::internal {
namespace {

using config::Portal;
using config::Target;
using config::Tpg;

constexpr ParamSpec kCreateTargetParams[] = {{"wwn", false}};
constexpr ParamSpec kDeleteTargetParams[] = {{"wwn", true}};
constexpr ParamSpec kCreateTpgParams[] = {{"tag", false}};
constexpr ParamSpec kDeleteTpgParams[] = {{"tag", true}};
constexpr ParamSpec kCreatePortalParams[] = {{"ip_address", false}, {"ip_port", false}};
constexpr ParamSpec kDeletePortalParams[] = {{"ip_address", true}, {"ip_port", true}};

// targetcli 2.1 (and the brief of reftarget's CLI) default to the IPv4 wildcard.
constexpr std::string_view kDefaultPortalAddress = "0.0.0.0";
constexpr uint16_t kDefaultPort = 3260;  // RFC 7143 §13.8 (IANA iscsi-target)
constexpr int kMaxNameAttempts = 8;

// Keeps what an iqn label may hold (RFC 3720 §3.2.6.2: a-z, 0-9, '-').
std::string Label(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-') out += c;
  }
  return out;
}

// rtslib utils.generate_wwn('iqn'): iqn.2003-01.org.linux-iscsi.HOST.ARCH:sn.<12 hex>, with
// HOST the first label of the host name and ARCH uname -m without '_' ("x8664").
std::string GenerateIqn(const EditEnvironment& env) {
  std::string host = Label(std::string_view(env.hostname).substr(0, env.hostname.find('.')));
  if (host.empty()) host = "localhost";
  std::string arch = Label(env.machine);
  if (arch.empty()) arch = "unknown";
  uint64_t serial = env.random ? env.random() & 0xffffffffffffULL : 0;
  char hex[16];
  std::snprintf(hex, sizeof(hex), "%012llx", static_cast<unsigned long long>(serial));
  return "iqn.2003-01.org.linux-iscsi." + host + "." + arch + ":sn." + hex;
}

// A TPG as targetcli creates it: enabled (auto_enable_tpgt) and authentication=0 written
// out, because LIO's kernel default is 1 and the file must mean the same in LIO.
Tpg NewTpg(uint16_t tag) {
  Tpg tpg;
  tpg.tag = tag;
  tpg.enable = true;
  tpg.attributes = nlohmann::json::object({{"authentication", 0}});
  return tpg;
}

// Unlike targetcli (auto_add_default_portal), reftarget never listens on every address
// unless told to.
std::string NoPortalNote(const Target& target, const Tpg& tpg) {
  return "No portal was created (reftarget never listens on 0.0.0.0:3260 on its own); add "
         "one with: " +
         TpgPath(target, tpg) + "/portals create IP [PORT]";
}

Result<uint16_t> ParseTag(const EditContext& edit, const std::string& text) {
  std::string_view digits = text;
  if (digits.substr(0, 3) == "tpg") digits.remove_prefix(3);
  // RFC 7143 §13.9: the TPGT is 16 bits; rtslib never assigns 0.
  auto tag = ParseDecimal(digits, 1, 65535);
  if (!tag.ok()) {
    return edit.Error("tag: " + Quote(text) + " is not N or tpgN with N from 1 to 65535");
  }
  return static_cast<uint16_t>(tag.value());
}

Tpg* FindTpg(Target& target, uint16_t tag) {
  for (Tpg& tpg : target.tpgs) {
    if (tpg.tag == tag) return &tpg;
  }
  return nullptr;
}

Result<config::PortalAddress> AddressArg(const EditContext& edit, const std::string& text) {
  auto address = config::ParsePortalAddress(text);
  if (!address.ok()) return edit.Error("ip_address: " + Quote(text) + ": " + address.error());
  return address;
}

Result<uint16_t> PortArg(const EditContext& edit, const BoundArgs& args) {
  const std::string* text = args.Get("ip_port");
  if (text == nullptr) return kDefaultPort;
  auto port = ParseDecimal(*text, 1, 65535);
  if (!port.ok()) return edit.Error("ip_port: " + port.error());
  return static_cast<uint16_t>(port.value());
}

bool SamePortal(const Portal& portal, const config::PortalAddress& address, uint16_t port) {
  auto have = config::ParsePortalAddress(portal.ip_address);
  return portal.port == port && have.ok() && have.value().SameAddress(address);
}

}  // namespace

Result<std::string> IscsiName(std::string_view field, std::string_view name) {
  auto normalized = config::NormalizeIscsiName(name);
  if (!normalized.ok()) {
    return Status::Error(std::string(field) + ": " + Quote(name) +
                         " is not a valid iSCSI name: " + normalized.error());
  }
  return normalized;
}

Status CreateTarget(EditContext& edit) {
  auto args = edit.Bind(kCreateTargetParams);
  if (!args.ok()) return args.status();
  std::string wwn;
  if (const std::string* given = args.value().Get("wwn")) {
    auto name = IscsiName("wwn", *given);
    if (!name.ok()) return edit.Error(name.error());
    wwn = name.value();
    if (edit.config.FindTarget(wwn) != nullptr) {
      return edit.Error("wwn: target " + wwn + " already exists");
    }
  } else {
    for (int attempt = 0; attempt < kMaxNameAttempts && wwn.empty(); ++attempt) {
      std::string candidate = GenerateIqn(edit.environment);
      if (edit.config.FindTarget(candidate) == nullptr) wwn = candidate;
    }
    if (wwn.empty()) return edit.Error("could not generate an unused target name; give one");
    auto check = IscsiName("wwn", wwn);
    if (!check.ok()) return edit.Error("generated name: " + check.error());
  }
  Target target;
  target.wwn = wwn;
  target.fabric = "iscsi";
  target.tpgs.push_back(NewTpg(1));
  edit.Say("Created target " + wwn + ".");
  edit.Say("Created TPG 1.");
  edit.Say(NoPortalNote(target, target.tpgs.back()));
  edit.config.targets.push_back(std::move(target));
  return Status::Ok();
}

Status DeleteTarget(EditContext& edit) {
  auto args = edit.Bind(kDeleteTargetParams);
  if (!args.ok()) return args.status();
  const std::string& given = *args.value().Get("wwn");
  auto name = IscsiName("wwn", given);
  std::string wwn = name.ok() ? name.value() : given;
  const Target* target = edit.config.FindTarget(wwn);
  if (target == nullptr) return edit.Error("wwn: no target named " + Quote(given));
  std::erase_if(edit.config.targets, [&](const Target& t) { return &t == target; });
  edit.Say("Deleted Target " + wwn + ".");
  return Status::Ok();
}

Status CreateTpg(EditContext& edit) {
  auto args = edit.Bind(kCreateTpgParams);
  if (!args.ok()) return args.status();
  Target& target = edit.target();
  uint16_t tag = 0;
  if (const std::string* text = args.value().Get("tag")) {
    auto parsed = ParseTag(edit, *text);
    if (!parsed.ok()) return parsed.status();
    tag = parsed.value();
    if (FindTpg(target, tag) != nullptr) {
      return edit.Error("tag: " + TpgPath(target, *FindTpg(target, tag)) + " already exists");
    }
  } else {
    // rtslib TPG(tag=None): the lowest free tag from 1.
    for (uint32_t t = 1; t <= 65535 && tag == 0; ++t) {
      if (FindTpg(target, static_cast<uint16_t>(t)) == nullptr) tag = static_cast<uint16_t>(t);
    }
    if (tag == 0) return edit.Error("no free TPG tag left");
  }
  target.tpgs.push_back(NewTpg(tag));
  edit.Say("Created TPG " + std::to_string(tag) + ".");
  edit.Say(NoPortalNote(target, target.tpgs.back()));
  return Status::Ok();
}

Status DeleteTpg(EditContext& edit) {
  auto args = edit.Bind(kDeleteTpgParams);
  if (!args.ok()) return args.status();
  Target& target = edit.target();
  auto tag = ParseTag(edit, *args.value().Get("tag"));
  if (!tag.ok()) return tag.status();
  if (FindTpg(target, tag.value()) == nullptr) {
    return edit.Error("tag: no TPG " + std::to_string(tag.value()) + " in " + TargetPath(target));
  }
  std::erase_if(target.tpgs, [&](const Tpg& tpg) { return tpg.tag == tag.value(); });
  edit.Say("Deleted TPGT " + std::to_string(tag.value()) + ".");
  return Status::Ok();
}

Status EnableTpg(EditContext& edit) {
  auto args = edit.Bind({});
  if (!args.ok()) return args.status();
  if (edit.tpg().enable) {
    edit.Say("The TPGT is already enabled.");
  } else {
    edit.tpg().enable = true;
    edit.Say("The TPGT has been enabled.");
  }
  return Status::Ok();
}

Status DisableTpg(EditContext& edit) {
  auto args = edit.Bind({});
  if (!args.ok()) return args.status();
  if (!edit.tpg().enable) {
    edit.Say("The TPGT is already disabled.");
  } else {
    edit.tpg().enable = false;
    edit.Say("The TPGT has been disabled.");
  }
  return Status::Ok();
}

Status CreatePortal(EditContext& edit) {
  auto args = edit.Bind(kCreatePortalParams);
  if (!args.ok()) return args.status();
  const std::string* ip = args.value().Get("ip_address");
  auto address = AddressArg(edit, ip != nullptr ? *ip : std::string(kDefaultPortalAddress));
  if (!address.ok()) return address.status();
  auto port = PortArg(edit, args.value());
  if (!port.ok()) return port.status();
  Target& target = edit.target();
  Tpg& tpg = edit.tpg();
  for (const Tpg& other : target.tpgs) {
    for (const Portal& portal : other.portals) {
      if (!SamePortal(portal, address.value(), port.value())) continue;
      if (&other == &tpg) {
        return edit.Error("network portal " + PortalName(portal) + " already exists");
      }
      // targetcli: "TPGs within a target cannot share ip:port" (an initiator could not
      // tell which TPG it logs in to).
      return edit.Error("network portal " + PortalName(portal) + " already belongs to " +
                        TpgPath(target, other) + "; TPGs within a target cannot share ip:port");
    }
  }
  Portal portal;
  portal.ip_address = address.value().text;
  portal.port = port.value();
  if (ip == nullptr) edit.Say("Binding to INADDR_ANY (" + std::string(kDefaultPortalAddress) + ")");
  edit.Say("Created network portal " + PortalName(portal) + ".");
  tpg.portals.push_back(std::move(portal));
  return Status::Ok();
}

Status DeletePortal(EditContext& edit) {
  auto args = edit.Bind(kDeletePortalParams);
  if (!args.ok()) return args.status();
  auto address = AddressArg(edit, *args.value().Get("ip_address"));
  if (!address.ok()) return address.status();
  auto port = PortArg(edit, args.value());
  if (!port.ok()) return port.status();
  Tpg& tpg = edit.tpg();
  auto it = std::find_if(tpg.portals.begin(), tpg.portals.end(), [&](const Portal& p) {
    return SamePortal(p, address.value(), port.value());
  });
  if (it == tpg.portals.end()) {
    return edit.Error("no network portal " + address.value().text + ":" +
                      std::to_string(port.value()) + " in this TPG");
  }
  edit.Say("Deleted network portal " + PortalName(*it));
  tpg.portals.erase(it);
  return Status::Ok();
}

}  // namespace reftarget::admin::internal
