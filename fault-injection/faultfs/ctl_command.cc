#include "fault-injection/faultfs/ctl_command.h"

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <sstream>

#include "fault-injection/faultfs/control_client.h"
#include "fault-injection/faultfs/names.h"

namespace reftarget::faultfs {
namespace {

using nlohmann::json;

Result<uint64_t> ParseUnsigned(const std::string& flag, const std::string& text) {
  Result<uint64_t> value = ParseSize(text);
  if (!value.ok()) return Status::Error(flag + ": " + value.error());
  return value;
}

// Parses the words after "add" into rule fields.
Status ParseAdd(const std::vector<std::string>& words, json* request) {
  int actions = 0;
  for (size_t i = 0; i < words.size(); ++i) {
    const std::string& flag = words[i];
    auto value = [&](std::string* out) -> Status {
      if (i + 1 >= words.size()) return Status::Error(flag + " needs a value");
      *out = words[++i];
      return Status::Ok();
    };
    std::string text;
    if (flag == "--file" || flag == "--op") {
      Status s = value(&text);
      if (!s.ok()) return s;
      (*request)[flag.substr(2)] = text;
    } else if (flag == "--offset" || flag == "--length" || flag == "--count" || flag == "--seed" ||
               flag == "--xor") {
      Status s = value(&text);
      if (!s.ok()) return s;
      if (flag == "--length" && text == "all") continue;
      Result<uint64_t> number = ParseUnsigned(flag, text);
      if (!number.ok()) return number.status();
      (*request)[flag.substr(2)] = number.value();
      if (flag == "--xor") (*request)["action"] = "corrupt";
    } else if (flag == "--probability") {
      Status s = value(&text);
      if (!s.ok()) return s;
      char* end = nullptr;
      const double p = std::strtod(text.c_str(), &end);
      if (end == text.c_str() || *end != '\0' || !(p >= 0.0 && p <= 1.0)) {
        return Status::Error("--probability '" + text + "' must be a number in [0, 1]");
      }
      (*request)["probability"] = p;
    } else if (flag == "--error") {
      Status s = value(&text);
      if (!s.ok()) return s;
      Result<int> error = ParseErrno(text);
      if (!error.ok()) return Status::Error("--error: " + error.error());
      (*request)["errno"] = ErrnoName(error.value());
      ++actions;
    } else if (flag == "--delay") {
      Status s = value(&text);
      if (!s.ok()) return s;
      Result<uint64_t> ms = ParseUnsigned(flag, text);
      if (!ms.ok()) return ms.status();
      (*request)["delay_ms"] = ms.value();
      ++actions;
    } else if (flag == "--hang" || flag == "--corrupt" || flag == "--short") {
      (*request)[flag.substr(2)] = true;
      ++actions;
    } else {
      return Status::Error("add: unknown argument '" + flag + "'");
    }
  }
  if (actions != 1)
    return Status::Error("add needs exactly one of --error, --delay, --hang, --corrupt, --short");
  return Status::Ok();
}

// Renders a rule's range as "[0, 1048576)" or "[4096, end)".
std::string RangeText(const json& rule) {
  std::string text = "[" + std::to_string(rule["offset"].get<uint64_t>()) + ", ";
  if (rule["length"].is_null()) return text + "end)";
  return text + std::to_string(rule["offset"].get<uint64_t>() + rule["length"].get<uint64_t>()) +
         ")";
}

}  // namespace

std::string CtlUsage() {
  return "usage: faultfs-ctl --control SOCKET [--json] [--timeout MS] COMMAND [ARGS]\n"
         "commands:\n"
         "  add [--file F|*] [--op read|write|fsync|open|any] [--offset N] [--length N|all]\n"
         "      (--error ERRNO | --delay MS | --hang | --corrupt [--xor N] | --short)\n"
         "      [--count N] [--probability P] [--seed S]      sizes take k/M/G suffixes\n"
         "  list | stats | ping\n"
         "  clear [ID|all]          (default all)\n"
         "  release [ID]            wake hung requests (default every rule)\n"
         "  unsynced --file F       written extents not yet fsynced\n"
         "  powercut --file F       revert F to its last synced contents\n"
         "$FAULTFS_CONTROL supplies --control when it is not given.\n";
}

Result<CtlInvocation> ParseCtlArgs(const std::vector<std::string>& args) {
  CtlInvocation inv;
  if (const char* env = std::getenv("FAULTFS_CONTROL")) inv.control = env;
  std::vector<std::string> words;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "--control" || arg == "--timeout") {
      if (i + 1 >= args.size()) return Status::Error(arg + " needs a value");
      const std::string& value = args[++i];
      if (arg == "--control") {
        inv.control = value;
      } else {
        char* end = nullptr;
        const long ms = std::strtol(value.c_str(), &end, 10);
        if (end == value.c_str() || *end != '\0' || ms <= 0 || ms > 3600 * 1000) {
          return Status::Error("--timeout '" + value + "' must be milliseconds in 1..3600000");
        }
        inv.timeout_ms = static_cast<int>(ms);
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
  } else if (cmd == "list" || cmd == "stats" || cmd == "ping") {
    if (!rest.empty()) return Status::Error(cmd + " takes no arguments, got '" + rest[0] + "'");
  } else if (cmd == "clear" || cmd == "release") {
    if (rest.size() > 1) return Status::Error(cmd + " takes at most one rule id");
    if (!rest.empty() && rest[0] != "all") {
      char* end = nullptr;
      const unsigned long long id = std::strtoull(rest[0].c_str(), &end, 10);
      if (end == rest[0].c_str() || *end != '\0' || id == 0) {
        return Status::Error(cmd + ": '" + rest[0] + "' is not a rule id or 'all'");
      }
      request["id"] = static_cast<uint64_t>(id);
    }
  } else if (cmd == "unsynced" || cmd == "powercut") {
    if (rest.size() == 2 && rest[0] == "--file") {
      request["file"] = rest[1];
    } else if (rest.size() == 1 && rest[0].rfind("--", 0) != 0) {
      request["file"] = rest[0];
    } else {
      return Status::Error(cmd + " needs --file F");
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
    for (const json& r : reply["rules"]) {
      const json& rule = r["rule"];
      out << r["id"].get<uint64_t>() << ": file=" << rule["file"].get<std::string>()
          << " op=" << rule["op"].get<std::string>() << " range=" << RangeText(rule)
          << " action=" << rule["action"].get<std::string>();
      if (rule.contains("errno")) out << " " << rule["errno"].get<std::string>();
      if (rule.contains("delay_ms")) out << " " << rule["delay_ms"].get<uint64_t>() << "ms";
      if (rule.contains("xor")) out << " xor=" << rule["xor"].get<uint64_t>();
      if (!rule["count"].is_null()) out << " count=" << rule["count"].get<uint64_t>();
      if (rule["probability"].get<double>() < 1.0)
        out << " probability=" << rule["probability"].get<double>();
      out << " hits=" << r["hits"].get<uint64_t>();
      if (r["exhausted"].get<bool>()) out << " (exhausted)";
      out << "\n";
    }
  } else if (cmd == "stats") {
    for (const json& r : reply["rules"]) {
      out << "rule " << r["id"].get<uint64_t>() << ": hits=" << r["hits"].get<uint64_t>()
          << " skipped=" << r["skipped"].get<uint64_t>()
          << " hanging=" << r["hanging"].get<uint64_t>()
          << (r["exhausted"].get<bool>() ? " exhausted" : "") << "\n";
    }
    out << "total: hits=" << reply.value("hits", 0ull)
        << " hanging=" << reply.value("hanging", 0ull) << "\n";
  } else if (cmd == "clear") {
    out << "cleared " << reply.value("cleared", 0ull) << " rule(s)\n";
  } else if (cmd == "release") {
    out << "released " << reply.value("woken", 0ull) << " hung request(s)\n";
  } else if (cmd == "ping") {
    out << "ok: " << reply.value("hanging", 0ull) << " request(s) hanging\n";
  } else if (cmd == "unsynced") {
    out << reply.value("file", "") << ": size " << reply.value("size", 0ull) << ", synced size "
        << reply.value("synced_size", 0ull) << ", " << reply.value("unsynced_bytes", 0ull)
        << " unsynced byte(s), shadow " << reply.value("shadow_bytes", 0ull) << " byte(s)\n";
    for (const json& e : reply["unsynced"]) {
      const uint64_t offset = e["offset"].get<uint64_t>();
      out << "  [" << offset << ", " << offset + e["length"].get<uint64_t>() << ")\n";
    }
    if (reply.contains("broken"))
      out << "  power cut impossible: " << reply["broken"].get<std::string>() << "\n";
  } else if (cmd == "powercut") {
    out << reply.value("file", "") << ": restored " << reply.value("restored_bytes", 0ull)
        << " byte(s) in " << reply.value("restored_extents", 0ull) << " extent(s), dropped "
        << reply.value("dropped_bytes", 0ull) << " unsynced byte(s), size "
        << reply.value("size_before", 0ull) << " -> " << reply.value("size_after", 0ull) << "\n";
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
    std::cerr << "faultfs-ctl: " << inv.error() << "\n" << CtlUsage();
    return 2;
  }
  Result<json> reply =
      ControlCall(inv.value().control, inv.value().request, inv.value().timeout_ms);
  if (!reply.ok()) {
    std::cerr << "faultfs-ctl: " << reply.error() << "\n";
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
      // A reply from a different faultfs version: show it raw rather than fail.
      std::cout << r.dump() << "\n";
    }
  }
  if (!ok) {
    std::cerr << "faultfs-ctl: " << r.value("error", std::string("request failed")) << "\n";
    return 1;
  }
  return 0;
}

}  // namespace reftarget::faultfs
