// targetcli's configuration commands as pure functions over config::Config: a Command (see
// command_line.h) in, a new Config and the message targetcli would print out. No I/O: the
// edit never opens a file or a device (a fileio create without a size means "the file's
// size", which whoever applies the Config checks). The grammar, with targetcli's paths:
//
//   /backstores/fileio  create name file_or_dev [size] [write_back] [sparse] [wwn]
//   /backstores/block   create name dev [readonly] [wwn] [write_back]
//   /backstores/ramdisk create name size [nullio] [wwn]
//   /backstores/KIND    delete name [force]
//   /backstores/KIND/NAME set attribute K=V...  |  resize size
//   /iscsi              create [wwn]  |  delete wwn  |  set discovery_auth K=V...
//   /iscsi/WWN          create [tag]  |  delete tag
//   /iscsi/WWN/tpgN     enable | disable | set attribute|parameter|auth|restriction K=V...
//   .../tpgN/luns       create storage_object [lun] [add_mapped_luns]  |  delete lun
//   .../tpgN/portals    create [ip_address] [ip_port]  |  delete ip_address ip_port
//   .../tpgN/acls       create wwn [add_mapped_luns]  |  delete wwn
//   .../acls/WWN        create mapped_lun tpg_lun_or_backstore [write_protect]
//                       delete mapped_lun  |  set attribute|auth|restriction K=V...
//   /                   clearconfig confirm=true
//
// Where reftarget differs from targetcli, on purpose:
//  - `/iscsi create` and `/iscsi/WWN create` never add a portal (targetcli's
//    auto_add_default_portal binds every address on 3260); the message says how to add one.
//    `portals create` without an address still means 0.0.0.0, as in targetcli 2.1.
//  - `/backstores/KIND delete` refuses a store that a LUN still exports, naming the LUNs,
//    unless force=true (targetcli deletes the LUNs silently).
//  - Backing files are created sparse by the fileio backstore: sparse=false is refused.
//    `luns create` and mapped LUN create take storage object paths, not file paths.
//  - Extensions: write_back= for block stores, `resize`, the `restriction` group
//    (initiator_networks.h), and emulate_write_cache kept equal to write_back.
//  - `set` messages never echo CHAP secrets; a secret shorter than 12 bytes gets a warning,
//    and mutual_password equal to password is refused (RFC 7143 §9.2.1).
//  - Only the fileio, block and ramdisk backstores and the iscsi fabric; no ALUA nodes, no
//    ACL tags.
//
// Every edit works on a copy and ends by writing the result as saveconfig.json and reading
// it back with the config reader, so an edit can never produce a Config the daemon would
// refuse to load; any error leaves `current` as it was. Errors read "PATH: VERB: what":
//   /backstores/fileio: create: size: '12Q' is not a size (examples: 512M, 10G)
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "target/admin/command_line.h"
#include "target/common/status.h"
#include "target/config/config_model.h"

namespace reftarget::admin {

struct EditResult {
  config::Config config;
  std::string message;  // as targetcli prints it, one line per step: "Created LUN 0."
};

// What an edit may take from the system: only `/iscsi create` without a WWN uses it, to make
// rtslib's generated name iqn.2003-01.org.linux-iscsi.HOST.ARCH:sn.XXXXXXXXXXXX.
struct EditEnvironment {
  std::string hostname = "localhost";  // the first label is used
  std::string machine = "x86_64";      // uname -m
  std::function<uint64_t()> random;    // 48 bits are used; unset: a fixed serial
};

// Returns the environment of this host: gethostname(), uname(), std::random_device.
EditEnvironment SystemEditEnvironment();

// Returns true if `command` changes the configuration (create, delete, set other than the
// shell's "global" group, enable, disable, resize, clearconfig); false for ls, get, cd,
// sessions, saveconfig and the like, which are handled elsewhere.
bool IsEdit(const Command& command);

// Applies one configuration-changing command to a copy of `current`. Errors name the path,
// the verb and the argument, and leave nothing changed.
Result<EditResult> ApplyEdit(const config::Config& current, const Command& command);
// As above, with the environment given (tests use a fixed one).
Result<EditResult> ApplyEdit(const config::Config& current, const Command& command,
                             const EditEnvironment& environment);

// Answers `get [GROUP [KEY...]]` at command.path: "k=v" lines, sorted by key, no trailing
// newline. Groups: attribute (storage objects, TPGs, ACLs), parameter (TPGs), auth (TPGs,
// ACLs), restriction (TPGs, ACLs), discovery_auth (/iscsi). Without GROUP, every group of
// the node under a heading ("ATTRIBUTE CONFIG GROUP"). An unset attribute or parameter shows
// the value LIO gives it, where that does not depend on the device.
Result<std::string> GetValues(const config::Config& config, const Command& command);

// Returns the commands reftarget answers at `path` (normalized), sorted; errors as
// ResolvePath() gives them for a path that does not exist.
Result<std::vector<std::string>> AvailableVerbs(const config::Config& config,
                                                const std::string& path);

}  // namespace reftarget::admin
