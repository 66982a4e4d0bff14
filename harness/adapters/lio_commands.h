// Pure functions from a TargetSpec to what configures LIO, the kernel target: the ordered
// targetcli commands (one `targetcli PATH VERB ARGS...` process each), the equivalent
// rtslib-fb saveconfig.json for `targetctl restore FILE`, and the configfs paths that must
// exist afterwards. Nothing here runs a program; LIO cannot run on the build machine
// (ENVIRONMENT.md: no target_core modules), so these are what the unit tests pin down.
//
// Syntax sources (targetcli-fb, rtslib-fb as stored by the search tool):
//   targetcli/ui_backstore.py  UIFileIOBackstore.ui_command_create(name, file_or_dev, size,
//                              write_back, sparse, wwn), UIBlockBackstore(name, dev,
//                              readonly, wwn), UIRDMCPBackstore(name, size, nullio, wwn)
//   targetcli/ui_target.py     UILUNs.ui_command_create(storage_object, lun,
//                              add_mapped_luns), UINodeACLs.ui_command_create(wwn,
//                              add_mapped_luns), UINodeACL.ui_command_create(mapped_lun,
//                              tpg_lun[_or_backstore], write_protect), "auth" group
//                              (userid, password, mutual_userid, mutual_password),
//                              UIFabricModule "discovery_auth" group (+ enable),
//                              UIPortals.ui_command_create/delete(ip_address, ip_port)
//   rtslib/tcm.py, target.py,  dump() of storage objects, TPGs, LUNs, portals, node ACLs,
//   fabric.py                  mapped LUNs and fabric modules: the saveconfig.json keys
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "harness/adapters/target_adapter.h"
#include "harness/common/status.h"

namespace harness::adapters::lio {

// One targetcli process: argv[0] is "targetcli".
struct Command {
  std::vector<std::string> argv;
  // True when the command may fail harmlessly: deleting the 0.0.0.0:3260 portal that
  // targetcli adds only when its auto_add_default_portal preference is on.
  bool may_fail = false;
};

struct Options {
  std::string ipv4_address = "127.0.0.1";  // loopback only (ENVIRONMENT.md)
  std::string ipv6_address = "::1";        // used when spec.ipv6_portal
  int port = 3260;
};

// How the TPG is set up; SetupCommands decides it and AddLunCommands must honour it.
struct TpgPlan {
  bool demo_mode = false;           // no ACLs: generate_node_acls=1
  bool demo_write_protect = false;  // demo_mode_write_protect=1 (every LUN read-only)
  bool authentication = false;      // the TPG's authentication attribute (CHAP required)
};

// Checks every name, path, number and secret in `spec` against what targetcli, rtslib and
// the kernel accept, and every option LIO cannot honour (removable media; thin RAM disks).
// Returns the first problem, naming the field ("luns[1].name").
Status ValidateSpec(const TargetSpec& spec);

// Returns the TPG plan for `spec`, or why LIO cannot express it.
Result<TpgPlan> PlanTpg(const TargetSpec& spec);

// Returns the commands that export `spec`, LUN spec.luns[i] as LUN i, in this order:
// backstores (create, then attributes, before a LUN exports them), target, removal of the
// default portal, LUNs, TPG attributes, ACLs with mapped LUNs and CHAP, discovery auth, and
// the portals last so that nothing listens before the target is complete.
// REQUIRES: FILEIO and BLOCK LUNs have a path (the adapter creates backings first).
Result<std::vector<Command>> SetupCommands(const TargetSpec& spec, const Options& options);

// Checks that `lun` can be exported as LUN `lun_number` on the running target described by
// `running` and `tpg`; `lun.path` may still be empty. The adapter calls this before it
// creates a backing, so that a refused LUN never touches storage.
Status ValidateAddLun(const TargetSpec& running, const TpgPlan& tpg, const LunSpec& lun,
                      int lun_number);

// Returns the commands that export `lun` as LUN `lun_number` on the running target
// described by `running` (its luns are the LUNs exported now) and `tpg`.
Result<std::vector<Command>> AddLunCommands(const TargetSpec& running, const TpgPlan& tpg,
                                            const LunSpec& lun, int lun_number);

// Returns the commands that withdraw LUN `lun_number` (backed by `lun`) and delete its
// storage object. Deleting the TPG LUN deletes its mapped LUNs (rtslib LUN.delete).
std::vector<Command> RemoveLunCommands(const TargetSpec& running, const LunSpec& lun,
                                       int lun_number);

// Returns the commands that delete the target and the storage objects of `running.luns`,
// and switch discovery auth off again if the spec turned it on.
std::vector<Command> TeardownCommands(const TargetSpec& running);

// Returns the rtslib-fb saveconfig.json equivalent of SetupCommands(spec, options), with
// the key names and value types of a file saved by targetcli.
Result<nlohmann::json> SaveConfig(const TargetSpec& spec, const Options& options);

// Returns the configfs paths, relative to /sys/kernel/config/target, that exist once `spec`
// is exported (rtslib paths: iscsi/IQN/tpgt_1/{lun/lun_N, np/IP:PORT, acls/INI/lun_N}).
// The adapter checks them because older targetcli scripts exit 0 even when the command
// failed (scripts/targetcli: shell.run_cmdline(...); sys.exit(0)); newer ones exit 1.
std::vector<std::string> ExpectedConfigfsPaths(const TargetSpec& spec, const Options& options);

// Returns the configfs paths of LUN `lun_number` on `running`: the TPG LUN and its mapping in
// every ACL.
std::vector<std::string> ExpectedLunConfigfsPaths(const TargetSpec& running, int lun_number);

// Returns "/backstores/fileio", "/backstores/block" or "/backstores/ramdisk" (NULL is a
// ramdisk with nullio=true: rtslib RDMCPStorageObject, "rd_nullio=1").
std::string BackstoreDir(Backing backing);

// Returns the CHAP passwords in `spec`, for redaction from messages and tool output.
std::vector<std::string> Secrets(const TargetSpec& spec);

}  // namespace harness::adapters::lio
