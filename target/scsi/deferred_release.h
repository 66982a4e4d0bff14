// Releases objects on a dedicated thread. A logical unit destroyed while its commands are in
// flight is finally freed by the last command, inside a backstore completion, on a backstore
// worker thread; dropping the last reference to the backstore there would make the store join
// its own worker (std::terminate) or wait on itself. Such releases are handed to this thread.
#pragma once

#include <memory>

namespace reftarget::scsi {

// Marks the current thread as running a backstore completion for as long as it lives.
class StoreCompletionScope {
 public:
  StoreCompletionScope();
  ~StoreCompletionScope();
  StoreCompletionScope(const StoreCompletionScope&) = delete;
  StoreCompletionScope& operator=(const StoreCompletionScope&) = delete;
};

// Returns true if the current thread is inside a StoreCompletionScope.
bool InStoreCompletion();

// Drops `object` on the release thread (started on first use; it drains and joins at exit).
void ReleaseLater(std::shared_ptr<void> object);

// Makes sure the release thread's owner exists (call before creating objects that may use
// ReleaseLater from their destructors, so it is destroyed after them).
void EnsureReleaserExists();

}  // namespace reftarget::scsi
