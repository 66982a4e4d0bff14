#include "harness/loadgen/time_series.h"

#include <algorithm>
#include <cmath>

namespace harness::loadgen {

LatencySummary Summarize(const LatencyHistogram& h) {
  LatencySummary s;
  s.count = h.count();
  if (s.count == 0) return s;
  s.p50_us = static_cast<double>(h.ValueAtPercentile(50)) / 1000.0;
  s.p99_us = static_cast<double>(h.ValueAtPercentile(99)) / 1000.0;
  s.p999_us = static_cast<double>(h.ValueAtPercentile(99.9)) / 1000.0;
  s.max_us = static_cast<double>(h.max()) / 1000.0;
  s.mean_us = h.mean() / 1000.0;
  return s;
}

size_t LunSeries::IndexOf(double t_s) const {
  size_t i = t_s <= 0 ? 0 : static_cast<size_t>(std::floor(t_s));
  if (max_points_ > 0) i = std::min(i, max_points_ - 1);
  return i;
}

void LunSeries::CloseUntil(size_t count) {
  while (closed_.size() < count) {
    const size_t index = closed_.size();
    SeriesPoint p;
    p.t = static_cast<int>(index);
    auto it = open_.find(index);
    if (it != open_.end()) {
      p.counters = it->second.counters;
      p.read_latency = Summarize(it->second.read);
      p.write_latency = Summarize(it->second.write);
      open_.erase(it);
    }
    closed_.push_back(p);
  }
}

LunSeries::Open* LunSeries::PointFor(size_t index) {
  if (index >= 2) CloseUntil(index - 1);
  if (index < closed_.size()) return nullptr;
  return &open_[index];
}

void LunSeries::AddIo(double t_s, IoOp op, uint64_t bytes, uint64_t latency_ns) {
  std::lock_guard<std::mutex> lock(mu_);
  totals_.AddIo(op, bytes);
  (op == IoOp::kRead ? read_total_ : write_total_).Record(latency_ns);
  const size_t bin = t_s <= 0 ? 0 : static_cast<size_t>(t_s / kFineBinSeconds);
  if (bin >= fine_.size()) fine_.resize(bin + 1, 0);
  ++fine_[bin];
  const size_t index = IndexOf(t_s);
  if (Open* p = PointFor(index)) {
    p->counters.AddIo(op, bytes);
    (op == IoOp::kRead ? p->read : p->write).Record(latency_ns);
  } else {
    closed_[index].counters.AddIo(op, bytes);
  }
}

void LunSeries::AddEvent(double t_s, Event event, uint64_t n) {
  std::lock_guard<std::mutex> lock(mu_);
  totals_.Add(event, n);
  const size_t index = IndexOf(t_s);
  if (Open* p = PointFor(index)) {
    p->counters.Add(event, n);
  } else {
    closed_[index].counters.Add(event, n);
  }
}

void LunSeries::Finish(double end_s) {
  std::lock_guard<std::mutex> lock(mu_);
  size_t count = std::max<size_t>(1, static_cast<size_t>(std::ceil(std::max(0.0, end_s) - 1e-9)));
  if (!open_.empty()) count = std::max(count, open_.rbegin()->first + 1);
  if (max_points_ > 0) count = std::min(count, max_points_);
  count = std::max(count, closed_.size());
  CloseUntil(count);
  // Every point is one second except the last, which covers what remains of the run.
  for (SeriesPoint& p : closed_) p.seconds = 1;
  if (!closed_.empty()) {
    SeriesPoint& last = closed_.back();
    last.seconds = std::max(end_s - last.t, 1e-3);
  }
}

}  // namespace harness::loadgen
