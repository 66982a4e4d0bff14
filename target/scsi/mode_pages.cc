#include "target/scsi/mode_pages.h"

#include "target/scsi/byte_order.h"

namespace reftarget::scsi {
namespace {

constexpr uint8_t kPageLengths[][2] = {
    {kModePageCaching, 0x12},                  // SBC-3 Caching mode page: 20 bytes
    {kModePageControl, 0x0A},                  // SPC-4 Control mode page: 12 bytes
    {kModePageInformationalExceptions, 0x0A},  // SPC-4 Informational Exceptions: 12 bytes
};

uint8_t PageLength(uint8_t page) {
  for (const auto& row : kPageLengths) {
    if (row[0] == page) return row[1];
  }
  return 0;
}

// Fills `p` (2 + PAGE LENGTH bytes, zeroed, header set) with the page's parameters.
void FillCaching(const LuCore& lu, PageControl pc, uint8_t* p) {
  switch (pc) {
    case PageControl::kCurrent:
      p[2] = lu.write_back() ? 0x04 : 0x00;
      break;  // WCE
    case PageControl::kChangeable:
      p[2] = 0x04;
      break;  // WCE only
    case PageControl::kDefault:
      p[2] = lu.default_write_back() ? 0x04 : 0x00;
      break;
    case PageControl::kSaved:
      break;
  }
}

void FillControl(const LuCore& lu, PageControl pc, uint8_t* p) {
  if (pc == PageControl::kChangeable) {
    p[2] = 0x04;  // D_SENSE is the only changeable field
    return;
  }
  if (pc == PageControl::kCurrent && lu.d_sense()) p[2] |= 0x04;
  // QUEUE ALGORITHM MODIFIER 1: SIMPLE commands may execute in any order (they do: each
  // is submitted to the backstore independently). QERR=0, TST=0 (one task set).
  p[3] = 0x10;
  // TAS=1: commands aborted by another I_T nexus's TMF end with TASK ABORTED (S20).
  p[5] = 0x40;
  Store16(&p[8], 0xFFFF);  // BUSY TIMEOUT PERIOD: unlimited
}

}  // namespace

bool ModePageSupported(uint8_t page) { return PageLength(page) != 0; }

void AppendModePage(const LuCore& lu, uint8_t page, PageControl pc, std::vector<uint8_t>* out) {
  const uint8_t len = PageLength(page);
  size_t at = out->size();
  out->resize(at + 2 + len, 0);
  uint8_t* p = out->data() + at;
  p[0] = page;  // PS=0: parameters cannot be saved; SPF=0: page_0 format
  p[1] = len;
  switch (page) {
    case kModePageCaching:
      FillCaching(lu, pc, p);
      break;
    case kModePageControl:
      FillControl(lu, pc, p);
      break;
    default:
      break;  // Informational Exceptions: all zero (no reporting, nothing changeable)
  }
}

void AppendAllModePages(const LuCore& lu, PageControl pc, std::vector<uint8_t>* out) {
  for (const auto& row : kPageLengths) AppendModePage(lu, row[0], pc, out);
}

ModeSelectPlan PlanModeSelect(const LuCore& lu, std::span<const uint8_t> pages, uint16_t base) {
  ModeSelectPlan plan;
  auto fail = [&plan, base](size_t offset, int8_t bit = -1) {
    plan.ok = false;
    plan.bad_byte = static_cast<uint16_t>(base + offset);
    plan.bad_bit = bit;
    return plan;
  };
  size_t pos = 0;
  while (pos < pages.size()) {
    if (pages.size() - pos < 2) {
      plan.length_error = true;
      return fail(pos);
    }
    const uint8_t code_byte = pages[pos];
    // SPC-4 (mode page format): PS is reserved in MODE SELECT; SPF=1 would name a subpage, and this
    // unit implements none.
    if (code_byte & 0x80) return fail(pos, 7);
    if (code_byte & 0x40) return fail(pos, 6);
    const uint8_t page = code_byte & 0x3F;
    if (!ModePageSupported(page)) return fail(pos);
    const uint8_t len = pages[pos + 1];
    if (len != PageLength(page)) return fail(pos + 1);
    if (pages.size() - pos < 2u + len) {
      plan.length_error = true;
      return fail(pos + 1);
    }
    std::vector<uint8_t> current, changeable;
    AppendModePage(lu, page, PageControl::kCurrent, &current);
    AppendModePage(lu, page, PageControl::kChangeable, &changeable);
    // SPC-4 (MODE SELECT): a field may differ from its current value only where it is changeable.
    for (size_t i = 2; i < current.size(); ++i) {
      const uint8_t diff = static_cast<uint8_t>((pages[pos + i] ^ current[i]) & ~changeable[i]);
      if (diff != 0) {
        int8_t bit = 7;
        while (!(diff & (1u << bit))) --bit;
        return fail(pos + i, bit);
      }
    }
    if (page == kModePageCaching) {
      plan.set_write_back = true;
      plan.write_back = (pages[pos + 2] & 0x04) != 0;
      plan.write_back_byte = static_cast<uint16_t>(base + pos + 2);
    } else if (page == kModePageControl) {
      plan.set_d_sense = true;
      plan.d_sense = (pages[pos + 2] & 0x04) != 0;
    }
    pos += 2u + len;
  }
  return plan;
}

}  // namespace reftarget::scsi
