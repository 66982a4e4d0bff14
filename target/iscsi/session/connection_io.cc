// Connection: socket I/O, the receive state machine and the batched send path.
#include <errno.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

#include "target/common/logging.h"
#include "target/iscsi/pdu/crc32c.h"
#include "target/iscsi/session/connection.h"
#include "target/iscsi/session/task.h"
#include "target/scsi/logical_unit.h"

namespace reftarget::iscsi {
namespace {

constexpr size_t kRecvBufferSize = 256 * 1024;
// A connection that has not logged in yet gets a small staging buffer: login PDUs are small,
// and a flood of idle connections then costs little memory (TEST-PLAN T26).
constexpr size_t kLoginRecvBufferSize = 16 * 1024;
// Payloads at least this large that are not yet staged are received straight into their
// destination, saving a copy.
constexpr size_t kDirectReceiveThreshold = 16 * 1024;
constexpr int kMaxIov = 64;

std::atomic<uint64_t> g_next_nexus{1};

}  // namespace

Connection::Connection(int fd, net::Endpoint peer, net::Endpoint local, net::Reactor* reactor,
                       ConnectionContext context)
    : fd_(fd),
      peer_(std::move(peer)),
      local_(std::move(local)),
      reactor_(reactor),
      context_(context),
      log_name_("conn " + peer_.ToString()),
      recv_buffer_(kLoginRecvBufferSize) {
  nexus_ = g_next_nexus.fetch_add(1);
  last_rx_ = std::chrono::steady_clock::now();
  // AttachAcceptor took the slot before constructing the connection.
  login_slot_ = context_.login_phase_connections != nullptr;
}

Connection::~Connection() {
  ReleaseLoginSlot();
  if (fd_ >= 0) close(fd_);
}

void Connection::ReleaseLoginSlot() {
  if (!login_slot_) return;
  login_slot_ = false;
  context_.login_phase_connections->fetch_sub(1, std::memory_order_relaxed);
}

void Connection::Start() {
  auto self = shared_from_this();
  Status s = reactor_->Add(fd_, EPOLLIN | EPOLLRDHUP, [self](uint32_t ev) { self->OnEvents(ev); });
  if (!s.ok()) {
    RT_LOG(kError, log_name_) << s.message();
    close(fd_);
    fd_ = -1;
    return;
  }
  RT_LOG(kDebug, log_name_) << "accepted on " << local_.ToString();
  std::weak_ptr<Connection> weak = self;
  reactor_->AddPeriodic(std::chrono::milliseconds(1000), [weak] {
    auto conn = weak.lock();
    if (!conn || conn->closed()) return false;
    conn->OnTick();
    return true;
  });
}

void Connection::CloseAsync(const std::string& reason) {
  auto self = shared_from_this();
  reactor_->Post([self, reason] { self->Close(reason); });
}

void Connection::EndSession(const std::string& reason, std::function<void()> on_ended) {
  Close(reason);
  if (on_ended) on_session_ended_.push_back(std::move(on_ended));
  MaybeSessionEnded();
}

void Connection::MaybeSessionEnded() {
  if (!closed() || !tasks_.empty() || on_session_ended_.empty()) return;
  auto callbacks = std::move(on_session_ended_);
  on_session_ended_.clear();
  for (auto& fn : callbacks) fn();
}

void Connection::Close(const std::string& reason) {
  if (fd_ < 0) return;
  RT_LOG(kInfo, log_name_) << "closing: " << reason;
  ReleaseLoginSlot();
  reactor_->Remove(fd_);
  close(fd_);
  fd_ = -1;
  out_.clear();
  ordered_.clear();
  // Tasks still executing finish in the background; their completions find the
  // connection closed and drop the response. Tasks still collecting data are dropped.
  for (auto it = tasks_.begin(); it != tasks_.end();) {
    if (it->second->state == Task::State::kExecuting) {
      it->second->aborted = true;
      ++it;
    } else {
      it = tasks_.erase(it);
    }
  }
  data_task_itt_ = kReservedTag;
  sink_.dest = nullptr;
  if (registered_) {
    context_.sessions->Remove(session_key_, tsih_);
    registered_ = false;
  }
  for (const auto& [lun, mapped] : luns_) {
    if (mapped.unit) mapped.unit->NexusLost(nexus_);
  }
}

void Connection::OnEvents(uint32_t events) {
  if (fd_ < 0) return;
  if (events & (EPOLLIN | EPOLLERR | EPOLLHUP | EPOLLRDHUP)) ReadAvailable();
  if (fd_ >= 0 && (events & EPOLLOUT)) Flush();
}

void Connection::ResetReceive() {
  recv_state_ = RecvState::kBhs;
  need_ = kBhsLength;
  have_ = 0;
  sink_ = DataSink{};
}

void Connection::ReadAvailable() {
  for (int rounds = 0; rounds < 64 && fd_ >= 0; ++rounds) {
    if (recv_begin_ == recv_end_) {
      recv_begin_ = recv_end_ = 0;
      // Large payload: receive it in place.
      if (recv_state_ == RecvState::kData && sink_.dest != nullptr &&
          sink_.length - std::min<size_t>(have_, sink_.length) >= kDirectReceiveThreshold) {
        size_t want = sink_.length - have_;
        ssize_t n = recv(fd_, sink_.dest + have_, want, 0);
        if (n > 0) {
          last_rx_ = std::chrono::steady_clock::now();
          if (params_.data_digest_crc32c) {
            data_crc_ = Crc32c({sink_.dest + have_, static_cast<size_t>(n)}, data_crc_);
          }
          have_ += static_cast<size_t>(n);
          if (have_ == need_) {
            // need_ == length only when there is no padding; otherwise Consume finishes.
            size_t none = Consume(nullptr, 0);
            (void)none;
          }
          continue;
        }
        if (n == 0) return Close("peer closed the connection");
        if (errno == EAGAIN || errno == EWOULDBLOCK) break;
        if (errno == EINTR) continue;
        return Close(std::string("recv: ") + std::strerror(errno));
      }
      if (phase_ != Phase::kLogin && recv_buffer_.size() < kRecvBufferSize) {
        recv_buffer_.resize(kRecvBufferSize);  // empty now, so nothing staged moves
      }
      ssize_t n = recv(fd_, recv_buffer_.data(), recv_buffer_.size(), 0);
      if (n == 0) return Close("peer closed the connection");
      if (n < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK) break;
        if (errno == EINTR) continue;
        return Close(std::string("recv: ") + std::strerror(errno));
      }
      last_rx_ = std::chrono::steady_clock::now();
      recv_end_ = static_cast<size_t>(n);
    }
    while (recv_begin_ < recv_end_ && fd_ >= 0) {
      recv_begin_ += Consume(recv_buffer_.data() + recv_begin_, recv_end_ - recv_begin_);
    }
  }
  Flush();
}

