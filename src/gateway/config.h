// GatewayConfig: the `mecguard run --config FILE` file (docs/gateway.md). YAML, validated like
// the policy: every problem is reported with "file:line path"; unknown keys are errors.
// Relative paths are taken relative to the config file's folder.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/error.h"
#include "common/expected.h"
#include "gateway/port.h"
#include "manage/syslog.h"

namespace mecguard::gateway {

struct GatewayConfig {
  std::string path;                 // the config file itself
  std::string policy;               // guard policy YAML (reloaded on SIGHUP / POST /reload)
  std::vector<std::string> interfaces;  // exactly two: [network side, UPF side]
  PortOptions port;
  size_t workers = 1;
  size_t batch = 64;                // frames per pipeline batch (1-256)
  size_t queue_frames = 4096;       // per-worker ring (power of two)
  // Cross-port reorder window (io_loop): a frame waits at most this long for an earlier one
  // from the other port. 0: auto (10 ms with AF_PACKET, whose blocks retire on a timer; 0.2 ms
  // with AF_XDP).
  uint64_t reorder_us = 0;
  std::string quarantine_state;     // loaded at start, saved on every operator change
  std::string events_jsonl;         // events as JSON lines ("-": stdout)
  uint64_t event_window_ns = 1'000'000'000;
  std::optional<manage::SyslogOptions> syslog;  // events.syslog
  std::string management = "127.0.0.1:9464";  // "" disables the HTTP endpoint
  std::string stats;                // stats JSON written at shutdown (as `inspect --stats`)
};

Expected<GatewayConfig, std::vector<Error>> load_gateway_config(const std::string& path);
// The same from text; `path` names it in errors and anchors relative paths.
Expected<GatewayConfig, std::vector<Error>> load_gateway_config_string(const std::string& yaml, const std::string& path);

}  // namespace mecguard::gateway
