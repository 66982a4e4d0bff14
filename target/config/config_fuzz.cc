// libFuzzer harness: ParseConfig on arbitrary bytes, and the round trip of whatever loads.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "target/config/config_fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  reftarget::config::CheckConfigInput(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