size_t Connection::Consume(const uint8_t* p, size_t n) {
  size_t used = 0;
  auto take = [&](uint8_t* dest) {
    size_t k = std::min(need_ - have_, n - used);
    if (k > 0 && dest != nullptr) std::memcpy(dest + have_, p + used, k);
    have_ += k;
    used += k;
    return have_ == need_;
  };
  switch (recv_state_) {
    case RecvState::kBhs:
      if (!take(bhs_.data())) return used;
      common_ = DecodeCommon(bhs_);
      ahs_length_ = common_.total_ahs_length * 4u;
      have_ = 0;
      if (ahs_length_ > 0) {
        recv_state_ = RecvState::kAhs;
        need_ = ahs_length_;
        return used;
      }
      [[fallthrough]];
    case RecvState::kAhs:
      if (recv_state_ == RecvState::kAhs && !take(ahs_.data())) return used;
      have_ = 0;
      if (params_.header_digest_crc32c) {
        recv_state_ = RecvState::kHeaderDigest;
        need_ = 4;
        return used;
      }
      OnHeaderComplete();
      return used;
    case RecvState::kHeaderDigest: {
      if (!take(digest_.data())) return used;
      uint32_t crc = Crc32c(bhs_);
      if (ahs_length_ > 0) crc = Crc32c({ahs_.data(), ahs_length_}, crc);
      if (crc != LoadDigest(digest_.data())) {
        // RFC 7143 §7.8: a header digest error leaves the PDU boundaries in doubt.
        Close("header digest error");
        return used;
      }
      have_ = 0;
      OnHeaderComplete();
      return used;
    }
    case RecvState::kData: {
      // Payload bytes go to the sink; padding bytes only feed the digest.
      while (used < n && have_ < need_) {
        size_t k = std::min(need_ - have_, n - used);
        if (have_ < sink_.length) {
          size_t payload = std::min<size_t>(k, sink_.length - have_);
          if (sink_.dest != nullptr) std::memcpy(sink_.dest + have_, p + used, payload);
          k = payload;
        }
        if (params_.data_digest_crc32c) data_crc_ = Crc32c({p + used, k}, data_crc_);
        have_ += k;
        used += k;
      }
      if (have_ < need_) return used;
      have_ = 0;
      if (params_.data_digest_crc32c) {
        recv_state_ = RecvState::kDataDigest;
        need_ = 4;
        return used;
      }
      OnPduComplete(true);
      return used;
    }
    case RecvState::kDataDigest: {
      if (!take(digest_.data())) return used;
      bool ok = data_crc_ == LoadDigest(digest_.data());
      OnPduComplete(ok);
      return used;
    }
  }
  return used;
}

