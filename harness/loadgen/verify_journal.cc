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

std::vector<JournaledBlock> JournaledBlocks(const JournalContents& journal) {
  std::vector<JournaledBlock> blocks;
  for (const JournalRecord& r : journal.records) {
    for (uint32_t i = 0; i < r.blocks; ++i) {
      blocks.push_back(JournaledBlock{r.lun, r.lba + i, r.generation, r.block_size});
    }
  }
  std::sort(blocks.begin(), blocks.end(), [](const JournaledBlock& a, const JournaledBlock& b) {
    if (a.lun != b.lun) return a.lun < b.lun;
    if (a.lba != b.lba) return a.lba < b.lba;
    return a.generation > b.generation;  // the highest generation first
  });
  blocks.erase(std::unique(blocks.begin(), blocks.end(),
                           [](const JournaledBlock& a, const JournaledBlock& b) {
                             return a.lun == b.lun && a.lba == b.lba;
                           }),
               blocks.end());
  return blocks;
}

VerifyKind ClassifyJournaled(const DecodedBlock& block, const JournaledBlock& expected,
                             uint32_t run_id) {
  BlockExpectation e;
  e.lo = expected.generation;
  e.hi = UINT64_MAX;  // anything newer may have landed
  e.after = UINT64_MAX;
  e.now = 0;
  const VerifyKind kind = ClassifyBlock(block, BlockIdentity{expected.lun, expected.lba, run_id}, e, true);
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
  const std::vector<JournaledBlock> blocks = JournaledBlocks(journal);
  report.blocks = blocks.size();
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
      const VerifyKind kind = ClassifyJournaled(d, jb, journal.run_id);
      switch (kind) {
        case VerifyKind::kOk:
          (d.header.generation > jb.generation ? report.newer : report.ok)++;
          continue;
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
        e.expected_lo = jb.generation;
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
