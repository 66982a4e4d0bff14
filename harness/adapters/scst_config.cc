#include "harness/adapters/scst_config.h"

#include <map>
#include <set>

#include "harness/adapters/kernel_adapter_support.h"

namespace harness::adapters::scst {
namespace {

// scst_const.h: SCST_MAX_NAME is 50 bytes with the NUL; SCST_MAX_LUN is (1 << 14) - 1.
constexpr size_t kMaxDeviceName = 49;
constexpr size_t kMaxLuns = 1u << 14;
constexpr size_t kMaxPath = 4095;  // PATH_MAX with its NUL
constexpr uint64_t kMiB = 1024 * 1024;
// A bound on CHAP names and secrets (LIO's is the same); they travel on one sysfs line.
constexpr size_t kMaxChapLength = 255;

Argv Scstadmin(std::vector<std::string> args) {
  args.insert(args.begin(), {"scstadmin", "-noprompt"});
  return args;
}

// Device names become sysfs directory names and scstadmin arguments: keep them to letters,
// digits, '_', '-' and '.'.
Status CheckDeviceName(const std::string& field, const std::string& name) {
  if (name.empty()) return Status::Error(field + ": empty");
  if (name.size() > kMaxDeviceName) {
    return Status::Error(field + " \"" + name + "\": longer than " +
                         std::to_string(kMaxDeviceName) + " characters (SCST_MAX_NAME)");
  }
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '-' || c == '.';
    if (!ok) {
      return Status::Error(field + " \"" + name + "\": contains " + DescribeChar(c) +
                           "; SCST device names here use letters, digits, '_', '-', '.'");
    }
  }
  return Status::Ok();
}

// Blanks split scst.conf values and CHAP "user secret" pairs; '"' ends a quoted value and
// '\' escapes; ',' and '=' split scstadmin's "-attributes p=v,p=v"; ';' splits the sysfs
// mgmt parameters. '#' is allowed in secrets (escaped as "\#" in scst.conf) but not in
// paths or user names, where no escaping is applied. A secret's value is not repeated in
// the message.
Status CheckValue(const std::string& field, const std::string& value, size_t max_length,
                  bool secret) {
  return CheckPrintableToken(field, value, max_length, secret, secret ? "\"\\,=;" : "\"\\,=;#",
                             "which scst.conf or scstadmin cannot carry");
}

Status CheckChapValue(const std::string& field, const std::string& value, bool secret) {
  return CheckValue(field, value, kMaxChapLength, secret);
}

Status CheckLun(const std::string& field, const LunSpec& lun) {
  Status status = CheckDeviceName(field + ".name", lun.name);
  if (!status.ok()) return status;
  if (lun.backing == Backing::kRamdisk) {
    return Status::Error(field +
                         ".backing ramdisk: SCST has no RAM-disk handler (vdisk_nullio "
                         "discards writes; use Backing::kNull for a null device)");
  }
  const uint32_t bs = lun.block_size;
  // scst/README: "The block size must be power of 2 and >= 512 bytes."
  if (bs < 512 || (bs & (bs - 1)) != 0 || bs > (1u << 20)) {
    return Status::Error(field + ".block_size " + std::to_string(bs) +
                         ": SCST needs a power of 2 from 512");
  }
  status = CheckLunSize(field, lun);
  if (!status.ok()) return status;
  if (lun.removable) {
    return Status::Error(field +
                         ".removable: SCST's vdisk `removable` only sets RMB=1; only "
                         "vcdrom emulates medium changes, so a removable disk cannot be ejected");
  }
  switch (lun.backing) {
    case Backing::kNull:
      if (lun.thin) {
        return Status::Error(field + ".thin: vdisk_nullio has no thin_provisioned parameter");
      }
      if (lun.size_bytes % kMiB != 0) {
        return Status::Error(field + ".size_bytes " + std::to_string(lun.size_bytes) +
                             ": vdisk_nullio takes its size in whole MiB (size_mb)");
      }
      break;
    case Backing::kBlock:
      if (!lun.write_back) {
        return Status::Error(field +
                             ".write_back: false, but vdisk_blockio has no "
                             "write_through parameter (it bypasses the page cache already)");
      }
      [[fallthrough]];
    case Backing::kFileio:
      if (!lun.path.empty()) {
        status = CheckValue(field + ".path", lun.path.string(), kMaxPath, false);
        if (!status.ok()) return status;
        if (lun.path.string().front() != '/') {
          return Status::Error(field + ".path \"" + lun.path.string() +
                               "\": not absolute (SCST requires an absolute filename)");
        }
      }
      break;
    case Backing::kRamdisk:
      break;
  }
  return Status::Ok();
}

// Escapes '#' for scst.conf, where an unescaped one starts a comment (scst.conf(5)).
std::string EscapeHash(const std::string& value) {
  std::string out;
  for (char c : value) {
    if (c == '#') out += '\\';
    out += c;
  }
  return out;
}

std::string UserLine(const char* attribute, const std::string& user, const std::string& secret) {
  return std::string(attribute) + " \"" + user + " " + EscapeHash(secret) + "\"";
}

// name=value pairs of a device, in the order scst.conf and -attributes list them.
std::vector<std::pair<std::string, std::string>> DeviceAttributes(const LunSpec& lun) {
  std::vector<std::pair<std::string, std::string>> out;
  if (lun.backing != Backing::kNull) out.emplace_back("filename", lun.path.string());
  out.emplace_back("blocksize", std::to_string(lun.block_size));
  out.emplace_back("read_only", lun.read_only ? "1" : "0");
  if (lun.backing == Backing::kNull) {
    out.emplace_back("size_mb", std::to_string(lun.size_bytes / kMiB));
  } else {
    out.emplace_back("thin_provisioned", lun.thin ? "1" : "0");
  }
  if (lun.backing == Backing::kFileio) {
    out.emplace_back("write_through", lun.write_back ? "0" : "1");
  }
  return out;
}

// The target's mutual-CHAP (OutgoingUser) credentials: one per target in SCST.
const ChapSpec* MutualChap(const TargetSpec& spec) {
  for (const AclSpec& acl : spec.acls) {
    if (acl.chap && !acl.chap->mutual_userid.empty()) return &*acl.chap;
  }
  return nullptr;
}

Status CheckPerTargetChap(const TargetSpec& spec) {
  size_t with_chap = 0;
  for (const AclSpec& acl : spec.acls) with_chap += acl.chap ? 1 : 0;
  std::map<std::string, std::pair<size_t, std::string>> users;  // userid -> (acl, password)
  const ChapSpec* mutual = MutualChap(spec);
  for (size_t i = 0; i < spec.acls.size(); ++i) {
    const std::string field = "acls[" + std::to_string(i) + "].chap";
    const std::optional<ChapSpec>& chap = spec.acls[i].chap;
    if (!chap) {
      if (with_chap != 0) {
        return Status::Error(field +
                             ": missing while other ACLs have CHAP; SCST's IncomingUser "
                             "is per target, so every initiator would have to do CHAP");
      }
      continue;
    }
    auto [it, inserted] = users.emplace(chap->userid, std::make_pair(i, chap->password));
    if (!inserted && it->second.second != chap->password) {
      return Status::Error(field + ".userid \"" + chap->userid + "\": acls[" +
                           std::to_string(it->second.first) +
                           "] uses it with another password; SCST keeps one list per target");
    }
    if (!chap->mutual_userid.empty() && mutual != nullptr &&
        (chap->mutual_userid != mutual->mutual_userid ||
         chap->mutual_password != mutual->mutual_password)) {
      return Status::Error(field +
                           ".mutual_userid: differs from another ACL's; SCST has one "
                           "OutgoingUser per target");
    }
  }
  return Status::Ok();
}

Argv AddLunArgs(const TargetSpec& running, const LunSpec& lun, int lun_number) {
  Argv args = {"-add_lun", std::to_string(lun_number), "-driver", "iscsi", "-target", running.iqn};
  if (!running.acls.empty()) {
    args.push_back("-group");
    args.push_back(kAclGroup);
  }
  args.push_back("-device");
  args.push_back(lun.name);
  return Scstadmin(std::move(args));
}

}  // namespace

