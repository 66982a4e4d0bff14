#include "harness/iscsi/login_error.h"

#include <cstdio>

namespace harness::iscsi {

int LoginStatusFromLibiscsiError(std::string_view text) {
  const size_t at = text.find("Status:");
  if (at == std::string_view::npos) return -1;
  const size_t open = text.find('(', at);
  if (open == std::string_view::npos) return -1;
  const size_t close = text.find(')', open);
  if (close == std::string_view::npos || close == open + 1 || close - open > 7) return -1;
  int value = 0;
  for (size_t i = open + 1; i < close; ++i) {
    if (text[i] < '0' || text[i] > '9') return -1;
    value = value * 10 + (text[i] - '0');
  }
  return value <= 0xffff ? value : -1;
}

std::string DescribeLoginStatus(int status) {
  const char* name = "unassigned";
  switch (status) {
    case 0x0000: name = "Success"; break;
    case 0x0101: name = "Target moved temporarily"; break;
    case 0x0102: name = "Target moved permanently"; break;
    case 0x0200: name = "Initiator error"; break;
    case 0x0201: name = "Authentication failure"; break;
    case 0x0202: name = "Authorization failure"; break;
    case 0x0203: name = "Not found"; break;
    case 0x0204: name = "Target removed"; break;
    case 0x0205: name = "Unsupported version"; break;
    case 0x0206: name = "Too many connections"; break;
    case 0x0207: name = "Missing parameter"; break;
    case 0x0208: name = "Can't include in session"; break;
    case 0x0209: name = "Session type not supported"; break;
    case 0x020a: name = "Session does not exist"; break;
    case 0x020b: name = "Invalid during login"; break;
    case 0x0300: name = "Target error"; break;
    case 0x0301: name = "Service unavailable"; break;
    case 0x0302: name = "Out of resources"; break;
    default: break;
  }
  char buf[96];
  std::snprintf(buf, sizeof(buf), "login status 0x%04x (%s)", status & 0xffff, name);
  return buf;
}

}  // namespace harness::iscsi
