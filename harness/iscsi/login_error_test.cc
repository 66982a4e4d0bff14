#include "harness/iscsi/login_error.h"

#include <gtest/gtest.h>

namespace harness::iscsi {
namespace {

TEST(LoginErrorTest, ParsesLibiscsiText) {
  EXPECT_EQ(LoginStatusFromLibiscsiError(
                "Failed to log in to target. Status: Authentication failure(513)"),
            0x0201);
  EXPECT_EQ(LoginStatusFromLibiscsiError("Status: Target not found(515)"), 0x0203);
  EXPECT_EQ(LoginStatusFromLibiscsiError("socket error"), -1);
  EXPECT_EQ(LoginStatusFromLibiscsiError("Status: weird()"), -1);
  EXPECT_EQ(LoginStatusFromLibiscsiError("Status: weird(12x)"), -1);
  EXPECT_EQ(LoginStatusFromLibiscsiError("Status: huge(99999999)"), -1);
}

TEST(LoginErrorTest, Describes) {
  EXPECT_EQ(DescribeLoginStatus(0x0201), "login status 0x0201 (Authentication failure)");
  EXPECT_EQ(DescribeLoginStatus(0x0302), "login status 0x0302 (Out of resources)");
  EXPECT_EQ(DescribeLoginStatus(0x02ff), "login status 0x02ff (unassigned)");
}

}  // namespace
}  // namespace harness::iscsi
