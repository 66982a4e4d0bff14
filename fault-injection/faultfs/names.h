// Text forms of the faultfs vocabulary: errno names, operation and action names, sizes.
// Shared by the control protocol, the CLI and the fault log so they all spell things alike.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "fault-injection/faultfs/rules.h"
#include "target/common/status.h"

namespace reftarget::faultfs {

// Parses "EIO", "eio", "ENOSPC", ... or a decimal errno ("5"). Errors name the input.
Result<int> ParseErrno(std::string_view text);
// Returns "EIO" for EIO; the decimal number for errnos without a name in the table.
std::string ErrnoName(int error);

// Parses "read|write|fsync|open|any".
Result<Op> ParseOp(std::string_view text);
const char* OpName(Op op);

// Parses "error|delay|hang|corrupt|short".
Result<Action> ParseAction(std::string_view text);
const char* ActionName(Action action);

// Parses a byte count: decimal or 0x hex, optional binary suffix k/K, m/M, g/G, t/T (with an
// optional trailing "iB"/"B"), e.g. "4096", "4k", "1M", "1GiB". Rejects overflow.
Result<uint64_t> ParseSize(std::string_view text);

}  // namespace reftarget::faultfs
