// RawConnection: one TCP connection that sends and receives hand-built iSCSI PDUs, with
// optional CRC32C header and data digests. Used for what libiscsi refuses to send:
// malformed PDUs, wrong digests, hostile CHAP values.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "harness/rawpdu/iscsi_pdu.h"

namespace harness::rawpdu {

enum class RecvStatus { kPdu, kTimeout, kClosed, kDigestError, kProtocolError };

// Returns "pdu", "timeout", "closed", "digest error" or "protocol error".
const char* RecvStatusName(RecvStatus status);

class RawConnection {
 public:
  // Connects to host:port. Returns null with `*error` set on failure.
  static std::unique_ptr<RawConnection> Connect(const std::string& host, int port,
                                                std::chrono::milliseconds timeout,
                                                std::string* error);
  ~RawConnection();
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  // Turns digests on or off for later sends and receives (after login negotiates them).
  void SetDigests(bool header, bool data);
  bool header_digest() const { return header_digest_; }
  bool data_digest() const { return data_digest_; }

  // Sends raw bytes. Fails if the peer stops reading for `timeout` or closes.
  bool SendBytes(const uint8_t* data, size_t n, std::chrono::milliseconds timeout,
                 std::string* error);
  // Serializes `pdu` with the active digests and sends it. With `corrupt_data_digest`, the
  // data digest (if any) is sent with its bits inverted.
  bool SendPdu(const Pdu& pdu, std::string* error, bool corrupt_data_digest = false);
  // Receives one whole PDU, checking digests when active. Data segments over 16 MiB are
  // refused as a protocol error.
  RecvStatus Recv(Pdu* out, std::chrono::milliseconds timeout, std::string* error);
  // Reads and discards until the peer closes (true) or `timeout` passes (false).
  bool WaitForClose(std::chrono::milliseconds timeout);
  // Shuts down the write side (sends FIN).
  void ShutdownWrite();

  int fd() const { return fd_; }

 private:
  explicit RawConnection(int fd) : fd_(fd) {}
  // Fills `buf` with exactly n bytes from the input buffer or socket before `deadline`.
  RecvStatus ReadExact(uint8_t* buf, size_t n, std::chrono::steady_clock::time_point deadline,
                       std::string* error);

  int fd_ = -1;
  bool header_digest_ = false;
  bool data_digest_ = false;
  std::vector<uint8_t> pending_;  // bytes read but not yet consumed
};

}  // namespace harness::rawpdu
