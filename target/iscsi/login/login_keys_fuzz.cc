// libFuzzer entry point: ParseTextKeys, OperationalNegotiator and ChapAuthenticator on fuzzed
// key lists (see login_fuzz_target.h for the input layout). Built only with REFTARGET_FUZZ=ON:
//   iscsi_login_fuzz -max_total_time=60 CORPUS_DIR target/iscsi/login/fuzz_corpus
#include <cstddef>
#include <cstdint>

#include "target/iscsi/login/login_fuzz_target.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  reftarget::iscsi::login::RunLoginFuzzInput(data, size);
  return 0;
}
