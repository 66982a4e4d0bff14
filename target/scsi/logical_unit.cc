#include "target/scsi/logical_unit.h"

#include "target/common/logging.h"
#include "target/scsi/lu_core.h"
#include "target/scsi/opcode_table.h"
#include "target/scsi/task.h"

namespace reftarget::scsi {
namespace {

// The checks every command passes before its handler, in SAM-5 order: unit attention, then
// opcode (and service action), CDB length, the NACA bit, and write protection.
void Run(const TaskPtr& task) {
  const std::vector<uint8_t>& cdb = task->cmd().cdb;
  LuCore& lu = task->lu();
  if (cdb.empty()) return task->FailCdbField(0);
  const uint8_t op = cdb[0];
  const NexusId nexus = task->nexus();

  // SAM-5 (unit attention conditions): a pending unit attention ends any command except INQUIRY,
  // REPORT LUNS and REQUEST SENSE (which reports it). Lock-free when nothing is pending for this
  // nexus.
  if (!lu.ua().IsClear(nexus)) {
    if (op == kOpInquiry || op == kOpReportLuns || op == kOpRequestSense) {
      lu.ua().Register(nexus);
    } else if (auto reason = lu.ua().Take(nexus)) {
      return task->Fail(*reason);
    }
  }

  const OpcodeEntry& entry = LookupOpcode(op);
  const CommandSpec* spec = entry.command;
  if (entry.has_service_actions()) {
    if (cdb.size() < 2) return task->FailCdbField(0);
    spec = FindCommand(op, ServiceActionOf(cdb.data()));
    // SPC-4 (service action CDB formats): an unsupported service action is an invalid field at byte
    // 1 (libiscsi reads field pointer 1 on MAINTENANCE IN / SERVICE ACTION IN as "not
    // implemented").
    if (spec == nullptr) return task->FailCdbField(1, 4);
  }
  if (spec == nullptr || !CommandAvailable(*spec, lu)) {
    return task->Fail(SenseReason::kInvalidCommandOperationCode);
  }
  // Every handler reads its CDB fields without further bounds checks, relying on this.
  if (cdb.size() < spec->cdb_length) return task->FailCdbField(0);
  // SAM-5 (CONTROL byte): NACA=1 needs ACA support (NORMACA=0 in INQUIRY).
  if (cdb[spec->cdb_length - 1] & 0x04) return task->FailCdbField(spec->cdb_length - 1, 2);
  if ((spec->flags & kWritesMedium) && task->write_protected()) {
    return task->Fail(SenseReason::kWriteProtected);
  }
  spec->handler(task);
}

// Enrolls the command in the task set and runs it.
void Start(const std::shared_ptr<LuCore>& core, NexusId nexus, ScsiCommand cmd, bool write_protect,
           ScsiCompletion done) {
  TaskSet::EpochRef epoch = core->tasks().Join(cmd.lu_generation);
  if (!epoch) {
    ScsiResponse aborted;
    aborted.status = ScsiStatus::kTaskAborted;
    return done(std::move(aborted));
  }
  Run(std::make_shared<Task>(core, std::move(epoch), nexus, std::move(cmd), write_protect,
                             std::move(done)));
}

// Commands that never touch the medium and that an initiator needs to find out what is
// wrong: they pass a closed gate, as they pass a pending unit attention.
bool PassesTheGate(const ScsiCommand& cmd) {
  if (cmd.cdb.empty()) return true;
  const uint8_t op = cmd.cdb[0];
  return op == kOpInquiry || op == kOpReportLuns || op == kOpRequestSense;
}

// A command kept at a closed gate until it runs or is refused.
struct GatedCommand {
  NexusId nexus;
  ScsiCommand cmd;
  bool write_protect;
  ScsiCompletion done;
};

}  // namespace

LogicalUnit::LogicalUnit(LogicalUnitConfig config, std::shared_ptr<backstore::Backstore> store)
    : core_(std::make_shared<LuCore>(std::move(config), std::move(store))),
      gate_(CommandGate::Create(core_->config().name)) {}

LogicalUnit::~LogicalUnit() = default;

void LogicalUnit::Execute(NexusId nexus, ScsiCommand cmd, bool write_protect, ScsiCompletion done) {
  if (withdrawn_.load(std::memory_order_acquire)) {
    ScsiResponse gone;
    gone.status = ScsiStatus::kCheckCondition;
    gone.sense = BuildSense(SenseReason::kLogicalUnitNotSupported, core_->d_sense());
    return done(std::move(gone));
  }
  if (gate_->open() || PassesTheGate(cmd)) {
    return Start(core_, nexus, std::move(cmd), write_protect, std::move(done));
  }
  auto gated = std::make_shared<GatedCommand>(
      GatedCommand{nexus, std::move(cmd), write_protect, std::move(done)});
  gate_->Admit(
      [core = core_, gated] {
        Start(core, gated->nexus, std::move(gated->cmd), gated->write_protect,
              std::move(gated->done));
      },
      [core = core_, gated] {
        ScsiResponse refused;
        refused.status = ScsiStatus::kCheckCondition;
        refused.sense = BuildSense(SenseReason::kLogicalUnitBecomingReady, core->d_sense());
        gated->done(std::move(refused));
      });
}

std::shared_ptr<CommandGate::Hold> LogicalUnit::HoldNewCommands() { return gate_->Close(); }

bool LogicalUnit::fenced() const { return gate_->fenced(); }

void LogicalUnit::LunReset(NexusId requester, std::function<void()> on_quiesced) {
  RT_LOG(kInfo, "scsi") << core_->config().name << ": LOGICAL UNIT RESET from nexus " << requester;
  core_->ua().EstablishAll(SenseReason::kBusDeviceResetOccurred);
  core_->tasks().AbortAll(std::move(on_quiesced));
}

void LogicalUnit::ClearTaskSet(NexusId requester, std::function<void()> on_quiesced) {
  RT_LOG(kInfo, "scsi") << core_->config().name << ": CLEAR TASK SET from nexus " << requester;
  core_->tasks().AbortAll(std::move(on_quiesced));
}

void LogicalUnit::TargetReset(NexusId requester, std::function<void()> on_quiesced) {
  RT_LOG(kInfo, "scsi") << core_->config().name << ": target reset from nexus " << requester;
  core_->ua().EstablishAll(SenseReason::kBusDeviceResetOccurred);
  core_->tasks().AbortAll(std::move(on_quiesced));
}

uint64_t LogicalUnit::TaskSetGeneration() const { return core_->tasks().generation(); }

void LogicalUnit::NexusLost(NexusId nexus) { core_->ua().Forget(nexus); }

void LogicalUnit::ReportedLunsChanged() {
  core_->ua().EstablishAll(SenseReason::kReportedLunsDataChanged);
}

void LogicalUnit::ReportedLunsChangedFor(NexusId nexus) {
  core_->ua().Establish(nexus, SenseReason::kReportedLunsDataChanged);
}

void LogicalUnit::Withdraw() {
  if (!withdrawn_.exchange(true, std::memory_order_acq_rel)) {
    RT_LOG(kInfo, "scsi") << core_->config().name << ": withdrawn; new commands get 05/25/00";
  }
}

bool LogicalUnit::withdrawn() const { return withdrawn_.load(std::memory_order_acquire); }

Status LogicalUnit::Resize(uint64_t new_size) {
  Status s = core_->store().Resize(new_size);
  if (!s.ok()) return s;
  CapacityChanged();
  return Status::Ok();
}

Status LogicalUnit::SetWriteCache(bool enabled) {
  if (core_->store().capabilities().write_back == enabled) return Status::Ok();
  Status s = core_->store().SetWriteBack(enabled);
  if (!s.ok()) return s;
  core_->ua().EstablishAll(SenseReason::kModeParametersChanged);
  return Status::Ok();
}

void LogicalUnit::CapacityChanged() { core_->ua().EstablishAll(SenseReason::kCapacityDataChanged); }

uint64_t LogicalUnit::InFlight() const { return core_->in_flight(); }

void LogicalUnit::ReportLunsExecuted(NexusId nexus) {
  core_->ua().Clear(nexus, SenseReason::kReportedLunsDataChanged);
}

bool LogicalUnit::DescriptorSense() const { return core_->d_sense(); }

const LogicalUnitConfig& LogicalUnit::config() const { return core_->config(); }

uint32_t LogicalUnit::block_size() const { return core_->block_size(); }

uint64_t LogicalUnit::num_blocks() const { return core_->num_blocks(); }

bool LogicalUnit::thin() const { return core_->thin(); }

}  // namespace reftarget::scsi
