// See stats_json.h.
#include "guard/stats_json.h"

#include <string>

namespace mecguard::guard {

nlohmann::json stats_json(const StatsView& v) {
  const Counters& c = *v.counters;
  nlohmann::json j;
  j["frames"] = c.frames;
  j["bytes"] = c.bytes;
  nlohmann::json actions;
  for (size_t i = 0; i < c.actions.size(); ++i) actions[std::string(action_name(static_cast<Action>(i)))] = c.actions[i];
  j["actions"] = actions;
  nlohmann::json stages = nlohmann::json::object();
  for (size_t s = 0; s < kStageCount; ++s) {
    nlohmann::json st;
    st["packets"] = c.stage_packets[s];
    st["mode"] = std::string(policy::to_string(v.policy->modes[s]));
    nlohmann::json reasons = nlohmann::json::object();
    for (size_t r = 1; r < kReasonCount; ++r) {
      const auto reason = static_cast<Reason>(r);
      if (static_cast<size_t>(reason_stage(reason)) != s) continue;
      reasons[std::string(reason_name(reason))] = {{"enforced", c.drops[r]}, {"alert", c.alerts[r]}};
    }
    st["reasons"] = reasons;
    stages[std::string(stage_name(static_cast<StageId>(s)))] = st;
  }
  j["stages"] = stages;
  nlohmann::json flows = nlohmann::json::object();
  for (size_t i = 0; i < c.flows.size(); ++i) flows[std::string(flow_name(static_cast<Flow>(i)))] = c.flows[i];
  j["flows"] = flows;
  nlohmann::json decode = nlohmann::json::object();
  for (size_t i = 0; i < c.decode_status.size(); ++i) {
    if (c.decode_status[i] != 0) {
      decode[std::string(decode::status_name(static_cast<decode::DecodeStatus>(i)))] = c.decode_status[i];
    }
  }
  j["decode"] = decode;
  nlohmann::json n4 = nlohmann::json::object();
  for (size_t i = 0; i < v.n4.size(); ++i) n4[std::string(outcome_name(static_cast<N4Outcome>(i)))] = v.n4[i];
  j["n4"] = n4;
  j["sessions"] = {{"live", v.sessions_live}, {"capacity", v.sessions_capacity}};
  j["events"] = {{"written", v.events_written}, {"suppressed", v.events_suppressed}, {"buffer_overflow", c.events_dropped}};
  return j;
}

void add_counters(Counters& a, const Counters& b) {
  auto add = [](auto& x, const auto& y) {
    for (size_t i = 0; i < x.size(); ++i) x[i] += y[i];
  };
  a.frames += b.frames;
  a.bytes += b.bytes;
  add(a.actions, b.actions);
  add(a.drops, b.drops);
  add(a.alerts, b.alerts);
  add(a.stage_packets, b.stage_packets);
  add(a.decode_status, b.decode_status);
  add(a.flows, b.flows);
  a.rate_table_full += b.rate_table_full;
  a.events_dropped += b.events_dropped;
  add(a.stage_ticks, b.stage_ticks);
  a.decode_ticks += b.decode_ticks;
}

}  // namespace mecguard::guard
