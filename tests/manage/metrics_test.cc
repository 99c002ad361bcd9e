// Tests for the Prometheus exposition (src/manage/metrics.h): a snapshot with known numbers
// renders the expected samples, every declared reason and stage has its series, label values
// are escaped, and the text passes an independent strict parser (tests/tools/prom_check.py,
// built on prometheus_client's parser).
#include "manage/metrics.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "decode/packet.h"
#include "guard/pipeline.h"
#include "guard/reasons.h"

extern char** environ;

namespace mecguard::manage {
namespace {

struct CheckResult {
  int status = -1;  // exit status of prom_check.py
  std::string output;
};

// Runs tests/tools/prom_check.py on `text` with --expect arguments (no shell, so labels need
// no quoting).
CheckResult prom_check(const std::string& text, const std::vector<std::string>& expects) {
  static int serial = 0;
  const std::string base = ::testing::TempDir() + "/metrics_test_" + std::to_string(::getpid()) + "_" +
                           std::to_string(++serial);
  const std::string in = base + ".prom", out = base + ".out";
  {
    std::ofstream f(in, std::ios::binary);
    f << text;
  }
  std::vector<std::string> args = {"/usr/bin/python3", std::string(MECGUARD_SOURCE_DIR) + "/tests/tools/prom_check.py",
                                   in};
  for (const auto& e : expects) {
    args.push_back("--expect");
    args.push_back(e);
  }
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_adddup2(&fa, 1, 2);
  pid_t pid = 0;
  CheckResult r;
  if (posix_spawn(&pid, argv[0], &fa, nullptr, argv.data(), environ) == 0) {
    int st = 0;
    ::waitpid(pid, &st, 0);
    r.status = WIFEXITED(st) ? WEXITSTATUS(st) : 128;
  }
  posix_spawn_file_actions_destroy(&fa);
  std::ifstream f(out);
  std::stringstream ss;
  ss << f.rdbuf();
  r.output = ss.str();
  std::remove(in.c_str());
  std::remove(out.c_str());
  return r;
}

size_t idx(guard::Reason r) { return static_cast<size_t>(r); }
size_t idx(guard::StageId s) { return static_cast<size_t>(s); }
size_t idx(guard::Action a) { return static_cast<size_t>(a); }
size_t idx(guard::Flow f) { return static_cast<size_t>(f); }
size_t idx(decode::DecodeStatus d) { return static_cast<size_t>(d); }

GatewaySnapshot known_snapshot() {
  GatewaySnapshot s;
  s.uptime_seconds = 12.25;
  s.workers.resize(2);
  auto& a = s.workers[0].counters;
  auto& b = s.workers[1].counters;
  a.frames = 100;
  a.bytes = 6400;
  b.frames = 50;
  b.bytes = 3000;
  a.drops[idx(guard::Reason::kTeidUnknown)] = 3;
  b.drops[idx(guard::Reason::kTeidUnknown)] = 4;
  b.alerts[idx(guard::Reason::kAclLogged)] = 2;
  a.alerts[idx(guard::Reason::kDetectSynFlood)] = 1;
  a.stage_packets[idx(guard::StageId::kTeid)] = 10;
  b.stage_packets[idx(guard::StageId::kTeid)] = 5;
  a.actions[idx(guard::Action::kPass)] = 90;
  b.actions[idx(guard::Action::kPass)] = 43;
  a.actions[idx(guard::Action::kDrop)] = 10;
  b.actions[idx(guard::Action::kDrop)] = 7;
  a.flows[idx(guard::Flow::kUplink)] = 60;
  b.flows[idx(guard::Flow::kUplink)] = 20;
  a.decode_status[idx(decode::DecodeStatus::kOk)] = 95;
  b.decode_status[idx(decode::DecodeStatus::kOk)] = 45;
  a.decode_status[idx(decode::DecodeStatus::kUdpTruncated)] = 5;
  b.decode_status[idx(decode::DecodeStatus::kUdpTruncated)] = 5;
  a.rate_table_full = 1;
  b.rate_table_full = 2;
  a.events_dropped = 5;
  s.workers[0].queue_full = 9;
  s.workers[1].queue_full = 0;
  s.workers[0].sessions = 7;
  s.workers[1].sessions = 5;
  for (auto& m : s.stage_modes) m = "enforce";
  s.stage_modes[idx(guard::StageId::kDetect)] = "monitor";
  s.stage_modes[idx(guard::StageId::kRate)] = "off";
  s.sessions = 12;
  s.quarantined = 3;
  s.reloads_ok = 4;
  s.reloads_failed = 1;
  s.last_reload_unix = 1700000000.5;
  s.last_reload_ok = false;
  s.policy_path = "/etc/mec\"guard\\policy\nv2.yaml";
  s.ports.push_back({"eth0", "af_xdp", 1000, 64000, 990, 63000, 11, 2});
  s.ports.push_back({"eth1", "af_packet", 5, 320, 4, 256, 0, 1});
  s.sinks.push_back({"jsonl", 10, 1, 0, true});
  s.sinks.push_back({"syslog", 8, 3, 2, false});
  return s;
}

TEST(Metrics, KnownSnapshotRendersExpectedSamples) {
  const auto text = render_prometheus(known_snapshot());
  const auto r = prom_check(text, {
      R"(mecguard_worker_packets_total{worker="0"}=100)",
      R"(mecguard_worker_packets_total{worker="1"}=50)",
      R"(mecguard_worker_bytes_total{worker="0"}=6400)",
      R"(mecguard_worker_bytes_total{worker="1"}=3000)",
      R"(mecguard_worker_queue_full_total{worker="0"}=9)",
      R"(mecguard_worker_queue_full_total{worker="1"}=0)",
      R"(mecguard_worker_sessions{worker="1"}=5)",
      R"(mecguard_stage_packets_total{stage="teid"}=15)",
      R"(mecguard_stage_packets_total{stage="acl"}=0)",
      R"(mecguard_reason_total{stage="teid",reason="teid_unknown",outcome="enforced"}=7)",
      R"(mecguard_reason_total{stage="teid",reason="teid_unknown",outcome="alert"}=0)",
      R"(mecguard_reason_total{stage="acl",reason="acl_logged",outcome="alert"}=2)",
      R"(mecguard_reason_total{stage="detect",reason="detect_syn_flood",outcome="alert"}=1)",
      R"(mecguard_reason_total{stage="n4",reason="n4_foreign_seid",outcome="enforced"}=0)",
      R"(mecguard_actions_total{action="pass"}=133)",
      R"(mecguard_actions_total{action="drop"}=17)",
      R"(mecguard_actions_total{action="redirect"}=0)",
      R"(mecguard_flows_total{flow="uplink"}=80)",
      R"(mecguard_decode_status_total{status="ok"}=140)",
      R"(mecguard_decode_status_total{status="udp_truncated"}=10)",
      R"(mecguard_rate_table_full_total=3)",
      R"(mecguard_events_buffer_overflow_total=5)",
      R"(mecguard_sessions=12)",
      R"(mecguard_quarantined_ues=3)",
      R"(mecguard_reloads_total{result="ok"}=4)",
      R"(mecguard_reloads_total{result="failed"}=1)",
      R"(mecguard_last_reload_success=0)",
      R"(mecguard_last_reload_timestamp_seconds=1700000000.5)",
      R"(mecguard_stage_mode{stage="detect",mode="monitor"}=1)",
      R"(mecguard_stage_mode{stage="detect",mode="enforce"}=0)",
      R"(mecguard_stage_mode{stage="rate",mode="off"}=1)",
      R"(mecguard_stage_mode{stage="teid",mode="enforce"}=1)",
      R"(mecguard_port_rx_packets_total{port="eth0",io="af_xdp"}=1000)",
      R"(mecguard_port_rx_bytes_total{port="eth0",io="af_xdp"}=64000)",
      R"(mecguard_port_tx_packets_total{port="eth0",io="af_xdp"}=990)",
      R"(mecguard_port_tx_bytes_total{port="eth0",io="af_xdp"}=63000)",
      R"(mecguard_port_rx_kernel_drops_total{port="eth0",io="af_xdp"}=11)",
      R"(mecguard_port_tx_errors_total{port="eth1",io="af_packet"}=1)",
      R"(mecguard_sink_events_written_total{sink="jsonl"}=10)",
      R"(mecguard_sink_events_dropped_total{sink="syslog"}=3)",
      R"(mecguard_sink_reconnects_total{sink="syslog"}=2)",
      R"(mecguard_sink_connected{sink="syslog"}=0)",
      R"(mecguard_sink_connected{sink="jsonl"}=1)",
      R"(mecguard_uptime_seconds=12.25)",
      // The parser unescapes the label; the expectation is written escaped the same way.
      R"(mecguard_policy_info{path="/etc/mec\"guard\\policy\nv2.yaml"}=1)",
  });
  EXPECT_EQ(r.status, 0) << r.output << "\n" << text;
  EXPECT_NE(r.output.find("families "), std::string::npos) << r.output;
}

