#include "harness/loadgen/verify_journal.h"

#include <algorithm>

#include "harness/iscsi/cdb.h"
#include "harness/loadgen/block_format.h"

namespace harness::loadgen {
namespace {

using std::chrono::milliseconds;

// Runs one READ(16) with the generator's retry policy (unit attentions, BUSY, ...).
iscsi::CommandResult ReadWithRetries(iscsi::Session& session, int lun, uint64_t lba,
                                     uint32_t blocks, uint32_t block_size,
                                     const RetryPolicy& policy) {
  const auto start = std::chrono::steady_clock::now();
  int retries = 0;
  int busy = 0;
  for (;;) {
    iscsi::CommandRequest req;
    req.cdb = iscsi::cdb::Read16(lba, blocks);
    req.direction = iscsi::DataDirection::kRead;
    req.data_in_length = blocks * block_size;
    req.lun = lun;
    req.limit = policy.command_limit;
    iscsi::CommandResult r = session.Execute(req);
    const auto elapsed =
        std::chrono::duration_cast<milliseconds>(std::chrono::steady_clock::now() - start);
    const RetryDecision d = DecideRetry(r, retries, busy, elapsed, policy);
    if (d.action != RetryAction::kRetry) return r;
    if (d.event == Event::kBusy || d.event == Event::kTaskSetFull || d.event == Event::kNotReady) {
      ++busy;
    } else {
      ++retries;
    }
    if (d.backoff.count() > 0) session.Service(d.backoff);
  }
}

}  // namespace

namespace {

// Every journaled block once (sorted by LUN, LBA), with its highest and highest durable
// generation, and, if `generations` is not null, every generation journaled for it
// (ascending, in the same order as the blocks).
std::vector<JournaledBlock> GroupBlocks(const JournalContents& journal,
                                        std::vector<std::vector<uint64_t>>* generations) {
  std::vector<JournaledBlock> all;
  for (const JournalRecord& r : journal.records) {
    for (uint32_t i = 0; i < r.blocks; ++i) {
      all.push_back(JournaledBlock{r.lun, r.lba + i, r.generation, r.block_size,
                                   r.durable() ? r.generation : 0});
    }
  }
  std::sort(all.begin(), all.end(), [](const JournaledBlock& a, const JournaledBlock& b) {
    if (a.lun != b.lun) return a.lun < b.lun;
    if (a.lba != b.lba) return a.lba < b.lba;
    return a.generation > b.generation;  // the highest generation first
  });
  std::vector<JournaledBlock> blocks;
  for (size_t i = 0; i < all.size();) {
    JournaledBlock b = all[i];  // the highest generation
    std::vector<uint64_t> gens;
    size_t j = i;
    for (; j < all.size() && all[j].lun == b.lun && all[j].lba == b.lba; ++j) {
      b.durable_generation = std::max(b.durable_generation, all[j].durable_generation);
      if (generations != nullptr && (gens.empty() || gens.back() != all[j].generation)) {
        gens.push_back(all[j].generation);
      }
    }
    blocks.push_back(b);
    if (generations != nullptr) {
      std::reverse(gens.begin(), gens.end());
      generations->push_back(std::move(gens));
    }
    i = j;
  }
  return blocks;
}

}  // namespace

std::vector<JournaledBlock> JournaledBlocks(const JournalContents& journal) {
  return GroupBlocks(journal, nullptr);
}

PowerCutVerdict ClassifyAfterPowerCut(const DecodedBlock& block, const JournaledBlock& expected,
                                      const std::vector<uint64_t>& generations, uint32_t run_id,
                                      const std::vector<uint32_t>& prior_run_ids) {
  PowerCutVerdict v;
  if (expected.durable_generation >= expected.generation) {
    v.kind = ClassifyJournaled(block, expected, run_id);
    return v;
  }
  const uint64_t floor = expected.durable_generation;  // 0: nothing durable
  if (block.state == BlockState::kZero) {
    // Zeros are the content before the run only if nothing durable was written since.
    v.kind = floor == 0 ? VerifyKind::kOk : VerifyKind::kLost;
    v.older = floor == 0;
    return v;
  }
  if (block.state != BlockState::kValid) {
    v.kind = VerifyKind::kCorrupt;  // a torn or destroyed block: never allowed
    return v;
  }
  const BlockHeader& h = block.header;
  const bool prior =
      std::find(prior_run_ids.begin(), prior_run_ids.end(), h.run_id) != prior_run_ids.end();
  if (h.run_id != run_id && !prior) {
    v.kind = VerifyKind::kForeign;
    return v;
  }
  if (h.lun != expected.lun || h.lba != expected.lba) {
    v.kind = VerifyKind::kMisdirected;
    return v;
  }
  if (prior) {  // the block's content before the run
    v.kind = floor == 0 ? VerifyKind::kOk : VerifyKind::kStale;
    v.older = floor == 0;
    return v;
  }
  if (h.generation >= expected.generation) return v;  // the newest, or one in flight
  if (h.generation < floor) {
    v.kind = VerifyKind::kStale;
    return v;
  }
  if (!std::binary_search(generations.begin(), generations.end(), h.generation)) {
    v.kind = VerifyKind::kUnknownGeneration;
    return v;
  }
  v.older = true;
  return v;
}

VerifyKind ClassifyJournaled(const DecodedBlock& block, const JournaledBlock& expected,
                             uint32_t run_id) {
  BlockExpectation e;
  e.lo = expected.generation;
  e.hi = UINT64_MAX;  // anything newer may have landed
  e.after = UINT64_MAX;
  e.now = 0;
  const VerifyKind kind =
      ClassifyBlock(block, BlockIdentity{expected.lun, expected.lba, run_id}, e, true);
  // Nothing races a read after a restart: a block that is half one write and half another
  // was torn by the crash.
  return kind == VerifyKind::kTornByRace ? VerifyKind::kCorrupt : kind;
}

Result<JournalVerifyReport> VerifyJournal(iscsi::Session& session, const JournalContents& journal,
                                          const JournalVerifyOptions& options) {
  JournalVerifyReport report;
  report.records = journal.records.size();
  report.torn_tail = journal.torn_tail;
  report.corrupt_records = journal.corrupt_records;
  std::vector<std::vector<uint64_t>> generations;
  const std::vector<JournaledBlock> blocks =
      GroupBlocks(journal, options.durable_only ? &generations : nullptr);
  report.blocks = blocks.size();
  if (options.durable_only) {
    report.volatile_blocks = static_cast<uint64_t>(
        std::count_if(blocks.begin(), blocks.end(),
                      [](const JournaledBlock& b) { return b.durable_generation < b.generation; }));
  }
  const uint32_t max_run = std::max<uint32_t>(1, options.max_blocks_per_read);
  size_t i = 0;
  while (i < blocks.size()) {
    // One READ(16) per run of consecutive LBAs of one LUN and block size.
    size_t j = i + 1;
    while (j < blocks.size() && j - i < max_run && blocks[j].lun == blocks[i].lun &&
           blocks[j].lba == blocks[j - 1].lba + 1 && blocks[j].block_size == blocks[i].block_size) {
      ++j;
    }
    const auto n = static_cast<uint32_t>(j - i);
    const uint32_t bs = blocks[i].block_size;
    if (bs < kMinBlockSize) {
      report.unreadable += n;
      if (report.read_errors.size() < options.max_samples) {
        report.read_errors.push_back("LUN " + std::to_string(blocks[i].lun) + " LBA " +
                                     std::to_string(blocks[i].lba) + ": journal block size " +
                                     std::to_string(bs) + " is invalid");
      }
      i = j;
      continue;
    }
    const iscsi::CommandResult r =
        ReadWithRetries(session, blocks[i].lun, blocks[i].lba, n, bs, options.retry);
    if (r.outcome == iscsi::Outcome::kConnectionLost || session.broken()) {
      return Status::Error("VerifyJournal: session lost at LUN " + std::to_string(blocks[i].lun) +
                           " LBA " + std::to_string(blocks[i].lba) + ": " + r.Describe());
    }
    if (!r.good() || r.data_in.size() != size_t{n} * bs) {
      report.unreadable += n;
      if (report.read_errors.size() < options.max_samples) {
        report.read_errors.push_back(
            r.Describe() +
            (r.good() ? " (short Data-In: " + std::to_string(r.data_in.size()) + " bytes)" : ""));
      }
      i = j;
      continue;
    }
    for (uint32_t k = 0; k < n; ++k) {
      const JournaledBlock& jb = blocks[i + k];
      const DecodedBlock d =
          DecodeBlock(std::span<const uint8_t>(r.data_in).subspan(size_t{k} * bs, bs));
      VerifyKind kind;
      if (options.durable_only) {
        const PowerCutVerdict v =
            ClassifyAfterPowerCut(d, jb, generations[i + k], journal.run_id, options.prior_run_ids);
        kind = v.kind;
        if (kind == VerifyKind::kOk && v.older) {
          ++report.older;
          continue;
        }
      } else {
        kind = ClassifyJournaled(d, jb, journal.run_id);
      }
      switch (kind) {
        case VerifyKind::kOk:
          (d.header.generation > jb.generation ? report.newer : report.ok)++;
          continue;
        case VerifyKind::kUnknownGeneration:
          // Counted as corrupt in the default mode, as before the durable_only mode.
          ++(options.durable_only ? report.unknown_generation : report.corrupt);
          break;
        case VerifyKind::kLost:
          ++report.lost;
          break;
        case VerifyKind::kStale:
          ++report.stale;
          break;
        case VerifyKind::kMisdirected:
          ++report.misdirected;
          break;
        case VerifyKind::kForeign:
          ++report.foreign;
          break;
        default:
          ++report.corrupt;
          break;  // corrupt, unknown generation, ...
      }
      if (report.samples.size() < options.max_samples) {
        VerifyError e;
        e.kind = kind;
        e.lun = jb.lun;
        e.lba = jb.lba;
        e.expected_lo = options.durable_only && jb.durable_generation < jb.generation
                            ? jb.durable_generation
                            : jb.generation;
        e.expected_hi = jb.generation;
        e.found_state = d.state;
        e.found = d.header;
        report.samples.push_back(e);
      }
    }
    i = j;
  }
  return report;
}

nlohmann::json JournalVerifyReport::ToJson() const {
  nlohmann::json j = {{"passed", passed()},
                      {"records", records},
                      {"blocks", blocks},
                      {"ok", ok},
                      {"newer", newer},
                      {"lost", lost},
                      {"stale", stale},
                      {"corrupt", corrupt},
                      {"misdirected", misdirected},
                      {"foreign", foreign},
                      {"volatile_blocks", volatile_blocks},
                      {"older", older},
                      {"unknown_generation", unknown_generation},
                      {"unreadable", unreadable},
                      {"torn_tail", torn_tail},
                      {"corrupt_records", corrupt_records}};
  j["samples"] = nlohmann::json::array();
  for (const VerifyError& e : samples) {
    j["samples"].push_back({{"lun", e.lun},
                            {"lba", e.lba},
                            {"kind", VerifyKindName(e.kind)},
                            {"detail", e.Describe()}});
  }
  j["read_errors"] = read_errors;
  return j;
}

}  // namespace harness::loadgen
