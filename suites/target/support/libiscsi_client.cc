#include "suites/target/support/libiscsi_client.h"

#include <cstdio>
#include <cstring>

namespace itest {

void IscsiContextDeleter::operator()(iscsi_context* ctx) const {
  if (ctx == nullptr) return;
  if (iscsi_is_logged_in(ctx)) iscsi_logout_sync(ctx);
  iscsi_destroy_context(ctx);
}

IscsiContextPtr LibiscsiConnect(const LibiscsiLogin& login, std::string* error) {
  IscsiContextPtr ctx(iscsi_create_context(login.initiator.c_str()));
  if (!ctx) {
    *error = "iscsi_create_context failed";
    return nullptr;
  }
  iscsi_set_timeout(ctx.get(), login.timeout_s);
  iscsi_set_noautoreconnect(ctx.get(), 1);
  iscsi_set_targetname(ctx.get(), login.target.c_str());
  iscsi_set_session_type(ctx.get(), ISCSI_SESSION_NORMAL);
  iscsi_set_header_digest(ctx.get(), login.header_digest);
  if (!login.user.empty() &&
      iscsi_set_initiator_username_pwd(ctx.get(), login.user.c_str(), login.secret.c_str()) != 0) {
    *error = std::string("set initiator CHAP: ") + iscsi_get_error(ctx.get());
    return nullptr;
  }
  if (!login.target_user.empty() &&
      iscsi_set_target_username_pwd(ctx.get(), login.target_user.c_str(),
                                    login.target_secret.c_str()) != 0) {
    *error = std::string("set target CHAP: ") + iscsi_get_error(ctx.get());
    return nullptr;
  }
  if (iscsi_full_connect_sync(ctx.get(), login.portal.c_str(), login.lun) != 0) {
    *error = iscsi_get_error(ctx.get());
    // Do not log out of a session that never came up.
    iscsi_destroy_context(ctx.release());
    return nullptr;
  }
  return ctx;
}

int LoginStatusFromError(const std::string& error) {
  const std::string marker = "Status:";
  size_t at = error.find(marker);
  if (at == std::string::npos) return -1;
  size_t open = error.rfind('(');
  size_t close = error.rfind(')');
  if (open == std::string::npos || close == std::string::npos || close <= open + 1 || open < at) {
    return -1;
  }
  try {
    return std::stoi(error.substr(open + 1, close - open - 1));
  } catch (...) {
    return -1;
  }
}

bool ReadCapacity(iscsi_context* ctx, int lun, uint32_t* block_size, uint64_t* blocks,
                  std::string* error) {
  ScsiTaskPtr task(iscsi_readcapacity16_sync(ctx, lun));
  if (!task || task->status != SCSI_STATUS_GOOD) {
    *error = "READ CAPACITY(16): " + DescribeTask(ctx, task.get());
    return false;
  }
  auto* rc16 = static_cast<scsi_readcapacity16*>(scsi_datain_unmarshall(task.get()));
  if (rc16 == nullptr) {
    *error = "READ CAPACITY(16): cannot unmarshall";
    return false;
  }
  *block_size = rc16->block_length;
  *blocks = rc16->returned_lba + 1;
  return true;
}

std::string DescribeTask(iscsi_context* ctx, const scsi_task* task) {
  if (task == nullptr) return std::string("no task: ") + iscsi_get_error(ctx);
  char buf[160];
  if (task->status == SCSI_STATUS_CHECK_CONDITION) {
    std::snprintf(buf, sizeof(buf), "CHECK CONDITION sense %02x/%02x/%02x (%s)", task->sense.key,
                  task->sense.ascq >> 8, task->sense.ascq & 0xff, iscsi_get_error(ctx));
  } else {
    std::snprintf(buf, sizeof(buf), "status 0x%02x (%s)", task->status, iscsi_get_error(ctx));
  }
  return buf;
}

bool WriteReadVerify(iscsi_context* ctx, int lun, uint64_t lba, const std::vector<uint8_t>& data,
                     uint32_t block_size, std::string* error) {
  std::vector<uint8_t> copy = data;  // libiscsi takes a non-const buffer
  ScsiTaskPtr w(iscsi_write16_sync(ctx, lun, lba, copy.data(), static_cast<uint32_t>(copy.size()),
                                   static_cast<int>(block_size), 0, 0, 0, 0, 0));
  if (!w || w->status != SCSI_STATUS_GOOD) {
    *error = "WRITE(16) lba " + std::to_string(lba) + ": " + DescribeTask(ctx, w.get());
    return false;
  }
  ScsiTaskPtr r(iscsi_read16_sync(ctx, lun, lba, static_cast<uint32_t>(data.size()),
                                  static_cast<int>(block_size), 0, 0, 0, 0, 0));
  if (!r || r->status != SCSI_STATUS_GOOD) {
    *error = "READ(16) lba " + std::to_string(lba) + ": " + DescribeTask(ctx, r.get());
    return false;
  }
  if (r->datain.size != static_cast<int>(data.size()) ||
      std::memcmp(r->datain.data, data.data(), data.size()) != 0) {
    *error = "READ(16) lba " + std::to_string(lba) + " returned " + std::to_string(r->datain.size) +
             " bytes that differ from what was written";
    return false;
  }
  return true;
}

std::vector<uint8_t> MakePattern(uint64_t seed, uint64_t lba, size_t n) {
  std::vector<uint8_t> out(n);
  uint64_t x = seed * 0x9E3779B97F4A7C15ull ^ (lba + 1) * 0xBF58476D1CE4E5B9ull;
  for (size_t i = 0; i < n; ++i) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    out[i] = static_cast<uint8_t>(x);
  }
  return out;
}

}  // namespace itest
