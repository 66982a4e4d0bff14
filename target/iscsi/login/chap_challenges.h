// Random CHAP identifiers and challenges, and the process-wide record of recent challenges
// used to detect reflection (RFC 7143 §9.2.1). Internal to the login library.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace reftarget::iscsi::login {

// Fills `out` from getrandom(2), retrying on EINTR and short reads. Returns false if the
// kernel cannot supply random bytes.
bool FillRandom(std::span<uint8_t> out);

// Returns `length` fresh random bytes that differ from every recently issued challenge, and
// records them; nullopt if no random bytes are available. Thread-safe.
std::optional<std::vector<uint8_t>> IssueChapChallenge(size_t length);

}  // namespace reftarget::iscsi::login
