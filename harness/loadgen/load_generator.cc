#include "harness/loadgen/load_generator.h"

#include <algorithm>
#include <cmath>
#include <random>

#include "harness/loadgen/block_format.h"
#include "harness/loadgen/lun_probe.h"

namespace harness::loadgen {
namespace {

uint32_t RandomNonZero32() {
  std::random_device rd;
  uint32_t v = 0;
  while (v == 0) v = rd();
  return v;
}

uint64_t RandomSeed() {
  std::random_device rd;
  return (uint64_t{rd()} << 32) | rd();
}

uint32_t MaxIoBytes(const Workload& w) {
  uint32_t m = 0;
  for (const BlockSizeWeight& b : w.block_sizes) m = std::max(m, b.bytes);
  return m;
}

}  // namespace

LoadGenerator::LoadGenerator(LoadConfig config) : config_(std::move(config)) {}

LoadGenerator::~LoadGenerator() {
  if (running()) {
    RequestStop();
    (void)Wait();
  }
}

LbaRange LoadGenerator::Slice(const LbaRange& range, int session, int sessions, bool shared,
                              uint64_t align) {
  if (shared || sessions <= 1) return range;
  align = std::max<uint64_t>(align, 1);
  const uint64_t per = range.count / static_cast<uint64_t>(sessions) / align * align;
  LbaRange s;
  s.first = range.first + per * static_cast<uint64_t>(session);
  s.count = session == sessions - 1 ? range.count - per * static_cast<uint64_t>(sessions - 1) : per;
  if (per == 0) s.count = 0;
  return s;
}

Result<std::unique_ptr<LoadGenerator>> LoadGenerator::Create(const LoadConfig& config) {
  if (Status st = Validate(config); !st.ok()) return st;
  std::unique_ptr<LoadGenerator> gen(new LoadGenerator(config));
  gen->run_id_ = RandomNonZero32();
  // Every session: the same initiator name, its own ISID (RFC 7143 §11.12.5, type
  // "random"): one I_T nexus each, as N sessions of a Linux initiator would be.
  const uint32_t isid_base = RandomNonZero32() & 0xffffff;
  for (int i = 0; i < config.sessions; ++i) {
    iscsi::ConnectOptions o;
    o.portal = config.portal;
    o.target = config.target;
    o.lun = config.luns.front();
    o.initiator = config.initiator;
    o.chap = config.chap;
    o.header_digest = config.header_digest;
    o.isid = iscsi::Isid{isid_base, static_cast<uint16_t>(i)};
    o.check_lun = false;  // the generator clears and counts unit attentions itself
    o.connect_limit = config.connect_limit;
    Result<std::unique_ptr<iscsi::Session>> s = iscsi::Session::Connect(o);
    if (!s.ok())
      return Status::Error("session " + std::to_string(i) + ": " + s.error(), s.status().code());
    gen->workers_.push_back(std::make_unique<SessionWorker>(i, std::move(s).value()));
  }
  for (int lun : config.luns) {
    Result<LunCapacity> cap =
        ReadCapacity(gen->workers_.front()->session(), lun, config.retry.command_limit);
    if (!cap.ok()) return cap.status();
    const LunCapacity& c = cap.value();
    if (c.block_size < kMinBlockSize || c.block_size % 8 != 0) {
      return Status::Error("LUN " + std::to_string(lun) + ": logical block size " +
                           std::to_string(c.block_size) +
                           " is not a multiple of 8 of at least 64 bytes");
    }
    LunInfo info;
    info.lun = lun;
    info.block_size = c.block_size;
    info.capacity_blocks = c.blocks;
    auto it = config.ranges.find(lun);
    info.range = it == config.ranges.end() ? LbaRange{} : it->second;
    if (info.range.first >= c.blocks) {
      return Status::Error("LoadConfig.ranges[" + std::to_string(lun) + "].first: LBA " +
                           std::to_string(info.range.first) + " is past the LUN's " +
                           std::to_string(c.blocks) + " blocks");
    }
    if (info.range.count == 0) {
      info.range.count = std::min(c.blocks - info.range.first, config.max_tracked_blocks);
    } else if (info.range.count > c.blocks - info.range.first) {
      return Status::Error("LoadConfig.ranges[" + std::to_string(lun) + "]: LBA " +
                           std::to_string(info.range.first) + " + " +
                           std::to_string(info.range.count) + " blocks is past the LUN's " +
                           std::to_string(c.blocks) + " blocks");
    }
    gen->luns_.push_back(info);
    gen->maps_.push_back(std::make_unique<BlockMap>(info.range.first, info.range.count));
  }
  for (auto& w : gen->workers_) {
    for (int lun : config.luns) {
      Status st = ClearUnitAttentions(w->session(), lun, config.retry.command_limit,
                                      &gen->setup_unit_attentions_);
      if (!st.ok())
        return Status::Error("session " + std::to_string(w->index()) + ": " + st.message());
    }
  }
  if (Status st = gen->CheckWorkload(config.workload); !st.ok()) return st;
  if (!config.journal_path.empty()) {
    Result<std::unique_ptr<JournalWriter>> j =
        JournalWriter::Create(config.journal_path, gen->run_id_, config.journal);
    if (!j.ok()) return j.status();
    gen->journal_ = std::move(j).value();
  }
  return gen;
}

Status LoadGenerator::CheckWorkload(const Workload& w) const {
  if (Status st = ValidateWorkload(w); !st.ok()) return st;
  const uint32_t max_bytes = MaxIoBytes(w);
  for (const LunInfo& l : luns_) {
    for (const BlockSizeWeight& b : w.block_sizes) {
      if (b.bytes % l.block_size != 0) {
        return Status::Error("Workload.block_sizes: " + std::to_string(b.bytes) +
                             " bytes is not a multiple of LUN " + std::to_string(l.lun) +
                             "'s logical block size " + std::to_string(l.block_size));
      }
    }
    const uint64_t align = max_bytes / l.block_size;
    for (int i = 0; i < config_.sessions; ++i) {
      const LbaRange s = Slice(l.range, i, config_.sessions, config_.shared_range, align);
      if (s.count < align) {
        return Status::Error("LoadConfig.ranges[" + std::to_string(l.lun) +
                             "]: " + std::to_string(l.range.count) + " blocks split over " +
                             std::to_string(config_.sessions) + " sessions leave fewer than " +
                             std::to_string(align) + " blocks (the largest I/O) per session");
      }
    }
  }
  return Status::Ok();
}

const LunInfo* LoadGenerator::lun(int lun) const {
  for (const LunInfo& l : luns_) {
    if (l.lun == lun) return &l;
  }
  return nullptr;
}

const BlockMap* LoadGenerator::block_map(int lun) const {
  for (size_t i = 0; i < luns_.size(); ++i) {
    if (luns_[i].lun == lun) return maps_[i].get();
  }
  return nullptr;
}

void LoadGenerator::ForgetContents(int lun) {
  for (size_t i = 0; i < luns_.size(); ++i) {
    if (luns_[i].lun == lun) maps_[i]->Forget();
  }
}

Result<RunResult> LoadGenerator::Run() { return Run(config_.workload); }

Result<RunResult> LoadGenerator::Run(const Workload& workload) {
  if (Status st = Start(workload); !st.ok()) return st;
  return Wait();
}

Status LoadGenerator::Start(const Workload& workload) {
  if (running()) return Status::Error("LoadGenerator::Start: a run is already in progress");
  if (Status st = CheckWorkload(workload); !st.ok()) return st;
  auto run = std::make_unique<RunContext>();
  run->config = &config_;
  run->workload = workload;
  run->run_id = run_id_;
  run->seed = workload.seed != 0 ? workload.seed : RandomSeed();
  run->journal = journal_.get();
  // A duration-bound run has ceil(duration) points; its drain folds into the last one.
  const double duration_s = std::chrono::duration<double>(workload.duration).count();
  const size_t max_points =
      workload.io_count == 0 ? static_cast<size_t>(std::max(1.0, std::ceil(duration_s - 1e-9))) : 0;
  const uint64_t max_bytes = MaxIoBytes(workload);
  std::vector<std::vector<LbaRange>> slices(workers_.size());
  for (size_t i = 0; i < luns_.size(); ++i) {
    LunShared l;
    l.lun = luns_[i].lun;
    l.block_size = luns_[i].block_size;
    l.map = maps_[i].get();
    l.series = std::make_unique<LunSeries>(max_points);
    run->luns.push_back(std::move(l));
    for (size_t w = 0; w < workers_.size(); ++w) {
      slices[w].push_back(Slice(luns_[i].range, static_cast<int>(w), config_.sessions,
                                config_.shared_range, max_bytes / luns_[i].block_size));
    }
  }
  run->start = Clock::now();
  if (workload.io_count == 0) run->end = run->start + workload.duration;
  {
    std::lock_guard<std::mutex> lock(run_mu_);
    run_ = std::move(run);
  }
  for (size_t w = 0; w < workers_.size(); ++w) {
    threads_.emplace_back([this, w, s = slices[w]] { workers_[w]->Run(*run_, s); });
  }
  return Status::Ok();
}

void LoadGenerator::RequestStop() {
  std::lock_guard<std::mutex> lock(run_mu_);
  if (run_) run_->stop.store(true);
}

Result<RunResult> LoadGenerator::Wait() {
  if (!running()) return Status::Error("LoadGenerator::Wait: no run in progress");
  for (std::thread& t : threads_) t.join();
  threads_.clear();
  RunContext& run = *run_;
  RunResult r;
  r.run_id = run_id_;
  r.seed = run.seed;
  r.elapsed_s = run.Seconds(Clock::now());
  r.duration_s =
      run.workload.io_count == 0 ? std::chrono::duration<double>(run.workload.duration).count() : 0;
  LatencyHistogram read_all;
  LatencyHistogram write_all;
  for (size_t i = 0; i < run.luns.size(); ++i) {
    LunSeries& series = *run.luns[i].series;
    series.Finish(r.elapsed_s);
    LunResult l;
    l.lun = luns_[i].lun;
    l.block_size = luns_[i].block_size;
    l.capacity_blocks = luns_[i].capacity_blocks;
    l.lba_first = luns_[i].range.first;
    l.lba_count = luns_[i].range.count;
    l.totals = series.totals();
    l.read_latency = Summarize(series.read_histogram());
    l.write_latency = Summarize(series.write_histogram());
    l.series = series.points();
    l.fine_completions = series.fine_completions();
    read_all.Merge(series.read_histogram());
    write_all.Merge(series.write_histogram());
    r.totals.Add(l.totals);
    r.luns.push_back(std::move(l));
  }
  r.read_latency = Summarize(read_all);
  r.write_latency = Summarize(write_all);
  // A connection loss is one per session outage, however many LUNs it hit.
  r.totals.connection_losses = 0;
  for (auto& w : workers_) {
    const SessionResult& s = w->result();
    r.sessions.push_back(s);
    r.totals.connection_losses += s.connection_losses;
    r.outage_s += s.outage_s;
    for (const auto& [key, count] : w->unit_attentions()) {
      r.unit_attentions.push_back(UnitAttentionCount{key.first, w->index(), key.second, count});
    }
  }
  r.error_samples = run.TakeErrorSamples();
  r.verify_samples = run.TakeVerifySamples();
  if (journal_) {
    Status st = journal_->Flush();
    r.journal_path = journal_->path();
    r.journal_records = journal_->records();
    if (!st.ok()) {
      std::lock_guard<std::mutex> lock(run_mu_);
      run_.reset();
      return st;
    }
  }
  std::lock_guard<std::mutex> lock(run_mu_);
  run_.reset();
  return r;
}

}  // namespace harness::loadgen
