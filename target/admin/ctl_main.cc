// reftarget-ctl: targetcli's paths and verbs for a running reftarget, over its admin socket.
// One-shot (`reftarget-ctl /backstores/ramdisk create r0 1G`) or, without a command, an
// interactive shell reading one command per line. Exit status: 0 done, 1 refused by the
// target (the reason is printed), 2 usage or connection error.
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include "target/admin/command_line.h"
#include "target/admin/ctl_client.h"

namespace {

using nlohmann::json;
using reftarget::admin::SendRequest;

constexpr const char* kUsage =
    "usage: reftarget-ctl [--socket PATH] [--json] [PATH] COMMAND [ARGS...]\n"
    "       reftarget-ctl [--socket PATH]                  interactive shell (one command per line)\n"
    "       reftarget-ctl [--socket PATH] CMD ';' CMD ...       several changes as one: all or none\n"
    "       reftarget-ctl [--socket PATH] --request JSON   send one raw admin request\n"
    "\n"
    "Commands are targetcli's: ls, create, delete, enable, disable, set/get attribute|parameter|auth,\n"
    "saveconfig [FILE], restoreconfig FILE [clear_existing=true], clearconfig confirm=true,\n"
    "sessions [detail]; plus `resize SIZE` on a storage object and `set restriction\n"
    "initiator_networks=CIDR,...` on a TPG or ACL. Examples:\n"
    "  reftarget-ctl /backstores/fileio create disk0 /var/lib/reftarget/disk0.img 10G\n"
    "  reftarget-ctl /iscsi create iqn.2003-01.org.example:t1\n"
    "  reftarget-ctl /iscsi/iqn.2003-01.org.example:t1/tpg1/portals create 127.0.0.1 3260\n"
    "  reftarget-ctl /iscsi/iqn.2003-01.org.example:t1/tpg1/luns create /backstores/fileio/disk0\n"
    "  reftarget-ctl sessions detail\n"
    "Socket: --socket, else $REFTARGET_ADMIN_SOCKET, else /run/reftarget/admin.sock.\n";

// Prints an answer; returns the exit status it means.
int Print(const json& answer, bool as_json) {
  if (as_json) {
    std::cout << answer.dump(2) << "\n";
    return answer.value("ok", false) ? 0 : 1;
  }
  if (!answer.value("ok", false)) {
    std::cerr << "reftarget-ctl: " << answer.value("error", std::string("refused")) << "\n";
    return 1;
  }
  if (answer.contains("output") && answer["output"].is_string()) {
    std::cout << answer["output"].get<std::string>();
    const std::string& out = answer["output"].get_ref<const std::string&>();
    if (!out.empty() && out.back() != '\n') std::cout << "\n";
  }
  if (answer.contains("message") && answer["message"].is_string()) {
    std::cout << answer["message"].get<std::string>() << "\n";
  }
  return 0;
}

// Runs one command line; `cwd` is the interactive shell's current path.
int RunWords(const std::string& socket, const std::vector<std::string>& words, const std::string& cwd,
             bool as_json) {
  json request;
  const bool sessions = !words.empty() && words[0] == "sessions";
  const bool ls_json = as_json && !words.empty() && words.back() == "ls";
  if (as_json && sessions) {
    request = {{"op", "sessions"}};
  } else if (ls_json) {
    request = {{"op", "config"}};
  } else {
    request = {{"op", "command"}, {"words", words}, {"cwd", cwd}};
  }
  auto answer = SendRequest(socket, request);
  if (!answer.ok()) {
    std::cerr << "reftarget-ctl: " << answer.error() << "\n";
    return 2;
  }
  return Print(answer.value(), as_json);
}

int Shell(const std::string& socket, bool as_json) {
  const bool tty = ::isatty(STDIN_FILENO) != 0;
  std::string cwd = "/";
  std::string line;
  int status = 0;
  for (;;) {
    if (tty) std::cout << cwd << "> " << std::flush;
    if (!std::getline(std::cin, line)) break;
    auto words = reftarget::admin::SplitWords(line);
    if (!words.ok()) {
      std::cerr << "reftarget-ctl: " << words.error() << "\n";
      status = 1;
      continue;
    }
    const auto& w = words.value();
    if (w.empty() || w[0][0] == '#') continue;
    if (w[0] == "exit" || w[0] == "quit") break;
    if (w[0] == "help") {
      std::cout << kUsage;
      continue;
    }
    if (w[0] == "pwd") {
      std::cout << cwd << "\n";
      continue;
    }
    if (w[0] == "cd") {
      auto target = reftarget::admin::NormalizePath(w.size() > 1 ? w[1] : "/", cwd);
      if (!target.ok()) {
        std::cerr << "reftarget-ctl: " << target.error() << "\n";
        status = 1;
        continue;
      }
      // Only a path that exists may become the current one: ask the target to draw it.
      auto answer = SendRequest(socket, {{"op", "command"},
                                         {"words", {target.value(), "ls", "depth=0"}},
                                         {"cwd", "/"}});
      if (!answer.ok()) {
        std::cerr << "reftarget-ctl: " << answer.error() << "\n";
        return 2;
      }
      if (!answer.value().value("ok", false)) {
        Print(answer.value(), false);
        status = 1;
        continue;
      }
      cwd = target.value();
      continue;
    }
    int rc = RunWords(socket, w, cwd, as_json);
    if (rc == 2) return 2;
    if (rc != 0) status = rc;
  }
  return tty ? 0 : status;
}

}  // namespace

