#include <gtest/gtest.h>

#include "policy/policy.h"

namespace mecguard::policy {
namespace {

constexpr const char* kGood = R"(version: 1
topology:
  upf_n3: [192.0.2.1]
  upf_n4: 192.0.2.4
  smf_peers: [192.0.2.10, 2001:db8::10]
network_instances:
  - name: internet
    ue_pools: [10.45.0.0/16, 2001:db8:45::/48]
    inter_ue: deny
  - name: factory
    ue_pools: [10.46.0.0/16]
    inter_ue: {action: redirect, gateway: 198.51.100.9}
zones:
  core: [192.0.2.0/26]
  mec: [198.51.100.0/28]
  dn: [0.0.0.0/0]
  rules:
    - {from: ue, to: dn, action: allow}
    - {from: ue, to: mec, action: allow}
  default: deny
classes:
  industrial:
    acl_default: deny
    thresholds: {ul_pps: 500, syn_rate: 20}
  consumer:
ue_groups:
  - {name: plc, class: industrial, members: [10.46.1.0/24]}
acl:
  default: allow
  rules:
    - {id: 10, action: deny, proto: tcp, dport: 23, direction: uplink}
    - {id: 11, action: allow, proto: udp, dport: 1000-2000, ue_group: plc, network_instance: factory}
    - {action: log, proto: icmp, icmp_type: 8}
stages:
  zone: monitor
  acl: enforce
)";

TEST(PolicyLoad, ReadsEveryBlock) {
  auto p = load_policy_string(kGood, "good.yaml");
  ASSERT_TRUE(p) << p.error().front().to_string();
  EXPECT_EQ(p->topology.upf_n3.size(), 1u);
  EXPECT_EQ(p->topology.upf_n4.size(), 1u);  // a scalar stands for a list of one
  EXPECT_EQ(p->topology.smf_peers.size(), 2u);
  ASSERT_EQ(p->network_instances.size(), 2u);
  EXPECT_EQ(p->network_instances[0].inter_ue.action, Action::kDeny);
  EXPECT_EQ(p->network_instances[1].inter_ue.action, Action::kRedirect);
  EXPECT_EQ(p->network_instances[1].inter_ue.gateway.to_string(), "198.51.100.9");
  EXPECT_EQ(p->zones.at(Zone::kMec).size(), 1u);
  ASSERT_EQ(p->zone_rules.size(), 2u);
  EXPECT_EQ(p->zone_rules[1].to, Zone::kMec);
  EXPECT_EQ(p->classes.at("industrial").acl_default, Action::kDeny);
  EXPECT_EQ(p->classes.at("industrial").thresholds.at("syn_rate"), 20.0);
  EXPECT_TRUE(p->classes.count("consumer"));
  ASSERT_EQ(p->acl.size(), 3u);
  EXPECT_EQ(p->acl[0].id, 10u);
  EXPECT_EQ(p->acl[0].proto, 6);
  EXPECT_EQ(p->acl[0].dport.lo, 23);
  EXPECT_EQ(p->acl[0].dport.hi, 23);
  EXPECT_EQ(p->acl[1].dport.hi, 2000);
  EXPECT_EQ(p->acl[2].id, 3u);  // implicit id: position
  EXPECT_EQ(p->acl[2].icmp_type, 8);
  EXPECT_EQ(p->acl[0].where, "good.yaml:31 acl.rules[0]");
  EXPECT_EQ(p->stages.zone, StageMode::kMonitor);
  EXPECT_EQ(p->stages.teid, StageMode::kEnforce);  // absent: enforce
}

TEST(PolicyLoad, CollectsEveryErrorWithLineAndPath) {
  const char* bad = R"(version: 1
topology:
  upf_n3: [192.0.2.300]
acl:
  rules:
    - {id: 1, action: deny, proto: tcp, dport: 443-80}
    - {id: 1, action: block}
    - {action: deny, ue_group: nobody, prot: tcp}
stages:
  teid: shadow
)";
  auto p = load_policy_string(bad, "bad.yaml");
  ASSERT_FALSE(p);
  std::vector<std::string> got;
  for (const auto& e : p.error()) got.push_back(e.to_string());
  auto has = [&](const std::string& needle) {
    for (const auto& g : got) {
      if (g.find(needle) != std::string::npos) return true;
    }
    return false;
  };
  EXPECT_TRUE(has("bad.yaml:3 topology.upf_n3[0]: '192.0.2.300' is not an IPv4 or IPv6 address"));
  EXPECT_TRUE(has("bad.yaml:6 acl.rules[0].dport: range end 80 < start 443"));
  EXPECT_TRUE(has("bad.yaml:7 acl.rules[1].id: duplicate rule id 1"));
  EXPECT_TRUE(has("bad.yaml:7 acl.rules[1].action: 'block' is not one of: allow, deny, log"));
  EXPECT_TRUE(has("bad.yaml:8 acl.rules[2].prot: unknown key"));
  EXPECT_TRUE(has("acl.rules[2].ue_group: group 'nobody' is not defined"));
  EXPECT_TRUE(has("bad.yaml:10 stages.teid: 'shadow' is not one of: enforce, monitor, off"));
  EXPECT_EQ(got.size(), 7u) << ::testing::PrintToString(got);
}

TEST(PolicyLoad, SyntaxErrorAndEmptyAndVersion) {
  auto syntax = load_policy_string("version: 1\nacl: [\n", "s.yaml");
  ASSERT_FALSE(syntax);
  EXPECT_EQ(syntax.error().front().code, ErrorCode::kParse);
  EXPECT_NE(syntax.error().front().location.find("s.yaml:"), std::string::npos);
  auto empty = load_policy_string("", "e.yaml");
  ASSERT_FALSE(empty);
  EXPECT_NE(empty.error().front().message.find("empty"), std::string::npos);
  auto v2 = load_policy_string("version: 2\n", "v.yaml");
  ASSERT_FALSE(v2);
  EXPECT_NE(v2.error().front().message.find("unsupported version 2"), std::string::npos);
  auto missing = load_policy_file("/nonexistent/policy.yaml");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().front().code, ErrorCode::kIo);
}

TEST(PolicyLoad, RedirectNeedsGatewayAndPortsNeedProto) {
  const char* bad = R"(version: 1
network_instances:
  - name: a
    inter_ue: {action: redirect}
acl:
  rules:
    - {action: deny, dport: 22}
    - {action: deny, proto: udp, icmp_type: 3}
)";
  auto p = load_policy_string(bad, "r.yaml");
  ASSERT_FALSE(p);
  ASSERT_EQ(p.error().size(), 3u);
  EXPECT_NE(p.error()[0].message.find("redirect needs a gateway"), std::string::npos);
  EXPECT_NE(p.error()[1].message.find("ports need proto"), std::string::npos);
  EXPECT_NE(p.error()[2].message.find("icmp_type/icmp_code need proto"), std::string::npos);
}

}  // namespace
}  // namespace mecguard::policy
