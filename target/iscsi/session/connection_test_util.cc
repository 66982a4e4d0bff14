#include "target/iscsi/session/connection_test_util.h"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>

#include "target/iscsi/pdu/crc32c.h"

namespace reftarget::iscsi::testing {

int RemainingMs(std::chrono::steady_clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - std::chrono::steady_clock::now());
  return left.count() < 0 ? 0 : static_cast<int>(left.count());
}

namespace {
using Clock = std::chrono::steady_clock;
}  // namespace

std::string Describe(const Pdu& pdu) {
  std::string name = OpcodeName(pdu.opcode());
  if (pdu.opcode() == static_cast<uint8_t>(Opcode::kReject)) {
    char buf[32];
    std::snprintf(buf, sizeof(buf), "(0x%02x)", pdu.bhs[2]);
    name += buf;
  }
  return name + " ITT " + std::to_string(pdu.itt());
}

std::vector<login::KeyValue> LoginOptions::Defaults() {
  return {{"HeaderDigest", "None"},
          {"DataDigest", "None"},
          {"MaxRecvDataSegmentLength", "8192"},
          {"InitialR2T", "Yes"},
          {"ImmediateData", "Yes"},
          {"MaxBurstLength", "262144"},
          {"FirstBurstLength", "65536"},
          {"MaxOutstandingR2T", "1"},
          {"ErrorRecoveryLevel", "0"}};
}

LoginOptions& LoginOptions::Set(const std::string& k, const std::string& v) {
  for (auto& kv : operational) {
    if (kv.key == k) {
      kv.value = v;
      return *this;
    }
  }
  operational.push_back({k, v});
  return *this;
}

std::vector<uint8_t> TestUnitReadyCdb() { return std::vector<uint8_t>(6, 0); }

std::vector<uint8_t> Read10Cdb(uint32_t lba, uint16_t blocks) {
  std::vector<uint8_t> cdb(10, 0);
  cdb[0] = 0x28;
  Store32(&cdb[2], lba);
  Store16(&cdb[7], blocks);
  return cdb;
}

std::vector<uint8_t> Write10Cdb(uint32_t lba, uint16_t blocks) {
  std::vector<uint8_t> cdb = Read10Cdb(lba, blocks);
  cdb[0] = 0x2a;
  return cdb;
}

std::vector<uint8_t> Pattern(size_t n, uint32_t seed) {
  std::vector<uint8_t> out(n);
  uint32_t x = seed * 2654435761u + 1;
  for (size_t i = 0; i < n; ++i) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    out[i] = static_cast<uint8_t>(x);
  }
  return out;
}

// ---- Initiator ------------------------------------------------------------------------------

Initiator::Initiator(int fd) : fd_(fd) {}

Initiator::~Initiator() {
  if (fd_ >= 0) close(fd_);
}

bool Initiator::SendRaw(std::span<const uint8_t> bytes) {
  size_t sent = 0;
  auto deadline = Clock::now() + std::chrono::milliseconds(kWaitMs);
  while (sent < bytes.size()) {
    ssize_t n = send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n > 0) {
      sent += static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      pollfd p{fd_, POLLOUT, 0};
      int left = RemainingMs(deadline);
      if (left == 0 || poll(&p, 1, left) <= 0) {
        error_ = "send timed out";
        return false;
      }
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    error_ = std::string("send: ") + std::strerror(errno);
    return false;
  }
  return true;
}

bool Initiator::SendPdu(Bhs bhs, std::span<const uint8_t> data, std::span<const uint8_t> ahs,
                        bool corrupt_header_digest, bool corrupt_data_digest) {
  bhs[4] = static_cast<uint8_t>(ahs.size() / 4);
  Store24(&bhs[5], static_cast<uint32_t>(data.size()));
  std::vector<uint8_t> out(bhs.begin(), bhs.end());
  out.insert(out.end(), ahs.begin(), ahs.end());
  if (header_digest) {
    uint32_t crc = Crc32c({out.data(), out.size()});
    if (corrupt_header_digest) crc ^= 1;
    uint8_t d[4];
    StoreDigest(d, crc);
    out.insert(out.end(), d, d + 4);
  }
  if (!data.empty()) {
    size_t start = out.size();
    out.insert(out.end(), data.begin(), data.end());
    out.resize(start + PaddedLength(static_cast<uint32_t>(data.size())), 0);
    if (data_digest) {
      uint32_t crc = Crc32c({out.data() + start, out.size() - start});
      if (corrupt_data_digest) crc ^= 1;
      uint8_t d[4];
      StoreDigest(d, crc);
      out.insert(out.end(), d, d + 4);
    }
  }
  return SendRaw(out);
}

