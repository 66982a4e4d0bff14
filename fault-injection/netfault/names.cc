#include "fault-injection/netfault/names.h"

namespace reftarget::netfault {
namespace {

struct ActionRow {
  const char* name;
  Action action;
};

constexpr ActionRow kActions[] = {
    {"delay", Action::kDelay}, {"rate", Action::kRate},   {"blackhole", Action::kBlackhole},
    {"drop", Action::kDrop},   {"reset", Action::kReset}, {"half-close", Action::kHalfClose},
    {"flip", Action::kFlip},   {"split", Action::kSplit}, {"stall", Action::kStall},
};

}  // namespace

Result<DirSelector> ParseDirSelector(std::string_view text) {
  if (text == "up") return DirSelector::kUp;
  if (text == "down") return DirSelector::kDown;
  if (text == "both") return DirSelector::kBoth;
  return Status::Error("unknown direction '" + std::string(text) + "' (up|down|both)");
}

const char* DirSelectorName(DirSelector selector) {
  switch (selector) {
    case DirSelector::kUp:
      return "up";
    case DirSelector::kDown:
      return "down";
    case DirSelector::kBoth:
      return "both";
  }
  return "?";
}

const char* DirectionName(Direction dir) { return dir == Direction::kUp ? "up" : "down"; }

Result<Action> ParseAction(std::string_view text) {
  for (const ActionRow& row : kActions) {
    if (text == row.name) return row.action;
  }
  // "halfclose" and "half_close" are common spellings of the same thing.
  if (text == "halfclose" || text == "half_close") return Action::kHalfClose;
  return Status::Error("unknown action '" + std::string(text) +
                       "' (delay|rate|blackhole|drop|reset|half-close|flip|split|stall)");
}

const char* ActionName(Action action) {
  for (const ActionRow& row : kActions) {
    if (row.action == action) return row.name;
  }
  return "?";
}

std::string FaultLine(const FaultEvent& event) {
  std::string line =
      "fault rule=" + std::to_string(event.rule_id) + " conn=" + std::to_string(event.conn_id) +
      " dir=" + DirectionName(event.dir) + " offset=" + std::to_string(event.offset) +
      " length=" + std::to_string(event.length) + " action=" + ActionName(event.action);
  if (!event.detail.empty()) line += " " + event.detail;
  return line;
}

}  // namespace reftarget::netfault
