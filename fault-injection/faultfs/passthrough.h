// The FUSE operations of faultfs: a pass-through of a source directory in which every read,
// write, fsync and open first asks the rule engine for faults.
#pragma once

#ifndef FUSE_USE_VERSION
#define FUSE_USE_VERSION 314
#endif
#include <fuse.h>

#include "fault-injection/faultfs/durability_tracker.h"
#include "fault-injection/faultfs/fault_log.h"
#include "fault-injection/faultfs/open_files.h"
#include "fault-injection/faultfs/rules.h"

namespace reftarget::faultfs {

// Everything the operations share; passed to fuse_new() as private data. Must outlive the
// FUSE session.
struct FaultFs {
  int source_fd = -1;  // The mirrored directory, opened O_RDONLY|O_DIRECTORY.
  RuleEngine* engine = nullptr;
  DurabilityTracker* tracker = nullptr;  // Null when tracking is off.
  FaultLog* log = nullptr;
  bool direct_io = true;  // Bypass the page cache so every I/O reaches the rules.
  // Kernel limit on queued asynchronous requests (AIO/io_uring O_DIRECT, readahead). Hung
  // requests count against it, so it must exceed what a hang can pile up or asynchronous
  // I/O to other files queues behind them in the kernel (libfuse's default is 12).
  unsigned max_background = 256;
  OpenFiles open_files;
};

// Returns the operation table. Every operation finds its FaultFs through fuse_get_context().
fuse_operations MakeFaultFsOperations();

}  // namespace reftarget::faultfs
