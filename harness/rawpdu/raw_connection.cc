#include "harness/rawpdu/raw_connection.h"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "harness/net/tcp_util.h"
#include "harness/rawpdu/crc32c.h"

namespace harness::rawpdu {
namespace {

using Clock = std::chrono::steady_clock;
constexpr uint32_t kMaxDataSegment = 16u << 20;

int RemainingMs(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return left.count() < 0 ? 0 : static_cast<int>(left.count());
}

uint32_t GetLe32(const uint8_t* p) {
  return static_cast<uint32_t>(p[0]) | static_cast<uint32_t>(p[1]) << 8 |
         static_cast<uint32_t>(p[2]) << 16 | static_cast<uint32_t>(p[3]) << 24;
}

}  // namespace

const char* RecvStatusName(RecvStatus status) {
  switch (status) {
    case RecvStatus::kPdu:
      return "pdu";
    case RecvStatus::kTimeout:
      return "timeout";
    case RecvStatus::kClosed:
      return "closed";
    case RecvStatus::kDigestError:
      return "digest error";
    case RecvStatus::kProtocolError:
      return "protocol error";
  }
  return "?";
}

std::unique_ptr<RawConnection> RawConnection::Connect(const std::string& host, int port,
                                                      std::chrono::milliseconds timeout,
                                                      std::string* error) {
  Result<int> fd = net::ConnectTcp(host, port, timeout);
  if (!fd.ok()) {
    *error = fd.error();
    return nullptr;
  }
  return std::unique_ptr<RawConnection>(new RawConnection(fd.value()));
}

RawConnection::~RawConnection() {
  if (fd_ >= 0) close(fd_);
}

void RawConnection::SetDigests(bool header, bool data) {
  header_digest_ = header;
  data_digest_ = data;
}

bool RawConnection::SendBytes(const uint8_t* data, size_t n, std::chrono::milliseconds timeout,
                              std::string* error) {
  const auto deadline = Clock::now() + timeout;
  size_t sent = 0;
  while (sent < n) {
    ssize_t w = send(fd_, data + sent, n - sent, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (w > 0) {
      sent += static_cast<size_t>(w);
      continue;
    }
    if (w < 0 && errno == EINTR) continue;
    if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      pollfd p{fd_, POLLOUT, 0};
      int left = RemainingMs(deadline);
      if (left == 0 || poll(&p, 1, left) <= 0) {
        *error = "send: peer stopped reading";
        return false;
      }
      continue;
    }
    *error = std::string("send: ") + (w < 0 ? std::strerror(errno) : "closed");
    return false;
  }
  return true;
}

bool RawConnection::SendPdu(const Pdu& pdu, std::string* error, bool corrupt_data_digest) {
  std::vector<uint8_t> bytes = SerializePdu(pdu, header_digest_, data_digest_);
  if (corrupt_data_digest && data_digest_ && !pdu.data.empty()) {
    for (size_t i = bytes.size() - 4; i < bytes.size(); ++i) bytes[i] ^= 0xff;
  }
  return SendBytes(bytes.data(), bytes.size(), std::chrono::seconds(10), error);
}

RecvStatus RawConnection::ReadExact(uint8_t* buf, size_t n, Clock::time_point deadline,
                                    std::string* error) {
  while (pending_.size() < n) {
    pollfd p{fd_, POLLIN, 0};
    int left = RemainingMs(deadline);
    int rc = left == 0 ? 0 : poll(&p, 1, left);
    if (rc < 0 && errno == EINTR) continue;
    if (rc <= 0) return RecvStatus::kTimeout;
    uint8_t tmp[65536];
    ssize_t got = recv(fd_, tmp, sizeof(tmp), MSG_DONTWAIT);
    if (got == 0) return RecvStatus::kClosed;
    if (got < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      if (errno == ECONNRESET || errno == EPIPE) return RecvStatus::kClosed;
      *error = std::string("recv: ") + std::strerror(errno);
      return RecvStatus::kProtocolError;
    }
    pending_.insert(pending_.end(), tmp, tmp + got);
  }
  std::memcpy(buf, pending_.data(), n);
  pending_.erase(pending_.begin(), pending_.begin() + static_cast<long>(n));
  return RecvStatus::kPdu;
}

RecvStatus RawConnection::Recv(Pdu* out, std::chrono::milliseconds timeout, std::string* error) {
  const auto deadline = Clock::now() + timeout;
  Pdu pdu;
  RecvStatus st = ReadExact(pdu.bhs.data(), kBhsLength, deadline, error);
  if (st != RecvStatus::kPdu) return st;
  const size_t ahs_len = static_cast<size_t>(pdu.bhs[4]) * 4;
  const uint32_t dsl = pdu.HeaderDataLength();
  if (dsl > kMaxDataSegment) {
    *error = "target sent DataSegmentLength " + std::to_string(dsl);
    return RecvStatus::kProtocolError;
  }
  pdu.ahs.resize(ahs_len);
  if (ahs_len > 0) {
    st = ReadExact(pdu.ahs.data(), ahs_len, deadline, error);
    if (st != RecvStatus::kPdu) return st;
  }
  bool digest_bad = false;
  if (header_digest_) {
    uint8_t d[4];
    st = ReadExact(d, 4, deadline, error);
    if (st != RecvStatus::kPdu) return st;
    std::vector<uint8_t> hdr(pdu.bhs.begin(), pdu.bhs.end());
    hdr.insert(hdr.end(), pdu.ahs.begin(), pdu.ahs.end());
    if (GetLe32(d) != Crc32c(hdr.data(), hdr.size())) {
      *error = "bad header digest on " + OpcodeName(pdu.opcode());
      digest_bad = true;
    }
  }
  if (dsl > 0) {
    const size_t padded = (dsl + 3) & ~size_t{3};
    std::vector<uint8_t> data(padded);
    st = ReadExact(data.data(), padded, deadline, error);
    if (st != RecvStatus::kPdu) return st;
    if (data_digest_) {
      uint8_t d[4];
      st = ReadExact(d, 4, deadline, error);
      if (st != RecvStatus::kPdu) return st;
      if (GetLe32(d) != Crc32c(data.data(), data.size())) {
        *error = "bad data digest on " + OpcodeName(pdu.opcode());
        digest_bad = true;
      }
    }
    data.resize(dsl);
    pdu.data = std::move(data);
  }
  *out = std::move(pdu);
  return digest_bad ? RecvStatus::kDigestError : RecvStatus::kPdu;
}

bool RawConnection::WaitForClose(std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  pending_.clear();
  while (true) {
    pollfd p{fd_, POLLIN, 0};
    int left = RemainingMs(deadline);
    if (left == 0) return false;
    int rc = poll(&p, 1, left);
    if (rc < 0 && errno == EINTR) continue;
    if (rc <= 0) return false;
    uint8_t tmp[65536];
    ssize_t got = recv(fd_, tmp, sizeof(tmp), MSG_DONTWAIT);
    if (got == 0) return true;
    if (got < 0 && errno != EINTR && errno != EAGAIN) return true;
  }
}

void RawConnection::ShutdownWrite() { shutdown(fd_, SHUT_WR); }

}  // namespace harness::rawpdu
