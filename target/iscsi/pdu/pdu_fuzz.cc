// libFuzzer entry point for the PDU codec and CRC32C. Linked into `iscsi_pdu_fuzz` (clang,
// -fsanitize=fuzzer) and into `iscsi_pdu_fuzz_replay_test`, which replays fuzz_corpus/.
//
// Input: the first 48 bytes (zero-padded) are a BHS; all bytes also feed the CRC checks.
// Properties checked, besides "no crash, no sanitizer report":
//  - every decoder either fails with a message or yields a PDU that re-encodes to a BHS which
//    decodes to the same PDU, and re-encodes to the same bytes (encode/decode agree);
//  - typed ITT and DataSegmentLength agree with DecodeCommon;
//  - a LUN field that decodes re-encodes to the same LUN;
//  - hardware and portable CRC32C agree, and chaining over a split equals the whole.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <span>

#include "target/iscsi/pdu/crc32c.h"
#include "target/iscsi/pdu/pdu.h"

#define FUZZ_CHECK(cond)                                                                 \
  do {                                                                                   \
    if (!(cond)) {                                                                       \
      std::fprintf(stderr, "%s:%d: fuzz check failed: %s\n", __FILE__, __LINE__, #cond); \
      std::abort();                                                                      \
    }                                                                                    \
  } while (0)

namespace reftarget::iscsi {
namespace {

template <typename Pdu>
void CheckRoundTrip(const Bhs& bhs, const BhsCommon& common, Result<Pdu> (*decode)(const Bhs&)) {
  Result<Pdu> first = decode(bhs);
  if (!first.ok()) {
    FUZZ_CHECK(!first.error().empty());
    return;
  }
  const Pdu& pdu = first.value();
  if constexpr (requires { pdu.itt; }) FUZZ_CHECK(pdu.itt == common.itt);
  if constexpr (requires { pdu.data_segment_length; }) {
    FUZZ_CHECK(pdu.data_segment_length == common.data_segment_length);
  }
  const Bhs encoded = Encode(pdu);
  const BhsCommon again = DecodeCommon(encoded);
  FUZZ_CHECK(again.opcode == common.opcode);
  Result<Pdu> second = decode(encoded);
  FUZZ_CHECK(second.ok());
  FUZZ_CHECK(second.value() == pdu);
  FUZZ_CHECK(Encode(second.value()) == encoded);
}

void CheckCodec(const Bhs& bhs) {
  const BhsCommon common = DecodeCommon(bhs);
  FUZZ_CHECK(common.opcode < 64);
  FUZZ_CHECK(common.data_segment_length <= kMaxDataSegmentLength);
  FUZZ_CHECK(!OpcodeName(common.opcode).empty());

  CheckRoundTrip(bhs, common, &DecodeScsiCommand);
  CheckRoundTrip(bhs, common, &DecodeTaskMgmtRequest);
  CheckRoundTrip(bhs, common, &DecodeDataOut);
  CheckRoundTrip(bhs, common, &DecodeNopOut);
  CheckRoundTrip(bhs, common, &DecodeLoginRequest);
  CheckRoundTrip(bhs, common, &DecodeTextRequest);
  CheckRoundTrip(bhs, common, &DecodeLogoutRequest);
  CheckRoundTrip(bhs, common, &DecodeSnackRequest);
  CheckRoundTrip(bhs, common, &DecodeScsiResponse);
  CheckRoundTrip(bhs, common, &DecodeTaskMgmtResponse);
  CheckRoundTrip(bhs, common, &DecodeDataIn);
  CheckRoundTrip(bhs, common, &DecodeR2T);
  CheckRoundTrip(bhs, common, &DecodeNopIn);
  CheckRoundTrip(bhs, common, &DecodeLoginResponse);
  CheckRoundTrip(bhs, common, &DecodeTextResponse);
  CheckRoundTrip(bhs, common, &DecodeLogoutResponse);
  CheckRoundTrip(bhs, common, &DecodeReject);
  CheckRoundTrip(bhs, common, &DecodeAsyncMessage);

  const uint64_t raw_lun = Load64(&bhs[8]);
  uint64_t lun = 0;
  if (DecodeLun(raw_lun, &lun)) {
    FUZZ_CHECK(lun <= kMaxFlatLun);
    uint64_t again = 0;
    FUZZ_CHECK(DecodeLun(EncodeLun(lun), &again));
    FUZZ_CHECK(again == lun);
  }
  const uint64_t any = Load64(&bhs[32]);
  uint64_t decoded = 0;
  FUZZ_CHECK(DecodeLun(EncodeLun(any), &decoded) == (any <= kMaxFlatLun));
  if (any <= kMaxFlatLun) FUZZ_CHECK(decoded == any);
}

void CheckCrc(std::span<const uint8_t> data) {
  const uint32_t whole = Crc32c(data);
  FUZZ_CHECK(whole == Crc32cPortable(data));
  const size_t split = data.empty() ? 0 : data[0] % (data.size() + 1);
  const uint32_t head = Crc32c(data.first(split));
  FUZZ_CHECK(Crc32c(data.subspan(split), head) == whole);
  FUZZ_CHECK(Crc32cPortable(data.subspan(split), Crc32cPortable(data.first(split))) == whole);
  uint8_t wire[4];
  StoreDigest(wire, whole);
  FUZZ_CHECK(LoadDigest(wire) == whole);
}

}  // namespace
}  // namespace reftarget::iscsi

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace iscsi = reftarget::iscsi;
  iscsi::Bhs bhs{};
  if (size > 0) std::memcpy(bhs.data(), data, std::min(size, iscsi::kBhsLength));
  iscsi::CheckCodec(bhs);
  iscsi::CheckCrc(std::span<const uint8_t>(data, size));
  return 0;
}
