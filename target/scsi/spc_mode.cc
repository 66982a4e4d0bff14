// MODE SENSE(6/10) and MODE SELECT(6/10) (SPC-4), with the SBC-3 block
// descriptors and device-specific parameter (WP, DPOFUA).
#include <algorithm>
#include <mutex>

#include "target/common/logging.h"
#include "target/scsi/byte_order.h"
#include "target/scsi/handlers.h"
#include "target/scsi/mode_pages.h"

namespace reftarget::scsi {
namespace {

constexpr uint8_t kOpModeSense6 = 0x1A;
constexpr uint8_t kOpModeSelect6 = 0x15;

void AppendBlockDescriptor(const LuCore& lu, bool long_lba, PageControl pc,
                           std::vector<uint8_t>* out) {
  const bool values = pc != PageControl::kChangeable;  // nothing in it can be changed
  const uint64_t blocks = values ? lu.num_blocks() : 0;
  const uint32_t length = values ? lu.block_size() : 0;
  size_t at = out->size();
  if (long_lba) {
    out->resize(at + 16, 0);
    Store64(out->data() + at, blocks);
    Store32(out->data() + at + 12, length);
  } else {
    // SBC-3 short LBA block descriptor: NUMBER OF LOGICAL BLOCKS saturates at FFFFFFFFh.
    out->resize(at + 8, 0);
    Store32(out->data() + at, static_cast<uint32_t>(std::min<uint64_t>(blocks, UINT32_MAX)));
    Store24(out->data() + at + 5, length);
  }
}

}  // namespace

void HandleModeSense(const TaskPtr& task) {
  const uint8_t* cdb = task->cdb();
  const LuCore& lu = task->lu();
  const bool six = cdb[0] == kOpModeSense6;
  const bool dbd = (cdb[1] & 0x08) != 0;
  const bool llbaa = !six && (cdb[1] & 0x10) != 0;
  const PageControl pc = static_cast<PageControl>(cdb[2] >> 6);
  const uint8_t page = cdb[2] & 0x3F;
  const uint8_t subpage = cdb[3];
  const uint32_t alloc = six ? cdb[4] : Load16(&cdb[7]);

  if (pc == PageControl::kSaved) return task->Fail(SenseReason::kSavingParametersNotSupported);
  if (page != kModePageAll && !ModePageSupported(page)) return task->FailCdbField(2, 5);
  // Subpage 00h is the page itself; FFh asks for all subpages, and there are none beyond 00h.
  if (subpage != 0x00 && subpage != 0xFF) return task->FailCdbField(3);

  std::vector<uint8_t> data(six ? 4 : 8, 0);
  // SBC-3 mode parameter header: WP reports write protection; DPOFUA=1 because DPO and FUA are
  // accepted (FUA is honoured, DPO is a cache hint with no cache to hint).
  const uint8_t device_specific = static_cast<uint8_t>((task->write_protected() ? 0x80 : 0) | 0x10);
  if (!dbd) AppendBlockDescriptor(lu, llbaa, pc, &data);
  const size_t descriptor_length = data.size() - (six ? 4 : 8);
  if (page == kModePageAll) {
    AppendAllModePages(lu, pc, &data);
  } else {
    AppendModePage(lu, page, pc, &data);
  }
  if (six) {
    data[0] = static_cast<uint8_t>(data.size() - 1);  // MODE DATA LENGTH excludes itself
    data[2] = device_specific;
    data[3] = static_cast<uint8_t>(descriptor_length);
  } else {
    Store16(&data[0], static_cast<uint16_t>(data.size() - 2));
    data[3] = device_specific;
    data[4] = llbaa && !dbd ? 0x01 : 0x00;  // LONGLBA
    Store16(&data[6], static_cast<uint16_t>(descriptor_length));
  }
  task->GoodWithData(data, alloc);
}

void HandleModeSelect(const TaskPtr& task) {
  const uint8_t* cdb = task->cdb();
  LuCore& lu = task->lu();
  const bool six = cdb[0] == kOpModeSelect6;
  const uint32_t param_len = six ? cdb[4] : Load16(&cdb[7]);
  task->set_cdb_transfer_length(param_len);
  // SPC-4 MODE SELECT: SP=1 asks to save pages, which this unit cannot (no saved pages);
  // PF=0 would mean vendor-specific page formats.
  if (cdb[1] & 0x01) return task->FailCdbField(1, 0);
  if (!(cdb[1] & 0x10)) return task->FailCdbField(1, 4);
  if (param_len == 0) return task->Good();  // no parameter data: nothing to do

  const IoBuffer& out = task->cmd().data_out;
  const size_t avail = std::min<size_t>(param_len, out.size());
  std::span<const uint8_t> list(out.data(), avail);
  const size_t header_len = six ? 4 : 8;
  if (avail < header_len) return task->Fail(SenseReason::kParameterListLengthError);
  size_t bd_len;
  bool long_lba = false;
  if (six) {
    bd_len = list[3];
  } else {
    long_lba = (list[4] & 0x01) != 0;
    bd_len = Load16(&list[6]);
  }
  const size_t bd_unit = long_lba ? 16 : 8;
  if (bd_len % bd_unit != 0 || bd_len > bd_unit) {
    return task->FailParamField(six ? 3 : 6);
  }
  if (avail < header_len + bd_len) return task->Fail(SenseReason::kParameterListLengthError);
  if (bd_len != 0) {
    // A block descriptor may restate the geometry but not change it (no FORMAT support).
    const uint8_t* bd = list.data() + header_len;
    const uint64_t blocks = long_lba ? Load64(bd) : Load32(bd);
    const uint32_t length = long_lba ? Load32(bd + 12) : Load24(bd + 5);
    const uint64_t current =
        long_lba ? lu.num_blocks() : std::min<uint64_t>(lu.num_blocks(), UINT32_MAX);
    if (blocks != 0 && blocks != current)
      return task->FailParamField(static_cast<uint16_t>(header_len));
    if (length != lu.block_size()) {
      return task->FailParamField(static_cast<uint16_t>(header_len + (long_lba ? 12 : 5)));
    }
  }

  const size_t pages_at = header_len + bd_len;
  std::lock_guard<std::mutex> lock(lu.mode_mutex());
  ModeSelectPlan plan = PlanModeSelect(lu, list.subspan(pages_at), static_cast<uint16_t>(pages_at));
  if (plan.length_error) return task->Fail(SenseReason::kParameterListLengthError);
  if (!plan.ok) return task->FailParamField(plan.bad_byte, plan.bad_bit);

  bool changed = false;
  if (plan.set_write_back && plan.write_back != lu.write_back()) {
    Status s = lu.store().SetWriteBack(plan.write_back);
    if (!s.ok()) {
      // The store cannot honour the WCE value (a ramdisk has no cache to enable).
      RT_LOG(kWarn, "scsi") << lu.config().name << ": MODE SELECT WCE=" << plan.write_back
                            << " refused: " << s.message();
      return task->FailParamField(plan.write_back_byte, 2);
    }
    changed = true;
  }
  if (plan.set_d_sense && plan.d_sense != lu.d_sense()) {
    lu.set_d_sense(plan.d_sense);
    changed = true;
  }
  // SPC-4 (mode parameters, unit attention): parameters shared by all I_T nexuses changed on this
  // one: tell the others with 06/2A/01.
  if (changed) lu.ua().EstablishAll(SenseReason::kModeParametersChanged, task->nexus());
  task->Good();
}

}  // namespace reftarget::scsi
