// Rates over stretches of a run, from a LUN's 50 ms completion bins
// (LunSeries::fine_completions): how fast a LUN went while something else happened (a LUN
// change, a backstore fault), to the resolution of the bins rather than whole seconds.
#pragma once

#include <cstdint>
#include <vector>

namespace harness::loadgen {

// A stretch of a run, in seconds since its start.
struct Span {
  double t0_s = 0;
  double t1_s = 0;
};

// A completion rate over some spans.
struct Rate {
  double iops = 0;
  double seconds = 0;  // the spans' total length
};

// Returns the completions per second over `spans` (disjoint), from `fine` (completions per
// bin of `bin_s` seconds since the start; a bin past the end of `fine` holds none). A bin
// partly inside a span counts in proportion to the overlap.
Rate RateOver(const std::vector<uint32_t>& fine, double bin_s, const std::vector<Span>& spans);

}  // namespace harness::loadgen
