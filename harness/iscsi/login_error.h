// Login failures as libiscsi 1.19 reports them: its error text carries the Login Response's
// Status-Class and Status-Detail as one number, "Failed to log in to target. Status:
// Authentication failure(513)". The harness reads the number back and names it itself from
// RFC 7143 §11.13.5.
#pragma once

#include <string>
#include <string_view>

namespace harness::iscsi {

// Returns Status-Class << 8 | Status-Detail parsed from libiscsi's text, or -1 if the text
// carries no login status.
int LoginStatusFromLibiscsiError(std::string_view text);
// Returns "login status 0x0201 (Authentication failure)".
std::string DescribeLoginStatus(int status);

}  // namespace harness::iscsi
