// libFuzzer target: the inline gateway's control-plane inputs. The first byte picks the
// parser: the gateway config YAML (load_gateway_config_string), the management endpoint's
// listen address (parse_listen_address), or a quarantine entry as JSON (the state file and
// POST /quarantine). Bad input must give an error that says why, never a crash or a hang.
#include <cstddef>
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "gateway/config.h"
#include "guard/quarantine.h"
#include "manage/http_server.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1 || size > 64 * 1024) return 0;
  const std::string text(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 3) {
    case 0: {
      auto c = mecguard::gateway::load_gateway_config_string(text, "/fuzz/gateway.yaml");
      if (!c && c.error().empty()) __builtin_trap();  // a failure always says why
      break;
    }
    case 1: {
      auto a = mecguard::manage::parse_listen_address(text);
      if (!a && a.error().message.empty()) __builtin_trap();
      break;
    }
    default: {
      const auto j = nlohmann::json::parse(text, nullptr, false);
      if (j.is_discarded()) break;
      auto e = mecguard::guard::QuarantineTable::entry_from_json(j, 1'000'000'000);
      if (e) (void)mecguard::guard::QuarantineTable::entry_to_json(*e);
      else if (e.error().message.empty()) __builtin_trap();
      break;
    }
  }
  return 0;
}