const char* HandlerName(Backing backing) {
  switch (backing) {
    case Backing::kFileio:
      return "vdisk_fileio";
    case Backing::kBlock:
      return "vdisk_blockio";
    case Backing::kNull:
      return "vdisk_nullio";
    case Backing::kRamdisk:
      return "";
  }
  return "";
}

std::vector<std::string> Secrets(const TargetSpec& spec) {
  std::vector<std::string> out;
  auto add = [&out](const std::optional<ChapSpec>& chap) {
    if (!chap) return;
    out.push_back(chap->password);
    out.push_back(chap->mutual_password);
    out.push_back(EscapeHash(chap->password));
    out.push_back(EscapeHash(chap->mutual_password));
  };
  for (const AclSpec& acl : spec.acls) add(acl.chap);
  add(spec.discovery_chap);
  return out;
}

Status ValidateSpec(const TargetSpec& spec) {
  Status status = ValidateIscsiName("iqn", spec.iqn);
  if (!status.ok()) return status;
  if (spec.luns.size() > kMaxLuns) {
    return Status::Error("luns: " + std::to_string(spec.luns.size()) + " LUNs, more than " +
                         std::to_string(kMaxLuns) + " (SCST_MAX_LUN)");
  }
  status = ValidateLunsAndAcls(spec, CheckLun, CheckChapValue);
  if (!status.ok()) return status;
  return CheckPerTargetChap(spec);
}

