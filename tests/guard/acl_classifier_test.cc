#include "guard/acl_classifier.h"

#include <gtest/gtest.h>

#include <random>

namespace mecguard::guard {
namespace {

using policy::AclRule;
using policy::Direction;
using policy::Interface;

// The meaning of a rule, written plainly: the classifier must agree with this on every key.
bool rule_matches(const AclRule& r, const AclKey& k, const std::vector<std::string>& nis,
                  const std::vector<std::string>& groups) {
  auto in = [](const std::vector<IpPrefix>& list, const IpAddr& a) {
    if (list.empty()) return true;
    for (const auto& p : list) {
      if (p.contains(a)) return true;
    }
    return false;
  };
  if (!in(r.src, k.src) || !in(r.dst, k.dst)) return false;
  if (r.proto != 0 && r.proto != k.proto) return false;
  if (r.proto == 1 || r.proto == 58) {
    if (r.icmp_type >= 0 && r.icmp_type != k.sport) return false;
    if (r.icmp_code >= 0 && r.icmp_code != k.dport) return false;
  } else {
    if (!r.sport.contains(k.sport) || !r.dport.contains(k.dport)) return false;
  }
  if (r.direction != Direction::kAny && r.direction != k.direction) return false;
  if (r.interface != Interface::kAny && r.interface != k.interface) return false;
  if (!r.network_instance.empty() && nis[k.network_instance] != r.network_instance) return false;
  if (!r.ue_group.empty() && groups[k.ue_group] != r.ue_group) return false;
  return true;
}

int32_t linear(const std::vector<AclRule>& rules, const AclKey& k, const std::vector<std::string>& nis,
               const std::vector<std::string>& groups) {
  for (size_t i = 0; i < rules.size(); ++i) {
    if (rule_matches(rules[i], k, nis, groups)) return static_cast<int32_t>(i);
  }
  return kNoRule;
}

TEST(AclClassifier, HandWrittenRules) {
  std::vector<AclRule> rules(4);
  rules[0].proto = 6;  // deny telnet uplink
  rules[0].dport = {23, 23};
  rules[0].direction = Direction::kUplink;
  rules[1].proto = 17;  // udp 1000-2000 to 198.51.100.0/24 for group plc
  rules[1].dport = {1000, 2000};
  rules[1].dst = {*IpPrefix::parse("198.51.100.0/24")};
  rules[1].ue_group = "plc";
  rules[2].proto = 1;  // icmp echo request
  rules[2].icmp_type = 8;
  rules[3].src = {*IpPrefix::parse("2001:db8::/32")};  // any v6 from that prefix
  const std::vector<std::string> nis = {"", "internet"};
  const std::vector<std::string> groups = {"", "plc"};
  auto c = AclClassifier::compile(rules, nis, groups);
  ASSERT_TRUE(c) << c.error().to_string();
  AclKey k;
  k.src = *IpAddr::parse("10.45.0.2");
  k.dst = *IpAddr::parse("198.51.100.7");
  k.proto = 6;
  k.dport = 23;
  EXPECT_EQ(c->classify(k), 0);
  k.direction = Direction::kDownlink;
  EXPECT_EQ(c->classify(k), kNoRule);
  k.proto = 17;
  k.dport = 1500;
  EXPECT_EQ(c->classify(k), kNoRule);  // not in group plc
  k.ue_group = 1;
  EXPECT_EQ(c->classify(k), 1);
  k.dport = 2001;
  EXPECT_EQ(c->classify(k), kNoRule);
  k.proto = 1;
  k.sport = 8;
  k.dport = 0;
  EXPECT_EQ(c->classify(k), 2);
  k.sport = 0;  // echo reply
  EXPECT_EQ(c->classify(k), kNoRule);
  k.src = *IpAddr::parse("2001:db8::5");
  k.dst = *IpAddr::parse("2001:db9::1");
  EXPECT_EQ(c->classify(k), 3);
}

TEST(AclClassifier, UnknownNamesAreErrors) {
  std::vector<AclRule> rules(1);
  rules[0].ue_group = "ghost";
  rules[0].where = "p.yaml:9 acl.rules[0]";
  auto c = AclClassifier::compile(rules, {""}, {""});
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().location, "p.yaml:9 acl.rules[0]");
}

class RandomRules : public ::testing::TestWithParam<int> {};

// Random rule sets of growing size (crossing the 64- and 4096-rule word boundaries) against
// the linear reference on random keys drawn from the same small address/port universe.
TEST_P(RandomRules, AgreesWithLinearScan) {
  const int n = GetParam();
  std::mt19937 rng(static_cast<uint32_t>(n));
  const std::vector<std::string> nis = {"", "a", "b"};
  const std::vector<std::string> groups = {"", "g1", "g2"};
  auto rand_prefix = [&](bool v6) {
    if (v6) {
      auto a = *IpAddr::parse("2001:db8::");
      a.bytes[4] = static_cast<uint8_t>(rng() % 4);
      a.bytes[15] = static_cast<uint8_t>(rng() % 8);
      return IpPrefix::make(a, static_cast<uint8_t>(32 + rng() % 97));
    }
    return IpPrefix::make(IpAddr::v4(0x0A000000u | (rng() % 4096)), static_cast<uint8_t>(16 + rng() % 17));
  };
  std::vector<AclRule> rules(static_cast<size_t>(n));
  for (auto& r : rules) {
    const bool v6 = rng() % 4 == 0;
    if (rng() % 2) r.src.push_back(rand_prefix(v6));
    if (rng() % 2) r.dst.push_back(rand_prefix(v6));
    if (rng() % 5 == 0) r.dst.push_back(rand_prefix(v6));
    static constexpr uint8_t kProtos[] = {0, 6, 17, 1, 58};
    r.proto = kProtos[rng() % 5];
    if (r.proto == 6 || r.proto == 17) {
      if (rng() % 2) {
        const auto lo = static_cast<uint16_t>(rng() % 100);
        r.dport = {lo, static_cast<uint16_t>(lo + rng() % 20)};
      }
      if (rng() % 4 == 0) {
        const auto lo = static_cast<uint16_t>(rng() % 100);
        r.sport = {lo, static_cast<uint16_t>(lo + rng() % 50)};
      }
    } else if (r.proto != 0 && rng() % 2) {
      r.icmp_type = static_cast<int16_t>(rng() % 4);
      if (rng() % 2) r.icmp_code = static_cast<int16_t>(rng() % 3);
    }
    r.direction = static_cast<Direction>(rng() % 3);
    r.interface = static_cast<Interface>(rng() % 4);
    if (rng() % 6 == 0) r.network_instance = nis[1 + rng() % 2];
    if (rng() % 6 == 0) r.ue_group = groups[1 + rng() % 2];
  }
  auto c = AclClassifier::compile(rules, nis, groups);
  ASSERT_TRUE(c);
  int matched = 0;
  for (int q = 0; q < 20000; ++q) {
    AclKey k;
    const bool v6 = rng() % 4 == 0;
    if (v6) {
      k.src = *IpAddr::parse("2001:db8::");
      k.dst = k.src;
      k.src.bytes[4] = static_cast<uint8_t>(rng() % 4);
      k.src.bytes[15] = static_cast<uint8_t>(rng() % 8);
      k.dst.bytes[4] = static_cast<uint8_t>(rng() % 4);
      k.dst.bytes[15] = static_cast<uint8_t>(rng() % 8);
    } else {
      k.src = IpAddr::v4(0x0A000000u | (rng() % 4096));
      k.dst = IpAddr::v4(0x0A000000u | (rng() % 4096));
    }
    static constexpr uint8_t kProtos[] = {6, 17, 1, 58, 132};
    k.proto = kProtos[rng() % 5];
    k.sport = static_cast<uint16_t>(rng() % 130);
    k.dport = static_cast<uint16_t>(rng() % 130);
    k.direction = rng() % 2 ? Direction::kUplink : Direction::kDownlink;
    static constexpr Interface kIfc[] = {Interface::kN3, Interface::kN6, Interface::kN9};
    k.interface = kIfc[rng() % 3];
    k.network_instance = static_cast<uint16_t>(rng() % 3);
    k.ue_group = static_cast<uint16_t>(rng() % 3);
    const int32_t want = linear(rules, k, nis, groups);
    ASSERT_EQ(c->classify(k), want) << "query " << q;
    matched += want != kNoRule;
  }
  // The universe is small enough that, with enough rules, a real share of queries match.
  if (n >= 63) {
    EXPECT_GT(matched, 1000);
  }
}

INSTANTIATE_TEST_SUITE_P(Sizes, RandomRules, ::testing::Values(1, 7, 63, 64, 65, 300, 5000));

}  // namespace
}  // namespace mecguard::guard
