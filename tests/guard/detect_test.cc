// The detectors of issue 5 that need N4 history or a learned profile, and per-ACL-rule rate
// limits, through the whole pipeline on hand-built frames: each fires above its threshold,
// stays silent below it, and takes a UE's security-class override. Asserts verdicts, counter
// deltas and the event's explanation (measure, value, threshold, window).
#include "guard/detect.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <deque>
#include <string>

#include "decode/build.h"
#include "pfcp/build.h"

namespace mecguard::guard {
namespace {

namespace build = decode::build;
IpAddr A(const char* s) { return *IpAddr::parse(s); }

// %EXTRA% is replaced by each test's classes/groups/acl/detection sections.
constexpr const char* kPolicy = R"(version: 1
topology:
  upf_n3: [10.10.3.1]
  upf_n4: [10.10.4.1]
  smf_peers: [10.10.4.10]
network_instances:
  - name: internet
    ue_pools: [10.45.0.0/16, 2001:db8:45::/48]
%EXTRA%
)";

class DetectTest : public ::testing::Test {
 protected:
  void load(const std::string& extra) {
    std::string text = kPolicy;
    text.replace(text.find("%EXTRA%"), 7, extra);
    auto p = policy::load_policy_string(text, "detect.yaml");
    ASSERT_TRUE(p) << p.error().front().to_string();
    auto c = compile_policy(*p);
    ASSERT_TRUE(c) << c.error().to_string();
    if (!pipe_) {
      pipe_ = std::make_unique<Pipeline>(*c, Worker::Limits{}, decode::LinkType::kEthernet);
    } else {
      pipe_->set_policy(*c);
    }
  }

  // Runs one frame 1 ms after the previous one; keeps its events for inspection.
  Verdict run(const build::Buf& frame) {
    frames_.push_back(frame);
    RawFrame raw{Bytes(frames_.back().data(), frames_.back().size()), ts_ += 1'000'000, ++number_};
    Verdict v;
    pipe_->process(std::span(&raw, 1), std::span(&v, 1));
    auto& ev = pipe_->worker().events();
    events_.insert(events_.end(), ev.begin(), ev.end());
    ev.clear();
    return v;
  }
  void advance(uint64_t ns) { ts_ += ns; }
  Verdict pfcp(const IpAddr& src, const IpAddr& dst, const pfcp::Message& m) {
    return run(build::ethernet_ip(build::udp_ip(src, dst, 8805, 8805, pfcp::encode(m))));
  }
  pfcp::UeSessionSpec spec(const char* ue, uint32_t ul_teid) {
    pfcp::UeSessionSpec s;
    s.cp_seid = 0x1000 + ul_teid;
    s.cp_addr = smf_;
    s.cp_node = pfcp::NodeId::from_ip(smf_);
    s.ue_addr = A(ue);
    s.ul_teid = ul_teid;
    s.upf_n3_addr = upf_n3_;
    s.gnb_teid = 0x9000 + ul_teid;
    s.gnb_addr = gnb_;
    s.dnn = "internet";
    return s;
  }
  // Establishment and its accepted response; returns the verdict of the response (where the
  // tracker applies it and the churn detector counts it).
  Verdict establish(const char* ue, uint32_t ul_teid, uint64_t up_seid) {
    const uint32_t seq = ++seq_;
    auto req = pfcp::session_establishment_request(seq, spec(ue, ul_teid));
    EXPECT_EQ(pfcp(smf_, upf_n4_, req).action, Action::kPass);
    return pfcp(upf_n4_, smf_,
                pfcp::session_establishment_response(seq, 0x1000 + ul_teid, pfcp::NodeId::from_ip(upf_n4_),
                                                     pfcp::Cause::kRequestAccepted, up_seid, upf_n4_, {}));
  }
  Verdict remove(uint32_t ul_teid, uint64_t up_seid) {
    const uint32_t seq = ++seq_;
    EXPECT_EQ(pfcp(smf_, upf_n4_, pfcp::session_deletion_request(seq, up_seid)).action, Action::kPass);
    return pfcp(upf_n4_, smf_, pfcp::session_deletion_response(seq, 0x1000 + ul_teid, pfcp::Cause::kRequestAccepted));
  }
  // `cycles` sessions of one UE address, each established and deleted; new SEID/TEID each time.
  void churn(const char* ue, int cycles, uint32_t base) {
    for (int i = 0; i < cycles; ++i) {
      const auto k = static_cast<uint32_t>(i);
      establish(ue, base + k, 0xC000 + base + k);
      remove(base + k, 0xC000 + base + k);
    }
  }