Result<std::string> ConfigText(const TargetSpec& spec) {
  Status status = ValidateSpec(spec);
  if (!status.ok()) return status;
  status = CheckPathsPresent(spec);
  if (!status.ok()) return status;

  std::string out = "# scst.conf for " + spec.iqn +
                    ", generated by iscsi-harness; apply with `scstadmin -config FILE`.\n";
  for (Backing backing : {Backing::kFileio, Backing::kBlock, Backing::kNull}) {
    std::string devices;
    for (const LunSpec& lun : spec.luns) {
      if (lun.backing != backing) continue;
      devices += "\tDEVICE " + lun.name + " {\n";
      for (const auto& [name, value] : DeviceAttributes(lun)) {
        devices += "\t\t" + name + " " + value + "\n";
      }
      devices += "\t}\n";
    }
    if (!devices.empty()) {
      out += "\nHANDLER " + std::string(HandlerName(backing)) + " {\n" + devices + "}\n";
    }
  }

  out += "\nTARGET_DRIVER iscsi {\n\tenabled 1\n";
  // Driver-level credentials are the discovery session's (scst.conf(5) example).
  if (spec.discovery_chap) {
    const ChapSpec& d = *spec.discovery_chap;
    out += "\t" + UserLine("IncomingUser", d.userid, d.password) + "\n";
    if (!d.mutual_userid.empty()) {
      out += "\t" + UserLine("OutgoingUser", d.mutual_userid, d.mutual_password) + "\n";
    }
  }
  out += "\n\tTARGET " + spec.iqn + " {\n";
  // iSCSI keys are target attributes in scst.conf (iscsi-scst's README, "InitialR2T").
  for (const auto& [key, value] : spec.iscsi_parameters) out += "\t\t" + key + " " + value + "\n";
  std::set<std::string> users;
  for (const AclSpec& acl : spec.acls) {
    if (acl.chap && users.insert(acl.chap->userid).second) {
      out += "\t\t" + UserLine("IncomingUser", acl.chap->userid, acl.chap->password) + "\n";
    }
  }
  if (const ChapSpec* mutual = MutualChap(spec)) {
    out += "\t\t" + UserLine("OutgoingUser", mutual->mutual_userid, mutual->mutual_password) + "\n";
  }
  auto lun_lines = [&spec](const std::string& indent) {
    std::string lines;
    for (size_t i = 0; i < spec.luns.size(); ++i) {
      lines += indent + "LUN " + std::to_string(i) + " " + spec.luns[i].name + "\n";
    }
    return lines;
  };
  if (spec.acls.empty()) {
    // No ACL: every initiator sees the target's default LUN set.
    out += lun_lines("\t\t");
  } else {
    // ACLs: the default set stays empty and the listed initiators get the LUNs.
    out += "\n\t\tGROUP " + std::string(kAclGroup) + " {\n" + lun_lines("\t\t\t");
    for (const AclSpec& acl : spec.acls) out += "\t\t\tINITIATOR " + acl.initiator + "\n";
    out += "\t\t}\n";
  }
  // Enabled last: access control must be complete before the target accepts logins
  // (scst/README, "All the access control must be fully configured BEFORE ...").
  out += "\n\t\tenabled 1\n\t}\n}\n";
  return out;
}

