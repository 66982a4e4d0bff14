#include "target/scsi/lu_core.h"

#include <algorithm>
#include <cstdio>

#include "target/common/logging.h"
#include "target/scsi/deferred_release.h"

namespace reftarget::scsi {
namespace {

// SPC-4 (ASCII data field requirements): INQUIRY ASCII fields hold 20h..7Eh, left-aligned and
// space-padded.
std::string PadAscii(const std::string& in, size_t width) {
  std::string out;
  out.reserve(width);
  for (char c : in) {
    if (out.size() == width) break;
    out.push_back(c >= 0x20 && c <= 0x7E ? c : ' ');
  }
  out.resize(width, ' ');
  return out;
}

std::string ProductFromKind(const std::string& kind) {
  // The names LIO reports for its backends, so tools that match on them keep working.
  if (kind == "fileio") return "FILEIO";
  if (kind == "block") return "IBLOCK";
  if (kind == "ramdisk") return "RAMDISK-MCP";
  if (kind == "null") return "NULLIO";
  return "DISK";
}

// A stable serial when the config has none: a UUID-shaped string from a 128-bit FNV-1a hash
// of the storage object name, so the NAA designator survives restarts.
std::string SerialFromName(const std::string& name) {
  uint64_t h1 = 0xcbf29ce484222325ULL, h2 = 0x84222325cbf29ce4ULL;
  for (unsigned char c : name) {
    h1 = (h1 ^ c) * 0x100000001b3ULL;
    h2 = (h2 ^ c) * 0x100000001b3ULL ^ (h1 >> 29);
  }
  char buf[40];
  std::snprintf(buf, sizeof(buf), "%08x-%04x-%04x-%04x-%012llx", static_cast<unsigned>(h1 >> 32),
                static_cast<unsigned>((h1 >> 16) & 0xFFFF), static_cast<unsigned>(h1 & 0xFFFF),
                static_cast<unsigned>(h2 >> 48),
                static_cast<unsigned long long>(h2 & 0xFFFFFFFFFFFFULL));
  return buf;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::array<uint8_t, 16> MakeNaaDesignator(uint32_t company_id, const std::string& serial) {
  // SPC-4 (NAA designator format) NAA IEEE Registered Extended: NAA=6h, 24-bit IEEE COMPANY_ID,
  // then a 36-bit VENDOR SPECIFIC IDENTIFIER and a 64-bit extension: 25 nibbles from the serial.
  std::array<uint8_t, 16> d{};
  d[0] = static_cast<uint8_t>(0x60 | ((company_id >> 20) & 0x0F));
  d[1] = static_cast<uint8_t>(company_id >> 12);
  d[2] = static_cast<uint8_t>(company_id >> 4);
  d[3] = static_cast<uint8_t>((company_id & 0x0F) << 4);
  size_t nibble = 7;  // the low nibble of byte 3
  for (char c : serial) {
    if (nibble >= 32) break;
    int v = HexValue(c);
    if (v < 0) continue;
    if (nibble % 2 == 0) {
      d[nibble / 2] = static_cast<uint8_t>(v << 4);
    } else {
      d[nibble / 2] |= static_cast<uint8_t>(v);
    }
    ++nibble;
  }
  return d;
}

LuCore::LuCore(LogicalUnitConfig config, std::shared_ptr<backstore::Backstore> store)
    : config_(std::move(config)), store_(std::move(store)) {
  EnsureReleaserExists();  // constructed first, destroyed after every unit
  const backstore::Capabilities caps = store_->capabilities();
  block_size_ = caps.block_size >= 512 ? caps.block_size : 512;
  default_write_back_ = caps.write_back;
  read_only_ = caps.read_only || !store_->Supports(backstore::IoType::kWrite);
  // Thin provisioning needs both the attribute and a store that can deallocate.
  thin_ = config_.thin && caps.thin;
  if (config_.thin != caps.thin) {
    RT_LOG(kWarn, "scsi") << config_.name << ": thin provisioning " << (thin_ ? "on" : "off")
                          << " (attribute " << config_.thin << ", backstore " << caps.thin << ")";
  }
  uint64_t max_blocks = config_.max_transfer_blocks != 0 ? config_.max_transfer_blocks
                                                         : kDefaultMaxTransferBytes / block_size_;
  max_transfer_blocks_ = static_cast<uint32_t>(std::clamp<uint64_t>(max_blocks, 1, UINT32_MAX));
  optimal_transfer_blocks_ = config_.optimal_sectors != 0
                                 ? std::min(config_.optimal_sectors, max_transfer_blocks_)
                                 : max_transfer_blocks_;
  vendor_ = PadAscii(config_.vendor, 8);
  product_ =
      PadAscii(config_.product.empty() ? ProductFromKind(store_->kind()) : config_.product, 16);
  revision_ = PadAscii(config_.revision, 4);
  serial_ = config_.wwn.empty() ? SerialFromName(config_.name) : config_.wwn;
  naa_ = MakeNaaDesignator(config_.naa_company_id, serial_);
}

LuCore::~LuCore() {
  if (InStoreCompletion() && store_.use_count() == 1) ReleaseLater(std::move(store_));
}

namespace {

// Runs COMPARE AND WRITE turns iteratively: a turn handed over inside another turn's
// completion (possible with synchronous stores) runs after it unwinds, not nested in it, so a
// long queue cannot grow the stack.
thread_local int caw_depth = 0;
thread_local std::deque<std::function<void()>>* caw_deferred = nullptr;

void RunCawTurn(std::function<void()> run) {
  if (caw_depth > 0) {
    caw_deferred->push_back(std::move(run));
    return;
  }
  std::deque<std::function<void()>> deferred;
  caw_deferred = &deferred;
  ++caw_depth;
  run();
  while (!deferred.empty()) {
    std::function<void()> next = std::move(deferred.front());
    deferred.pop_front();
    next();
  }
  --caw_depth;
  caw_deferred = nullptr;
}

}  // namespace

void LuCore::AcquireCaw(std::function<void()> run) {
  {
    std::lock_guard<std::mutex> lock(caw_mu_);
    if (caw_busy_) {
      caw_waiters_.push_back(std::move(run));
      return;
    }
    caw_busy_ = true;
  }
  RunCawTurn(std::move(run));
}

void LuCore::ReleaseCaw() {
  std::function<void()> next;
  {
    std::lock_guard<std::mutex> lock(caw_mu_);
    if (caw_waiters_.empty()) {
      caw_busy_ = false;
      return;
    }
    next = std::move(caw_waiters_.front());  // the turn passes on; caw_busy_ stays set
    caw_waiters_.pop_front();
  }
  RunCawTurn(std::move(next));
}

void LuCore::PoisonCache(const char* why, int error) {
  if (!cache_poisoned_.exchange(true, std::memory_order_acq_rel)) {
    RT_LOG(kError, "scsi") << config_.name << ": " << why << " failed (errno " << error
                           << "); SYNCHRONIZE CACHE fails from now on until the LUN is re-created";
  }
}

}  // namespace reftarget::scsi
