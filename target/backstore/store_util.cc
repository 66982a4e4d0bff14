#include "target/backstore/store_util.h"

#include <string.h>

#include "target/common/logging.h"

namespace reftarget::backstore {

std::string StoreLabel(const BackstoreSpec& spec) {
  return (spec.plugin.empty() ? std::string("?") : spec.plugin) + "/" +
         (spec.name.empty() ? std::string("?") : spec.name);
}

std::string ErrnoText(int err) {
  char buf[128];
  // GNU strerror_r returns the message, which may or may not live in `buf`.
  const char* text = strerror_r(err, buf, sizeof(buf));
  return text != nullptr ? std::string(text) : "errno " + std::to_string(err);
}

const char* IoTypeName(IoType type) {
  switch (type) {
    case IoType::kRead:
      return "read";
    case IoType::kWrite:
      return "write";
    case IoType::kFlush:
      return "flush";
    case IoType::kUnmap:
      return "unmap";
  }
  return "?";
}

void IoErrorLog::Report(IoType type, uint64_t offset, uint64_t length, int err) {
  uint64_t n = count_.fetch_add(1, std::memory_order_relaxed) + 1;
  if (n > kBurst && n % kEvery != 0) return;
  RT_LOG(kWarn, "backstore") << label_ << ": " << IoTypeName(type) << " offset " << offset
                             << " length " << length << ": " << ErrnoText(err) << " (error #" << n
                             << (n == kBurst ? "; further errors are sampled" : "") << ")";
}

}  // namespace reftarget::backstore
