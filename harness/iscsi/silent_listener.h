// SilentListener (tests only): a TCP socket on 127.0.0.1 that listens and never accepts.
// The kernel completes the TCP handshake from the listen backlog, so an initiator connects
// and sends its Login Request, and no byte ever comes back: a deterministic peer for the
// harness's connect and login time limits.
#pragma once

#include <string>

namespace harness::iscsi {

class SilentListener {
 public:
  SilentListener();
  ~SilentListener();
  SilentListener(const SilentListener&) = delete;
  SilentListener& operator=(const SilentListener&) = delete;

  bool ok() const { return fd_ >= 0; }
  const std::string& error() const { return error_; }
  // Returns "127.0.0.1:PORT".
  std::string portal() const { return "127.0.0.1:" + std::to_string(port_); }

 private:
  int fd_ = -1;
  int port_ = 0;
  std::string error_;
};

}  // namespace harness::iscsi