void Connection::Send(const Bhs& bhs_in, std::shared_ptr<const void> owner, const uint8_t* data,
                      uint32_t length) {
  if (fd_ < 0) return;
  OutPdu pdu;
  std::memcpy(pdu.header.data(), bhs_in.data(), kBhsLength);
  Store24(pdu.header.data() + 5, length);
  if (params_.header_digest_crc32c && phase_ != Phase::kLogin) {
    StoreDigest(pdu.header.data() + kBhsLength,
                Crc32c({pdu.header.data(), kBhsLength}));
    pdu.header_length = kBhsLength + 4;
  }
  pdu.owner = std::move(owner);
  pdu.data = data;
  pdu.data_length = length;
  uint32_t pad = PaddedLength(length) - length;
  pdu.trailer_length = pad;
  if (length > 0 && params_.data_digest_crc32c && phase_ != Phase::kLogin) {
    uint32_t crc = Crc32c({data, length});
    if (pad > 0) crc = Crc32c({pdu.trailer.data(), pad}, crc);
    StoreDigest(pdu.trailer.data() + pad, crc);
    pdu.trailer_length = pad + 4;
  }
  out_.push_back(std::move(pdu));
}

void Connection::SendBytes(const Bhs& bhs, std::vector<uint8_t> data) {
  if (data.empty()) return Send(bhs);
  auto owned = std::make_shared<std::vector<uint8_t>>(std::move(data));
  const uint8_t* p = owned->data();
  uint32_t n = static_cast<uint32_t>(owned->size());
  Send(bhs, std::move(owned), p, n);
}

void Connection::Flush() {
  while (fd_ >= 0 && !out_.empty()) {
    iovec iov[kMaxIov];
    int count = 0;
    for (auto it = out_.begin(); it != out_.end() && count + 3 <= kMaxIov; ++it) {
      size_t skip = it->sent;
      auto add = [&](const uint8_t* base, size_t len) {
        if (len == 0) return;
        if (skip >= len) {
          skip -= len;
          return;
        }
        iov[count].iov_base = const_cast<uint8_t*>(base + skip);
        iov[count].iov_len = len - skip;
        skip = 0;
        ++count;
      };
      add(it->header.data(), it->header_length);
      add(it->data, it->data_length);
      add(it->trailer.data(), it->trailer_length);
    }
    msghdr msg{};
    msg.msg_iov = iov;
    msg.msg_iovlen = static_cast<size_t>(count);
    ssize_t n = sendmsg(fd_, &msg, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) {
        if (!want_write_) {
          want_write_ = true;
          reactor_->Modify(fd_, EPOLLIN | EPOLLRDHUP | EPOLLOUT);
        }
        return;
      }
      Close(std::string("send: ") + std::strerror(errno));
      return;
    }
    size_t left = static_cast<size_t>(n);
    while (left > 0 && !out_.empty()) {
      OutPdu& front = out_.front();
      size_t remaining = front.total() - front.sent;
      if (left >= remaining) {
        left -= remaining;
        out_.pop_front();
      } else {
        front.sent += left;
        left = 0;
      }
    }
  }
  if (want_write_ && fd_ >= 0) {
    want_write_ = false;
    reactor_->Modify(fd_, EPOLLIN | EPOLLRDHUP);
  }
  if (phase_ == Phase::kLoggingOut && out_.empty() && fd_ >= 0) Close("logged out");
}

void AttachAcceptor(net::Listener* listener, net::ReactorPool* pool, ConnectionContext context) {
  Status s = listener->Start(&pool->at(0), [pool, context](int fd, const net::Endpoint& peer,
                                                           const net::Endpoint& local) {
    if (auto* logging_in = context.login_phase_connections) {
      if (logging_in->fetch_add(1, std::memory_order_relaxed) >= kMaxLoginPhaseConnections) {
        logging_in->fetch_sub(1, std::memory_order_relaxed);
        static std::atomic<uint64_t> refused{0};
        const uint64_t n = refused.fetch_add(1, std::memory_order_relaxed) + 1;
        if (n <= 10 || n % 1000 == 0) {
          RT_LOG(kWarn, "listener") << "refusing connection from " << peer.ToString() << ": "
                                    << kMaxLoginPhaseConnections
                                    << " connections are already logging in (" << n
                                    << " refused so far)";
        }
        close(fd);
        return;
      }
    }
    net::Reactor* reactor = &pool->Next();
    auto conn = std::make_shared<Connection>(fd, peer, local, reactor, context);
    reactor->Post([conn] { conn->Start(); });
  });
  if (!s.ok()) RT_LOG(kError, "listener") << s.message();
}

}  // namespace reftarget::iscsi
