// The mode pages of a logical unit (SPC-4, SBC-3): Caching (08h), Control (0Ah) and
// Informational Exceptions Control (1Ch), each in the four page-control flavours. Mode
// parameters are shared by all I_T nexuses, so a change raises 2A/01 on the others.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "target/scsi/lu_core.h"

namespace reftarget::scsi {

enum class PageControl : uint8_t { kCurrent = 0, kChangeable = 1, kDefault = 2, kSaved = 3 };

inline constexpr uint8_t kModePageCaching = 0x08;
inline constexpr uint8_t kModePageControl = 0x0A;
inline constexpr uint8_t kModePageInformationalExceptions = 0x1C;
inline constexpr uint8_t kModePageAll = 0x3F;

// Returns true if `page` (a page_0 format page code) is implemented.
bool ModePageSupported(uint8_t page);
// Appends page `page` as `pc` asks for it. REQUIRES: ModePageSupported(page), pc != kSaved.
void AppendModePage(const LuCore& lu, uint8_t page, PageControl pc, std::vector<uint8_t>* out);
// Appends every implemented page in ascending page-code order (page code 3Fh).
void AppendAllModePages(const LuCore& lu, PageControl pc, std::vector<uint8_t>* out);

// The outcome of checking MODE SELECT pages against the current values and the changeable
// mask: what to change, or the parameter-list byte at fault.
struct ModeSelectPlan {
  bool ok = true;
  bool length_error = false;  // a page runs past the parameter list: PARAMETER LIST LENGTH ERROR
  uint16_t bad_byte = 0;      // offset in the parameter list of the invalid field
  int8_t bad_bit = -1;
  bool set_write_back = false, write_back = false;
  uint16_t write_back_byte = 0;  // parameter-list offset of the caching page's WCE byte
  bool set_d_sense = false, d_sense = false;
};

// Checks the mode pages in `pages` (the parameter list after the header and block
// descriptors; `base` is their offset within the whole list, for field pointers).
ModeSelectPlan PlanModeSelect(const LuCore& lu, std::span<const uint8_t> pages, uint16_t base);

}  // namespace reftarget::scsi
