// Prometheus text exposition of a GatewaySnapshot (see metrics.h and docs/metrics.md).
// Worker counters are summed here, on the control thread, from the copies in the snapshot;
// per-worker families keep a worker label instead.
#include "manage/metrics.h"

#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <initializer_list>
#include <utility>

#include "decode/packet.h"
#include "guard/pipeline.h"
#include "guard/reasons.h"
#include "guard/stats_json.h"

namespace mecguard::manage {

namespace {

using Label = std::pair<std::string_view, std::string_view>;

// Appends families and samples; a family's HELP and TYPE lines are written once, before its
// samples, which is what format 0.0.4 requires.
class Exposition {
 public:
  void family(std::string_view name, std::string_view type, std::string_view help) {
    out_ += "# HELP ";
    out_ += name;
    out_ += ' ';
    append_help(help);
    out_ += "\n# TYPE ";
    out_ += name;
    out_ += ' ';
    out_ += type;
    out_ += '\n';
  }

  void sample(std::string_view name, std::initializer_list<Label> labels, uint64_t v) {
    begin(name, labels);
    char buf[24];
    const auto r = std::to_chars(buf, buf + sizeof buf, v);
    out_.append(buf, r.ptr);
    out_ += '\n';
  }

  void sample(std::string_view name, std::initializer_list<Label> labels, double v) {
    begin(name, labels);
    if (std::isnan(v)) {
      out_ += "NaN";
    } else if (std::isinf(v)) {
      out_ += v > 0 ? "+Inf" : "-Inf";
    } else {
      char buf[32];
      const auto r = std::to_chars(buf, buf + sizeof buf, v);  // shortest round-trip form
      out_.append(buf, r.ptr);
    }
    out_ += '\n';
  }

  std::string take() { return std::move(out_); }

 private:
  void begin(std::string_view name, std::initializer_list<Label> labels) {
    out_ += name;
    if (labels.size() != 0) {
      out_ += '{';
      bool first = true;
      for (const auto& [k, v] : labels) {
        if (!first) out_ += ',';
        first = false;
        out_ += k;
        out_ += "=\"";
        out_ += escape_label_value(v);
        out_ += '"';
      }
      out_ += '}';
    }
    out_ += ' ';
  }

  // HELP text escapes only backslash and line feed.
  void append_help(std::string_view h) {
    for (const char c : h) {
      if (c == '\\') {
        out_ += "\\\\";
      } else if (c == '\n') {
        out_ += "\\n";
      } else {
        out_ += c;
      }
    }
  }

