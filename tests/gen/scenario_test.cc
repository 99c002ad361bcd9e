#include "gen/scenario.h"

#include <gtest/gtest.h>

#include <string>

namespace mecguard::gen {
namespace {

const char* kMinimal = R"(network:
  upf: {n4: 10.0.4.1, n3: 10.0.3.1}
  smf: [10.0.4.10]
  gnb: [10.0.3.20]
  dnns:
    - name: internet
      ipv4_pool: 10.45.0.0/24
      servers: [198.51.100.10]
)";

std::string all_errors(const Errors& errs) {
  std::string s;
  for (const auto& e : errs) s += e.to_string() + "\n";
  return s;
}

bool has_error(const Errors& errs, const std::string& location, const std::string& msg_part) {
  for (const auto& e : errs) {
    if (e.location == location && e.message.find(msg_part) != std::string::npos) return true;
  }
  return false;
}

TEST(Scenario, MinimalFileGetsDocumentedDefaults) {
  auto sc = parse_scenario(kMinimal, "dir/min.yaml");
  ASSERT_TRUE(sc) << all_errors(sc.error());
  EXPECT_EQ(sc->name, "min");
  EXPECT_EQ(sc->seed, 1u);
  EXPECT_EQ(sc->start_ns, 1767225600LL * 1'000'000'000);  // 2026-01-01T00:00:00Z
  EXPECT_EQ(sc->duration_ns, 60'000'000'000);
  EXPECT_EQ(sc->ues.count, 10u);
  EXPECT_EQ(sc->ues.attach_window_ns, 12'000'000'000);
  EXPECT_FALSE(sc->net.has_n6);
  EXPECT_EQ(sc->net.vlan.n3, 0);
  // core_hosts absent: the SMFs and the UPF's N4 address.
  ASSERT_EQ(sc->net.core_hosts.size(), 2u);
  EXPECT_EQ(sc->net.core_hosts[1].to_string(), "10.0.4.1");
  for (const auto& a : sc->attacks) EXPECT_FALSE(a.enabled);
  EXPECT_EQ(sc->net.smf[0].mac, (Mac{0x02, 0x6d, 0x67, 0x02, 0x00, 0x01}));
}

TEST(Scenario, FullSyntax) {
  const std::string text = std::string(kMinimal) + R"(name: x
seed: 0x10
start: 2026-03-04T05:06:07.5Z
duration: 90s
ues: {count: 3, ipv6: 25%, handover: 0, release: 1, attach_window: 1500ms, qfi: 5}
traffic:
  tcp: {flows_per_ue: 1, payload: 100, ports: [8443]}
  rtt: 5ms
  n6: off
attacks:
  ue_spoofing: true
  unknown_teid: {}
  stale_teid: false
  syn_flood: {count: 10, sources: 2, target: 198.51.100.10, start: 1m, rate: 50}
  malformed_gtpu: {kinds: [truncated]}
)";
  auto sc = parse_scenario(text, "full.yaml");
  ASSERT_TRUE(sc) << all_errors(sc.error());
  EXPECT_EQ(sc->name, "x");
  EXPECT_EQ(sc->seed, 16u);
  EXPECT_EQ(sc->start_ns, *parse_start_time("2026-03-04T05:06:07Z") + 500'000'000);
  EXPECT_EQ(sc->ues.ipv6_permille, 250u);
  EXPECT_EQ(sc->ues.release_permille, 1000u);
  EXPECT_EQ(sc->ues.attach_window_ns, 1'500'000'000);
  EXPECT_EQ(sc->ues.qfi, 5);
  EXPECT_EQ(sc->traffic.tcp.payload_min, 100u);
  EXPECT_EQ(sc->traffic.tcp.payload_max, 100u);
  EXPECT_EQ(sc->traffic.tcp.ports, std::vector<uint16_t>{8443});
  EXPECT_EQ(sc->traffic.rtt_ns, 5'000'000);
  EXPECT_FALSE(sc->traffic.n6);
  EXPECT_TRUE(sc->attack(Attack::kUeSpoofing).enabled);
  EXPECT_TRUE(sc->attack(Attack::kUnknownTeid).enabled);
  EXPECT_GT(sc->attack(Attack::kUnknownTeid).count, 0u);
  EXPECT_FALSE(sc->attack(Attack::kStaleTeid).enabled);
  const auto& syn = sc->attack(Attack::kSynFlood);
  EXPECT_TRUE(syn.enabled);
  EXPECT_EQ(syn.count, 10u);
  EXPECT_EQ(syn.sources, 2u);
  EXPECT_EQ(syn.start_ns, 60'000'000'000);
  EXPECT_EQ(syn.rate, 50u);
  ASSERT_TRUE(syn.target);
  EXPECT_EQ(sc->attack(Attack::kMalformedGtpu).kinds,
            std::vector<MalformedKind>{MalformedKind::kTruncated});
}

TEST(Scenario, ErrorsCarryFileLineAndPath) {
  const char* text = R"(name: bad
duration: 10s
network:
  upf: {n4: 10.0.4.1, n3: not-an-ip}
  smf: [10.0.4.10, 10.0.4.10]
  gnb: [10.0.3.20]
  colour: blue
  dnns:
    - name: internet
      ipv4_pool: 10.45.0.1/24
      servers: [198.51.100.10]
ues:
  count: 0
  ipv6: 1.5
traffic:
  tcp: {ports: [2152]}
attacks:
  syn_flood: {count: 5, sourcez: 3}
  teleport: true
  ue_spoofing: {start: 20s}
)";
  auto sc = parse_scenario(text, "bad.yaml");
  ASSERT_FALSE(sc);
  const auto& e = sc.error();
  const std::string all = all_errors(e);
  EXPECT_TRUE(has_error(e, "bad.yaml:4 network.upf.n3", "not an IPv4 or IPv6 address")) << all;
  EXPECT_TRUE(has_error(e, "bad.yaml:7 network.colour", "unknown key")) << all;
  EXPECT_TRUE(has_error(e, "bad.yaml:10 network.dnns[0].ipv4_pool", "host bits")) << all;
  EXPECT_TRUE(has_error(e, "bad.yaml:13 ues.count", "out of range")) << all;
  EXPECT_TRUE(has_error(e, "bad.yaml:14 ues.ipv6", "fraction")) << all;
  EXPECT_TRUE(has_error(e, "bad.yaml:16 traffic.tcp.ports[0]", "reserved")) << all;
  EXPECT_TRUE(has_error(e, "bad.yaml:18 attacks.syn_flood.sourcez", "unknown key")) << all;
  EXPECT_TRUE(has_error(e, "bad.yaml:19 attacks.teleport", "unknown attack")) << all;
  EXPECT_TRUE(has_error(e, "bad.yaml:20 attacks.ue_spoofing.start", "after the scenario ends"))
      << all;
  bool dup = false;
  for (const auto& x : e) dup = dup || x.message == "duplicate SMF address";
  EXPECT_TRUE(dup) << all;
  for (const auto& x : e) {
    EXPECT_EQ(x.location.rfind("bad.yaml:", 0), 0u) << x.to_string();
  }
}

TEST(Scenario, MissingSectionsAndYamlSyntax) {
  auto empty = parse_scenario("", "e.yaml");
  ASSERT_FALSE(empty);
  EXPECT_EQ(empty.error()[0].location, "e.yaml:1");

  auto nonet = parse_scenario("name: x\n", "n.yaml");
  ASSERT_FALSE(nonet);
  EXPECT_TRUE(has_error(nonet.error(), "n.yaml:1 network", "required"))
      << all_errors(nonet.error());

  auto syntax = parse_scenario("name: x\nnetwork: [a, b\n", "s.yaml");
  ASSERT_FALSE(syntax);
  EXPECT_EQ(syntax.error()[0].code, ErrorCode::kParse);
  EXPECT_EQ(syntax.error()[0].location.rfind("s.yaml:", 0), 0u);

  auto missing = load_scenario("/nonexistent/scenario.yaml");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error()[0].code, ErrorCode::kIo);
}

TEST(Scenario, CrossFieldChecks) {
  const std::string text = std::string(kMinimal) + R"(ues: {count: 1}
attacks:
  mec_to_core: true
  ue_to_ue: true
)";
  auto sc = parse_scenario(text, "x.yaml");
  ASSERT_FALSE(sc);
  const std::string all = all_errors(sc.error());
  EXPECT_NE(all.find("network.mec_hosts"), std::string::npos) << all;
  EXPECT_NE(all.find("network.upf.n6"), std::string::npos) << all;
  EXPECT_NE(all.find("ues.count"), std::string::npos) << all;

  // A pool too small for the UEs.
  const std::string small = R"(network:
  upf: {n4: 10.0.4.1, n3: 10.0.3.1}
  smf: 10.0.4.10
  gnb: 10.0.3.20
  dnns: [{name: a, ipv4_pool: 10.45.0.0/29, servers: [198.51.100.1]}]
ues: {count: 20}
)";
  auto s2 = parse_scenario(small, "small.yaml");
  ASSERT_FALSE(s2);
  EXPECT_TRUE(has_error(s2.error(), "small.yaml:5 network.dnns[0].ipv4_pool", "too small"))
      << all_errors(s2.error());
}

TEST(Scenario, DuplicateKeysAreErrors) {
  const std::string text = std::string(kMinimal) + "ues: {count: 3}\nseed: 1\nseed: 2\n";
  auto sc = parse_scenario(text, "d.yaml");
  ASSERT_FALSE(sc);
  EXPECT_TRUE(has_error(sc.error(), "d.yaml:11 seed", "duplicate key")) << all_errors(sc.error());
}

TEST(Scenario, StartTimeAndMac) {
  EXPECT_EQ(parse_start_time("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(parse_start_time("2000-03-01T00:00:00Z"), 951868800LL * 1'000'000'000);
  EXPECT_EQ(parse_start_time("1700000000"), 1700000000LL * 1'000'000'000);
  EXPECT_FALSE(parse_start_time("2026-13-01T00:00:00Z"));
  EXPECT_FALSE(parse_start_time("2026-01-01 00:00:00"));
  EXPECT_FALSE(parse_start_time("yesterday"));
  EXPECT_EQ(parse_mac("02:00:5e:10:00:01"), (Mac{0x02, 0x00, 0x5e, 0x10, 0x00, 0x01}));
  EXPECT_FALSE(parse_mac("02:00:5e:10:00"));
  EXPECT_FALSE(parse_mac("02:00:5e:10:00:zz"));
}

TEST(Scenario, BundledExamplesAreValid) {
  for (const char* f : {"default.yaml", "benign.yaml", "attacks.yaml", "large-100k.yaml"}) {
    auto sc = load_scenario(std::string(MECGUARD_SOURCE_DIR) + "/examples/" + f);
    EXPECT_TRUE(sc) << f << "\n" << (sc ? "" : all_errors(sc.error()));
  }
}

}  // namespace
}  // namespace mecguard::gen
