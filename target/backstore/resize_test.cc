// Live growth of FILEIO and RAMDISK stores (reftarget-ctl resize): the new blocks are
// usable at once, written data stays, shrinking and device-backed stores are refused.
#include <sys/stat.h>

#include <gtest/gtest.h>

#include "target/backstore/backstore.h"
#include "target/backstore/test_util.h"

namespace reftarget::backstore {
namespace {

BackstoreSpec Spec(const std::string& plugin, const std::string& dev, uint64_t size) {
  BackstoreSpec spec;
  spec.plugin = plugin;
  spec.name = "grow";
  spec.dev = dev;
  spec.size = size;
  return spec;
}

void ExpectGrows(Backstore& store) {
  std::vector<uint8_t> data(4096), back(4096);
  testing::FillPattern(data, 7);
  ASSERT_EQ(testing::WriteSync(store, 0, data).error, 0);
  const uint64_t old_size = store.size_bytes();
  // Beyond the end: refused before the resize, fine after.
  EXPECT_NE(testing::WriteSync(store, old_size, data).error, 0);
  ASSERT_TRUE(store.Resize(old_size * 2).ok());
  EXPECT_EQ(store.size_bytes(), old_size * 2);
  EXPECT_EQ(testing::WriteSync(store, old_size, data).error, 0);
  ASSERT_EQ(testing::ReadSync(store, 0, back).error, 0);
  EXPECT_EQ(back, data);
  Status shrink = store.Resize(old_size);
  ASSERT_FALSE(shrink.ok());
  EXPECT_NE(shrink.message().find("shrinking"), std::string::npos) << shrink.message();
  EXPECT_EQ(store.size_bytes(), old_size * 2);
  EXPECT_FALSE(store.Resize(old_size * 2 + 100).ok()) << "not a multiple of the block size";
}

TEST(ResizeTest, RamdiskGrows) {
  auto store = OpenBackstore(Spec("ramdisk", "", 1 << 20));
  ASSERT_TRUE(store.ok()) << store.error();
  ExpectGrows(*store.value());
}

TEST(ResizeTest, FileioGrowsTheFile) {
  testing::TempDir dir;
  auto store = OpenBackstore(Spec("fileio", dir.File("f.img"), 1 << 20));
  ASSERT_TRUE(store.ok()) << store.error();
  ExpectGrows(*store.value());
  struct stat st{};
  ASSERT_EQ(::stat(dir.File("f.img").c_str(), &st), 0);
  EXPECT_EQ(static_cast<uint64_t>(st.st_size), 2u << 20);
}

TEST(ResizeTest, NullStoreRefuses) {
  BackstoreSpec spec = Spec("ramdisk", "", 1 << 20);
  spec.nullio = true;
  auto store = OpenBackstore(spec);
  ASSERT_TRUE(store.ok()) << store.error();
  EXPECT_FALSE(store.value()->Resize(2 << 20).ok());
}

}  // namespace
}  // namespace reftarget::backstore