int main(int argc, char** argv) {
  std::string socket;
  if (const char* env = std::getenv("REFTARGET_ADMIN_SOCKET"); env != nullptr && *env) socket = env;
  if (socket.empty()) socket = reftarget::admin::kDefaultAdminSocket;
  bool as_json = false;
  std::string raw;
  std::vector<std::string> words;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (!words.empty()) {
      words.push_back(arg);
    } else if (arg == "--help" || arg == "-h") {
      std::cout << kUsage;
      return 0;
    } else if (arg == "--socket" || arg == "--request") {
      if (i + 1 >= argc) {
        std::cerr << "reftarget-ctl: " << arg << " needs a value\n" << kUsage;
        return 2;
      }
      (arg == "--socket" ? socket : raw) = argv[++i];
    } else if (arg == "--json") {
      as_json = true;
    } else if (arg.size() > 2 && arg.rfind("--", 0) == 0) {
      std::cerr << "reftarget-ctl: unknown option '" << arg << "'\n" << kUsage;
      return 2;
    } else {
      words.push_back(arg);
    }
  }
  if (!raw.empty()) {
    json request = json::parse(raw, nullptr, false);
    if (request.is_discarded()) {
      std::cerr << "reftarget-ctl: --request: not valid JSON\n";
      return 2;
    }
    auto answer = SendRequest(socket, request);
    if (!answer.ok()) {
      std::cerr << "reftarget-ctl: " << answer.error() << "\n";
      return 2;
    }
    std::cout << answer.value().dump(2) << "\n";
    return answer.value().value("ok", false) ? 0 : 1;
  }
  if (words.empty()) return Shell(socket, as_json);
  // A ';' word separates commands that are applied together, atomically.
  std::vector<std::vector<std::string>> commands(1);
  for (const auto& w : words) {
    if (w == ";") {
      commands.emplace_back();
    } else {
      commands.back().push_back(w);
    }
  }
  if (commands.size() == 1) return RunWords(socket, words, "/", as_json);
  json batch = {{"op", "batch"}, {"commands", json::array()}};
  for (const auto& c : commands) {
    if (c.empty()) {
      std::cerr << "reftarget-ctl: an empty command around ';'\n" << kUsage;
      return 2;
    }
    batch["commands"].push_back({{"words", c}, {"cwd", "/"}});
  }
  auto answer = SendRequest(socket, batch);
  if (!answer.ok()) {
    std::cerr << "reftarget-ctl: " << answer.error() << "\n";
    return 2;
  }
  return Print(answer.value(), as_json);
}
