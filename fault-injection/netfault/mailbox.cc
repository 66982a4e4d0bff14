#include "fault-injection/netfault/mailbox.h"

#include <sys/eventfd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>

#include "fault-injection/faultfs/control_handler.h"  // ErrorReply.

namespace reftarget::netfault {
namespace {

std::string ClosedReply() { return faultfs::ErrorReply("netfault is shutting down").dump(); }

}  // namespace

Status Mailbox::Open() {
  event_ = Fd(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
  if (!event_.valid()) return Status::Error(std::string("eventfd: ") + std::strerror(errno));
  return Status::Ok();
}

std::string Mailbox::Call(const std::string& line) {
  Request request;
  request.line = line;
  std::unique_lock<std::mutex> lock(mu_);
  if (closed_) return ClosedReply();
  pending_.push_back(&request);
  const uint64_t one = 1;
  ssize_t ignored = write(event_.get(), &one, sizeof(one));
  (void)ignored;  // The counter cannot overflow here; a failure would show as a lost wakeup.
  cv_.wait(lock, [&] { return request.done; });
  return request.reply;
}

void Mailbox::Drain(const std::function<std::string(const std::string&)>& handler) {
  uint64_t count = 0;
  ssize_t ignored = read(event_.get(), &count, sizeof(count));
  (void)ignored;  // EAGAIN only means another Drain already took the wakeup.
  std::deque<Request*> batch;
  {
    std::lock_guard<std::mutex> lock(mu_);
    batch.swap(pending_);
  }
  for (Request* request : batch) {
    std::string reply = handler(request->line);
    std::lock_guard<std::mutex> lock(mu_);
    request->reply = std::move(reply);
    request->done = true;
  }
  cv_.notify_all();
}

void Mailbox::Close() {
  std::lock_guard<std::mutex> lock(mu_);
  closed_ = true;
  for (Request* request : pending_) {
    request->reply = ClosedReply();
    request->done = true;
  }
  pending_.clear();
  cv_.notify_all();
}

}  // namespace reftarget::netfault
