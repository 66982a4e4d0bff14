#include <gtest/gtest.h>

#include <vector>

#include "target/backstore/backstore.h"
#include "target/backstore/test_util.h"

namespace reftarget::backstore {
namespace {

using testing::ReadSync;
using testing::TempDir;
using testing::WriteSync;

BackstoreSpec Spec(const std::string& plugin, uint64_t size = 1 << 20) {
  BackstoreSpec spec;
  spec.plugin = plugin;
  spec.name = "lun0";
  spec.size = size;
  return spec;
}

TEST(RegistryTest, UnknownPluginIsNamed) {
  auto r = OpenBackstore(Spec("pscsi"));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().find("unknown backstore plugin 'pscsi'"), std::string::npos) << r.error();
}

TEST(RegistryTest, OpensEachKind) {
  TempDir dir;
  BackstoreSpec fileio = Spec("fileio");
  fileio.dev = dir.File("f.img");
  std::vector<std::pair<BackstoreSpec, std::string>> cases = {
      {fileio, "fileio"},
      {Spec("ramdisk"), "ramdisk"},
      {Spec("rd_mcp"), "ramdisk"},
      {Spec("null"), "null"},
  };
  for (const auto& [spec, kind] : cases) {
    auto r = OpenBackstore(spec);
    ASSERT_TRUE(r.ok()) << spec.plugin << ": " << r.error();
    EXPECT_EQ(r.value()->kind(), kind) << spec.plugin;
    EXPECT_EQ(r.value()->size_bytes(), 1u << 20) << spec.plugin;
  }
}

TEST(RegistryTest, NullioRamdiskDiscardsWrites) {
  BackstoreSpec spec = Spec("rd_mcp");
  spec.nullio = true;
  auto r = OpenBackstore(spec);
  ASSERT_TRUE(r.ok()) << r.error();
  Backstore& store = *r.value();
  EXPECT_EQ(store.kind(), "ramdisk");
  std::vector<uint8_t> buf(512, 1);
  ASSERT_TRUE(WriteSync(store, 0, buf).ok());
  ASSERT_TRUE(ReadSync(store, 0, buf).ok());
  EXPECT_EQ(buf, std::vector<uint8_t>(512, 0));
}

TEST(RegistryTest, CommonFieldsAreChecked) {
  BackstoreSpec spec = Spec("ramdisk");
  spec.block_size = 1000;
  EXPECT_EQ(OpenBackstore(spec).error(), "ramdisk/lun0: block_size 1000: must be 512 or 4096");
  spec = Spec("ramdisk");
  spec.workers = 0;
  EXPECT_EQ(OpenBackstore(spec).error(), "ramdisk/lun0: workers 0: must be 1..256");
  spec = Spec("ramdisk");
  spec.name = "";
  EXPECT_EQ(OpenBackstore(spec).error(), "ramdisk/?: name is empty");
  spec = Spec("ramdisk");
  spec.name = "a/b";
  EXPECT_NE(OpenBackstore(spec).error().find("contains '/'"), std::string::npos);
}

TEST(RegistryTest, OpenErrorsNameStoreAndDevice) {
  BackstoreSpec spec = Spec("fileio");
  spec.name = "disk0";
  spec.dev = "/nonexistent-dir/x.img";
  EXPECT_EQ(OpenBackstore(spec).error(),
            "fileio/disk0: /nonexistent-dir/x.img: open: No such file or directory");
  spec.plugin = "block";
  EXPECT_EQ(OpenBackstore(spec).error(),
            "block/disk0: /nonexistent-dir/x.img: stat: No such file or directory");
}

}  // namespace
}  // namespace reftarget::backstore
