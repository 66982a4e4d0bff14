#include "fault-injection/netfault/ctl_command.h"

#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <sstream>

#include "fault-injection/faultfs/control_client.h"
#include "fault-injection/faultfs/names.h"  // ParseSize.
#include "fault-injection/netfault/names.h"

namespace reftarget::netfault {
namespace {

using nlohmann::json;

Result<uint64_t> Decimal(const std::string& word, const std::string& text) {
  uint64_t value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || ptr != text.data() + text.size())
    return Status::Error(word + " '" + text + "' is not a non-negative integer");
  return value;
}

Result<uint64_t> Size(const std::string& word, const std::string& text) {
  Result<uint64_t> value = faultfs::ParseSize(text);
  if (!value.ok()) return Status::Error(word + ": " + value.error());
  return value;
}

// Parses the words after "add" into flat rule fields. Keywords may carry a leading "--".
Status ParseAdd(const std::vector<std::string>& words, json* request) {
  bool have_dir = false;
  for (size_t i = 0; i < words.size(); ++i) {
    std::string word = words[i];
    if (word.rfind("--", 0) == 0) word.erase(0, 2);
    auto value = [&]() -> Result<std::string> {
      if (i + 1 >= words.size()) return Status::Error(word + " needs a value");
      return words[++i];
    };
    // `decimal` reads a plain integer field, `size` a byte count with k/M/G suffixes.
    auto field = [&](const char* name, bool size) -> Status {
      Result<std::string> text = value();
      if (!text.ok()) return text.status();
      Result<uint64_t> n = size ? Size(word, text.value()) : Decimal(word, text.value());
      if (!n.ok()) return n.status();
      (*request)[name] = n.value();
      return Status::Ok();
    };
    Status status = Status::Ok();
    if (word == "up" || word == "down" || word == "both" || word == "dir") {
      std::string dir = word;
      if (word == "dir") {
        Result<std::string> text = value();
        if (!text.ok()) return text.status();
        dir = text.value();
      }
      if (!ParseDirSelector(dir).ok()) return Status::Error("unknown direction '" + dir + "'");
      if (have_dir) return Status::Error("add: more than one direction");
      (*request)["dir"] = dir;
      have_dir = true;
    } else if (ParseAction(word).ok()) {
      if (request->contains("action"))
        return Status::Error("add: more than one action ('" + word + "')");
      const Action action = ParseAction(word).value();
      (*request)["action"] = ActionName(action);
      if (action == Action::kDelay) status = field("delay_ms", false);
      if (action == Action::kRate) status = field("rate", true);
      if (action == Action::kSplit) status = field("split", true);
      // drop takes an optional byte count.
      if (action == Action::kDrop && i + 1 < words.size() && faultfs::ParseSize(words[i + 1]).ok())
        status = field("drop_bytes", true);
    } else if (word == "after" || word == "at" || word == "mask" || word == "drop-bytes" ||
               word == "opcode") {
      status = field(word == "drop-bytes" ? "drop_bytes" : word.c_str(), true);
    } else if (word == "pdu-byte" || word == "pdu_byte") {
      status = field("pdu_byte", true);
    } else if (word == "conn" || word == "nth" || word == "count" || word == "seed") {
      status = field(word.c_str(), false);
    } else if (word == "gap" || word == "gap-ms" || word == "gap_ms") {
      status = field("gap_ms", false);
    } else if (word == "probability" || word == "p") {
      Result<std::string> text = value();
      if (!text.ok()) return text.status();
      char* end = nullptr;
      const double p = std::strtod(text.value().c_str(), &end);
      if (end == text.value().c_str() || *end != '\0' || !(p >= 0.0 && p <= 1.0))
        return Status::Error("probability '" + text.value() + "' must be a number in [0, 1]");
      (*request)["probability"] = p;
    } else {
      return Status::Error("add: unknown word '" + words[i] + "'");
    }
    if (!status.ok()) return status;
  }
  if (!request->contains("action")) {
    return Status::Error(
        "add needs an action: delay MS | rate BYTES_PER_S | blackhole | drop [BYTES] | reset | "
        "half-close | flip [at OFFSET | pdu-byte N [opcode OP]] [mask M] | split BYTES [gap MS] | "
        "stall");
  }
  return Status::Ok();
}

std::string DirText(const json& d) {
  std::ostringstream out;
  out << "read=" << d.value("read", 0ull) << " sent=" << d.value("sent", 0ull)
      << " dropped=" << d.value("dropped", 0ull) << " queued=" << d.value("queued", 0ull);
  if (d.value("held", 0ull) > 0) out << " held=" << d.value("held", 0ull);
  out << " " << d.value("state", std::string("?"));
  return out.str();
}

std::string RuleText(const json& r) {
  const json& rule = r["rule"];
  std::ostringstream out;
  out << r["id"].get<uint64_t>() << ": " << rule["dir"].get<std::string>() << " "
      << rule["action"].get<std::string>();
  for (const char* field :
       {"delay_ms", "rate", "drop_bytes", "split", "gap_ms", "at", "pdu_byte", "opcode"}) {
    if (rule.contains(field)) out << " " << field << "=" << rule[field].dump();
  }
  if (rule.contains("mask")) {
    char mask[8];
    std::snprintf(mask, sizeof(mask), "0x%02x", rule["mask"].get<unsigned>() & 0xff);
    out << " mask=" << mask;
  }
  if (rule.contains("conn")) out << " conn=" << rule["conn"].get<uint64_t>();
  if (rule.contains("nth")) out << " nth=" << rule["nth"].get<uint64_t>();
  if (r.contains("bound_conn") && rule.contains("nth"))
    out << " (conn " << r["bound_conn"].get<uint64_t>() << ")";
  if (rule["after"].get<uint64_t>() > 0) out << " after=" << rule["after"].get<uint64_t>();
  if (!rule["count"].is_null()) out << " count=" << rule["count"].get<uint64_t>();
  if (rule["probability"].get<double>() < 1.0)
    out << " probability=" << rule["probability"].get<double>();
  out << " hits=" << r["hits"].get<uint64_t>();
  if (r["skipped"].get<uint64_t>() > 0) out << " skipped=" << r["skipped"].get<uint64_t>();
  if (r["held"].get<uint64_t>() > 0) out << " held=" << r["held"].get<uint64_t>();
  if (r["exhausted"].get<bool>()) out << " (exhausted)";
  return out.str();
}

}  // namespace

