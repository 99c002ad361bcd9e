// GatewaySnapshot: what the inline gateway reports at one instant, copied out of the workers
// by the control thread (never read from a worker's live state). The Prometheus exposition
// (metrics.h) renders it; the management endpoint serves it.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "guard/pipeline.h"

namespace mecguard::manage {

struct PortSnapshot {
  std::string name;      // interface name
  std::string io_mode;   // "af_xdp" or "af_packet"
  uint64_t rx_packets = 0, rx_bytes = 0, tx_packets = 0, tx_bytes = 0;
  uint64_t rx_kernel_drops = 0, tx_errors = 0;
};

struct WorkerSnapshot {
  guard::Counters counters;  // packets, bytes, per stage, per reason, per action, per flow
  uint64_t queue_full = 0;   // frames the dispatcher had to wait for (back-pressure)
  size_t sessions = 0;       // sessions in this worker's table
};

struct SinkSnapshot {
  std::string name;  // "jsonl", "syslog"
  uint64_t written = 0, dropped = 0, reconnects = 0;
  bool connected = true;
};

struct GatewaySnapshot {
  double uptime_seconds = 0;
  std::vector<PortSnapshot> ports;
  std::vector<WorkerSnapshot> workers;
  std::array<std::string, guard::kStageCount> stage_modes;  // "enforce" / "monitor" / "off"
  size_t sessions = 0;          // live PDU sessions (N4 state is shared by the workers)
  size_t quarantined = 0;       // UEs in quarantine
  uint64_t reloads_ok = 0, reloads_failed = 0;
  double last_reload_unix = 0;  // seconds since the epoch, 0: never
  bool last_reload_ok = true;
  std::string policy_path;
  std::vector<SinkSnapshot> sinks;
};

}  // namespace mecguard::manage
