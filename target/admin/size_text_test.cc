// Sizes as targetcli reads and prints them: every unit a power of 1024.
#include "target/admin/size_text.h"

#include <gtest/gtest.h>

namespace reftarget::admin {
namespace {

constexpr uint64_t kKiB = 1024;
constexpr uint64_t kMiB = kKiB * 1024;
constexpr uint64_t kGiB = kMiB * 1024;
constexpr uint64_t kTiB = kGiB * 1024;

uint64_t MustParse(std::string_view text) {
  auto size = ParseSize(text);
  EXPECT_TRUE(size.ok()) << text << ": " << size.error();
  return size.ok() ? size.value() : 0;
}

TEST(ParseSize, UnitsArePowersOf1024) {
  EXPECT_EQ(MustParse("4096"), 4096u);
  EXPECT_EQ(MustParse("512B"), 512u);
  EXPECT_EQ(MustParse("512b"), 512u);
  EXPECT_EQ(MustParse("4k"), 4 * kKiB);
  EXPECT_EQ(MustParse("4K"), 4 * kKiB);
  EXPECT_EQ(MustParse("4KB"), 4 * kKiB);
  EXPECT_EQ(MustParse("4KiB"), 4 * kKiB);
  EXPECT_EQ(MustParse("512M"), 512 * kMiB);
  EXPECT_EQ(MustParse("512mb"), 512 * kMiB);
  EXPECT_EQ(MustParse("1G"), kGiB);
  EXPECT_EQ(MustParse("1gib"), kGiB);
  EXPECT_EQ(MustParse("10GB"), 10 * kGiB);
  EXPECT_EQ(MustParse("2T"), 2 * kTiB);
  EXPECT_EQ(MustParse("1P"), 1024 * kTiB);
}

TEST(ParseSize, WholeByteFractions) {
  EXPECT_EQ(MustParse("1.5G"), kGiB + kGiB / 2);
  EXPECT_EQ(MustParse("1.5GiB"), kGiB + kGiB / 2);
  EXPECT_EQ(MustParse("0.5K"), 512u);
  auto odd = ParseSize("1.3B");
  ASSERT_FALSE(odd.ok());
  EXPECT_EQ(odd.error(), "'1.3B' is not a whole number of bytes");
  EXPECT_FALSE(ParseSize("0.1K").ok());  // 102.4 bytes
}

TEST(ParseSize, NotASize) {
  for (const char* text :
       {"12Q", "", "G", "1.", ".5G", "1.G", "-1", "1 G", "1GiBx", "1iB", "0x10", "1e9", "1,5G"}) {
    auto size = ParseSize(text);
    ASSERT_FALSE(size.ok()) << text;
    EXPECT_EQ(size.error(), "'" + std::string(text) + "' is not a size (examples: 512M, 10G)");
  }
}

TEST(ParseSize, Bounds) {
  EXPECT_EQ(MustParse("9223372036854775807"), uint64_t{INT64_MAX});
  auto over = ParseSize("9223372036854775808");
  ASSERT_FALSE(over.ok());
  EXPECT_EQ(over.error(),
            "'9223372036854775808' is larger than the largest size, 9223372036854775807 bytes");
  EXPECT_FALSE(ParseSize("8192P").ok());
  EXPECT_FALSE(ParseSize("99999999999999999999999999999").ok());
  auto zero = ParseSize("0");
  ASSERT_FALSE(zero.ok());
  EXPECT_EQ(zero.error(), "'0' is zero; a size is at least 1 byte");
  EXPECT_FALSE(ParseSize("0G").ok());
}

TEST(FormatSize, LikeTargetcli) {
  EXPECT_EQ(FormatSize(0), "0 bytes");
  EXPECT_EQ(FormatSize(1023), "1023 bytes");
  EXPECT_EQ(FormatSize(1024), "1.0KiB");
  EXPECT_EQ(FormatSize(1536), "1.5KiB");
  EXPECT_EQ(FormatSize(kGiB), "1.0GiB");
  EXPECT_EQ(FormatSize(kGiB + kGiB / 2), "1.5GiB");
  EXPECT_EQ(FormatSize(512 * kMiB), "512.0MiB");
  // bytes_to_human() picks the unit before rounding.
  EXPECT_EQ(FormatSize(kMiB - 1), "1024.0KiB");
  EXPECT_EQ(FormatSize(3 * kTiB), "3.0TiB");
  EXPECT_EQ(FormatSize(uint64_t{INT64_MAX}), "8192.0PiB");
}

}  // namespace
}  // namespace reftarget::admin