TEST(Metrics, ExactLinesAndEscaping) {
  const auto text = render_prometheus(known_snapshot());
  for (const char* line : {
           "# HELP mecguard_worker_packets_total Frames a worker judged.\n"
           "# TYPE mecguard_worker_packets_total counter\n"
           "mecguard_worker_packets_total{worker=\"0\"} 100\n"
           "mecguard_worker_packets_total{worker=\"1\"} 50\n",
           "\nmecguard_policy_info{path=\"/etc/mec\\\"guard\\\\policy\\nv2.yaml\"} 1\n",
           "\nmecguard_uptime_seconds 12.25\n",
           "\nmecguard_last_reload_timestamp_seconds 1700000000.5\n",
       }) {
    EXPECT_NE(text.find(line), std::string::npos) << "missing:\n" << line << "\nin:\n" << text;
  }
  EXPECT_EQ(escape_label_value("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
  EXPECT_EQ(escape_label_value("plain"), "plain");
  ASSERT_FALSE(text.empty());
  EXPECT_EQ(text.back(), '\n');
}

// Every declared reason (but "none") and stage has its series, zeros included, and each
// family has exactly one HELP and one TYPE line; counters end in _total.
TEST(Metrics, EveryDeclaredSeriesOnceAndFamiliesDeclaredOnce) {
  const GatewaySnapshot empty;  // no workers, no ports, no sinks
  const auto text = render_prometheus(empty);
  std::map<std::string, int> helps, types;
  std::set<std::string> reason_series, stage_series, mode_series;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("# HELP ", 0) == 0) {
      ++helps[line.substr(7, line.find(' ', 7) - 7)];
    } else if (line.rfind("# TYPE ", 0) == 0) {
      const auto name = line.substr(7, line.find(' ', 7) - 7);
      ++types[name];
      if (line.substr(line.rfind(' ') + 1) == "counter") {
        EXPECT_TRUE(name.size() > 6 && name.substr(name.size() - 6) == "_total") << name;
      }
    } else if (line.rfind("mecguard_reason_total{", 0) == 0) {
      EXPECT_EQ(line.substr(line.rfind(' ') + 1), "0") << line;
      reason_series.insert(line.substr(0, line.rfind(' ')));
    } else if (line.rfind("mecguard_stage_packets_total{", 0) == 0) {
      stage_series.insert(line);
    } else if (line.rfind("mecguard_stage_mode{", 0) == 0) {
      mode_series.insert(line);
    }
  }
  EXPECT_EQ(reason_series.size(), 2 * (guard::kReasonCount - 1));
  EXPECT_EQ(stage_series.size(), guard::kStageCount);
  // Modes were never set: three series per stage, all 0.
  EXPECT_EQ(mode_series.size(), 3 * guard::kStageCount);
  for (size_t r = 1; r < guard::kReasonCount; ++r) {
    const auto reason = static_cast<guard::Reason>(r);
    const std::string series = "mecguard_reason_total{stage=\"" + std::string(guard::stage_name(guard::reason_stage(reason))) +
                               "\",reason=\"" + std::string(guard::reason_name(reason)) + "\",outcome=\"enforced\"}";
    EXPECT_EQ(reason_series.count(series), 1u) << series;
  }
  EXPECT_EQ(helps, types);
  for (const auto& [name, n] : types) EXPECT_EQ(n, 1) << name;
  for (const char* fam : {"mecguard_worker_packets_total", "mecguard_worker_bytes_total", "mecguard_stage_packets_total",
                          "mecguard_reason_total", "mecguard_actions_total", "mecguard_flows_total",
                          "mecguard_decode_status_total", "mecguard_sessions", "mecguard_quarantined_ues",
                          "mecguard_reloads_total", "mecguard_last_reload_success",
                          "mecguard_last_reload_timestamp_seconds", "mecguard_stage_mode",
                          "mecguard_port_rx_packets_total", "mecguard_port_tx_errors_total",
                          "mecguard_port_rx_kernel_drops_total", "mecguard_worker_queue_full_total",
                          "mecguard_sink_events_written_total", "mecguard_sink_events_dropped_total",
                          "mecguard_sink_reconnects_total", "mecguard_sink_connected", "mecguard_uptime_seconds",
                          "mecguard_rate_table_full_total", "mecguard_events_buffer_overflow_total"}) {
    EXPECT_EQ(types.count(fam), 1u) << fam;
  }
  const auto r = prom_check(text, {R"(mecguard_reason_total{stage="zone",reason="mec_to_core",outcome="alert"}=0)"});
  EXPECT_EQ(r.status, 0) << r.output;
}

