// Replays every file of target/iscsi/pdu/fuzz_corpus/ through the PDU fuzz function, so that
// each seed and each input the fuzzer ever found stays a regression test in every build. Also
// feeds a fixed-seed stream of random BHSs with valid opcodes, to cover the decoders' error
// paths on every run even without clang.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <vector>

#include "target/iscsi/pdu/pdu.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace reftarget::iscsi {
namespace {

std::vector<uint8_t> ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

TEST(PduFuzzReplay, Corpus) {
  const std::filesystem::path dir(REFTARGET_PDU_FUZZ_CORPUS);
  ASSERT_TRUE(std::filesystem::is_directory(dir)) << dir;
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.is_regular_file()) files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  EXPECT_GE(files.size(), 10u) << "the corpus lost its seeds";
  for (const auto& file : files) {
    SCOPED_TRACE(file.filename().string());
    const std::vector<uint8_t> bytes = ReadFile(file);
    EXPECT_EQ(LLVMFuzzerTestOneInput(bytes.data(), bytes.size()), 0);
  }
}

TEST(PduFuzzReplay, RandomHeadersWithKnownOpcodes) {
  static constexpr uint8_t kOpcodes[] = {0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06,
                                         0x10, 0x20, 0x21, 0x22, 0x23, 0x24, 0x25,
                                         0x26, 0x31, 0x32, 0x3f, 0x1c, 0x3e};
  std::mt19937 rng(7143);
  std::uniform_int_distribution<int> byte(0, 255);
  std::vector<uint8_t> input(kBhsLength + 64);
  for (int i = 0; i < 20000; ++i) {
    for (auto& b : input) b = static_cast<uint8_t>(byte(rng));
    input[0] = static_cast<uint8_t>((input[0] & 0xc0) | kOpcodes[i % std::size(kOpcodes)]);
    // Bias toward the flag patterns the decoders check.
    if (i % 3 == 0) input[1] &= 0xc3;
    if (i % 5 == 0) std::fill(input.begin() + 8, input.begin() + 16, 0);
    const size_t size = static_cast<size_t>(i) % input.size();
    ASSERT_EQ(LLVMFuzzerTestOneInput(input.data(), size), 0);
  }
}

}  // namespace
}  // namespace reftarget::iscsi
