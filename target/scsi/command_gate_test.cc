// CommandGate (TEST-PLAN S21): commands wait behind a hold in arrival order, a fenced hold
// refuses them, and the gate opens by itself once every hold is gone.
#include "target/scsi/command_gate.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace reftarget::scsi {
namespace {

// Admits command `name`, logging "run name" or "refuse name" to `log` when decided.
void AdmitLogged(CommandGate& gate, std::vector<std::string>* log, const std::string& name) {
  gate.Admit([log, name] { log->push_back("run " + name); },
             [log, name] { log->push_back("refuse " + name); });
}

TEST(CommandGateTest, OpenGateRunsAtOnce) {
  auto gate = CommandGate::Create("lun");
  std::vector<std::string> log;
  EXPECT_TRUE(gate->open());
  AdmitLogged(*gate, &log, "a");
  EXPECT_EQ(log, (std::vector<std::string>{"run a"}));
}

TEST(CommandGateTest, HeldCommandsRunInArrivalOrderOnceTheHoldIsGone) {
  auto gate = CommandGate::Create("lun");
  std::vector<std::string> log;
  auto hold = gate->Close();
  EXPECT_FALSE(gate->open());
  AdmitLogged(*gate, &log, "a");
  AdmitLogged(*gate, &log, "b");
  EXPECT_TRUE(log.empty()) << "nothing may reach the medium behind a hold";
  EXPECT_EQ(gate->waiting(), 2u);
  EXPECT_FALSE(gate->fenced());
  hold.reset();
  EXPECT_EQ(log, (std::vector<std::string>{"run a", "run b"}));
  EXPECT_TRUE(gate->open());
  EXPECT_EQ(gate->waiting(), 0u);
}

TEST(CommandGateTest, FenceRefusesWaitingAndNewCommandsUntilItsHoldIsGone) {
  auto gate = CommandGate::Create("lun");
  std::vector<std::string> log;
  auto hold = gate->Close();
  AdmitLogged(*gate, &log, "a");
  hold->Fence();
  hold->Fence();  // idempotent
  EXPECT_TRUE(gate->fenced());
  EXPECT_EQ(log, (std::vector<std::string>{"refuse a"}));
  AdmitLogged(*gate, &log, "b");
  EXPECT_EQ(log, (std::vector<std::string>{"refuse a", "refuse b"}));
  hold.reset();
  EXPECT_FALSE(gate->fenced());
  AdmitLogged(*gate, &log, "c");
  EXPECT_EQ(log.back(), "run c") << "the unit recovers by itself";
}

TEST(CommandGateTest, AnotherHoldKeepsCommandsWaitingAfterAFencedOneIsGone) {
  auto gate = CommandGate::Create("lun");
  std::vector<std::string> log;
  auto fenced = gate->Close();
  auto plain = gate->Close();
  fenced->Fence();
  fenced.reset();
  EXPECT_FALSE(gate->fenced());
  AdmitLogged(*gate, &log, "a");
  EXPECT_TRUE(log.empty()) << "the plain hold still keeps commands waiting";
  plain.reset();
  EXPECT_EQ(log, (std::vector<std::string>{"run a"}));
}

TEST(CommandGateTest, ARunCommandMayCloseTheGateAgain) {
  auto gate = CommandGate::Create("lun");
  std::vector<std::string> log;
  std::shared_ptr<CommandGate::Hold> reopened;
  auto hold = gate->Close();
  gate->Admit(
      [&] {
        reopened = gate->Close();
        log.push_back("run a");
      },
      [&] { log.push_back("x"); });
  AdmitLogged(*gate, &log, "b");
  hold.reset();
  // "b" was released in the same batch as "a"; it runs even though "a" closed the gate: it
  // arrived before that hold.
  EXPECT_EQ(log, (std::vector<std::string>{"run a", "run b"}));
  AdmitLogged(*gate, &log, "c");
  EXPECT_EQ(log.size(), 2u) << "c waits behind the hold taken by a";
  reopened.reset();
  EXPECT_EQ(log.back(), "run c");
}

}  // namespace
}  // namespace reftarget::scsi