TEST(Metrics, UnknownModeStillShownAndNonFiniteValuesValid) {
  GatewaySnapshot s;
  s.stage_modes[0] = "shadow\"x";
  s.uptime_seconds = std::nan("");
  s.last_reload_unix = HUGE_VAL;
  const auto text = render_prometheus(s);
  const auto r = prom_check(text, {R"(mecguard_stage_mode{stage="decode",mode="shadow\"x"}=1)",
                                   R"(mecguard_stage_mode{stage="decode",mode="enforce"}=0)",
                                   R"(mecguard_last_reload_timestamp_seconds=+Inf)"});
  EXPECT_EQ(r.status, 0) << r.output << "\n" << text;
  EXPECT_NE(text.find("\nmecguard_uptime_seconds NaN\n"), std::string::npos);
}

// The checker is not a rubber stamp: it rejects broken text and wrong expectations.
TEST(Metrics, CheckerRejectsBrokenExpositionAndWrongValues) {
  const auto text = render_prometheus(known_snapshot());
  {
    const auto r = prom_check(text, {R"(mecguard_worker_packets_total{worker="0"}=101)"});
    EXPECT_EQ(r.status, 1) << r.output;
  }
  {
    const auto r = prom_check(text, {R"(mecguard_no_such_metric=0)"});
    EXPECT_EQ(r.status, 1) << r.output;
  }
  const std::vector<std::string> broken = {
      text + "# HELP mecguard_sessions again\n",                       // second HELP
      text + "mecguard_sessions 1\n",                                   // duplicate series
      text + "mecguard_stray 1\n",                                      // sample without TYPE
      text + "# HELP x_total h\n# TYPE x_total counter\nx_total{a=\"b} 1\n",  // unterminated label
      text + "# HELP y h\n# TYPE y counter\ny 1\n",                     // counter without _total
      text.substr(0, text.size() - 1),                                  // no final line feed
  };
  for (size_t i = 0; i < broken.size(); ++i) {
    const auto r = prom_check(broken[i], {});
    EXPECT_EQ(r.status, 1) << "case " << i << ": " << r.output;
  }
}

}  // namespace
}  // namespace mecguard::manage
