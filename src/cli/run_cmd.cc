// `mecguard run --config FILE`: the inline gateway (issue 4). Loads the gateway config and the
// policy, starts the Gateway (ports, I/O thread, workers), the event sinks (JSON lines,
// RFC 5424 syslog) and the management endpoint (Prometheus /metrics, /reload, /quarantine),
// then serves signals on the main thread: SIGHUP reloads the policy, SIGTERM/SIGINT stop
// gracefully (queues drained, events flushed, stats written). Exit status: 0 clean stop,
// 1 runtime failure (an interface cannot be opened), 2 invalid config or policy.
#include <signal.h>
#include <unistd.h>

#include <cinttypes>
#include <cstdio>
#include <ctime>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "gateway/config.h"
#include "gateway/gateway.h"
#include "guard/events.h"
#include "guard/stats_json.h"
#include "manage/http_server.h"
#include "manage/syslog.h"
#include "policy/policy.h"

namespace mecguard::cli {

namespace {

struct RunArgs {
  std::string config;
  std::string io;
  size_t workers = 0;
};

void log_line(const char* fmt, const std::string& a) {
  std::fprintf(stderr, fmt, a.c_str());
  std::fflush(stderr);
}

// POST /quarantine body -> entry ({"ue":..,"allow":[..],"expires":seconds,"reason":..}).
Expected<guard::QuarantineEntry> parse_quarantine_body(const std::string& body) {
  const auto j = nlohmann::json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return Unexpected(Error(ErrorCode::kParse, "body is not a JSON object"));
  const uint64_t now = static_cast<uint64_t>(std::time(nullptr)) * 1'000'000'000ull;
  auto e = guard::QuarantineTable::entry_from_json(j, now);
  if (e) e->by = "operator";
  return e;
}

std::string quarantine_json(const std::vector<guard::QuarantineEntry>& entries) {
  nlohmann::json j = nlohmann::json::array();
  for (const auto& e : entries) j.push_back(guard::QuarantineTable::entry_to_json(e));
  return j.dump();
}

int run_gateway(const RunArgs& a) {
  auto cfg = gateway::load_gateway_config(a.config);
  if (!cfg) {
    for (const auto& e : cfg.error()) std::fprintf(stderr, "%s\n", e.to_string().c_str());
    return 2;
  }
  if (a.workers) cfg->workers = a.workers;
  if (a.io == "af_packet") cfg->port.mode = gateway::IoMode::kAfPacket;
  else if (a.io == "af_xdp") cfg->port.mode = gateway::IoMode::kAfXdp;
  auto pol = policy::load_policy_file(cfg->policy);
  if (!pol) {
    for (const auto& e : pol.error()) std::fprintf(stderr, "%s\n", e.to_string().c_str());
    return 2;
  }
  auto compiled = guard::compile_policy(*pol);
  if (!compiled) {
    std::fprintf(stderr, "%s\n", compiled.error().to_string().c_str());
    return 2;
  }
  std::vector<guard::QuarantineEntry> quarantine;
  if (!cfg->quarantine_state.empty()) {
    auto q = guard::QuarantineTable::load_file(cfg->quarantine_state);
    if (!q) {
      std::fprintf(stderr, "mecguard run: %s\n", q.error().to_string().c_str());
      return 2;
    }
    quarantine = std::move(*q);
  }

  // Sinks first: events of the first frames must have somewhere to go.
  std::FILE* jsonl = nullptr;
  if (!cfg->events_jsonl.empty()) {
    jsonl = cfg->events_jsonl == "-" ? stdout : std::fopen(cfg->events_jsonl.c_str(), "w");
    if (!jsonl) {
      log_line("mecguard run: cannot write %s\n", cfg->events_jsonl);
      return 1;
    }
  }
  std::unique_ptr<manage::SyslogSink> syslog;
  if (cfg->syslog) {
    auto s = manage::SyslogSink::start(*cfg->syslog);
    if (!s) {
      log_line("mecguard run: syslog: %s\n", s.error().to_string());
      return 2;
    }
    syslog = std::move(*s);
  }
  guard::EventSink sink(jsonl, guard::EventSink::Options{cfg->event_window_ns, 65536});
  if (syslog) {
    sink.set_listener([&syslog](const guard::Event& e, const std::string& line) { syslog->submit_event(e, line); });
  }

  // Signals are taken by the main thread only (sigtimedwait below): block them before any
  // thread starts so every thread inherits the mask.
  sigset_t sigs;
  sigemptyset(&sigs);
  for (int s : {SIGHUP, SIGTERM, SIGINT}) sigaddset(&sigs, s);
  pthread_sigmask(SIG_BLOCK, &sigs, nullptr);

  guard::Worker::Limits limits;
  limits.sessions.max_sessions = pol->limits.max_sessions;
  auto gw = gateway::Gateway::start(*cfg, *compiled, limits, quarantine);
  if (!gw) {
    log_line("mecguard run: %s\n", gw.error().to_string());
    return 1;
  }
  gateway::Gateway& g = **gw;
  for (const auto& n : g.io_notes()) log_line("mecguard run: io %s\n", n);

  auto save_quarantine = [&] {
    if (cfg->quarantine_state.empty()) return;
    if (auto r = guard::QuarantineTable::save_file(cfg->quarantine_state, g.quarantine_list()); !r) {
      log_line("mecguard run: %s\n", r.error().to_string());
    }
  };
  auto report_reload = [](const gateway::ReloadResult& r) {
    log_line(r.ok ? "mecguard run: reload ok: %s\n" : "mecguard run: reload failed, running policy kept: %s\n", r.message);
  };
  std::unique_ptr<manage::ManagementServer> mgmt;
  if (!cfg->management.empty()) {
    manage::ManagementServer::Handlers h;
    h.snapshot = [&] {
      auto s = g.snapshot();
      manage::SinkSnapshot js;
      js.name = "jsonl";
      js.written = sink.written();
      s.sinks.push_back(js);
      if (syslog) {
        const auto st = syslog->stats();
        manage::SinkSnapshot ss;
        ss.name = "syslog";
        ss.written = st.sent;
        ss.dropped = st.dropped + st.failed;
        ss.reconnects = st.reconnects;
        ss.connected = st.connected;
        s.sinks.push_back(ss);
      }
      return s;
    };
    h.reload = [&] {
      auto r = g.reload();
      report_reload(r);
      return std::pair{r.ok, r.message};
    };
    h.quarantine_list = [&] { return quarantine_json(g.quarantine_list()); };
    h.quarantine_add = [&](const std::string& body) {
      auto e = parse_quarantine_body(body);
      if (!e) return std::pair{false, e.error().to_string()};
      const auto c = g.quarantine_add(*e);
      save_quarantine();
      return std::pair{c != guard::QuarantineChange::kFull, std::string(guard::change_name(c))};
    };
    h.quarantine_release = [&](const std::string& ue) {
      auto addr = IpAddr::parse(ue);
      if (!addr) return std::pair{false, "'" + ue + "' is not an IP address"};
      const bool ok = g.quarantine_release(*addr);
      if (ok) save_quarantine();
      return std::pair{ok, std::string(ok ? "released" : "not quarantined")};
    };
    auto m = manage::ManagementServer::start(cfg->management, std::move(h));
    if (!m) {
      log_line("mecguard run: management: %s\n", m.error().to_string());
      g.stop();
      return 1;
    }
    mgmt = std::move(*m);
    log_line("mecguard run: management on port %s\n", std::to_string(mgmt->port()));
  }
  std::fprintf(stderr, "mecguard run: ready: %zu worker(s), policy %s\n", cfg->workers, cfg->policy.c_str());
  std::fflush(stderr);

  std::vector<guard::Event> events;
  auto pump_events = [&] {
    g.drain_events(events);
    if (!events.empty()) sink.consume(events);
    events.clear();
    if (jsonl) std::fflush(jsonl);
  };
  timespec tick{0, 100'000'000};
  while (true) {
    siginfo_t info;
    const int sig = sigtimedwait(&sigs, &info, &tick);
    pump_events();
    if (sig == SIGHUP) report_reload(g.reload());
    if (sig == SIGTERM || sig == SIGINT) break;
  }
  log_line("mecguard run: %s: stopping (draining queues)\n", "signal");
  if (mgmt) mgmt->stop();
  g.stop();
  pump_events();
  sink.flush();
  if (syslog) syslog->stop(std::chrono::milliseconds(5000));
  const auto total = g.total_counters();
  if (!cfg->stats.empty()) {
    auto pol_now = g.policy();
    guard::StatsView v;
    v.counters = &total;
    v.policy = pol_now.get();
    v.n4 = g.n4_outcomes();
    v.sessions_live = g.sessions_live();
    v.sessions_capacity = g.sessions_capacity();
    v.events_written = sink.written();
    v.events_suppressed = sink.suppressed();
    auto j = guard::stats_json(v);
    auto snap = g.snapshot();
    j["ports"] = nlohmann::json::array();
    for (const auto& p : snap.ports) {
      j["ports"].push_back({{"name", p.name}, {"io", p.io_mode}, {"rx_packets", p.rx_packets},
                            {"tx_packets", p.tx_packets}, {"rx_kernel_drops", p.rx_kernel_drops},
                            {"tx_errors", p.tx_errors}});
    }
    j["reloads"] = {{"ok", snap.reloads_ok}, {"failed", snap.reloads_failed}};
    if (syslog) {
      const auto st = syslog->stats();
      j["syslog"] = {{"sent", st.sent}, {"dropped", st.dropped}, {"failed", st.failed}, {"reconnects", st.reconnects}};
    }
    std::FILE* f = std::fopen(cfg->stats.c_str(), "w");
    if (f) {
      std::fprintf(f, "%s\n", j.dump(2).c_str());
      std::fclose(f);
    } else {
      log_line("mecguard run: cannot write %s\n", cfg->stats);
    }
  }
  if (jsonl && jsonl != stdout) std::fclose(jsonl);
  std::fprintf(stderr, "mecguard run: stopped: %" PRIu64 " frames (%" PRIu64 " forwarded): pass %" PRIu64
                       " drop %" PRIu64 " alert %" PRIu64 " redirect %" PRIu64 "; events %" PRIu64 "\n",
               total.frames, total.actions[0] + total.actions[2], total.actions[0], total.actions[1], total.actions[2],
               total.actions[3], sink.written());
  return 0;
}

}  // namespace

void register_run(CLI::App& app) {
  static RunArgs args;
  auto* sub = app.add_subcommand("run", "Run the inline gateway between two interfaces");
  sub->add_option("--config", args.config, "gateway config YAML (docs/gateway.md)")->required();
  sub->add_option("--io", args.io, "override the config's I/O path")->check(CLI::IsMember({"auto", "af_xdp", "af_packet"}));
  sub->add_option("--workers", args.workers, "override the config's worker count")->check(CLI::Range(1, 64));
  sub->callback([] { exit_status() = run_gateway(args); });
}

}  // namespace mecguard::cli
