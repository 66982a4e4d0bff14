// Test helpers for the SCSI layer: a logical unit over a FakeBackstore, synchronous command
// execution, CDB builders and sense assertions that print expected vs actual.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "target/scsi/dispatcher.h"
#include "target/scsi/logical_unit.h"
#include "target/scsi/testing/fake_backstore.h"

namespace reftarget::scsi::testing {

struct Sense {
  uint8_t key = 0, asc = 0, ascq = 0;
  bool descriptor = false;
  bool valid_information = false;
  uint64_t information = 0;
  bool sksv = false;
  bool cd = false;
  uint16_t field_pointer = 0;
};

// Parses fixed (70h/71h) or descriptor (72h/73h) sense data.
Sense ParseSense(const std::vector<uint8_t>& sense);

// Builds a command with `cdb` (padded to 16 bytes as iSCSI carries it) and `data_out`.
ScsiCommand MakeCommand(std::vector<uint8_t> cdb, const std::vector<uint8_t>& data_out = {},
                        uint64_t lun = 0, NexusId nexus = 1);

// Executes `cmd` on `lu` and waits (up to 10 s) for the completion; fails the test on timeout
// or on a second completion.
ScsiResponse Run(LogicalUnit& lu, ScsiCommand cmd, bool write_protect = false);
ScsiResponse RunMap(const LunMap& map, ScsiCommand cmd);

// Returns the Data-In bytes of `r`.
std::vector<uint8_t> DataIn(const ScsiResponse& r);

// Asserts GOOD status.
::testing::AssertionResult IsGood(const ScsiResponse& r);
// Asserts CHECK CONDITION with the given sense key / ASC / ASCQ.
::testing::AssertionResult HasSense(const ScsiResponse& r, uint8_t key, uint8_t asc, uint8_t ascq);

// CDB builders (16 bytes of CDB space is added by MakeCommand).
std::vector<uint8_t> Cdb6(uint8_t op, uint32_t lba, uint8_t len);
std::vector<uint8_t> Cdb10(uint8_t op, uint32_t lba, uint16_t len, uint8_t flags = 0);
std::vector<uint8_t> Cdb12(uint8_t op, uint32_t lba, uint32_t len, uint8_t flags = 0);
std::vector<uint8_t> Cdb16(uint8_t op, uint64_t lba, uint32_t len, uint8_t flags = 0);
std::vector<uint8_t> InquiryCdb(bool evpd, uint8_t page, uint16_t alloc);
std::vector<uint8_t> ModeSense6Cdb(uint8_t pc, uint8_t page, uint8_t alloc, bool dbd = false,
                                   uint8_t subpage = 0);
std::vector<uint8_t> ModeSense10Cdb(uint8_t pc, uint8_t page, uint16_t alloc, bool dbd = false,
                                    bool llbaa = false);
std::vector<uint8_t> ReadCapacity16Cdb(uint32_t alloc);
std::vector<uint8_t> GetLbaStatusCdb(uint64_t lba, uint32_t alloc);
std::vector<uint8_t> RsocCdb(uint8_t options, uint8_t opcode, uint16_t sa, uint32_t alloc,
                             bool rctd = false);
std::vector<uint8_t> UnmapCdb(uint16_t param_len);
// An UNMAP parameter list for {lba, blocks} descriptors.
std::vector<uint8_t> UnmapList(const std::vector<std::pair<uint64_t, uint32_t>>& ranges);
std::vector<uint8_t> Pattern(size_t n, uint8_t seed);

// A logical unit over a FakeBackstore; nexus 1's power-on UA is cleared by a TEST UNIT READY,
// as libiscsi's login does.
struct Fixture {
  std::shared_ptr<FakeBackstore> store;
  std::shared_ptr<LogicalUnit> lu;
  uint32_t bs = 512;
  uint64_t blocks = 0;

  explicit Fixture(FakeBackstore::Options options = {}, LogicalUnitConfig config = {});
  // Runs a command from `nexus` (default 1).
  ScsiResponse Do(std::vector<uint8_t> cdb, const std::vector<uint8_t>& data_out = {},
                  NexusId nexus = 1, bool write_protect = false);
};

}  // namespace reftarget::scsi::testing
