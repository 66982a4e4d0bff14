#include "harness/adapters/lio_commands.h"

#include "harness/adapters/kernel_adapter_support.h"

namespace harness::adapters::lio {
namespace {

using json = nlohmann::json;

// rtslib LUN.MAX_LUN = 255 (target.py): LUN numbers are 0..255.
constexpr size_t kMaxLuns = 256;
// LIO stores CHAP credentials in fixed buffers of 256 bytes with the terminating NUL
// (iscsi_target_core.h MAX_USER_LEN / MAX_PASS_LEN).
constexpr size_t kMaxChapLength = 255;
// target_core_file.h FD_MAX_DEV_NAME: the fileio path buffer is 256 bytes with its NUL.
constexpr size_t kMaxFileioPath = 255;
// target_core_base.h SE_UDEV_PATH_LEN: iblock's udev_path buffer is 512 bytes.
constexpr size_t kMaxUdevPath = 511;
// configfs directory names (storage objects are configfs items) obey NAME_MAX.
constexpr size_t kMaxObjectName = 255;

std::string TpgPath(const std::string& iqn) { return "/iscsi/" + iqn + "/tpg1"; }

std::string StorageObjectPath(const LunSpec& lun) {
  return BackstoreDir(lun.backing) + "/" + lun.name;
}

// rtslib-fb's plugin name, the second component of "/backstores/<plugin>/<name>".
std::string Plugin(Backing backing) {
  switch (backing) {
    case Backing::kFileio:
      return "fileio";
    case Backing::kBlock:
      return "block";
    case Backing::kRamdisk:
    case Backing::kNull:
      return "ramdisk";
  }
  return "fileio";
}

// targetcli's human_to_bytes() reads "64M" as 64 MiB (kilo = 1024); exact multiples get the
// largest suffix, anything else is given in bytes.
std::string SizeArg(uint64_t bytes) {
  constexpr uint64_t kK = 1024, kM = kK * 1024, kG = kM * 1024;
  if (bytes % kG == 0) return std::to_string(bytes / kG) + "G";
  if (bytes % kM == 0) return std::to_string(bytes / kM) + "M";
  if (bytes % kK == 0) return std::to_string(bytes / kK) + "K";
  return std::to_string(bytes);
}

std::string Bool(bool value) { return value ? "true" : "false"; }

Command Targetcli(std::vector<std::string> args, bool may_fail = false) {
  args.insert(args.begin(), "targetcli");
  return Command{std::move(args), may_fail};
}

// targetcli joins its argv with blanks and parses the line again (scripts/targetcli:
// shell.run_cmdline(" ".join(sys.argv[1:]))), and values are written as key=value, so a
// value with a blank, a quote, a backslash or '=' cannot be passed intact: refuse it.
// A secret's value is not repeated in the message.
Status CheckToken(const std::string& field, const std::string& value, size_t max_length,
                  bool secret = false) {
  return CheckPrintableToken(field, value, max_length, secret, "\"'\\=",
                             "which targetcli cannot pass through (it re-splits its command "
                             "line on blanks and reads key=value)");
}

Status CheckStorageName(const std::string& field, const std::string& name) {
  Status status = CheckToken(field, name, kMaxObjectName);
  if (!status.ok()) return status;
  // rtslib StorageObject.__init__: "A storage object's name cannot contain /, newline or
  // spaces/tabs"; configshell also treats '/' as a path separator.
  if (name.find('/') != std::string::npos) {
    return Status::Error(field + " \"" + name + "\": contains '/' (rtslib refuses it)");
  }
  return Status::Ok();
}

Status CheckPath(const std::string& field, const std::string& path, size_t max_length) {
  Status status = CheckToken(field, path, max_length);
  if (!status.ok()) return status;
  if (path.front() != '/') return Status::Error(field + " \"" + path + "\": not absolute");
  // rtslib writes "fd_dev_name=%s,fd_dev_size=%d" (and "udev_path=%s") to the storage
  // object's control file, which the kernel splits on ',' (match_token options).
  if (path.find(',') != std::string::npos) {
    return Status::Error(field + " \"" + path +
                         "\": contains ',', which splits LIO's control string");
  }
  return Status::Ok();
}

// CHAP names and secrets travel through targetcli like any other token.
Status CheckChapValue(const std::string& field, const std::string& value, bool secret) {
  return CheckToken(field, value, kMaxChapLength, secret);
}

Status CheckLun(const std::string& field, const LunSpec& lun) {
  Status status = CheckStorageName(field + ".name", lun.name);
  if (!status.ok()) return status;
  const uint32_t bs = lun.block_size;
  // se_dev_set_block_size (target_core_device.c) accepts 512, 1024, 2048 and 4096.
  if (bs != 512 && bs != 1024 && bs != 2048 && bs != 4096) {
    return Status::Error(field + ".block_size " + std::to_string(bs) +
                         ": LIO accepts 512, 1024, 2048 or 4096");
  }
  status = CheckLunSize(field, lun);
  if (!status.ok()) return status;
  if (lun.removable) {
    return Status::Error(field +
                         ".removable: LIO has no removable-medium emulation (fileio, "
                         "iblock and rd_mcp all report RMB=0)");
  }
  const bool ram = lun.backing == Backing::kRamdisk || lun.backing == Backing::kNull;
  if (lun.thin && ram) {
    return Status::Error(field +
                         ".thin: LIO's rd_mcp backstore has no UNMAP (emulate_tpu needs "
                         "max_unmap_lba_count, which only fileio and iblock set)");
  }
  if (!ram && !lun.path.empty()) {
    const size_t max = lun.backing == Backing::kFileio ? kMaxFileioPath : kMaxUdevPath;
    status = CheckPath(field + ".path", lun.path.string(), max);
    if (!status.ok()) return status;
  }
  return Status::Ok();
}

// A FILEIO, RAMDISK or NULL LUN is made read-only per initiator (mapped LUN write_protect)
// or, in demo mode, TPG-wide (demo_mode_write_protect); BLOCK is read-only in the backstore.
bool NeedsTpgWriteProtect(const LunSpec& lun) {
  return lun.read_only && lun.backing != Backing::kBlock;
}

std::vector<Command> BackstoreCommands(const LunSpec& lun) {
  std::vector<Command> out;
  const std::string dir = BackstoreDir(lun.backing);
  switch (lun.backing) {
    case Backing::kFileio:
      out.push_back(
          Targetcli({dir, "create", "name=" + lun.name, "file_or_dev=" + lun.path.string(),
                     "size=" + SizeArg(lun.size_bytes), "write_back=" + Bool(lun.write_back)}));
      break;
    case Backing::kBlock:
      // write_back applies to FILEIO only (LunSpec): iblock takes the device's own write
      // cache setting (iblock_get_write_cache), and rtslib ignores write_back for block.
      out.push_back(Targetcli({dir, "create", "name=" + lun.name, "dev=" + lun.path.string(),
                               "readonly=" + Bool(lun.read_only)}));
      break;
    case Backing::kRamdisk:
      out.push_back(
          Targetcli({dir, "create", "name=" + lun.name, "size=" + SizeArg(lun.size_bytes)}));
      break;
    case Backing::kNull:
      out.push_back(Targetcli(
          {dir, "create", "name=" + lun.name, "size=" + SizeArg(lun.size_bytes), "nullio=true"}));
      break;
  }
  // Attributes go before the LUN exports the object: the kernel refuses a block_size change
  // on an exported device (se_dev_set_block_size: dev->export_count).
  std::vector<std::string> attributes;
  if (lun.block_size != 512) attributes.push_back("block_size=" + std::to_string(lun.block_size));
  if (lun.thin) {
    attributes.push_back("emulate_tpu=1");   // UNMAP, VPD B0h/B2h
    attributes.push_back("emulate_tpws=1");  // WRITE SAME with UNMAP
  }
  if (!attributes.empty()) {
    std::vector<std::string> args = {dir + "/" + lun.name, "set", "attribute"};
    args.insert(args.end(), attributes.begin(), attributes.end());
    out.push_back(Targetcli(std::move(args)));
  }
  return out;
}

// Maps TPG LUN `number` into `acl` as the same number. Positional arguments: the second
// parameter is "tpg_lun" in older targetcli and "tpg_lun_or_backstore" in newer.
// write_protect is passed only when set: rtslib's MappedLUN writes "1" for any truthy value,
// so "write_protect=0" would protect the LUN.
Command MapCommand(const std::string& iqn, const AclSpec& acl, const LunSpec& lun, int number) {
  const std::string n = std::to_string(number);
  std::vector<std::string> args = {TpgPath(iqn) + "/acls/" + acl.initiator, "create", n, n};
  if (NeedsTpgWriteProtect(lun)) args.push_back("write_protect=1");
  return Targetcli(std::move(args));
}

// Exports `lun` as `number` and maps it into every ACL in `acls`. add_mapped_luns=false:
// mappings are explicit so that the outcome does not depend on the host's
// auto_add_mapped_luns preference.
std::vector<Command> ExportCommands(const std::string& iqn, const std::vector<AclSpec>& acls,
                                    const LunSpec& lun, int number) {
  std::vector<Command> out;
  const std::string tpg = TpgPath(iqn);
  const std::string n = std::to_string(number);
  out.push_back(Targetcli(
      {tpg + "/luns", "create", StorageObjectPath(lun), "lun=" + n, "add_mapped_luns=false"}));
  for (const AclSpec& acl : acls) out.push_back(MapCommand(iqn, acl, lun, number));
  return out;
}

std::vector<std::string> AuthArgs(const ChapSpec& chap) {
  std::vector<std::string> args = {"userid=" + chap.userid, "password=" + chap.password};
  if (!chap.mutual_userid.empty()) {
    args.push_back("mutual_userid=" + chap.mutual_userid);
    args.push_back("mutual_password=" + chap.mutual_password);
  }
  return args;
}

Status CheckAddLunFitsTpg(const TpgPlan& tpg, const LunSpec& lun, const std::string& field) {
  if (!tpg.demo_mode) return Status::Ok();
  if (NeedsTpgWriteProtect(lun) && !tpg.demo_write_protect) {
    return Status::Error(field + ".read_only: in demo mode LIO can write-protect a " +
                         std::string(BackingName(lun.backing)) +
                         " LUN only TPG-wide (demo_mode_write_protect), which would also "
                         "protect the writable LUNs; use BLOCK or an ACL");
  }
  if (!lun.read_only && tpg.demo_write_protect) {
    return Status::Error(field +
                         ".read_only: false, but this demo-mode TPG has "
                         "demo_mode_write_protect=1, so the LUN would be read-only");
  }
  return Status::Ok();
}

}  // namespace

std::string BackstoreDir(Backing backing) { return "/backstores/" + Plugin(backing); }

std::vector<std::string> Secrets(const TargetSpec& spec) {
  std::vector<std::string> out;
  auto add = [&out](const std::optional<ChapSpec>& chap) {
    if (!chap) return;
    out.push_back(chap->password);
    out.push_back(chap->mutual_password);
  };
  for (const AclSpec& acl : spec.acls) add(acl.chap);
  add(spec.discovery_chap);
  return out;
}

Status ValidateSpec(const TargetSpec& spec) {
  Status status = ValidateIscsiName("iqn", spec.iqn);
  if (!status.ok()) return status;
  if (spec.luns.size() > kMaxLuns) {
    return Status::Error("luns: " + std::to_string(spec.luns.size()) +
                         " LUNs, more than LIO's 256 (rtslib LUN.MAX_LUN = 255)");
  }
  status = ValidateLunsAndAcls(spec, CheckLun, CheckChapValue);
  if (!status.ok()) return status;
  return PlanTpg(spec).status();
}

Result<TpgPlan> PlanTpg(const TargetSpec& spec) {
  TpgPlan plan;
  plan.demo_mode = spec.acls.empty();
  size_t with_chap = 0;
  for (const AclSpec& acl : spec.acls) with_chap += acl.chap ? 1 : 0;
  if (with_chap != 0 && with_chap != spec.acls.size()) {
    for (size_t i = 0; i < spec.acls.size(); ++i) {
      if (!spec.acls[i].chap) {
        return Status::Error("acls[" + std::to_string(i) +
                             "].chap: missing while other ACLs "
                             "have CHAP; LIO's authentication attribute is per TPG, so either "
                             "every initiator does CHAP or none must");
      }
    }
  }
  plan.authentication = with_chap != 0;
  if (plan.demo_mode) {
    size_t protected_luns = 0, read_only = 0;
    for (const LunSpec& lun : spec.luns) {
      protected_luns += NeedsTpgWriteProtect(lun) ? 1 : 0;
      read_only += lun.read_only ? 1 : 0;
    }
    if (protected_luns != 0 && read_only != spec.luns.size()) {
      for (size_t i = 0; i < spec.luns.size(); ++i) {
        if (NeedsTpgWriteProtect(spec.luns[i])) {
          return CheckAddLunFitsTpg(plan, spec.luns[i], "luns[" + std::to_string(i) + "]");
        }
      }
    }
    plan.demo_write_protect = protected_luns != 0;
  }
  return plan;
}

Result<std::vector<Command>> SetupCommands(const TargetSpec& spec, const Options& options) {
  Status status = ValidateSpec(spec);
  if (!status.ok()) return status;
  status = CheckPathsPresent(spec);
  if (!status.ok()) return status;
  const TpgPlan plan = PlanTpg(spec).value();
  const std::string tpg = TpgPath(spec.iqn);
  const std::string port = std::to_string(options.port);

  std::vector<Command> out;
  for (const LunSpec& lun : spec.luns) {
    for (Command& c : BackstoreCommands(lun)) out.push_back(std::move(c));
  }
  out.push_back(Targetcli({"/iscsi", "create", spec.iqn}));
  // targetcli-fb adds 0.0.0.0:3260 to a new TPG when auto_add_default_portal is on
  // (UIMultiTPGTarget.ui_command_create); it would shadow the loopback portal.
  out.push_back(Targetcli({tpg + "/portals", "delete", "0.0.0.0", "3260"}, /*may_fail=*/true));
  for (size_t i = 0; i < spec.luns.size(); ++i) {
    // No ACL exists yet; each gets its mappings when it is created below.
    for (Command& c : ExportCommands(spec.iqn, {}, spec.luns[i], static_cast<int>(i))) {
      out.push_back(std::move(c));
    }
  }
  if (plan.demo_mode) {
    // Demo mode: any initiator logs in and gets a dynamic ACL over every LUN.
    out.push_back(
        Targetcli({tpg, "set", "attribute", "generate_node_acls=1",
                   std::string("demo_mode_write_protect=") + (plan.demo_write_protect ? "1" : "0"),
                   "authentication=0", "cache_dynamic_acls=1"}));
  } else {
    out.push_back(Targetcli({tpg, "set", "attribute", "generate_node_acls=0",
                             std::string("authentication=") + (plan.authentication ? "1" : "0")}));
  }
  for (const auto& [key, value] : spec.iscsi_parameters) {
    out.push_back(Targetcli({tpg, "set", "parameter", key + "=" + value}));
  }
  for (const AclSpec& acl : spec.acls) {
    const std::string acl_path = tpg + "/acls/" + acl.initiator;
    out.push_back(Targetcli({tpg + "/acls", "create", acl.initiator, "add_mapped_luns=false"}));
    for (size_t i = 0; i < spec.luns.size(); ++i) {
      out.push_back(MapCommand(spec.iqn, acl, spec.luns[i], static_cast<int>(i)));
    }
    if (acl.chap) {
      std::vector<std::string> args = {acl_path, "set", "auth"};
      for (std::string& a : AuthArgs(*acl.chap)) args.push_back(std::move(a));
      out.push_back(Targetcli(std::move(args)));
    }
  }
  if (spec.discovery_chap) {
    std::vector<std::string> args = {"/iscsi", "set", "discovery_auth", "enable=1"};
    for (std::string& a : AuthArgs(*spec.discovery_chap)) args.push_back(std::move(a));
    out.push_back(Targetcli(std::move(args)));
  }
  out.push_back(Targetcli({tpg + "/portals", "create", options.ipv4_address, port}));
  if (spec.ipv6_portal) {
    // targetcli brackets an address without '.' itself (UIPortals._canonicalize_ip).
    out.push_back(Targetcli({tpg + "/portals", "create", options.ipv6_address, port}));
  }
  return out;
}

Status ValidateAddLun(const TargetSpec& running, const TpgPlan& tpg, const LunSpec& lun,
                      int lun_number) {
  if (lun_number < 0 || lun_number >= static_cast<int>(kMaxLuns)) {
    return Status::Error("lun_number " + std::to_string(lun_number) + ": LIO allows 0..255");
  }
  Status status = CheckLun("lun", lun);
  if (status.ok()) status = CheckNotExported(running, lun);
  if (!status.ok()) return status;
  return CheckAddLunFitsTpg(tpg, lun, "lun");
}

Result<std::vector<Command>> AddLunCommands(const TargetSpec& running, const TpgPlan& tpg,
                                            const LunSpec& lun, int lun_number) {
  Status status = ValidateAddLun(running, tpg, lun, lun_number);
  if (status.ok()) status = CheckPathPresent("lun", lun);
  if (!status.ok()) return status;
  std::vector<Command> out = BackstoreCommands(lun);
  for (Command& c : ExportCommands(running.iqn, running.acls, lun, lun_number)) {
    out.push_back(std::move(c));
  }
  return out;
}

std::vector<Command> RemoveLunCommands(const TargetSpec& running, const LunSpec& lun,
                                       int lun_number) {
  return {
      Targetcli({TpgPath(running.iqn) + "/luns", "delete", "lun=" + std::to_string(lun_number)}),
      Targetcli({BackstoreDir(lun.backing), "delete", lun.name})};
}

std::vector<Command> TeardownCommands(const TargetSpec& running) {
  // Deleting the target deletes its TPG, LUNs, ACLs and portals (rtslib Target.delete).
  std::vector<Command> out = {Targetcli({"/iscsi", "delete", running.iqn})};
  for (const LunSpec& lun : running.luns) {
    out.push_back(Targetcli({BackstoreDir(lun.backing), "delete", lun.name}));
  }
  if (running.discovery_chap) {
    out.push_back(Targetcli({"/iscsi", "set", "discovery_auth", "enable=0"}));
  }
  return out;
}

std::vector<std::string> ExpectedLunConfigfsPaths(const TargetSpec& running, int lun_number) {
  const std::string tpg = "iscsi/" + running.iqn + "/tpgt_1";
  const std::string n = std::to_string(lun_number);
  std::vector<std::string> out = {tpg + "/lun/lun_" + n};
  for (const AclSpec& acl : running.acls)
    out.push_back(tpg + "/acls/" + acl.initiator + "/lun_" + n);
  return out;
}

std::vector<std::string> ExpectedConfigfsPaths(const TargetSpec& spec, const Options& options) {
  const std::string tpg = "iscsi/" + spec.iqn + "/tpgt_1";
  const std::string port = std::to_string(options.port);
  std::vector<std::string> out = {tpg + "/np/" + options.ipv4_address + ":" + port};
  if (spec.ipv6_portal) out.push_back(tpg + "/np/[" + options.ipv6_address + "]:" + port);
  for (size_t i = 0; i < spec.luns.size(); ++i) {
    for (std::string& path : ExpectedLunConfigfsPaths(spec, static_cast<int>(i))) {
      out.push_back(std::move(path));
    }
  }
  return out;
}

Result<json> SaveConfig(const TargetSpec& spec, const Options& options) {
  Status status = ValidateSpec(spec);
  if (!status.ok()) return status;
  status = CheckPathsPresent(spec);
  if (!status.ok()) return status;
  const TpgPlan plan = PlanTpg(spec).value();

  json storage_objects = json::array();
  json luns = json::array();
  for (size_t i = 0; i < spec.luns.size(); ++i) {
    const LunSpec& lun = spec.luns[i];
    // Attribute values are numbers, as targetcli saves them.
    json attributes = {{"block_size", lun.block_size},
                       {"emulate_tpu", lun.thin ? 1 : 0},
                       {"emulate_tpws", lun.thin ? 1 : 0}};
    json so = {{"attributes", attributes}, {"name", lun.name}, {"plugin", Plugin(lun.backing)}};
    switch (lun.backing) {
      case Backing::kFileio:
        so["dev"] = lun.path.string();
        so["size"] = lun.size_bytes;
        so["write_back"] = lun.write_back;
        break;
      case Backing::kBlock:
        so["dev"] = lun.path.string();
        so["readonly"] = lun.read_only;
        so["write_back"] = true;  // what iblock reports for a loop device; rtslib ignores it
        break;
      case Backing::kRamdisk:
        so["size"] = lun.size_bytes;
        break;
      case Backing::kNull:
        so["size"] = lun.size_bytes;
        so["nullio"] = true;  // rtslib dumps nullio only when set
        break;
    }
    storage_objects.push_back(std::move(so));
    luns.push_back({{"index", i}, {"storage_object", StorageObjectPath(lun)}});
  }

  json node_acls = json::array();
  for (const AclSpec& acl : spec.acls) {
    json mapped = json::array();
    for (size_t i = 0; i < spec.luns.size(); ++i) {
      mapped.push_back(
          {{"index", i}, {"tpg_lun", i}, {"write_protect", NeedsTpgWriteProtect(spec.luns[i])}});
    }
    json node = {{"mapped_luns", mapped}, {"node_wwn", acl.initiator}};
    if (acl.chap) {
      // NodeACL.dump(): "chap_" + userid/password/mutual_userid/mutual_password, when set.
      node["chap_userid"] = acl.chap->userid;
      node["chap_password"] = acl.chap->password;
      if (!acl.chap->mutual_userid.empty()) {
        node["chap_mutual_userid"] = acl.chap->mutual_userid;
        node["chap_mutual_password"] = acl.chap->mutual_password;
      }
    }
    node_acls.push_back(std::move(node));
  }

  json tpg_attributes = {{"authentication", plan.authentication ? 1 : 0},
                         {"generate_node_acls", plan.demo_mode ? 1 : 0}};
  if (plan.demo_mode) {
    tpg_attributes["cache_dynamic_acls"] = 1;
    tpg_attributes["demo_mode_write_protect"] = plan.demo_write_protect ? 1 : 0;
  }
  json portals = json::array();
  portals.push_back({{"ip_address", options.ipv4_address}, {"port", options.port}});
  if (spec.ipv6_portal) {
    // NetworkPortal: "ipv6 addresses should be surrounded by '[]'".
    portals.push_back({{"ip_address", "[" + options.ipv6_address + "]"}, {"port", options.port}});
  }
  json tpg = {{"attributes", tpg_attributes}, {"enable", true},     {"luns", luns},
              {"node_acls", node_acls},       {"portals", portals}, {"tag", 1}};
  if (!spec.iscsi_parameters.empty()) tpg["parameters"] = spec.iscsi_parameters;

  json fabric_modules = json::array();
  if (spec.discovery_chap) {
    // _BaseFabricModule.dump(): "discovery_" + the four credentials, and enable_auth.
    json iscsi = {{"name", "iscsi"},
                  {"discovery_enable_auth", true},
                  {"discovery_userid", spec.discovery_chap->userid},
                  {"discovery_password", spec.discovery_chap->password}};
    if (!spec.discovery_chap->mutual_userid.empty()) {
      iscsi["discovery_mutual_userid"] = spec.discovery_chap->mutual_userid;
      iscsi["discovery_mutual_password"] = spec.discovery_chap->mutual_password;
    }
    fabric_modules.push_back(std::move(iscsi));
  }
  json target = {{"fabric", "iscsi"}, {"tpgs", json::array({tpg})}, {"wwn", spec.iqn}};
  return json{{"fabric_modules", fabric_modules},
              {"storage_objects", storage_objects},
              {"targets", json::array({target})}};
}

}  // namespace harness::adapters::lio
