#include "target/config/config_fuzz_check.h"

#include <cstdio>
#include <cstdlib>
#include <string>

#include "target/config/saveconfig_reader.h"
#include "target/config/saveconfig_writer.h"

namespace reftarget::config {
namespace {

[[noreturn]] void Violation(const char* what, const std::string& detail) {
  std::fprintf(stderr, "config fuzz check failed: %s\n%s\n", what, detail.c_str());
  std::abort();
}

}  // namespace

void CheckConfigInput(std::string_view data) {
  constexpr std::string_view kSource = "fuzz.json";
  auto parsed = ParseConfig(data, kSource);
  if (!parsed.ok()) {
    const std::string& msg = parsed.error();
    if (msg.compare(0, kSource.size(), kSource) != 0) Violation("error lacks the source", msg);
    if (msg.find('\n') != std::string::npos) Violation("error spans lines", msg);
    return;
  }
  (void)UnknownKeys(parsed.value());
  std::string text = SerializeConfig(parsed.value());
  auto again = ParseConfig(text, "serialized.json");
  if (!again.ok()) Violation("serialized config does not load", again.error() + "\n" + text);
  if (!(again.value() == parsed.value())) Violation("round trip changed the config", text);
  std::string text2 = SerializeConfig(again.value());
  if (text2 != text) Violation("serialization is not stable", text + "\n---\n" + text2);
}

}  // namespace reftarget::config