std::string CtlUsage() {
  return "usage: netfault-ctl --control SOCKET [--json] [--timeout MS] COMMAND [ARGS]\n"
         "commands:\n"
         "  add [up|down|both] ACTION [conn N | nth N] [after BYTES] [count N]\n"
         "      [probability P] [seed S]                  (direction default: both)\n"
         "    ACTION: delay MS | rate BYTES_PER_S | blackhole | drop [BYTES] | reset |\n"
         "            half-close | flip [at OFFSET | pdu-byte N [opcode OP]] [mask M] |\n"
         "            split BYTES [gap MS] | stall\n"
         "    byte counts take k/M/G suffixes; nth 1 = the next connection accepted\n"
         "  list                    rules with hit counts\n"
         "  conns                   live connections with byte counts per direction\n"
         "  clear [ID|all]          remove rules (default all); their stalls end\n"
         "  release [ID]            end the stalls of one rule (default every rule)\n"
         "  kill-conn N             reset connection N (RST both ways)\n"
         "  ping\n"
         "$NETFAULT_CONTROL supplies --control when it is not given.\n";
}

Result<CtlInvocation> ParseCtlArgs(const std::vector<std::string>& args) {
  CtlInvocation inv;
  if (const char* env = std::getenv("NETFAULT_CONTROL")) inv.control = env;
  std::vector<std::string> words;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "--control" || arg == "--timeout") {
      if (i + 1 >= args.size()) return Status::Error(arg + " needs a value");
      const std::string& value = args[++i];
      if (arg == "--control") {
        inv.control = value;
      } else {
        Result<uint64_t> ms = Decimal("--timeout", value);
        if (!ms.ok() || ms.value() == 0 || ms.value() > 3600 * 1000)
          return Status::Error("--timeout '" + value + "' must be milliseconds in 1..3600000");
        inv.timeout_ms = static_cast<int>(ms.value());
      }
    } else if (arg == "--json") {
      inv.json = true;
    } else {
      words.push_back(arg);
    }
  }
  if (inv.control.empty()) return Status::Error("--control SOCKET is required");
  if (words.empty()) return Status::Error("no command given");
  const std::string cmd = words[0];
  const std::vector<std::string> rest(words.begin() + 1, words.end());
  json request = {{"cmd", cmd}};
  if (cmd == "add") {
    Status s = ParseAdd(rest, &request);
    if (!s.ok()) return s;
  } else if (cmd == "list" || cmd == "conns" || cmd == "ping") {
    if (!rest.empty()) return Status::Error(cmd + " takes no arguments, got '" + rest[0] + "'");
  } else if (cmd == "clear" || cmd == "release" || cmd == "kill-conn") {
    if (rest.size() > 1) return Status::Error(cmd + " takes at most one id");
    if (cmd == "kill-conn" && rest.empty()) return Status::Error("kill-conn needs a connection id");
    if (!rest.empty() && !(rest[0] == "all" && cmd != "kill-conn")) {
      Result<uint64_t> id = Decimal(cmd, rest[0]);
      if (!id.ok() || id.value() == 0)
        return Status::Error(cmd + ": '" + rest[0] + "' is not an id" +
                             (cmd == "kill-conn" ? "" : " or 'all'"));
      request["id"] = id.value();
    }
  } else {
    return Status::Error("unknown command '" + cmd + "'");
  }
  inv.request = std::move(request);
  return inv;
}

