#include "target/backstore/null_store.h"

#include <errno.h>

#include <cstring>

#include "target/backstore/store_util.h"
#include "target/common/logging.h"

namespace reftarget::backstore {

Result<std::unique_ptr<NullBackstore>> NullBackstore::Open(const BackstoreSpec& spec,
                                                           std::string kind) {
  const std::string label = StoreLabel(spec);
  uint64_t size = spec.size - spec.size % spec.block_size;
  if (size == 0) {
    return Status::Error(label + ": size " + std::to_string(spec.size) +
                         ": a null store needs at least one " + std::to_string(spec.block_size) +
                         "-byte block");
  }
  Capabilities caps;
  caps.block_size = spec.block_size;
  caps.read_only = spec.read_only;
  caps.thin = spec.thin;
  caps.write_back = false;
  RT_LOG(kInfo, "backstore") << label << ": null store size " << size << " block_size "
                             << spec.block_size;
  return std::make_unique<NullBackstore>(Key(), std::move(kind), label, size, caps);
}

bool NullBackstore::Supports(IoType type) const {
  switch (type) {
    case IoType::kRead:
    case IoType::kFlush:
      return true;
    case IoType::kWrite:
      return !caps_.read_only;
    case IoType::kUnmap:
      return caps_.thin && !caps_.read_only;
  }
  return false;
}

void NullBackstore::Read(uint64_t offset, std::span<uint8_t> buf, IoCompletion done) {
  if (!RangeWithin(offset, buf.size(), size_)) {
    done(IoResult{EINVAL});
    return;
  }
  if (!buf.empty()) std::memset(buf.data(), 0, buf.size());
  done(IoResult{});
}

void NullBackstore::Write(uint64_t offset, std::span<const uint8_t> buf, bool fua,
                          IoCompletion done) {
  (void)fua;
  if (caps_.read_only) {
    done(IoResult{EROFS});
    return;
  }
  done(IoResult{RangeWithin(offset, buf.size(), size_) ? 0 : EINVAL});
}

void NullBackstore::Flush(IoCompletion done) { done(IoResult{}); }

void NullBackstore::Unmap(uint64_t offset, uint64_t length, IoCompletion done) {
  if (!Supports(IoType::kUnmap)) {
    done(IoResult{caps_.read_only ? EROFS : EOPNOTSUPP});
    return;
  }
  done(IoResult{RangeWithin(offset, length, size_) ? 0 : EINVAL});
}

bool NullBackstore::IsDeallocated(uint64_t offset, uint64_t length) const {
  return caps_.thin && length > 0 && RangeWithin(offset, length, size_);
}

Status NullBackstore::SetWriteBack(bool enabled) {
  if (!enabled) return Status::Ok();
  return Status::Error(label_ + ": write_back: a " + kind_ +
                       " store has no volatile cache to enable");
}

}  // namespace reftarget::backstore
