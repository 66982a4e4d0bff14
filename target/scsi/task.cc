#include "target/scsi/task.h"

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "target/common/logging.h"

namespace reftarget::scsi {

SenseReason SenseForBackendError(backstore::IoType op, int error) {
  if (error == ENOMEM) return SenseReason::kInternalTargetFailure;
  switch (op) {
    case backstore::IoType::kRead:
      return SenseReason::kUnrecoveredReadError;
    case backstore::IoType::kWrite:
    case backstore::IoType::kFlush:
    case backstore::IoType::kUnmap:
      // A thin or sparse store that cannot allocate (QNAP's LIO does the same).
      if (error == ENOSPC || error == EDQUOT) return SenseReason::kSpaceAllocationFailed;
      if (error == EROFS) return SenseReason::kWriteProtected;
      return SenseReason::kWriteError;
  }
  return SenseReason::kInternalTargetFailure;
}

void Task::Finish() {
  if (finished_.exchange(true, std::memory_order_acq_rel)) {
    RT_LOG(kError, "scsi") << lu_->config().name << ": command 0x" << std::hex
                           << static_cast<int>(cmd_.cdb.empty() ? 0 : cmd_.cdb[0])
                           << " completed twice; second completion dropped";
    return;
  }
  if (epoch_->aborted()) {
    // SAM-5 §7.7 with TAS=1 (control page): a command aborted by a reset or CLEAR TASK SET
    // ends with TASK ABORTED; the transport suppresses it for the nexus that asked.
    response_ = ScsiResponse{};
    response_.status = ScsiStatus::kTaskAborted;
  }
  ScsiCompletion done = std::move(done_);
  done(std::move(response_));
}

void Task::Good() {
  response_.status = ScsiStatus::kGood;
  response_.sense.clear();
  Finish();
}

void Task::Fail(SenseReason reason, const SenseDetail& detail) {
  response_.status = ScsiStatus::kCheckCondition;
  response_.sense = BuildSense(reason, lu_->d_sense(), detail);
  response_.data_in = IoBuffer();
  response_.data_in_length = 0;
  Finish();
}

void Task::FailBackend(backstore::IoType op, int error) {
  SenseReason reason = SenseForBackendError(op, error);
  // A failing store can fail every command; log the first few and then one in a thousand.
  const uint64_t n = lu_->CountBackendError();
  if (n <= 10 || n % 1000 == 0) {
    RT_LOG(kWarn, "scsi") << lu_->config().name << ": command 0x" << std::hex
                          << static_cast<int>(cmd_.cdb[0]) << std::dec
                          << " failed in the backstore: " << std::strerror(error) << " -> "
                          << SenseReasonName(reason) << " (" << n << " backstore errors so far)";
  }
  Fail(reason);
}

void Task::GoodWithData(std::span<const uint8_t> data, uint32_t allocation_length) {
  const size_t n = std::min<size_t>(data.size(), allocation_length);
  IoBuffer buf(n);
  if (n > 0) std::memcpy(buf.data(), data.data(), n);
  response_.data_in = std::move(buf);
  response_.data_in_length = static_cast<uint32_t>(n);
  response_.cdb_transfer_length = static_cast<uint32_t>(n);
  Good();
}

}  // namespace reftarget::scsi