std::string FormatReply(const json& request, const json& reply) {
  const std::string cmd = request.value("cmd", "");
  std::ostringstream out;
  if (cmd == "add") {
    out << "added rule " << reply.value("id", 0ull) << "\n";
  } else if (cmd == "list") {
    if (reply["rules"].empty()) out << "no rules\n";
    for (const json& r : reply["rules"]) out << RuleText(r) << "\n";
  } else if (cmd == "conns") {
    if (reply["conns"].empty()) out << "no connections\n";
    for (const json& c : reply["conns"]) {
      char age[32];
      std::snprintf(age, sizeof(age), "%.1f", c.value("age_s", 0.0));
      out << c["id"].get<uint64_t>() << ": client=" << c.value("client", std::string("?")) << " "
          << c.value("state", std::string("?")) << " age=" << age << "s\n"
          << "    up:   " << DirText(c["up"]) << "\n"
          << "    down: " << DirText(c["down"]) << "\n";
    }
  } else if (cmd == "clear") {
    out << "cleared " << reply.value("cleared", 0ull) << " rule(s)\n";
  } else if (cmd == "release") {
    out << "released " << reply.value("released", 0ull) << " stall(s)\n";
  } else if (cmd == "kill-conn") {
    out << "reset connection " << reply.value("killed", 0ull) << "\n";
  } else if (cmd == "ping") {
    out << "ok: " << reply.value("listen", std::string("?")) << " -> "
        << reply.value("target", std::string("?")) << ", " << reply.value("conns", 0ull)
        << " connection(s) open, " << reply.value("accepted", 0ull) << " accepted, "
        << reply.value("rules", 0ull) << " rule(s)\n";
  } else {
    out << reply.dump() << "\n";
  }
  return out.str();
}

int CtlMain(const std::vector<std::string>& args) {
  for (const std::string& arg : args) {
    if (arg == "--help" || arg == "-h") {
      std::cout << CtlUsage();
      return 0;
    }
  }
  Result<CtlInvocation> inv = ParseCtlArgs(args);
  if (!inv.ok()) {
    std::cerr << "netfault-ctl: " << inv.error() << "\n" << CtlUsage();
    return 2;
  }
  Result<json> reply =
      faultfs::ControlCall(inv.value().control, inv.value().request, inv.value().timeout_ms);
  if (!reply.ok()) {
    std::cerr << "netfault-ctl: " << reply.error() << "\n";
    return 2;
  }
  const json& r = reply.value();
  const bool ok = r.contains("ok") && r["ok"].is_boolean() && r["ok"].get<bool>();
  if (inv.value().json) {
    std::cout << r.dump() << "\n";
  } else if (ok) {
    try {
      std::cout << FormatReply(inv.value().request, r);
    } catch (const json::exception&) {
      // A reply from a different netfault version: show it raw rather than fail.
      std::cout << r.dump() << "\n";
    }
  }
  if (!ok) {
    std::cerr << "netfault-ctl: " << r.value("error", std::string("request failed")) << "\n";
    return 1;
  }
  return 0;
}

}  // namespace reftarget::netfault
