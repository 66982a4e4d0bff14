#include "harness/loadgen/fine_rate.h"

#include <algorithm>

namespace harness::loadgen {

Rate RateOver(const std::vector<uint32_t>& fine, double bin_s, const std::vector<Span>& spans) {
  Rate r;
  if (!(bin_s > 0)) return r;
  double completions = 0;
  for (const Span& span : spans) {
    if (!(span.t1_s > span.t0_s)) continue;
    r.seconds += span.t1_s - span.t0_s;
    const double t0 = std::max(0.0, span.t0_s);
    const size_t first = static_cast<size_t>(t0 / bin_s);
    for (size_t i = first; i < fine.size(); ++i) {
      const double bin_t0 = static_cast<double>(i) * bin_s;
      if (bin_t0 >= span.t1_s) break;
      const double overlap = std::min(bin_t0 + bin_s, span.t1_s) - std::max(bin_t0, t0);
      if (overlap > 0) completions += fine[i] * (overlap / bin_s);
    }
  }
  r.iops = r.seconds > 0 ? completions / r.seconds : 0;
  return r;
}

}  // namespace harness::loadgen
