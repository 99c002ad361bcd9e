// The gateway config loader (src/gateway/config.h): a full file, defaults, every error
// collected with its line and key, relative paths resolved against the file's folder.
#include <gtest/gtest.h>

#include "gateway/config.h"

namespace mecguard::gateway {
namespace {

std::string all_errors(const std::vector<Error>& errors) {
  std::string s;
  for (const auto& e : errors) s += e.to_string() + "\n";
  return s;
}

TEST(GatewayConfig, FullFileAndRelativePaths) {
  auto c = load_gateway_config_string(R"(policy: policy.yaml
interfaces: [gw-a, gw-b]
io: af_packet
workers: 2
batch: 32
queue_frames: 1024
reorder_us: 500
quarantine_state: q.json
stats: /var/tmp/stats.json
management: "[::1]:9000"
events:
  jsonl: events.jsonl
  window_ms: 250
  syslog:
    transport: tls
    host: 127.0.0.1
    port: 6514
    ca_file: pki/ca.pem
    server_name: localhost
)",
                                      "/etc/mecguard/gateway.yaml");
  ASSERT_TRUE(c) << all_errors(c.error());
  EXPECT_EQ(c->policy, "/etc/mecguard/policy.yaml");
  EXPECT_EQ(c->interfaces, (std::vector<std::string>{"gw-a", "gw-b"}));
  EXPECT_EQ(c->port.mode, IoMode::kAfPacket);
  EXPECT_EQ(c->workers, 2u);
  EXPECT_EQ(c->batch, 32u);
  EXPECT_EQ(c->queue_frames, 1024u);
  EXPECT_EQ(c->reorder_us, 500u);
  EXPECT_EQ(c->quarantine_state, "/etc/mecguard/q.json");
  EXPECT_EQ(c->stats, "/var/tmp/stats.json");
  EXPECT_EQ(c->management, "[::1]:9000");
  EXPECT_EQ(c->events_jsonl, "/etc/mecguard/events.jsonl");
  EXPECT_EQ(c->event_window_ns, 250'000'000u);
  ASSERT_TRUE(c->syslog.has_value());
  EXPECT_EQ(c->syslog->transport, manage::SyslogOptions::Transport::kTls);
  EXPECT_EQ(c->syslog->port, 6514);
  EXPECT_EQ(c->syslog->ca_file, "/etc/mecguard/pki/ca.pem");
}

TEST(GatewayConfig, Defaults) {
  auto c = load_gateway_config_string("policy: p.yaml\ninterfaces: [a, b]\n", "g.yaml");
  ASSERT_TRUE(c) << all_errors(c.error());
  EXPECT_EQ(c->port.mode, IoMode::kAuto);
  EXPECT_EQ(c->workers, 1u);
  EXPECT_EQ(c->management, "127.0.0.1:9464");
  EXPECT_FALSE(c->syslog.has_value());
  auto off = load_gateway_config_string("policy: p.yaml\ninterfaces: [a, b]\nmanagement: null\n", "g.yaml");
  ASSERT_TRUE(off);
  EXPECT_TRUE(off->management.empty());
}

TEST(GatewayConfig, EveryErrorWithLineAndKey) {
  auto c = load_gateway_config_string(R"(interfaces: [a, a]
workers: 0
io: dpdk
queue_frames: 1000
colour: blue
events:
  syslog:
    transport: tls
    port: 70000
)",
                                      "g.yaml");
  ASSERT_FALSE(c);
  const std::string text = all_errors(c.error());
  for (const char* expect : {"g.yaml:1 interfaces: the two interfaces must differ", "g.yaml:2 workers: expected a whole number",
                             "g.yaml:3 io: 'dpdk' is not one of", "g.yaml:4 queue_frames: must be a power of two",
                             "g.yaml:5 colour: unknown key", "g.yaml:9 events.syslog.port: expected a whole number",
                             "events.syslog: tls needs ca_file", "policy: missing"}) {
    EXPECT_NE(text.find(expect), std::string::npos) << "missing: " << expect << "\nin:\n" << text;
  }
}

TEST(GatewayConfig, NotAMappingOrNotYaml) {
  EXPECT_FALSE(load_gateway_config_string("- a\n- b\n", "g.yaml"));
  EXPECT_FALSE(load_gateway_config_string("policy: [unclosed\n", "g.yaml"));
  EXPECT_FALSE(load_gateway_config_string("", "g.yaml"));
  auto missing = load_gateway_config("/nonexistent/mecguard/gateway.yaml");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error()[0].code, ErrorCode::kIo);
}

}  // namespace
}  // namespace mecguard::gateway