std::vector<std::string> ExpectedLunSysfsPaths(const TargetSpec& running, const LunSpec& lun,
                                               int lun_number) {
  const std::string group = running.acls.empty() ? "" : "/ini_groups/" + std::string(kAclGroup);
  return {"devices/" + lun.name,
          "targets/iscsi/" + running.iqn + group + "/luns/" + std::to_string(lun_number)};
}

std::vector<std::string> ExpectedSysfsPaths(const TargetSpec& spec) {
  std::vector<std::string> out = {"targets/iscsi/" + spec.iqn};
  for (size_t i = 0; i < spec.luns.size(); ++i) {
    for (std::string& path : ExpectedLunSysfsPaths(spec, spec.luns[i], static_cast<int>(i))) {
      out.push_back(std::move(path));
    }
  }
  return out;
}

Argv ApplyConfigCommand(const std::string& file) { return Scstadmin({"-config", file}); }

Status ValidateAddLun(const TargetSpec& running, const LunSpec& lun, int lun_number) {
  if (lun_number < 0 || static_cast<size_t>(lun_number) >= kMaxLuns) {
    return Status::Error("lun_number " + std::to_string(lun_number) + ": SCST allows 0.." +
                         std::to_string(kMaxLuns - 1));
  }
  Status status = CheckLun("lun", lun);
  if (!status.ok()) return status;
  return CheckNotExported(running, lun);
}

Result<std::vector<Argv>> AddLunCommands(const TargetSpec& running, const LunSpec& lun,
                                         int lun_number) {
  Status status = ValidateAddLun(running, lun, lun_number);
  if (status.ok()) status = CheckPathPresent("lun", lun);
  if (!status.ok()) return status;
  std::string attributes;
  for (const auto& [name, value] : DeviceAttributes(lun)) {
    attributes += (attributes.empty() ? "" : ",") + name + "=" + value;
  }
  return std::vector<Argv>{Scstadmin({"-open_dev", lun.name, "-handler", HandlerName(lun.backing),
                                      "-attributes", attributes}),
                           AddLunArgs(running, lun, lun_number)};
}

Result<std::vector<Argv>> RemoveLunCommands(const TargetSpec& running, const LunSpec& lun,
                                            int lun_number, bool other_luns_remain) {
  if (lun_number == 0 && other_luns_remain) {
    return Status::Error(
        "LUN 0 cannot be removed while other LUNs remain: SCST shows an "
        "initiator no LUNs at all without a LUN 0 (scst/README)");
  }
  Argv rem = {"-rem_lun", std::to_string(lun_number), "-driver", "iscsi", "-target", running.iqn};
  if (!running.acls.empty()) {
    rem.push_back("-group");
    rem.push_back(kAclGroup);
  }
  return std::vector<Argv>{Scstadmin(std::move(rem)), Scstadmin({"-close_dev", lun.name, "-handler",
                                                                 HandlerName(lun.backing)})};
}

std::vector<Argv> TeardownCommands(const TargetSpec& running) {
  std::vector<Argv> out = {Scstadmin({"-disable_target", running.iqn, "-driver", "iscsi"}),
                           // -force: the target still has its LUNs and initiator group.
                           Scstadmin({"-force", "-rem_target", running.iqn, "-driver", "iscsi"})};
  for (const LunSpec& lun : running.luns) {
    out.push_back(
        Scstadmin({"-force", "-close_dev", lun.name, "-handler", HandlerName(lun.backing)}));
  }
  if (running.discovery_chap) {
    const ChapSpec& d = *running.discovery_chap;
    out.push_back(Scstadmin(
        {"-rem_drv_attr", "iscsi", "-attributes", "IncomingUser=" + d.userid + " " + d.password}));
    if (!d.mutual_userid.empty()) {
      out.push_back(Scstadmin({"-rem_drv_attr", "iscsi", "-attributes",
                               "OutgoingUser=" + d.mutual_userid + " " + d.mutual_password}));
    }
  }
  return out;
}

}  // namespace harness::adapters::scst