  build::Buf uplink(uint32_t teid, const build::Buf& inner) {
    return build::ethernet_ip(build::gtpu_ip(gnb_, upf_n3_, build::gpdu_spec(teid, inner, 9, 1)));
  }
  static build::Buf udp(const IpAddr& src, const IpAddr& dst, uint16_t dport) {
    return build::udp_ip(src, dst, 40000, dport, build::Buf(20, 0x11));
  }

  uint64_t alerts(Reason r) const { return pipe_->worker().counters().alerts[static_cast<size_t>(r)]; }
  uint64_t drops(Reason r) const { return pipe_->worker().counters().drops[static_cast<size_t>(r)]; }
  const Event* event(Reason r) const {
    for (const auto& e : events_) {
      if (e.reason == r) return &e;
    }
    return nullptr;
  }

  std::unique_ptr<Pipeline> pipe_;
  std::deque<build::Buf> frames_;
  std::vector<Event> events_;
  uint64_t ts_ = 1'700'000'000'000'000'000ull;
  uint64_t number_ = 0;
  uint32_t seq_ = 0;
  IpAddr smf_ = A("10.10.4.10");
  IpAddr upf_n4_ = A("10.10.4.1");
  IpAddr upf_n3_ = A("10.10.3.1");
  IpAddr gnb_ = A("10.10.3.21");
};

TEST_F(DetectTest, SessionChurnFiresAboveThresholdOncePerWindow) {
  load("");
  // Default threshold 8 events per churn window: four sessions (8 events) stay silent.
  churn("10.45.0.7", 4, 0x100);
  EXPECT_EQ(alerts(Reason::kDetectSessionChurn), 0u);
  // The fifth establishment is the ninth event.
  const Verdict v = establish("10.45.0.7", 0x200, 0xD200);
  EXPECT_EQ(v.action, Action::kAlert);
  EXPECT_EQ(v.reason, Reason::kDetectSessionChurn);
  EXPECT_EQ(alerts(Reason::kDetectSessionChurn), 1u);
  const Event* e = event(Reason::kDetectSessionChurn);
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->ue, A("10.45.0.7"));
  EXPECT_EQ(e->up_seid, 0xD200u);
  EXPECT_EQ(e->measure, "session_events_per_window");
  EXPECT_DOUBLE_EQ(e->value, 9);
  EXPECT_DOUBLE_EQ(e->threshold, 8);
  EXPECT_EQ(e->window_ns, 10'000'000'000u);
  // Once per window; other UEs are not affected.
  remove(0x200, 0xD200);
  churn("10.45.0.7", 2, 0x300);
  churn("10.45.0.8", 4, 0x400);
  EXPECT_EQ(alerts(Reason::kDetectSessionChurn), 1u);
  // After the window the count starts again.
  advance(11'000'000'000);
  churn("10.45.0.7", 4, 0x500);
  EXPECT_EQ(alerts(Reason::kDetectSessionChurn), 1u);
  establish("10.45.0.7", 0x600, 0xD600);
  EXPECT_EQ(alerts(Reason::kDetectSessionChurn), 2u);
}

TEST_F(DetectTest, SessionChurnClassOverrideAndIpv6ByPrefix) {
  load(R"(classes:
  meter:
    thresholds: {session_churn: 2}
ue_groups:
  - {name: meters, class: meter, members: [10.45.7.0/24]}
detection:
  peer_session_rate: 1000)");
  churn("10.45.0.9", 1, 0x100);  // 2 events, default class: silent
  establish("10.45.0.9", 0x110, 0xD110);
  EXPECT_EQ(alerts(Reason::kDetectSessionChurn), 0u);
  churn("10.45.7.1", 1, 0x200);  // a meter: 2 events, at its threshold
  EXPECT_EQ(alerts(Reason::kDetectSessionChurn), 0u);
  EXPECT_EQ(establish("10.45.7.1", 0x210, 0xD210).reason, Reason::kDetectSessionChurn);
  EXPECT_EQ(alerts(Reason::kDetectSessionChurn), 1u);
  // IPv6: one key per /64, whatever the interface identifier.
  const char* v6[] = {"2001:db8:45:1::1", "2001:db8:45:1::2", "2001:db8:45:1::3", "2001:db8:45:1::4", "2001:db8:45:1::5"};
  for (uint32_t i = 0; i < 5; ++i) {
    establish(v6[i], 0x300 + i, 0xD300 + i);
    remove(0x300 + i, 0xD300 + i);
  }
  EXPECT_EQ(alerts(Reason::kDetectSessionChurn), 2u);
  ASSERT_NE(events_.back().reason, Reason::kNone);
}

TEST_F(DetectTest, SignallingStormNeedsReestablishmentsAbovePeerRate) {
  load("detection: {peer_session_rate: 2}");
  // Many UEs attaching once each: no re-establishment, no storm.
  for (uint32_t i = 0; i < 10; ++i) {
    const std::string ue = "10.45.1." + std::to_string(i + 1);
    establish(ue.c_str(), 0x100 + i, 0xE100 + i);
  }
  EXPECT_EQ(alerts(Reason::kDetectSignallingStorm), 0u);
  // Two UEs re-establishing: the third re-establishment in the window is above 2/s.
  churn("10.45.2.1", 2, 0x200);  // 1 re-establishment
  churn("10.45.2.2", 2, 0x300);  // 2
  EXPECT_EQ(alerts(Reason::kDetectSignallingStorm), 0u);
  EXPECT_EQ(establish("10.45.2.1", 0x400, 0xE400).reason, Reason::kDetectSignallingStorm);
  EXPECT_EQ(alerts(Reason::kDetectSignallingStorm), 1u);
  const Event* e = event(Reason::kDetectSignallingStorm);
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->src, smf_);
  EXPECT_TRUE(e->ue.empty());
  EXPECT_EQ(e->measure, "reestablish_per_s");
  EXPECT_DOUBLE_EQ(e->value, 3);
  EXPECT_DOUBLE_EQ(e->threshold, 2);
  EXPECT_EQ(e->window_ns, 1'000'000'000u);
}

// Churn history outlives the sessions it counts: a session removed by an association release
// (no deletion of its own) still makes the next establishment of its address within the churn
// window a re-establishment, as a deleted one does.
TEST_F(DetectTest, SessionsFlushedByAReleaseStillCountAsEstablished) {
  load("detection: {peer_session_rate: 2}");
  for (uint32_t i = 0; i < 3; ++i) {
    const std::string ue = "10.45.3." + std::to_string(i + 1);
    establish(ue.c_str(), 0x100 + i, 0xE100 + i);
  }
  const uint32_t seq = ++seq_;
  EXPECT_EQ(pfcp(smf_, upf_n4_, pfcp::association_release_request(seq, pfcp::NodeId::from_ip(smf_))).action,
            Action::kPass);
  pfcp(upf_n4_, smf_, pfcp::association_release_response(seq, pfcp::NodeId::from_ip(upf_n4_), pfcp::Cause::kRequestAccepted));
  EXPECT_EQ(pipe_->worker().sessions().size(), 0u);
  EXPECT_EQ(alerts(Reason::kDetectSignallingStorm), 0u);
  establish("10.45.3.1", 0x200, 0xE200);  // re-establishment 1
  establish("10.45.3.2", 0x201, 0xE201);  // 2
  EXPECT_EQ(alerts(Reason::kDetectSignallingStorm), 0u);
  EXPECT_EQ(establish("10.45.3.3", 0x202, 0xE202).reason, Reason::kDetectSignallingStorm);  // 3 > 2/s
}

// Modifications count as events of the address from its establishment on.
TEST_F(DetectTest, ModificationsCountWithTheirEstablishment) {
  load("");
  establish("10.45.5.1", 0x100, 0xE100);  // 1
  for (uint32_t i = 0; i < 7; ++i) {      // 2..8
    const uint32_t seq = ++seq_;
    pfcp(smf_, upf_n4_, pfcp::session_modification_request(seq, 0xE100, 0x9500 + i, gnb_));
    pfcp(upf_n4_, smf_, pfcp::session_modification_response(seq, 0x1100, pfcp::Cause::kRequestAccepted));
  }
  EXPECT_EQ(alerts(Reason::kDetectSessionChurn), 0u);
  EXPECT_EQ(remove(0x100, 0xE100).reason, Reason::kDetectSessionChurn);  // 9
}

// Where the history lives (docs/decisions/012): a UE address's first establishment in a
// churn window is noted in its session record, so a burst of new UEs adds no churn entries;
// the address gets an entry at its next event, or when its session leaves the table within
// the window (a flush has no event of its own), and not after the window.
TEST_F(DetectTest, FirstEstablishmentsAreNotedInTheRecordNotTheTables) {
  load("");
  const DetectState& st = pipe_->worker().detect();
  auto entries = [&] { return st.churn[0].size() + st.churn[1].size(); };
  for (uint32_t i = 0; i < 6; ++i) {
    const std::string ue = "10.45.6." + std::to_string(i + 1);
    establish(ue.c_str(), 0x100 + i, 0xE100 + i);
  }
  EXPECT_EQ(pipe_->worker().sessions().size(), 6u);
  EXPECT_EQ(entries(), 0u);
  remove(0x100, 0xE100);  // a deletion is the address's second event
  EXPECT_EQ(entries(), 1u);
  const uint32_t seq = ++seq_;
  pfcp(smf_, upf_n4_, pfcp::session_modification_request(seq, 0xE101, 0x9555, gnb_));
  pfcp(upf_n4_, smf_, pfcp::session_modification_response(seq, 0x1101, pfcp::Cause::kRequestAccepted));
  EXPECT_EQ(entries(), 2u);
  // Two more UEs a whole churn window (10 s) later; then a release flushes all five sessions:
  // only the two whose note is within the window leave an entry.
  advance(11'000'000'000);
  establish("10.45.6.20", 0x120, 0xE120);
  establish("10.45.6.21", 0x121, 0xE121);
  const size_t before = entries();
  const uint32_t rel = ++seq_;
  pfcp(smf_, upf_n4_, pfcp::association_release_request(rel, pfcp::NodeId::from_ip(smf_)));
  pfcp(upf_n4_, smf_, pfcp::association_release_response(rel, pfcp::NodeId::from_ip(upf_n4_), pfcp::Cause::kRequestAccepted));
  EXPECT_EQ(pipe_->worker().sessions().size(), 0u);
  EXPECT_EQ(entries(), before + 2);
}

TEST_F(DetectTest, DroppedPfcpIsNotCounted) {
  load("detection: {peer_session_rate: 1000}");
  churn("10.45.0.7", 3, 0x100);  // 6 events
  establish("10.45.0.7", 0x200, 0xD200);  // 7
  // A deletion from an unlisted peer is dropped before the tracker and the UPF's answer
  // matches no request: neither is a churn event.
  const IpAddr rogue = A("10.10.4.66");
  EXPECT_EQ(pfcp(rogue, upf_n4_, pfcp::session_deletion_request(++seq_, 0xD200)).action, Action::kDrop);
  EXPECT_EQ(pfcp(upf_n4_, rogue, pfcp::session_deletion_response(seq_, 1, pfcp::Cause::kRequestAccepted)).action,
            Action::kPass);
  EXPECT_EQ(remove(0x200, 0xD200).action, Action::kPass);  // 8: at the threshold
  EXPECT_EQ(alerts(Reason::kDetectSessionChurn), 0u);
  EXPECT_EQ(establish("10.45.0.7", 0x210, 0xD210).reason, Reason::kDetectSessionChurn);  // 9
}

class BehaviourTest : public DetectTest {
 protected:
  // A UE that sends one telemetry packet per window to one server for `windows` windows.
  void learn(uint32_t windows) {
    establish("10.45.0.20", 0x700, 0xF700);
    for (uint32_t i = 0; i < windows; ++i) {
      run(uplink(0x700, udp(ue_, A("198.51.100.10"), 5004)));
      advance(1'100'000'000);
    }
  }
  // One window's worth of packets to `hosts` new hosts, a new port each.
  void burst(uint32_t hosts) {
    for (uint32_t i = 0; i < hosts; ++i) {
      const IpAddr dst = IpAddr::v4(0xC6120000u + i + 1);  // 198.18.0.x
      run(uplink(0x700, udp(ue_, dst, static_cast<uint16_t>(6000 + i))));
    }
  }
  IpAddr ue_ = A("10.45.0.20");
};

TEST_F(BehaviourTest, AbruptChangeFiresAfterLearning) {
  load("");
  learn(6);
  EXPECT_EQ(alerts(Reason::kDetectBehaviourChange), 0u);
  burst(24);
  EXPECT_EQ(alerts(Reason::kDetectBehaviourChange), 1u);
  const Event* e = event(Reason::kDetectBehaviourChange);
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->ue, ue_);
  EXPECT_EQ(e->measure, "new_profile_buckets");
  EXPECT_GT(e->value, 12);
  EXPECT_DOUBLE_EQ(e->threshold, 12);
  EXPECT_EQ(alerts(Reason::kDetectHostScan), 0u);  // below the scan thresholds
  // A window that fired is not learned: the change alerts again in the next window.
  advance(1'100'000'000);
  burst(24);
  EXPECT_EQ(alerts(Reason::kDetectBehaviourChange), 2u);
}

TEST_F(BehaviourTest, SilentBeforeLearningAndForSmallDrift) {
  load("");
  establish("10.45.0.20", 0x700, 0xF700);
  burst(24);  // no profile yet: nothing to compare with
  EXPECT_EQ(alerts(Reason::kDetectBehaviourChange), 0u);
  advance(1'100'000'000);
  for (uint32_t i = 0; i < 5; ++i) {
    run(uplink(0x700, udp(ue_, A("198.51.100.10"), 5004)));
    advance(1'100'000'000);
  }
  // One new server on one new port: 2 new buckets at most.
  run(uplink(0x700, udp(ue_, A("198.51.100.20"), 443)));
  EXPECT_EQ(alerts(Reason::kDetectBehaviourChange), 0u);
}

TEST_F(BehaviourTest, ClassOverride) {
  load(R"(classes:
  sensor:
    thresholds: {behaviour_change: 1}
ue_groups:
  - {name: sensors, class: sensor, members: [10.45.0.0/24]})");
  learn(6);
  burst(3);  // a few new buckets: above 1
  EXPECT_EQ(alerts(Reason::kDetectBehaviourChange), 1u);
}

TEST_F(DetectTest, AclRuleRateLimitsPerRule) {
  load(R"(acl:
  rules:
    - {id: 5, action: allow, proto: udp, dport: 5004, rate: {pps: 3}}
    - {id: 6, action: log, proto: udp, dport: 5005, rate: {bps: 2000}}
    - {id: 7, action: allow, proto: udp, dport: 5006}
rate_limits: {burst_seconds: 1})");
  establish("10.45.0.30", 0x800, 0xF800);
  const IpAddr ue = A("10.45.0.30"), srv = A("198.51.100.10");
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(run(uplink(0x800, udp(ue, srv, 5004))).action, Action::kPass);
  }
  const Verdict v = run(uplink(0x800, udp(ue, srv, 5004)));
  EXPECT_EQ(v.action, Action::kDrop);
  EXPECT_EQ(v.reason, Reason::kRateAclRule);
  EXPECT_EQ(v.rule_id, 5u);
  EXPECT_EQ(drops(Reason::kRateAclRule), 1u);
  // Other rules are not charged by rule 5's traffic; a rule without a rate never limits.
  for (int i = 0; i < 20; ++i) EXPECT_EQ(run(uplink(0x800, udp(ue, srv, 5006))).action, Action::kPass);
  // Bits: 48-byte packets are 384 bits; 2000 bits of burst hold five of them.
  int logged = 0;
  for (int i = 0; i < 6; ++i) logged += run(uplink(0x800, udp(ue, srv, 5005))).action == Action::kAlert;
  EXPECT_EQ(logged, 5);
  EXPECT_EQ(drops(Reason::kRateAclRule), 2u);
  // The bucket refills with packet time.
  advance(1'000'000'000);
  EXPECT_EQ(run(uplink(0x800, udp(ue, srv, 5004))).action, Action::kPass);
}

TEST_F(DetectTest, AclRuleRateInMonitorModeAndPolicySwapStartsAfresh) {
  const char* acl = R"(acl:
  rules:
    - {id: 5, action: allow, proto: udp, dport: 5004, rate: {pps: 1}}
stages: {acl: %MODE%})";
  std::string text = acl;
  text.replace(text.find("%MODE%"), 6, "monitor");
  load(text);
  establish("10.45.0.31", 0x810, 0xF810);
  const IpAddr ue = A("10.45.0.31"), srv = A("198.51.100.10");
  EXPECT_EQ(run(uplink(0x810, udp(ue, srv, 5004))).action, Action::kPass);
  const Verdict v = run(uplink(0x810, udp(ue, srv, 5004)));
  EXPECT_EQ(v.action, Action::kAlert);
  EXPECT_TRUE(v.monitored);
  EXPECT_EQ(alerts(Reason::kRateAclRule), 1u);
  text = acl;
  text.replace(text.find("%MODE%"), 6, "enforce");
  load(text);  // a new policy: its rule buckets start full
  EXPECT_EQ(run(uplink(0x810, udp(ue, srv, 5004))).action, Action::kPass);
  EXPECT_EQ(run(uplink(0x810, udp(ue, srv, 5004))).action, Action::kDrop);
}

TEST(DetectPolicy, NewKeysAreValidated) {
  auto ok = policy::load_policy_string(R"(version: 1
classes:
  c: {thresholds: {session_churn: 3, behaviour_change: 20}}
detection: {churn_window_seconds: 30, peer_session_rate: 50}
acl:
  rules:
    - {action: allow, proto: tcp, dport: 443, rate: {pps: 10, bps: 1e6}}
)",
                                       "ok.yaml");
  ASSERT_TRUE(ok) << ok.error().front().to_string();
  EXPECT_DOUBLE_EQ(ok->detection.churn_window_seconds, 30);
  EXPECT_DOUBLE_EQ(ok->detection.peer_session_rate, 50);
  EXPECT_DOUBLE_EQ(ok->acl[0].rate.bps, 1e6);
  auto c = compile_policy(*ok);
  ASSERT_TRUE(c);
  EXPECT_DOUBLE_EQ((*c)->class_detect[0].session_churn, 3);
  EXPECT_DOUBLE_EQ((*c)->class_detect[0].behaviour_change, 20);
  EXPECT_EQ((*c)->acl_rate_slot[0], 0);

  auto bad = policy::load_policy_string(R"(version: 1
detection: {peer_session_rate: 0, churn_window_seconds: -1}
acl:
  rules:
    - {action: deny, proto: tcp, rate: {pps: 10}}
    - {action: allow, rate: {ppz: 1}}
)",
                                        "bad.yaml");
  ASSERT_FALSE(bad);
  std::string all;
  for (const auto& e : bad.error()) all += e.to_string() + "\n";
  EXPECT_NE(all.find("detection.peer_session_rate"), std::string::npos) << all;
  EXPECT_NE(all.find("detection.churn_window_seconds"), std::string::npos) << all;
  EXPECT_NE(all.find("acl.rules[0].rate"), std::string::npos) << all;
  EXPECT_NE(all.find("acl.rules[1].rate"), std::string::npos) << all;
}

// The four-bit HyperLogLog estimates what one-byte registers (ranks unbounded) estimate, as
// long as no rank passed 15; the per-UE state stays compact.
template <size_t M>
void four_bit_registers_estimate_as_byte_registers() {
  constexpr unsigned kBits = M == 64 ? 6 : 5;
  const double alpha = M == 64 ? 0.709 : 0.697;
  for (uint64_t seed : {1ULL, 77ULL, 1234567ULL}) {
    Hll<M> h;
    std::array<uint8_t, M> ref{};
    for (uint64_t n = 1; n <= 400; ++n) {
      const uint64_t item = seed * 1000003 + n;
      h.add(item);
      const uint64_t x = mix64(item ^ 0x5bd1e9955bd1e995ULL);
      const uint64_t rest = x >> kBits;
      const auto rank = static_cast<uint8_t>(rest == 0 ? 64 - kBits + 1 : __builtin_ctzll(rest) + 1);
      ref[x & (M - 1)] = std::max(ref[x & (M - 1)], rank);
      double sum = 0;
      int zeros = 0;
      uint8_t top = 0;
      for (uint8_t r : ref) {
        sum += std::ldexp(1.0, -r);
        zeros += r == 0;
        top = std::max(top, r);
      }
      if (top > Hll<M>::kMaxRank) break;
      double want = alpha * M * M / sum;
      if (want <= 2.5 * M && zeros > 0) want = M * std::log(static_cast<double>(M) / zeros);
      EXPECT_NEAR(h.estimate(), want, 1e-9 * want) << "M " << M << " seed " << seed << " items " << n;
      // can_exceed never says no where the estimate is above the threshold.
      for (double threshold : {8.0, 16.0, 24.0, 48.0}) {
        if (h.estimate() > threshold) {
          EXPECT_TRUE(Hll<M>::can_exceed(static_cast<uint32_t>(n), threshold)) << n;
        }
      }
    }
    h.clear();
    EXPECT_EQ(h.estimate(), 0.0);
  }
  EXPECT_EQ(sizeof(Hll<M>), M / 2);
}

TEST(Hll, FourBitRegistersEstimateAsByteRegisters) {
  four_bit_registers_estimate_as_byte_registers<32>();
  four_bit_registers_estimate_as_byte_registers<64>();
  EXPECT_LE(sizeof(UeDetect) + sizeof(DualBucket) + 8, 128u);  // the uplink half: two lines
}

// can_exceed's bound is tight where it says no: the largest small-range estimate that many
// adds can reach (each add a new register) is at or below the threshold.
TEST(Hll, CanExceedMatchesTheMostDistinctRegisters) {
  Hll32 h;
  for (uint32_t adds = 1; adds <= 23; ++adds) {
    // An item that lands in register adds - 1, so every add fills a register of its own.
    uint64_t item = 0;
    while ((mix64(item ^ 0x5bd1e9955bd1e995ULL) & 31) != adds - 1) ++item;
    ASSERT_TRUE(h.add(item));
    const double e = h.estimate();
    EXPECT_TRUE(Hll32::can_exceed(adds, e - 0.5)) << adds;
    EXPECT_FALSE(Hll32::can_exceed(adds, e + 0.5)) << adds;
  }
}

}  // namespace
}  // namespace mecguard::guard
