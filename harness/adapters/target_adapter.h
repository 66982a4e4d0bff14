// TargetAdapter: the one contract through which the harness drives a target under test
// (reftarget, tgt, LIO, SCST, or an existing portal). Tests ask Capabilities() and skip with
// the stated reason; they never branch on the adapter's name (DESIGN.md, STYLE.md).
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "harness/common/status.h"

namespace harness::adapters {

enum class Backing { kFileio, kBlock, kRamdisk, kNull };

// Returns "fileio", "block", "ramdisk" or "null".
const char* BackingName(Backing backing);

// One logical unit the harness wants exported.
struct LunSpec {
  std::string name;  // storage object name, unique in the spec ("fileio0")
  Backing backing = Backing::kFileio;
  uint64_t size_bytes = 64ull << 20;
  uint32_t block_size = 512;
  bool thin = false;  // UNMAP / WRITE SAME with UNMAP, VPD B2h
  bool read_only = false;
  bool removable = false;  // RMB=1 medium (START STOP UNIT eject)
  bool write_back = true;  // FILEIO: page cache; false: write-through
  // Backing file or device. Empty: the adapter creates one in its work directory (FILEIO
  // and RAMDISK-on-file peers a sparse file, BLOCK a loop device over a sparse file).
  std::filesystem::path path;
};

// Returns a LunSpec named `name` with `backing` and `size_bytes`, every other field at its
// default (designated initializers would trip -Wmissing-field-initializers).
LunSpec MakeLunSpec(std::string name, Backing backing, uint64_t size_bytes = 64ull << 20);

struct ChapSpec {
  std::string userid, password;                // the initiator's credentials
  std::string mutual_userid, mutual_password;  // the target's (mutual CHAP); may be empty
};

struct AclSpec {
  std::string initiator;  // initiator IQN allowed to log in
  std::optional<ChapSpec> chap;
};

// What the harness asks a managed target to export.
struct TargetSpec {
  std::string iqn = "iqn.2003-01.org.reftarget.harness:target";
  std::vector<LunSpec> luns;  // exported in this order
  std::vector<AclSpec> acls;  // empty: any initiator may log in (demo mode)
  std::optional<ChapSpec> discovery_chap;
  bool ipv6_portal = false;  // also listen on [::1]
  // iSCSI keys the target's portal group offers in login negotiation (RFC 7143 §13), as
  // LIO's TPG "parameters": "InitialR2T" -> "No". Empty: the target's defaults.
  std::map<std::string, std::string> iscsi_parameters;
};

// What an adapter can do; every `false` is a reason a test skips.
struct Capabilities {
  bool managed = false;            // the harness starts, stops and configures the target
  bool data_loss_allowed = false;  // destructive tests may write to the LUNs
  bool live_lun_changes = false;   // AddLun/RemoveLun without a restart
  bool live_resize = false;        // ResizeLun without a restart (06/2A/09 to initiators)
  bool chap = false;
  bool mutual_chap = false;
  bool discovery_auth = false;
  bool acls = false;
  bool ipv6 = false;
  bool thin = false;
  bool read_only_luns = false;
  bool removable_luns = false;
  bool block_size_4096 = false;
  bool process_faults = false;    // the harness may SIGKILL/SIGSTOP the target process
  bool restart = false;           // Restart() relaunches it on the same configuration
  bool management_query = false;  // QueryManagement() asks its management interface
  std::set<Backing> backings;
};

struct Portal {
  std::string host = "127.0.0.1";
  int port = 3260;
  // Returns "127.0.0.1:3260" or "[::1]:3260".
  std::string ToString() const;
};

// A target as the harness can reach it.
struct RunningTarget {
  Portal portal;
  std::optional<Portal> ipv6_portal;
  std::string iqn;
  std::vector<int> lun_numbers;  // the LUN number of spec.luns[i]
  std::string product;           // "reftarget 0.1.0", "tgt 1.0.85", ...
  std::filesystem::path log;     // the target's log, if the adapter keeps one
  std::optional<int> pid;        // the target's process, if the adapter started it
  // Returns "iscsi://HOST:PORT/IQN/LUN" for spec.luns[index] (libiscsi's URL form).
  std::string Url(size_t index) const;
};

class TargetAdapter {
 public:
  virtual ~TargetAdapter() = default;
  // Returns the adapter's name: "reference", "tgt", "lio", "scst" or "url".
  virtual std::string name() const = 0;
  virtual Capabilities capabilities() const = 0;
  // Starts the target exporting `spec`, or (unmanaged) checks that the portal answers.
  virtual Result<RunningTarget> Start(const TargetSpec& spec) = 0;
  // Stops what Start started and removes what it created. Idempotent.
  virtual Status Stop() = 0;
  // Exports one more LUN on the running target; returns its LUN number.
  virtual Result<int> AddLun(const LunSpec& lun);
  // Withdraws a LUN from the running target.
  virtual Status RemoveLun(int lun_number);
  // Changes LUN `lun_number`'s capacity to `new_size_bytes` on the running target; the
  // target should then report 06/2A/09 CAPACITY DATA HAS CHANGED (SBC-3) to every I_T nexus.
  virtual Status ResizeLun(int lun_number, uint64_t new_size_bytes);
  // Relaunches the target process Start started (after it was SIGKILLed, or stopping it
  // first if it still runs) on the same configuration: same portal, IQN and LUN numbers,
  // backing files and devices left as they are (a restart after a crash, TEST-PLAN T39).
  // Returns the target as it now runs (a new pid). Default: "<adapter> cannot restart".
  virtual Result<RunningTarget> Restart();
  // Asks the running target's management interface a read-only question that needs its live
  // state (reftarget: `reftarget-ctl sessions`, which reads every session's counters; tgt:
  // `tgtadm --op show`, answered by tgtd's event loop), giving up after `limit`. Returns how
  // long the answer took: a target whose management waits on a stalled backstore cannot be
  // administered while a fault lasts (issue 5's oracle). Default: "<adapter> cannot ...".
  virtual Result<std::chrono::milliseconds> QueryManagement(std::chrono::milliseconds limit);
  // Returns the target software's version, if known.
  virtual std::string version() const { return ""; }
};

// Returns the reason text for a missing capability: "<adapter> cannot <what>".
std::string MissingCapability(const TargetAdapter& adapter, const std::string& what);

}  // namespace harness::adapters