Initiator::ReadStatus Initiator::ReadExact(uint8_t* p, size_t n, int timeout_ms) {
  auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  size_t got = 0;
  while (got < n) {
    pollfd pfd{fd_, POLLIN, 0};
    int ready = poll(&pfd, 1, RemainingMs(deadline));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) return ReadStatus::kTimeout;
    ssize_t r = recv(fd_, p + got, n - got, MSG_DONTWAIT);
    if (r == 0) return ReadStatus::kClosed;
    if (r < 0) {
      if (errno == EAGAIN || errno == EINTR) continue;
      return ReadStatus::kClosed;  // ECONNRESET and friends
    }
    got += static_cast<size_t>(r);
  }
  return ReadStatus::kOk;
}

std::optional<Pdu> Initiator::Recv(int timeout_ms) {
  if (closed_) return std::nullopt;
  Pdu pdu;
  auto fail = [&](ReadStatus s, const char* what) -> std::optional<Pdu> {
    if (s == ReadStatus::kClosed) {
      closed_ = true;
      error_ = std::string("connection closed while reading ") + what;
    } else {
      error_ = std::string("timed out reading ") + what;
    }
    return std::nullopt;
  };
  ReadStatus s = ReadExact(pdu.bhs.data(), kBhsLength, timeout_ms);
  if (s != ReadStatus::kOk) return fail(s, "a BHS");
  // Once a PDU has begun, its remainder must follow promptly.
  std::vector<uint8_t> ahs(pdu.bhs[4] * 4u);
  if (!ahs.empty() && (s = ReadExact(ahs.data(), ahs.size(), kWaitMs)) != ReadStatus::kOk) {
    return fail(s, "an AHS");
  }
  if (header_digest) {
    uint8_t d[4];
    if ((s = ReadExact(d, 4, kWaitMs)) != ReadStatus::kOk) return fail(s, "a header digest");
    uint32_t crc = Crc32c(pdu.bhs);
    if (!ahs.empty()) crc = Crc32c(ahs, crc);
    if (crc != LoadDigest(d)) {
      error_ = "bad header digest from the target on " + Describe(pdu);
      return std::nullopt;
    }
  }
  uint32_t dsl = Load24(&pdu.bhs[5]);
  if (dsl > 0) {
    std::vector<uint8_t> padded(PaddedLength(dsl));
    if ((s = ReadExact(padded.data(), padded.size(), kWaitMs)) != ReadStatus::kOk) {
      return fail(s, "a data segment");
    }
    if (data_digest) {
      uint8_t d[4];
      if ((s = ReadExact(d, 4, kWaitMs)) != ReadStatus::kOk) return fail(s, "a data digest");
      if (Crc32c(padded) != LoadDigest(d)) {
        error_ = "bad data digest from the target on " + Describe(pdu);
        return std::nullopt;
      }
    }
    padded.resize(dsl);
    pdu.data = std::move(padded);
  }
  Track(pdu);
  return pdu;
}

void Initiator::Track(const Pdu& pdu) {
  const auto op = static_cast<Opcode>(pdu.opcode());
  last_exp_cmd_sn = pdu.exp_cmd_sn();
  last_max_cmd_sn = pdu.max_cmd_sn();
  max_cmd_sn_history.push_back(pdu.max_cmd_sn());
  bool carries_status = op == Opcode::kScsiResponse || op == Opcode::kTaskMgmtResponse ||
                        op == Opcode::kTextResponse || op == Opcode::kLogoutResponse ||
                        op == Opcode::kReject || op == Opcode::kLoginResponse ||
                        (op == Opcode::kNopIn && pdu.itt() != kReservedTag) ||
                        (op == Opcode::kDataIn && (pdu.bhs[1] & 0x01) != 0);
  if (carries_status) exp_stat_sn = pdu.stat_sn() + 1;
}

bool Initiator::WaitForClose(int timeout_ms) {
  auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  while (!closed_) {
    int left = RemainingMs(deadline);
    if (left == 0) return false;
    auto pdu = Recv(left);
    if (pdu) {
      discarded_.push_back(std::move(*pdu));
    } else if (!closed_ && error_.rfind("timed out", 0) == 0) {
      return false;
    } else if (!closed_) {
      // A digest error: the stream is unusable; read raw until close.
      uint8_t junk[4096];
      ReadStatus s;
      do {
        s = ReadExact(junk, 1, RemainingMs(deadline));
      } while (s == ReadStatus::kOk);
      closed_ = s == ReadStatus::kClosed;
      return closed_;
    }
  }
  return true;
}

bool Initiator::Quiet(int ms) {
  pollfd p{fd_, POLLIN, 0};
  int ready = poll(&p, 1, ms);
  return ready == 0;
}

}  // namespace reftarget::iscsi::testing
