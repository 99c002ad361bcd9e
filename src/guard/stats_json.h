// The counters report as JSON (`inspect --stats`, the gateway's stats file on exit): frames,
// actions, per stage (mode, packets, per reason enforced/alert), flows, decode statuses, N4
// outcomes, sessions, events. One definition, so offline and inline reports compare key by key.
#pragma once

#include <array>
#include <cstdint>

#include <nlohmann/json.hpp>

#include "guard/pipeline.h"

namespace mecguard::guard {

struct StatsView {
  const Counters* counters = nullptr;
  const CompiledPolicy* policy = nullptr;
  std::array<uint64_t, kN4OutcomeCount> n4{};
  size_t sessions_live = 0;
  size_t sessions_capacity = 0;
  uint64_t events_written = 0;
  uint64_t events_suppressed = 0;
};

nlohmann::json stats_json(const StatsView& v);

// Adds b's counters into a (per-worker counters summed for the gateway's report).
void add_counters(Counters& a, const Counters& b);

}  // namespace mecguard::guard
