#include "suites/isolation/fault_kinds.h"

#include <filesystem>
#include <nlohmann/json.hpp>

namespace harness::isolation {
namespace {

constexpr char kReadError[] = "03/11/00";   // UNRECOVERED READ ERROR
constexpr char kWriteError[] = "03/0c/00";  // WRITE ERROR
constexpr char kNoSpace[] = "07/27/07";     // SPACE ALLOCATION FAILED WRITE PROTECT

// Returns an inject function adding one faultfs rule on `lun`'s file: `fields` plus "file".
std::function<Status(IsolationContext&)> Rule(LunIndex lun, nlohmann::json fields) {
  return [lun, fields](IsolationContext& ctx) -> Status {
    nlohmann::json rule = fields;
    rule["file"] = ctx.luns[lun].faultfs_file;
    return ctx.luns[lun].faultfs->AddRule(rule).status();
  };
}

// Sets the size of `lun`'s backing file on faultfs to `bytes`.
Status ResizeBackingFile(IsolationContext& ctx, LunIndex lun, uint64_t bytes) {
  const auto path = ctx.luns[lun].faultfs->PathOf(ctx.luns[lun].faultfs_file);
  std::error_code ec;
  std::filesystem::resize_file(path, bytes, ec);
  if (ec)
    return Status::Error(path.string() + ": cannot resize to " + std::to_string(bytes) + ": " +
                         ec.message());
  return Status::Ok();
}

// Returns an inject function adding one netfault rule (`fields`) on the connection of
// kNetLun's load, starting `ahead` bytes past what that connection has sent so far.
std::function<Status(IsolationContext&)> NetRule(nlohmann::json fields, uint64_t ahead) {
  return [fields, ahead](IsolationContext& ctx) -> Status {
    if (!ctx.net) return Status::Error("no netfault: " + ctx.net_unavailable);
    auto conns = ctx.net->Connections();
    if (!conns.ok()) return conns.status();
    if (conns.value().size() != 1) {
      return Status::Error("expected one connection through netfault (the " +
                           ctx.luns[kNetLun].label + " load's), found " +
                           std::to_string(conns.value().size()));
    }
    const nlohmann::json& conn = conns.value().front();
    nlohmann::json rule = fields;
    rule["conn"] = conn.at("id");
    if (ahead > 0) {
      const std::string dir = fields.value("dir", "both") == "down" ? "down" : "up";
      rule["after"] = conn.at(dir).at("read").get<uint64_t>() + ahead;
    }
    return ctx.net->AddRule(rule).status();
  };
}

Status ClearNet(IsolationContext& ctx) {
  return ctx.net ? ctx.net->ClearRules() : Status::Error("no netfault");
}

using Inject = std::function<Status(IsolationContext&)>;

// Returns a kind with its identity and injection; the caller adds what it expects.
FaultKind Kind(std::string name, std::string family, std::string clause, LunIndex faulty,
               Inject inject) {
  FaultKind f;
  f.name = std::move(name);
  f.family = std::move(family);
  f.clause = std::move(clause);
  f.faulty = {faulty};
  f.inject = std::move(inject);
  return f;
}

// Returns a kind whose fault is nothing to clear (the harness cannot undo it, or it needs
// no undoing).
FaultKind Lasting(std::string name, std::string family, std::string clause, LunIndex faulty,
                  Inject inject) {
  FaultKind f =
      Kind(std::move(name), std::move(family), std::move(clause), faulty, std::move(inject));
  f.clear = [](IsolationContext&) { return Status::Ok(); };
  return f;
}

// Returns a network kind: one netfault rule on the RAMDISK LUN's connection, cleared by
// removing it.
FaultKind Network(std::string name, std::string clause, nlohmann::json rule, uint64_t ahead) {
  FaultKind f =
      Kind(std::move(name), "Network", std::move(clause), kNetLun, NetRule(std::move(rule), ahead));
  f.clear = ClearNet;
  f.needs_net = true;
  return f;
}

}  // namespace

const std::vector<FaultKind>& FaultKinds() {
  static const std::vector<FaultKind> kKinds = [] {
    std::vector<FaultKind> k;
    FaultKind f = Kind("isolation.Backend.ReadEio", "Backend",
                       "TEST-PLAN T28, S17: EIO on reads gives 03/11/00; other LUNs unaffected",
                       kFaultyFile, Rule(kFaultyFile, {{"op", "read"}, {"errno", "EIO"}}));
    f.rule.required_senses = {kReadError};
    k.push_back(f);

    f = Kind("isolation.Backend.WriteEio", "Backend",
             "TEST-PLAN T29, S17: EIO on writes gives 03/0C/00", kFaultyFile,
             Rule(kFaultyFile, {{"op", "write"}, {"errno", "EIO"}}));
    f.rule.required_senses = {kWriteError};
    k.push_back(f);

    f = Kind("isolation.Backend.FsyncEio", "Backend",
             "TEST-PLAN T29, S18: a failed fsync gives 03/0C/00 to SYNCHRONIZE CACHE, which "
             "never reports GOOD again (fsyncgate)",
             kFaultyFile, Rule(kFaultyFile, {{"op", "fsync"}, {"errno", "EIO"}}));
    f.rule.allowed_senses = {kWriteError};  // a FUA write syncs too
    f.probe_flush = true;
    k.push_back(f);

    f = Kind("isolation.Backend.WriteEnospc", "Backend",
             "TEST-PLAN T30, S17: ENOSPC on writes gives 07/27/07; reads still work", kFaultyFile,
             Rule(kFaultyFile, {{"op", "write"}, {"errno", "ENOSPC"}}));
    f.rule.required_senses = {kNoSpace};
    f.rule.allowed_senses = {kWriteError};
    k.push_back(f);

    f = Kind("isolation.Backend.BlockReadEio", "Backend",
             "TEST-PLAN T28: EIO under a loop device gives the BLOCK LUN 03/11/00", kFaultyBlock,
             Rule(kFaultyBlock, {{"op", "read"}, {"errno", "EIO"}}));
    f.rule.required_senses = {kReadError};
    k.push_back(f);

    f = Kind("isolation.Backend.BlockWriteEio", "Backend",
             "TEST-PLAN T29: EIO on writes under a loop device gives 03/0C/00", kFaultyBlock,
             Rule(kFaultyBlock, {{"op", "write"}, {"errno", "EIO"}}));
    f.rule.required_senses = {kWriteError};
    k.push_back(f);

    f = Kind("isolation.Latency.Delay200ms", "Latency",
             "TEST-PLAN T32: 200 ms per backstore call slows only its own LUN, which "
             "completes correctly",
             kFaultyFile, Rule(kFaultyFile, {{"op", "any"}, {"delay_ms", 200}}));
    f.rule.errors_allowed = false;
    k.push_back(f);

    f = Kind("isolation.Hang.Bounded", "Hang",
             "TEST-PLAN T31, S21: every call hangs, then returns; TMFs answered within 2 s, "
             "the LUN fenced, never a false abort; other LUNs and logins unaffected",
             kFaultyFile, Rule(kFaultyFile, {{"op", "any"}, {"hang", true}}));
    f.rule.timeouts_allowed = true;
    f.long_window = true;
    f.probe_tmf = true;
    k.push_back(f);

    f = Kind("isolation.Hang.Endless", "Hang",
             "TEST-PLAN T31: a BLOCK LUN whose every call hangs until the fault is cleared",
             kFaultyBlock, Rule(kFaultyBlock, {{"op", "any"}, {"hang", true}}));
    f.rule.timeouts_allowed = true;
    f.probe_tmf = true;
    k.push_back(f);

    f = Lasting("isolation.Block.LoopDetached", "Backing",
                "TEST-PLAN T34: losetup -d on the loop device under a live BLOCK LUN: the kernel "
                "defers the detach while the target holds it open, so the LUN keeps serving",
                kFaultyBlock, [](IsolationContext& ctx) { return ctx.loop->Detach(); });
    f.rule.errors_allowed = false;
    k.push_back(f);

    f = Kind("isolation.Backing.FileTruncated", "Backing",
             "TEST-PLAN T34: the FILEIO backing file truncated to half under a live LUN: reads "
             "past its end fail with 03/11/00, READ CAPACITY keeps the LUN's size, nothing "
             "crashes; the LUN serves I/O once the file has its size again",
             kFaultyFile, [](IsolationContext& ctx) {
               return ResizeBackingFile(ctx, kFaultyFile, ctx.config.lun_bytes / 2);
             });
    f.clear = [](IsolationContext& ctx) {
      return ResizeBackingFile(ctx, kFaultyFile, ctx.config.lun_bytes);
    };
    f.rule.allowed_senses = {kReadError};
    f.destroys_data = true;
    f.probe_capacity = true;
    k.push_back(f);

    f = Network("isolation.Network.ResetMidDataOut",
                "TEST-PLAN T12/T13, issue 5: the RAMDISK LUN's connection reset inside a PDU "
                "(most of its bytes are write data): the session is reinstated, nothing written "
                "is lost, no other session notices",
                {{"dir", "up"}, {"action", "reset"}}, 1500);
    f.rule.connection_loss_expected = true;
    f.rule.timeouts_allowed = true;  // commands in flight when the connection died
    k.push_back(f);

    // CDB byte 0: READ(10) 28h would run as 38h, WRITE(10) 2Ah as 3Ah.
    f = Network("isolation.Network.HeaderBitFlip",
                "RFC 7143 §7.8: one bit of a SCSI Command's CDB flipped on the RAMDISK LUN's "
                "connection (HeaderDigest=CRC32C): the digest error ends the connection, the "
                "changed command never runs, the session is reinstated, no other session notices",
                {{"dir", "up"},
                 {"action", "flip"},
                 {"pdu_byte", 32},
                 {"opcode", 0x01},
                 {"mask", 0x10},
                 {"count", 1}},
                0);
    f.rule.connection_loss_expected = true;
    f.rule.timeouts_allowed = true;  // commands in flight when the connection ended
    k.push_back(f);

    f = Network("isolation.Network.SplitPdus",
                "RFC 7143 §4.2 (TCP is a byte stream): the RAMDISK LUN's PDUs arrive cut at "
                "arbitrary byte boundaries (1000-byte pieces, mid-header): no error, no lost "
                "connection",
                {{"dir", "both"}, {"action", "split"}, {"split", 1000}}, 0);
    f.rule.errors_allowed = false;
    k.push_back(f);

    f = Network("isolation.Network.Blackhole",
                "TEST-PLAN T13: the RAMDISK LUN's bytes vanish both ways, the socket open: the "
                "session is reinstated on a new connection; the old stream's gaps, when bytes "
                "flow again, are rejected without harm",
                {{"dir", "both"}, {"action", "blackhole"}}, 0);
    f.rule.connection_loss_allowed = true;
    f.rule.timeouts_allowed = true;
    k.push_back(f);

    f = Network("isolation.Network.Slowloris",
                "issue 5: the RAMDISK LUN's connection crawls at 2 KiB/s toward the target (PDUs "
                "arrive a few bytes at a time): the target serves every other session as before "
                "and the slow one catches up or is reinstated",
                {{"dir", "up"}, {"action", "rate"}, {"rate", 2048}}, 0);
    f.rule.connection_loss_allowed = true;
    f.rule.timeouts_allowed = true;
    k.push_back(f);

    f = Lasting("isolation.Backing.FileUnlinked", "Backing",
                "TEST-PLAN T34: the FILEIO backing file unlinked under a live LUN: the open "
                "file keeps serving, nothing crashes",
                kFaultyFile, [](IsolationContext& ctx) -> Status {
                  std::error_code ec;
                  std::filesystem::remove(ctx.file_fs->PathOf(ctx.luns[kFaultyFile].faultfs_file),
                                          ec);
                  if (ec) return Status::Error("unlinking the backing file: " + ec.message());
                  return Status::Ok();
                });
    f.rule.errors_allowed = false;
    k.push_back(f);

    f = Lasting("isolation.Backing.FaultfsKilled", "Backing",
                "TEST-PLAN T34: the file system under a FILEIO LUN dies (FUSE daemon killed, "
                "ENOTCONN): errors with sense on it, no crash, the others unaffected",
                kFaultyFile, [](IsolationContext& ctx) { return ctx.file_fs->Kill(); });
    f.rule.allowed_senses = {kReadError, kWriteError, "04/44/00"};
    f.rule.timeouts_allowed = false;
    f.recovers = false;
    k.push_back(f);
    return k;
  }();
  return kKinds;
}

}  // namespace harness::isolation
