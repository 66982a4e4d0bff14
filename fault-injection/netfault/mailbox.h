// Hands control request lines from the control server's thread to the event-loop thread,
// which owns every connection and the rule engine, and hands the replies back. So the
// proxy's state has one owner and needs no locks.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <string>

#include "fault-injection/netfault/fd.h"
#include "target/common/status.h"

namespace reftarget::netfault {

class Mailbox {
 public:
  Mailbox() = default;
  Mailbox(const Mailbox&) = delete;
  Mailbox& operator=(const Mailbox&) = delete;

  // Creates the event fd the loop waits on.
  Status Open();
  // Returns an fd that is readable while requests wait. REQUIRES: Open() succeeded.
  int fd() const { return event_.get(); }
  // Control thread: queues `line`, wakes the loop and returns its reply line. After Close()
  // it returns an error reply at once.
  std::string Call(const std::string& line);
  // Loop thread: answers every waiting request with `handler`.
  void Drain(const std::function<std::string(const std::string&)>& handler);
  // Loop thread, when it stops: answers waiting and later calls with an error, so the
  // control thread can always be joined.
  void Close();

 private:
  struct Request {
    std::string line;
    std::string reply;
    bool done = false;
  };

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Request*> pending_;
  bool closed_ = false;
  Fd event_;
};

}  // namespace reftarget::netfault
