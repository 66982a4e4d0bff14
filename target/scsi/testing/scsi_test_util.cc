#include "target/scsi/testing/scsi_test_util.h"

#include <chrono>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <optional>
#include <sstream>

#include "target/scsi/byte_order.h"

namespace reftarget::scsi::testing {
namespace {

// Waits for one completion; counts extra ones so tests can catch double completion.
struct Waiter {
  std::mutex mu;
  std::condition_variable cv;
  std::optional<ScsiResponse> response;
  int completions = 0;
};

ScsiResponse Wait(const std::shared_ptr<Waiter>& w) {
  std::unique_lock<std::mutex> lock(w->mu);
  bool ok = w->cv.wait_for(lock, std::chrono::seconds(10), [&] { return w->response.has_value(); });
  if (!ok) {
    ADD_FAILURE() << "command did not complete within 10 s";
    ScsiResponse r;
    r.status = ScsiStatus::kBusy;
    return r;
  }
  EXPECT_EQ(w->completions, 1) << "completion ran more than once";
  return std::move(*w->response);
}

ScsiCompletion Notify(const std::shared_ptr<Waiter>& w) {
  return [w](ScsiResponse r) {
    std::lock_guard<std::mutex> lock(w->mu);
    ++w->completions;
    if (!w->response) w->response = std::move(r);
    w->cv.notify_all();
  };
}

std::string Hex(const std::vector<uint8_t>& v) {
  std::ostringstream os;
  for (uint8_t b : v) {
    static const char* kDigits = "0123456789abcdef";
    os << kDigits[b >> 4] << kDigits[b & 15] << ' ';
  }
  return os.str();
}

}  // namespace

Sense ParseSense(const std::vector<uint8_t>& s) {
  Sense out;
  if (s.empty()) return out;
  const uint8_t code = s[0] & 0x7F;
  if (code == 0x72 || code == 0x73) {
    out.descriptor = true;
    if (s.size() >= 4) {
      out.key = s[1] & 0x0F;
      out.asc = s[2];
      out.ascq = s[3];
    }
    size_t pos = 8;
    while (pos + 2 <= s.size()) {
      const uint8_t type = s[pos];
      const size_t len = s[pos + 1];
      if (pos + 2 + len > s.size()) break;
      if (type == 0x00 && len >= 10) {
        out.valid_information = (s[pos + 2] & 0x80) != 0;
        out.information = Load64(&s[pos + 4]);
      } else if (type == 0x02 && len >= 6) {
        out.sksv = (s[pos + 4] & 0x80) != 0;
        out.cd = (s[pos + 4] & 0x40) != 0;
        out.field_pointer = Load16(&s[pos + 5]);
      }
      pos += 2 + len;
    }
  } else if (s.size() >= 18) {
    out.key = s[2] & 0x0F;
    out.valid_information = (s[0] & 0x80) != 0;
    out.information = Load32(&s[3]);
    out.asc = s[12];
    out.ascq = s[13];
    out.sksv = (s[15] & 0x80) != 0;
    out.cd = (s[15] & 0x40) != 0;
    out.field_pointer = Load16(&s[16]);
  }
  return out;
}

ScsiCommand MakeCommand(std::vector<uint8_t> cdb, const std::vector<uint8_t>& data_out,
                        uint64_t lun, NexusId nexus) {
  ScsiCommand c;
  c.nexus = nexus;
  c.lun = lun;
  if (cdb.size() < 16) cdb.resize(16, 0);
  c.cdb = std::move(cdb);
  c.write = !data_out.empty();
  c.read = !c.write;
  c.expected_length = static_cast<uint32_t>(data_out.size());
  c.data_out = IoBuffer(data_out.size());
  if (!data_out.empty()) std::memcpy(c.data_out.data(), data_out.data(), data_out.size());
  return c;
}

ScsiResponse Run(LogicalUnit& lu, ScsiCommand cmd, bool write_protect) {
  auto w = std::make_shared<Waiter>();
  NexusId nexus = cmd.nexus;
  lu.Execute(nexus, std::move(cmd), write_protect, Notify(w));
  return Wait(w);
}

ScsiResponse RunMap(const LunMap& map, ScsiCommand cmd) {
  auto w = std::make_shared<Waiter>();
  ExecuteCommand(map, std::move(cmd), Notify(w));
  return Wait(w);
}

std::vector<uint8_t> DataIn(const ScsiResponse& r) {
  size_t n = std::min<size_t>(r.data_in_length, r.data_in.size());
  return std::vector<uint8_t>(r.data_in.data(), r.data_in.data() + n);
}

::testing::AssertionResult IsGood(const ScsiResponse& r) {
  if (r.status == ScsiStatus::kGood) return ::testing::AssertionSuccess();
  Sense s = ParseSense(r.sense);
  return ::testing::AssertionFailure()
         << "expected GOOD, got status 0x" << std::hex << static_cast<int>(r.status) << " sense "
         << static_cast<int>(s.key) << "/" << static_cast<int>(s.asc) << "/"
         << static_cast<int>(s.ascq) << " [" << Hex(r.sense) << "]";
}

::testing::AssertionResult HasSense(const ScsiResponse& r, uint8_t key, uint8_t asc, uint8_t ascq) {
  Sense s = ParseSense(r.sense);
  if (r.status == ScsiStatus::kCheckCondition && s.key == key && s.asc == asc && s.ascq == ascq) {
    return ::testing::AssertionSuccess();
  }
  return ::testing::AssertionFailure()
         << std::hex << "expected CHECK CONDITION " << static_cast<int>(key) << "/"
         << static_cast<int>(asc) << "/" << static_cast<int>(ascq) << ", got status 0x"
         << static_cast<int>(r.status) << " sense " << static_cast<int>(s.key) << "/"
         << static_cast<int>(s.asc) << "/" << static_cast<int>(s.ascq) << " [" << Hex(r.sense)
         << "]";
}

std::vector<uint8_t> Cdb6(uint8_t op, uint32_t lba, uint8_t len) {
  return {op,
          static_cast<uint8_t>((lba >> 16) & 0x1F),
          static_cast<uint8_t>(lba >> 8),
          static_cast<uint8_t>(lba),
          len,
          0};
}

std::vector<uint8_t> Cdb10(uint8_t op, uint32_t lba, uint16_t len, uint8_t flags) {
  std::vector<uint8_t> c(10, 0);
  c[0] = op;
  c[1] = flags;
  Store32(&c[2], lba);
  Store16(&c[7], len);
  return c;
}

std::vector<uint8_t> Cdb12(uint8_t op, uint32_t lba, uint32_t len, uint8_t flags) {
  std::vector<uint8_t> c(12, 0);
  c[0] = op;
  c[1] = flags;
  Store32(&c[2], lba);
  Store32(&c[6], len);
  return c;
}

std::vector<uint8_t> Cdb16(uint8_t op, uint64_t lba, uint32_t len, uint8_t flags) {
  std::vector<uint8_t> c(16, 0);
  c[0] = op;
  c[1] = flags;
  Store64(&c[2], lba);
  Store32(&c[10], len);
  return c;
}

std::vector<uint8_t> InquiryCdb(bool evpd, uint8_t page, uint16_t alloc) {
  std::vector<uint8_t> c = {0x12, static_cast<uint8_t>(evpd ? 1 : 0), page, 0, 0, 0};
  Store16(&c[3], alloc);
  return c;
}

std::vector<uint8_t> ModeSense6Cdb(uint8_t pc, uint8_t page, uint8_t alloc, bool dbd,
                                   uint8_t subpage) {
  return {0x1A,
          static_cast<uint8_t>(dbd ? 0x08 : 0),
          static_cast<uint8_t>((pc << 6) | page),
          subpage,
          alloc,
          0};
}

std::vector<uint8_t> ModeSense10Cdb(uint8_t pc, uint8_t page, uint16_t alloc, bool dbd,
                                    bool llbaa) {
  std::vector<uint8_t> c(10, 0);
  c[0] = 0x5A;
  c[1] = static_cast<uint8_t>((dbd ? 0x08 : 0) | (llbaa ? 0x10 : 0));
  c[2] = static_cast<uint8_t>((pc << 6) | page);
  Store16(&c[7], alloc);
  return c;
}

std::vector<uint8_t> ReadCapacity16Cdb(uint32_t alloc) {
  std::vector<uint8_t> c(16, 0);
  c[0] = 0x9E;
  c[1] = 0x10;
  Store32(&c[10], alloc);
  return c;
}

std::vector<uint8_t> GetLbaStatusCdb(uint64_t lba, uint32_t alloc) {
  std::vector<uint8_t> c(16, 0);
  c[0] = 0x9E;
  c[1] = 0x12;
  Store64(&c[2], lba);
  Store32(&c[10], alloc);
  return c;
}

std::vector<uint8_t> RsocCdb(uint8_t options, uint8_t opcode, uint16_t sa, uint32_t alloc,
                             bool rctd) {
  std::vector<uint8_t> c(12, 0);
  c[0] = 0xA3;
  c[1] = 0x0C;
  c[2] = static_cast<uint8_t>((rctd ? 0x80 : 0) | options);
  c[3] = opcode;
  Store16(&c[4], sa);
  Store32(&c[6], alloc);
  return c;
}

std::vector<uint8_t> UnmapCdb(uint16_t param_len) {
  std::vector<uint8_t> c(10, 0);
  c[0] = 0x42;
  Store16(&c[7], param_len);
  return c;
}

std::vector<uint8_t> UnmapList(const std::vector<std::pair<uint64_t, uint32_t>>& ranges) {
  std::vector<uint8_t> p(8 + 16 * ranges.size(), 0);
  Store16(&p[0], static_cast<uint16_t>(p.size() - 2));
  Store16(&p[2], static_cast<uint16_t>(16 * ranges.size()));
  for (size_t i = 0; i < ranges.size(); ++i) {
    Store64(&p[8 + 16 * i], ranges[i].first);
    Store32(&p[16 + 16 * i], ranges[i].second);
  }
  return p;
}

std::vector<uint8_t> Pattern(size_t n, uint8_t seed) {
  std::vector<uint8_t> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = static_cast<uint8_t>(seed + i * 7 + (i >> 9));
  return v;
}

Fixture::Fixture(FakeBackstore::Options options, LogicalUnitConfig config) {
  if (config.name.empty()) config.name = "lu0";
  if (config.wwn.empty()) config.wwn = "6a8c7f2e-1b3d-4c5e-9f60-718293a4b5c6";
  if (options.thin) config.thin = true;
  store = std::make_shared<FakeBackstore>(options);
  lu = std::make_shared<LogicalUnit>(config, store);
  bs = options.block_size;
  blocks = options.size / options.block_size;
  // The first command of a new nexus reports 29/00; TEST UNIT READY consumes it.
  Do({0x00, 0, 0, 0, 0, 0});
}

ScsiResponse Fixture::Do(std::vector<uint8_t> cdb, const std::vector<uint8_t>& data_out,
                         NexusId nexus, bool write_protect) {
  return Run(*lu, MakeCommand(std::move(cdb), data_out, 0, nexus), write_protect);
}

}  // namespace reftarget::scsi::testing
