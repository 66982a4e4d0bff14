// Pure functions from a TargetSpec to what configures SCST, the out-of-tree kernel target:
// an scst.conf for `scstadmin -config FILE`, and the scstadmin argv lists for live LUN
// changes and teardown. Nothing here runs a program; SCST cannot run on the build machine
// (ENVIRONMENT.md), so these are what the unit tests pin down.
//
// Syntax sources (SCST-project/scst, as stored by the search tool):
//   scstadmin/scstadmin.sysfs/man5/scst.conf.5  HANDLER/DEVICE, TARGET_DRIVER/TARGET, LUN,
//       GROUP/INITIATOR; "Any attribute value that contains blanks must be surrounded with
//       double quotes"; "an unescaped hash sign starts a trailing comment"; example
//       `IncomingUser "joe 12charsecret"` at driver and target level
//   scstadmin/scstadmin.sysfs/man1/scstadmin.1  -open_dev/-close_dev, -add_lun/-rem_lun,
//       -disable_target/-rem_target, -rem_drv_attr, -noprompt
//   scst/README  vdisk_fileio (filename, blocksize, write_through, read_only, nv_cache,
//       thin_provisioned, removable, rotational), vdisk_blockio (filename, blocksize,
//       nv_cache, read_only, removable, rotational, thin_provisioned), vdisk_nullio
//       (blocksize, read_only, removable, dummy; size_mb); "There must be LUN 0 in each set
//       of LUNs"; "All the access control must be fully configured BEFORE the
//       corresponding target is enabled"
//   truenas/middleware scst.conf.mako  CHAP is per target in SCST ("SCST does not allow us
//       to set authentication at a group level"), one OutgoingUser per target
//
// What SCST cannot express is refused with the reason: RAMDISK (SCST has no RAM-disk
// handler; vdisk_nullio discards writes and reads zeroes, a null device, which is what
// Backing::kNull asks for), per-ACL CHAP credentials, write-through BLOCK LUNs, thin NULL
// LUNs and removable media with eject (vdisk's `removable` only sets RMB; only vcdrom
// changes media).
#pragma once

#include <string>
#include <vector>

#include "harness/adapters/target_adapter.h"
#include "harness/common/status.h"

namespace harness::adapters::scst {

using Argv = std::vector<std::string>;

// The initiator group (security group) that holds the ACL initiators; with ACLs the
// target's default LUN set stays empty, so initiators outside it see no LUNs.
inline constexpr char kAclGroup[] = "harness_acl";

// Checks every name, path, number and secret in `spec` against what scst.conf, scstadmin and
// SCST accept, and every option SCST cannot honour. Returns the first problem, naming the
// field ("luns[1].name").
Status ValidateSpec(const TargetSpec& spec);

// Returns "vdisk_fileio", "vdisk_blockio" or "vdisk_nullio"; "" for RAMDISK (none exists).
const char* HandlerName(Backing backing);

// Returns the scst.conf text exporting `spec`, LUN spec.luns[i] as LUN i.
// REQUIRES: FILEIO and BLOCK LUNs have a path (the adapter creates backings first).
Result<std::string> ConfigText(const TargetSpec& spec);

// Returns {"scstadmin", "-noprompt", "-config", FILE}.
Argv ApplyConfigCommand(const std::string& file);

// Checks that `lun` can be exported as LUN `lun_number` on `running`; `lun.path` may still be
// empty. The adapter calls this before it creates a backing.
Status ValidateAddLun(const TargetSpec& running, const LunSpec& lun, int lun_number);

// Returns the scstadmin commands that open `lun`'s device and export it as `lun_number` on
// the running target `running` (its luns are the LUNs exported now).
Result<std::vector<Argv>> AddLunCommands(const TargetSpec& running, const LunSpec& lun,
                                         int lun_number);

// Returns the scstadmin commands that withdraw LUN `lun_number` and close its device.
// Refuses LUN 0 while other LUNs remain: SCST shows an initiator nothing without a LUN 0.
Result<std::vector<Argv>> RemoveLunCommands(const TargetSpec& running, const LunSpec& lun,
                                            int lun_number, bool other_luns_remain);

// Returns the scstadmin commands that disable and remove the target, close its devices and
// remove the discovery credentials the spec added.
std::vector<Argv> TeardownCommands(const TargetSpec& running);

// Returns the sysfs paths, relative to /sys/kernel/scst_tgt, that exist once `spec` is
// exported: devices/NAME and targets/iscsi/IQN/luns/N (or, with ACLs,
// targets/iscsi/IQN/ini_groups/GROUP/luns/N) (scst/README sysfs layout).
std::vector<std::string> ExpectedSysfsPaths(const TargetSpec& spec);

// Returns the two sysfs paths of `lun` exported as `lun_number` on `running`.
std::vector<std::string> ExpectedLunSysfsPaths(const TargetSpec& running, const LunSpec& lun,
                                               int lun_number);

// Returns the CHAP passwords in `spec`, for redaction from messages and tool output.
std::vector<std::string> Secrets(const TargetSpec& spec);

}  // namespace harness::adapters::scst