  std::string out_;
};

guard::Counters sum_workers(const GatewaySnapshot& s) {
  guard::Counters t;
  for (const auto& w : s.workers) guard::add_counters(t, w.counters);
  return t;
}

constexpr std::array<std::string_view, 3> kModes = {"enforce", "monitor", "off"};

void render_workers(Exposition& e, const GatewaySnapshot& s) {
  std::vector<std::string> ids;
  ids.reserve(s.workers.size());
  for (size_t i = 0; i < s.workers.size(); ++i) ids.push_back(std::to_string(i));

  e.family("mecguard_worker_packets_total", "counter", "Frames a worker judged.");
  for (size_t i = 0; i < s.workers.size(); ++i) {
    e.sample("mecguard_worker_packets_total", {{"worker", ids[i]}}, s.workers[i].counters.frames);
  }
  e.family("mecguard_worker_bytes_total", "counter", "Bytes of the frames a worker judged.");
  for (size_t i = 0; i < s.workers.size(); ++i) {
    e.sample("mecguard_worker_bytes_total", {{"worker", ids[i]}}, s.workers[i].counters.bytes);
  }
  e.family("mecguard_worker_queue_full_total", "counter",
           "Frames the dispatcher had to wait for because the worker's queue was full.");
  for (size_t i = 0; i < s.workers.size(); ++i) {
    e.sample("mecguard_worker_queue_full_total", {{"worker", ids[i]}}, s.workers[i].queue_full);
  }
  e.family("mecguard_worker_sessions", "gauge", "PDU sessions in the worker's session table.");
  for (size_t i = 0; i < s.workers.size(); ++i) {
    e.sample("mecguard_worker_sessions", {{"worker", ids[i]}}, static_cast<uint64_t>(s.workers[i].sessions));
  }
}

void render_pipeline(Exposition& e, const guard::Counters& t) {
  e.family("mecguard_stage_packets_total", "counter", "Packets each guard stage examined, summed over workers.");
  for (size_t st = 0; st < guard::kStageCount; ++st) {
    e.sample("mecguard_stage_packets_total", {{"stage", guard::stage_name(static_cast<guard::StageId>(st))}},
             t.stage_packets[st]);
  }

  e.family("mecguard_reason_total", "counter",
           "Findings per stage and reason, summed over workers; outcome enforced (dropped or redirected) or alert.");
  for (size_t r = 1; r < guard::kReasonCount; ++r) {  // 0 is "none", never a finding
    const auto reason = static_cast<guard::Reason>(r);
    const auto stage = guard::stage_name(guard::reason_stage(reason));
    const auto name = guard::reason_name(reason);
    e.sample("mecguard_reason_total", {{"stage", stage}, {"reason", name}, {"outcome", "enforced"}}, t.drops[r]);
    e.sample("mecguard_reason_total", {{"stage", stage}, {"reason", name}, {"outcome", "alert"}}, t.alerts[r]);
  }

  e.family("mecguard_actions_total", "counter", "Verdicts by action, summed over workers.");
  for (size_t a = 0; a < t.actions.size(); ++a) {
    e.sample("mecguard_actions_total", {{"action", guard::action_name(static_cast<guard::Action>(a))}}, t.actions[a]);
  }

  e.family("mecguard_flows_total", "counter", "Frames by flow class, summed over workers.");
  for (size_t f = 0; f < t.flows.size(); ++f) {
    e.sample("mecguard_flows_total", {{"flow", guard::flow_name(static_cast<guard::Flow>(f))}}, t.flows[f]);
  }

  e.family("mecguard_decode_status_total", "counter", "Frames by decode status, summed over workers.");
  for (size_t d = 0; d < t.decode_status.size(); ++d) {
    e.sample("mecguard_decode_status_total", {{"status", decode::status_name(static_cast<decode::DecodeStatus>(d))}},
             t.decode_status[d]);
  }

  e.family("mecguard_rate_table_full_total", "counter",
           "Packets that shared a token bucket because a rate table was full, summed over workers.");
  e.sample("mecguard_rate_table_full_total", {}, t.rate_table_full);
  e.family("mecguard_events_buffer_overflow_total", "counter",
           "Events lost because a worker's event buffer was full, summed over workers.");
  e.sample("mecguard_events_buffer_overflow_total", {}, t.events_dropped);
}

void render_state(Exposition& e, const GatewaySnapshot& s) {
  e.family("mecguard_sessions", "gauge", "Live PDU sessions.");
  e.sample("mecguard_sessions", {}, static_cast<uint64_t>(s.sessions));
  e.family("mecguard_quarantined_ues", "gauge", "UEs in quarantine.");
  e.sample("mecguard_quarantined_ues", {}, static_cast<uint64_t>(s.quarantined));

  e.family("mecguard_stage_mode", "gauge", "The mode of each guard stage: 1 for the current mode, else 0.");
  for (size_t st = 0; st < guard::kStageCount; ++st) {
    const auto stage = guard::stage_name(static_cast<guard::StageId>(st));
    const std::string_view current = s.stage_modes[st];
    bool known = false;
    for (const auto m : kModes) {
      known = known || m == current;
      e.sample("mecguard_stage_mode", {{"stage", stage}, {"mode", m}}, uint64_t{m == current ? 1u : 0u});
    }
    // A mode this renderer does not list is still shown rather than hidden.
    if (!known && !current.empty()) e.sample("mecguard_stage_mode", {{"stage", stage}, {"mode", current}}, uint64_t{1});
  }

  e.family("mecguard_reloads_total", "counter", "Policy reloads by result.");
  e.sample("mecguard_reloads_total", {{"result", "ok"}}, s.reloads_ok);
  e.sample("mecguard_reloads_total", {{"result", "failed"}}, s.reloads_failed);
  e.family("mecguard_last_reload_success", "gauge", "1 if the last policy reload succeeded (or none was tried), else 0.");
  e.sample("mecguard_last_reload_success", {}, uint64_t{s.last_reload_ok ? 1u : 0u});
  e.family("mecguard_last_reload_timestamp_seconds", "gauge",
           "Unix time of the last policy reload attempt; 0 if none was tried.");
  e.sample("mecguard_last_reload_timestamp_seconds", {}, s.last_reload_unix);
  e.family("mecguard_policy_info", "gauge", "The policy file in use (always 1).");
  e.sample("mecguard_policy_info", {{"path", s.policy_path}}, uint64_t{1});

  e.family("mecguard_uptime_seconds", "gauge", "Seconds since the gateway started.");
  e.sample("mecguard_uptime_seconds", {}, s.uptime_seconds);
}

void render_ports(Exposition& e, const GatewaySnapshot& s) {
  struct Field {
    std::string_view name, help;
    uint64_t PortSnapshot::*member;
  };
  static constexpr std::array<Field, 6> kFields = {{
      {"mecguard_port_rx_packets_total", "Packets received on the port.", &PortSnapshot::rx_packets},
      {"mecguard_port_rx_bytes_total", "Bytes received on the port.", &PortSnapshot::rx_bytes},
      {"mecguard_port_tx_packets_total", "Packets sent on the port.", &PortSnapshot::tx_packets},
      {"mecguard_port_tx_bytes_total", "Bytes sent on the port.", &PortSnapshot::tx_bytes},
      {"mecguard_port_rx_kernel_drops_total", "Packets the kernel dropped before the gateway read them.",
       &PortSnapshot::rx_kernel_drops},
      {"mecguard_port_tx_errors_total", "Packets the port failed to send.", &PortSnapshot::tx_errors},
  }};
  for (const auto& f : kFields) {
    e.family(f.name, "counter", f.help);
    for (const auto& p : s.ports) e.sample(f.name, {{"port", p.name}, {"io", p.io_mode}}, p.*(f.member));
  }
}

void render_sinks(Exposition& e, const GatewaySnapshot& s) {
  e.family("mecguard_sink_events_written_total", "counter", "Events an event sink delivered.");
  for (const auto& k : s.sinks) e.sample("mecguard_sink_events_written_total", {{"sink", k.name}}, k.written);
  e.family("mecguard_sink_events_dropped_total", "counter", "Events an event sink could not deliver.");
  for (const auto& k : s.sinks) e.sample("mecguard_sink_events_dropped_total", {{"sink", k.name}}, k.dropped);
  e.family("mecguard_sink_reconnects_total", "counter", "Times an event sink reconnected.");
  for (const auto& k : s.sinks) e.sample("mecguard_sink_reconnects_total", {{"sink", k.name}}, k.reconnects);
  e.family("mecguard_sink_connected", "gauge", "1 if the event sink is connected, else 0.");
  for (const auto& k : s.sinks) e.sample("mecguard_sink_connected", {{"sink", k.name}}, uint64_t{k.connected ? 1u : 0u});
}

}  // namespace

std::string escape_label_value(std::string_view v) {
  std::string out;
  out.reserve(v.size());
  for (const char c : v) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string render_prometheus(const GatewaySnapshot& s) {
  Exposition e;
  render_workers(e, s);
  render_pipeline(e, sum_workers(s));
  render_state(e, s);
  render_ports(e, s);
  render_sinks(e, s);
  return e.take();
}

}  // namespace mecguard::manage
