// The guard pipeline end to end on hand-built frames: one test per stage and reason, each
// asserting the verdict and the counter deltas. Sessions are learned from real PFCP frames.
#include "guard/pipeline.h"

#include <gtest/gtest.h>

#include <deque>
#include <functional>

#include "decode/build.h"
#include "pfcp/build.h"

namespace mecguard::guard {
namespace {

namespace build = decode::build;
IpAddr A(const char* s) { return *IpAddr::parse(s); }

constexpr const char* kPolicy = R"(version: 1
topology:
  upf_n3: [10.10.3.1]
  upf_n4: [10.10.4.1]
  smf_peers: [10.10.4.10]
network_instances:
  - name: internet
    ue_pools: [10.45.0.0/16, 2001:db8:45::/48, 192.0.2.0/24]
    inter_ue: deny
  - name: factory
    ue_pools: [10.46.0.0/16]
    inter_ue: {action: redirect, gateway: 10.99.0.1}
zones:
  ran: [10.10.3.0/24]
  core: [10.10.4.0/24]
  mec: [10.20.0.0/24]
  mgmt: [10.30.0.0/24]
  dn: [198.51.100.0/24, 2001:db8:100::/48]
  rules:
    - {from: ue, to: dn, action: allow}
    - {from: dn, to: ue, action: allow}
    - {from: ue, to: mgmt, action: log}
classes:
  locked:
    acl_default: deny
ue_groups:
  - {name: plc, class: locked, members: [10.45.9.0/24]}
acl:
  rules:
    - {id: 7, action: deny, proto: tcp, dport: 23, direction: uplink}
    - {id: 8, action: log, proto: udp, dport: 514}
    - {id: 9, action: allow, proto: tcp, dport: 443, ue_group: plc}
stages:
  teid: %TEID%
)";

class PipelineTest : public ::testing::Test {
 protected:
  void SetUp() override { load("enforce"); }

  void load(const std::string& teid_mode) {
    std::string text = kPolicy;
    text.replace(text.find("%TEID%"), 6, teid_mode);
    auto p = policy::load_policy_string(text, "test.yaml");
    ASSERT_TRUE(p) << p.error().front().to_string();
    auto c = compile_policy(*p);
    ASSERT_TRUE(c) << c.error().to_string();
    if (!pipe_) {
      pipe_ = std::make_unique<Pipeline>(*c, Worker::Limits{}, decode::LinkType::kEthernet);
    } else {
      pipe_->set_policy(*c);
    }
  }

  // Runs one frame through the pipeline; returns its verdict.
  Verdict run(const build::Buf& frame) {
    frames_.push_back(frame);
    RawFrame raw{Bytes(frames_.back().data(), frames_.back().size()), ts_ += 1'000'000, ++number_};
    Verdict v;
    pipe_->process(std::span(&raw, 1), std::span(&v, 1));
    return v;
  }
  Verdict pfcp(const IpAddr& src, const IpAddr& dst, const pfcp::Message& m) {
    return run(build::ethernet_ip(build::udp_ip(src, dst, 8805, 8805, pfcp::encode(m))));
  }

  pfcp::UeSessionSpec spec(const char* ue, uint32_t ul_teid, uint32_t gnb_teid) {
    pfcp::UeSessionSpec s;
    s.cp_seid = 0x1000 + ul_teid;
    s.cp_addr = smf_;
    s.cp_node = pfcp::NodeId::from_ip(smf_);
    s.ue_addr = A(ue);
    s.ul_teid = ul_teid;
    s.upf_n3_addr = upf_n3_;
    s.gnb_teid = gnb_teid;
    s.gnb_addr = gnb_;
    s.dnn = "internet";
    return s;
  }
  void establish(pfcp::Message req, uint64_t up_seid, std::optional<pfcp::FTeid> created = {}) {
    const uint32_t seq = ++seq_;
    req.header.seq = seq;
    const uint64_t cp_seid = req.cp_f_seid->seid;
    EXPECT_EQ(pfcp(smf_, upf_n4_, req).action, Action::kPass);
    EXPECT_EQ(pfcp(upf_n4_, smf_, pfcp::session_establishment_response(seq, cp_seid, pfcp::NodeId::from_ip(upf_n4_),
                                                                       pfcp::Cause::kRequestAccepted, up_seid, upf_n4_,
                                                                       created)).action,
              Action::kPass);
  }

  // An uplink G-PDU from the gNB to the UPF carrying `inner`.
  build::Buf uplink(uint32_t teid, const build::Buf& inner, const IpAddr* gnb = nullptr) {
    return build::ethernet_ip(build::gtpu_ip(gnb ? *gnb : gnb_, upf_n3_, build::gpdu_spec(teid, inner, 9, 1)));
  }
  build::Buf downlink(uint32_t teid, const build::Buf& inner, const IpAddr* gnb = nullptr) {
    return build::ethernet_ip(build::gtpu_ip(upf_n3_, gnb ? *gnb : gnb_, build::gpdu_spec(teid, inner, 9, 0)));
  }
  static build::Buf udp(const char* src, const char* dst, uint16_t dport) {
    return build::udp_ip(A(src), A(dst), 40000, dport, build::Buf(20, 0x11));
  }
  static build::Buf tcp(const char* src, const char* dst, uint16_t dport) {
    build::TcpOpts t;
    t.flags = decode::tcp_flag::kSyn;
    return build::tcp_ip(A(src), A(dst), 40001, dport, t);
  }

  uint64_t drops(Reason r) const { return pipe_->worker().counters().drops[static_cast<size_t>(r)]; }
  uint64_t alerts(Reason r) const { return pipe_->worker().counters().alerts[static_cast<size_t>(r)]; }

  void expect(const Verdict& v, Action a, Reason r) {
    EXPECT_EQ(v.action, a) << "got " << action_name(v.action) << " " << reason_name(v.reason);
    EXPECT_EQ(v.reason, r) << "got " << reason_name(v.reason);
  }

  std::unique_ptr<Pipeline> pipe_;
  std::deque<build::Buf> frames_;
  uint64_t ts_ = 1'700'000'000'000'000'000ull;
  uint64_t number_ = 0;
  uint32_t seq_ = 0;
  IpAddr smf_ = A("10.10.4.10");
  IpAddr upf_n4_ = A("10.10.4.1");
  IpAddr upf_n3_ = A("10.10.3.1");
  IpAddr gnb_ = A("10.10.3.21");
  IpAddr gnb2_ = A("10.10.3.22");
};

TEST_F(PipelineTest, LearnedSessionPassesAndSpoofedSourceDrops) {
  establish(pfcp::session_establishment_request(0, spec("10.45.0.7", 0x100, 0x900)), 0xA1);
  expect(run(uplink(0x100, udp("10.45.0.7", "198.51.100.10", 53))), Action::kPass, Reason::kNone);
  expect(run(downlink(0x900, udp("198.51.100.10", "10.45.0.7", 40000))), Action::kPass, Reason::kNone);
  expect(run(uplink(0x100, udp("10.45.0.8", "198.51.100.10", 53))), Action::kDrop, Reason::kUeSrcSpoofed);
  expect(run(downlink(0x900, udp("198.51.100.10", "10.45.0.8", 40000))), Action::kDrop, Reason::kUeDstMismatch);
  EXPECT_EQ(drops(Reason::kUeSrcSpoofed), 1u);
  EXPECT_EQ(drops(Reason::kUeDstMismatch), 1u);
  EXPECT_EQ(pipe_->worker().sessions().size(), 1u);
}

// A stage that can act on nothing in a batch segment is not run (Stage::wants): the N4 stage
// spends no time on a batch of G-PDUs, the user-traffic stages none on an N4 frame's
// segment; the verdicts are those of every stage running.
TEST_F(PipelineTest, StagesSkipSegmentsWithoutTheirFlows) {
  auto& c = pipe_->worker().counters();
  auto ticks = [&](StageId s) { return c.stage_ticks[static_cast<size_t>(s)]; };
  const uint64_t acl_before = ticks(StageId::kAcl);
  establish(pfcp::session_establishment_request(0, spec("10.45.0.9", 0xB00, 0x9B0)), 0xE1);
  EXPECT_EQ(ticks(StageId::kAcl), acl_before);  // N4 segments only so far
  EXPECT_GT(ticks(StageId::kN4), 0u);
  const uint64_t n4_before = ticks(StageId::kN4);
  expect(run(uplink(0xB00, udp("10.45.0.9", "198.51.100.10", 53))), Action::kPass, Reason::kNone);
  expect(run(uplink(0xB00, udp("10.45.0.10", "198.51.100.10", 53))), Action::kDrop, Reason::kUeSrcSpoofed);
  EXPECT_EQ(ticks(StageId::kN4), n4_before);
  EXPECT_GT(ticks(StageId::kAcl), acl_before);
  EXPECT_EQ(c.stage_packets[static_cast<size_t>(StageId::kN4)], 2u);  // the two N4 frames
}

// Classification in one batch where tunnel ends alternate (the pipeline reuses the previous
// G-PDU's answer for the same outer addresses): every packet gets its own flow, and the
// user-traffic and direction flags the stages read follow the flow.
TEST_F(PipelineTest, FlowsOfAMixedBatch) {
  const IpAddr other = A("10.10.3.99");
  build::GtpuSpec echo;
  echo.msg_type = decode::gtpu_msg::kEchoRequest;
  echo.seq = 1;
  std::vector<build::Buf> frames = {
      uplink(0x100, udp("10.45.0.2", "198.51.100.7", 443)),
      uplink(0x101, udp("10.45.0.3", "198.51.100.7", 443)),
      downlink(0x200, udp("198.51.100.7", "10.45.0.2", 40000)),
      // Same destination as the downlink before it, another source: between two gNBs.
      build::ethernet_ip(build::gtpu_ip(gnb2_, gnb_, build::gpdu_spec(0x301, udp("10.45.0.2", "198.51.100.7", 443), 9, 1))),
      build::ethernet_ip(build::gtpu_ip(gnb_, other, build::gpdu_spec(0x300, udp("10.45.0.2", "198.51.100.7", 443), 9, 1))),
      uplink(0x102, udp("10.45.0.4", "198.51.100.7", 443), &gnb2_),
      uplink(0x100, udp("10.45.0.2", "198.51.100.7", 443)),
      build::ethernet_ip(udp("10.45.0.2", "198.51.100.7", 443)),
      build::ethernet_ip(udp("198.51.100.7", "10.45.0.2", 443)),
      build::ethernet_ip(build::gtpu_ip(upf_n3_, gnb_, echo)),
  };
  std::vector<RawFrame> raw;
  for (const auto& f : frames) raw.push_back({Bytes(f.data(), f.size()), ts_ += 1000, ++number_});
  std::vector<Verdict> v(raw.size());
  pipe_->process(raw, v);
  const auto batch = pipe_->last_batch();
  ASSERT_EQ(batch.size(), frames.size());
  const Flow want[] = {Flow::kUplink,     Flow::kUplink,   Flow::kDownlink,  Flow::kGtpUnknown,
                       Flow::kGtpUnknown, Flow::kUplink,   Flow::kUplink,    Flow::kN6Uplink,
                       Flow::kN6Downlink, Flow::kDownlink};
  const bool user[] = {true, true, true, false, false, true, true, true, true, false};
  const bool up[] = {true, true, false, false, false, true, true, true, false, false};
  for (size_t i = 0; i < batch.size(); ++i) {
    EXPECT_EQ(batch[i].flow, want[i]) << i << ": " << flow_name(batch[i].flow);
    EXPECT_EQ(batch[i].user_traffic(), user[i]) << i;
    EXPECT_EQ(batch[i].uplink(), up[i]) << i;
  }
}

TEST_F(PipelineTest, Ipv6PrefixAndFramedRouteSourcesAreTheUes) {
  establish(pfcp::session_establishment_request(0, spec("2001:db8:45:1::1", 0x200, 0x901)), 0xA2);
  expect(run(uplink(0x200, udp("2001:db8:45:1:aaaa::99", "2001:db8:100::10", 53))), Action::kPass, Reason::kNone);
  expect(run(uplink(0x200, udp("2001:db8:45:2::1", "2001:db8:100::10", 53))), Action::kDrop, Reason::kUeSrcSpoofed);

  auto req = pfcp::session_establishment_request(0, spec("10.45.0.9", 0x201, 0x902));
  req.create_pdrs[0].pdi.framed_routes.push_back("192.0.2.0/24 0.0.0.0 1");
  establish(req, 0xA3);
  expect(run(uplink(0x201, udp("192.0.2.77", "198.51.100.10", 53))), Action::kPass, Reason::kNone);
  expect(run(uplink(0x201, udp("192.0.3.77", "198.51.100.10", 53))), Action::kDrop, Reason::kUeSrcSpoofed);
}

TEST_F(PipelineTest, HandoverIsNotAFalsePositiveAndUpfChosenTeidIsTracked) {
  auto s = spec("10.45.0.10", 0, 0x903);
  s.choose_teid = true;
  establish(pfcp::session_establishment_request(0, s), 0xA4, pfcp::FTeid::make(0x7777, upf_n3_));
  expect(run(uplink(0x7777, udp("10.45.0.10", "198.51.100.10", 53))), Action::kPass, Reason::kNone);
  const uint32_t seq = ++seq_;
  pfcp(smf_, upf_n4_, pfcp::session_modification_request(seq, 0xA4, 0x904, gnb2_));
  pfcp(upf_n4_, smf_, pfcp::session_modification_response(seq, s.cp_seid, pfcp::Cause::kRequestAccepted));
  // Right after the handover: uplink from the new gNB, downlink toward it.
  expect(run(uplink(0x7777, udp("10.45.0.10", "198.51.100.10", 53), &gnb2_)), Action::kPass, Reason::kNone);
  expect(run(downlink(0x904, udp("198.51.100.10", "10.45.0.10", 40000), &gnb2_)), Action::kPass, Reason::kNone);
  expect(run(downlink(0x903, udp("198.51.100.10", "10.45.0.10", 40000))), Action::kDrop, Reason::kTeidUnknown);
}

TEST_F(PipelineTest, StaleAndUnknownTeids) {
  auto s = spec("10.45.0.11", 0x300, 0x905);
  establish(pfcp::session_establishment_request(0, s), 0xA5);
  const uint32_t seq = ++seq_;
  pfcp(smf_, upf_n4_, pfcp::session_deletion_request(seq, 0xA5));
  expect(run(uplink(0x300, udp("10.45.0.11", "198.51.100.10", 53))), Action::kPass, Reason::kNone);  // not yet
  pfcp(upf_n4_, smf_, pfcp::session_deletion_response(seq, s.cp_seid, pfcp::Cause::kRequestAccepted));
  expect(run(uplink(0x300, udp("10.45.0.11", "198.51.100.10", 53))), Action::kDrop, Reason::kTeidStale);
  expect(run(uplink(0x301, udp("10.45.0.11", "198.51.100.10", 53))), Action::kDrop, Reason::kTeidUnknown);
  EXPECT_EQ(drops(Reason::kTeidStale), 1u);
  EXPECT_EQ(drops(Reason::kTeidUnknown), 1u);
}

TEST_F(PipelineTest, GtpuSanity) {
  establish(pfcp::session_establishment_request(0, spec("10.45.0.12", 0x400, 0x906)), 0xA6);
  const auto inner = udp("10.45.0.12", "198.51.100.10", 53);
  auto g = build::gpdu_spec(0x400, inner, 9, 1);
  g.version_override = 2;
  expect(run(build::ethernet_ip(build::gtpu_ip(gnb_, upf_n3_, g))), Action::kDrop, Reason::kGtpuMalformed);
  expect(run(uplink(0, inner)), Action::kDrop, Reason::kGtpuTeidZero);
  build::GtpuSpec em;
  em.msg_type = decode::gtpu_msg::kEndMarker;
  em.teid = 0x400;
  expect(run(build::ethernet_ip(build::gtpu_ip(gnb_, upf_n3_, em))), Action::kDrop, Reason::kGtpuMsgNotAllowed);
  expect(run(build::ethernet_ip(build::gtpu_ip(upf_n3_, gnb_, em))), Action::kPass, Reason::kNone);
  auto ext = build::gpdu_spec(0x400, inner, 9, 1);
  ext.extra_ext.push_back({0xA1, build::Buf(2, 0)});  // 10xxxxxx: comprehension required
  expect(run(build::ethernet_ip(build::gtpu_ip(gnb_, upf_n3_, ext))), Action::kDrop, Reason::kGtpuUnknownRequiredExt);
  const auto nested = build::udp_ip(A("10.45.0.12"), A("198.51.100.10"), 2152, 2152,
                                    build::gtpu(build::gpdu_spec(0x55, inner)));
  expect(run(uplink(0x400, nested)), Action::kDrop, Reason::kGtpInGtp);
  expect(run(uplink(0x400, build::Buf{0x45, 0x00, 0x00})), Action::kDrop, Reason::kInnerMalformed);
}

TEST_F(PipelineTest, InterUeDenyAndRedirect) {
  establish(pfcp::session_establishment_request(0, spec("10.45.0.20", 0x500, 0x907)), 0xA7);
  establish(pfcp::session_establishment_request(0, spec("10.45.0.21", 0x501, 0x908)), 0xA8);
  auto f = spec("10.46.0.5", 0x502, 0x909);
  f.dnn = "factory";
  establish(pfcp::session_establishment_request(0, f), 0xA9);
  expect(run(uplink(0x500, udp("10.45.0.20", "10.45.0.21", 5060))), Action::kDrop, Reason::kInterUeDenied);
  auto& events = pipe_->worker().events();
  events.clear();
  const auto v = run(uplink(0x502, udp("10.46.0.5", "10.45.0.20", 5060)));
  expect(v, Action::kRedirect, Reason::kInterUeRedirected);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].gateway.to_string(), "10.99.0.1");
  EXPECT_EQ(events[0].ue.to_string(), "10.46.0.5");
}

TEST_F(PipelineTest, ZoneFirewall) {
  // MEC application toward the core, on N6.
  expect(run(build::ethernet_ip(udp("10.20.0.5", "10.10.4.1", 8805))), Action::kDrop, Reason::kMecToCore);
  // PFCP from the MEC zone never reaches the tracker.
  auto s = spec("10.45.0.30", 0x600, 0x90A);
  const auto req = pfcp::session_establishment_request(1, s);
  expect(pfcp(A("10.20.0.5"), upf_n4_, req), Action::kDrop, Reason::kMecToCore);
  EXPECT_EQ(pipe_->worker().n4().pending(), 0u);
  establish(pfcp::session_establishment_request(0, s), 0xAA);
  // UE toward the UPF's own addresses.
  expect(run(uplink(0x600, udp("10.45.0.30", "10.10.4.1", 8805))), Action::kDrop, Reason::kUeToInfrastructure);
  // UE to management: logged by rule, passed.
  expect(run(uplink(0x600, udp("10.45.0.30", "10.30.0.9", 161))), Action::kAlert, Reason::kZoneLogged);
  // MEC to management: no rule, default deny.
  expect(run(build::ethernet_ip(udp("10.20.0.5", "10.30.0.9", 161))), Action::kDrop, Reason::kZoneDenied);
  EXPECT_EQ(alerts(Reason::kZoneLogged), 1u);
}

TEST_F(PipelineTest, AclRulesAndClassDefault) {
  establish(pfcp::session_establishment_request(0, spec("10.45.0.40", 0x700, 0x90B)), 0xAB);
  establish(pfcp::session_establishment_request(0, spec("10.45.9.5", 0x701, 0x90C)), 0xAC);  // group plc
  auto v = run(uplink(0x700, tcp("10.45.0.40", "198.51.100.10", 23)));
  expect(v, Action::kDrop, Reason::kAclDenied);
  EXPECT_EQ(v.rule_id, 7u);
  expect(run(uplink(0x700, udp("10.45.0.40", "198.51.100.10", 514))), Action::kAlert, Reason::kAclLogged);
  expect(run(uplink(0x700, tcp("10.45.0.40", "198.51.100.10", 80))), Action::kPass, Reason::kNone);
  // The plc group's class denies what no rule allows.
  expect(run(uplink(0x701, tcp("10.45.9.5", "198.51.100.10", 443))), Action::kPass, Reason::kNone);
  expect(run(uplink(0x701, tcp("10.45.9.5", "198.51.100.10", 80))), Action::kDrop, Reason::kAclDefaultDeny);
}

TEST_F(PipelineTest, MonitorModeAlertsInsteadOfDropping) {
  load("monitor");
  const auto v = run(uplink(0x999, udp("10.45.0.50", "198.51.100.10", 53)));
  EXPECT_EQ(v.action, Action::kAlert);
  EXPECT_TRUE(v.monitored);
  EXPECT_EQ(v.reason, Reason::kTeidUnknown);
  EXPECT_EQ(alerts(Reason::kTeidUnknown), 1u);
  EXPECT_EQ(drops(Reason::kTeidUnknown), 0u);
  load("off");
  expect(run(uplink(0x999, udp("10.45.0.50", "198.51.100.10", 53))), Action::kPass, Reason::kNone);
}

TEST_F(PipelineTest, MalformedPfcpAndFramesAreDropped) {
  const build::Buf junk = {0x21, 0x32, 0x00, 0x40, 0x01};  // PFCP header claiming 64 bytes
  expect(run(build::ethernet_ip(build::udp_ip(smf_, upf_n4_, 8805, 8805, junk))), Action::kDrop, Reason::kPfcpMalformed);
  build::Ipv4Opts bad;
  bad.ihl_override = 3;
  expect(run(build::ethernet_ip(build::ipv4(smf_, upf_n4_, 17, build::udp(1, 2, {}), bad))), Action::kDrop,
         Reason::kFrameMalformed);
}

}  // namespace
}  // namespace mecguard::guard

namespace mecguard::guard {
namespace {

TEST_F(PipelineTest, N4ProtectionAllowListAndForeignSeid) {
  auto s = spec("10.45.0.60", 0x800, 0x90D);
  establish(pfcp::session_establishment_request(0, s), 0xB1);
  // An unlisted peer in the core zone: dropped, and its establishment never tracked.
  const IpAddr rogue = A("10.10.4.66");
  const uint32_t seq = ++seq_;
  expect(pfcp(rogue, upf_n4_, pfcp::session_establishment_request(seq, spec("10.45.0.61", 0x801, 0x90E))),
         Action::kDrop, Reason::kN4UnlistedPeer);
  EXPECT_EQ(pipe_->worker().n4().pending(), 0u);
  // Deletion of 0xB1's session by a listed peer that does not own it: dropped, not applied.
  load("enforce");
  auto text = std::string(kPolicy);
  text.replace(text.find("smf_peers: [10.10.4.10]"), 23, "smf_peers: [10.10.4.10, 10.10.4.11]");
  text.replace(text.find("%TEID%"), 6, "enforce");
  auto p = policy::load_policy_string(text, "two-smfs.yaml");
  ASSERT_TRUE(p);
  pipe_->set_policy(*compile_policy(*p));
  const IpAddr smf2 = A("10.10.4.11");
  const uint32_t dseq = ++seq_;
  expect(pfcp(smf2, upf_n4_, pfcp::session_deletion_request(dseq, 0xB1)), Action::kDrop, Reason::kN4ForeignSeid);
  pfcp(upf_n4_, smf2, pfcp::session_deletion_response(dseq, s.cp_seid, pfcp::Cause::kRequestAccepted));
  expect(run(uplink(0x800, udp("10.45.0.60", "198.51.100.10", 53))), Action::kPass, Reason::kNone);
  // A deletion for a SEID nobody has: alerted, passed.
  expect(pfcp(smf_, upf_n4_, pfcp::session_deletion_request(++seq_, 0xDEAD)), Action::kAlert, Reason::kN4UnknownSeid);
  EXPECT_EQ(drops(Reason::kN4UnlistedPeer), 1u);
  EXPECT_EQ(drops(Reason::kN4ForeignSeid), 1u);
  EXPECT_EQ(alerts(Reason::kN4UnknownSeid), 1u);
}

TEST_F(PipelineTest, N4CapsOnIesAndSessionsPerPeer) {
  auto text = std::string(kPolicy);
  text.replace(text.find("%TEID%"), 6, "enforce");
  text += "limits: {max_sessions_per_peer: 1, max_ies_per_message: 60}\n";
  auto p = policy::load_policy_string(text, "caps.yaml");
  ASSERT_TRUE(p) << p.error().front().to_string();
  pipe_->set_policy(*compile_policy(*p));
  establish(pfcp::session_establishment_request(0, spec("10.45.0.70", 0x900, 0x90F)), 0xC1);
  const uint32_t seq = ++seq_;
  expect(pfcp(smf_, upf_n4_, pfcp::session_establishment_request(seq, spec("10.45.0.71", 0x901, 0x910))),
         Action::kDrop, Reason::kN4PeerSessionCap);
  auto big = pfcp::session_establishment_request(++seq_, spec("10.45.0.72", 0x902, 0x911));
  for (int i = 0; i < 20; ++i) big.create_qers.push_back(big.create_qers.front());
  expect(pfcp(smf_, upf_n4_, big), Action::kDrop, Reason::kN4TooManyIes);
  EXPECT_EQ(pipe_->worker().sessions().size(), 1u);
}

}  // namespace
}  // namespace mecguard::guard

namespace mecguard::guard {
namespace {

class RateTest : public PipelineTest {
 protected:
  void with(const std::string& extra, const std::string& classes = "") {
    std::string text = kPolicy;
    text.replace(text.find("%TEID%"), 6, "enforce");
    if (!classes.empty()) text.replace(text.find("    acl_default: deny\n"), 22, classes);
    text += extra;
    auto p = policy::load_policy_string(text, "rate.yaml");
    ASSERT_TRUE(p) << p.error().front().to_string();
    pipe_->set_policy(*compile_policy(*p));
  }
  // Sends n frames 1 ms apart; returns how many passed.
  int burst(int n, const std::function<build::Buf()>& make) {
    int passed = 0;
    for (int i = 0; i < n; ++i) passed += run(make()).action == Action::kPass ? 1 : 0;
    return passed;
  }
};

TEST_F(RateTest, UeUplinkPacketRateWithBurstAndRefill) {
  with("rate_limits: {burst_seconds: 1, ue: {uplink: {pps: 10}}}\n");
  establish(pfcp::session_establishment_request(0, spec("10.45.0.80", 0xA00, 0x920)), 0xD1);
  auto pkt = [&] { return uplink(0xA00, udp("10.45.0.80", "198.51.100.10", 53)); };
  EXPECT_EQ(burst(15, pkt), 10);  // the bucket holds 10; 15 ms refill 0.15 tokens
  EXPECT_EQ(drops(Reason::kRateUeUplink), 5u);
  ts_ += 1'000'000'000;  // one second later the bucket is full again
  EXPECT_EQ(burst(12, pkt), 10);
  // Downlink has no limit.
  EXPECT_EQ(burst(20, [&] { return downlink(0x920, udp("198.51.100.10", "10.45.0.80", 4000)); }), 20);
}

TEST_F(RateTest, ClassThresholdsOverrideTheUeDefault) {
  with("rate_limits: {ue: {uplink: {pps: 100}}}\n", "    acl_default: allow\n    thresholds: {ul_pps: 3}\n");
  establish(pfcp::session_establishment_request(0, spec("10.45.9.7", 0xA01, 0x921)), 0xD2);   // group plc
  establish(pfcp::session_establishment_request(0, spec("10.45.0.81", 0xA02, 0x922)), 0xD3);  // no group
  EXPECT_EQ(burst(10, [&] { return uplink(0xA01, udp("10.45.9.7", "198.51.100.10", 53)); }), 3);
  EXPECT_EQ(burst(10, [&] { return uplink(0xA02, udp("10.45.0.81", "198.51.100.10", 53)); }), 10);
}

TEST_F(RateTest, NetworkInstanceBitRate) {
  // 8,000 bit/s and a one-second bucket: 1,000 bytes of IP packets.
  with("rate_limits: {network_instances: {internet: {downlink: {bps: 8000}}}}\n");
  establish(pfcp::session_establishment_request(0, spec("10.45.0.82", 0xA03, 0x923)), 0xD4);
  const auto pkt = [&] { return downlink(0x923, build::udp_ip(A("198.51.100.10"), A("10.45.0.82"), 53, 4000, build::Buf(172, 0))); };
  EXPECT_EQ(burst(10, pkt), 5);  // 200-byte IP packets: 5 fit in 1,000 bytes
  EXPECT_EQ(drops(Reason::kRateNetworkInstance), 5u);
}

TEST_F(RateTest, PfcpAndEchoPerPeer) {
  with("rate_limits: {pfcp_per_peer_pps: 3, gtpu_echo_per_peer_pps: 2}\n");
  int passed = 0;
  for (int i = 0; i < 6; ++i) passed += pfcp(smf_, upf_n4_, pfcp::heartbeat_request(++seq_, 1)).action == Action::kPass;
  EXPECT_EQ(passed, 3);
  EXPECT_EQ(drops(Reason::kN4RateLimited), 3u);
  build::GtpuSpec echo;
  echo.msg_type = decode::gtpu_msg::kEchoRequest;
  echo.seq = 1;
  EXPECT_EQ(burst(5, [&] { return build::ethernet_ip(build::gtpu_ip(gnb_, upf_n3_, echo)); }), 2);
  EXPECT_EQ(burst(5, [&] { return build::ethernet_ip(build::gtpu_ip(gnb2_, upf_n3_, echo)); }), 2);  // own bucket
  EXPECT_EQ(drops(Reason::kGtpuEchoRate), 6u);
}

}  // namespace
}  // namespace mecguard::guard

namespace mecguard::guard {
namespace {

TEST_F(PipelineTest, QuarantineDropAllowListExpiryAndReload) {
  establish(pfcp::session_establishment_request(0, spec("10.45.0.90", 0xB00, 0x930)), 0xE1);
  establish(pfcp::session_establishment_request(0, spec("10.45.0.91", 0xB01, 0x931)), 0xE2);
  auto& events = pipe_->worker().events();
  events.clear();
  QuarantineEntry drop_all;
  drop_all.ue = A("10.45.0.90");
  drop_all.reason = "test";
  QuarantineEntry restricted;
  restricted.ue = A("10.45.0.91");
  restricted.allow = {*IpPrefix::parse("198.51.100.53/32")};
  restricted.expires_ns = ts_ + 100'000'000;  // 100 ms from now
  EXPECT_EQ(pipe_->worker().quarantine_add(drop_all, ts_), QuarantineChange::kAdded);
  EXPECT_EQ(pipe_->worker().quarantine_add(restricted, ts_), QuarantineChange::kAdded);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].detail, "added");

  expect(run(uplink(0xB00, udp("10.45.0.90", "198.51.100.53", 53))), Action::kDrop, Reason::kQuarantined);
  expect(run(downlink(0x930, udp("198.51.100.10", "10.45.0.90", 4000))), Action::kDrop, Reason::kQuarantined);
  expect(run(uplink(0xB01, udp("10.45.0.91", "198.51.100.53", 53))), Action::kPass, Reason::kNone);
  expect(run(uplink(0xB01, udp("10.45.0.91", "198.51.100.10", 53))), Action::kDrop, Reason::kQuarantined);
  // A policy swap keeps the quarantine.
  load("enforce");
  expect(run(uplink(0xB00, udp("10.45.0.90", "198.51.100.53", 53))), Action::kDrop, Reason::kQuarantined);
  // Past its expiry the restriction lapses, and the expiry is an event.
  ts_ += 200'000'000;
  events.clear();
  expect(run(uplink(0xB01, udp("10.45.0.91", "198.51.100.10", 53))), Action::kPass, Reason::kNone);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].reason, Reason::kQuarantineChanged);
  EXPECT_EQ(events[0].detail, "expired");
  EXPECT_EQ(events[0].ue.to_string(), "10.45.0.91");
  EXPECT_TRUE(pipe_->worker().quarantine_release(A("10.45.0.90"), ts_));
  EXPECT_FALSE(pipe_->worker().quarantine_release(A("10.45.0.90"), ts_));
  expect(run(uplink(0xB00, udp("10.45.0.90", "198.51.100.53", 53))), Action::kPass, Reason::kNone);
  EXPECT_EQ(drops(Reason::kQuarantined), 4u);
}

// A dual-stack UE is quarantined by either address: an entry for its IPv4 address drops its
// IPv6 traffic too, and one for its IPv6 /64 its IPv4 traffic; a single-stack UE beside it
// is untouched.
TEST_F(PipelineTest, QuarantineOfADualStackUeCoversBothFamilies) {
  auto req = pfcp::session_establishment_request(0, spec("10.45.0.95", 0xB10, 0x940));
  req.create_pdrs[0].pdi.ue_ips[0].ipv6 = A("2001:db8:45:95::1");
  establish(req, 0xE5);
  establish(pfcp::session_establishment_request(0, spec("10.45.0.96", 0xB11, 0x941)), 0xE6);
  expect(run(uplink(0xB10, udp("2001:db8:45:95::7", "2001:db8:100::10", 53))), Action::kPass, Reason::kNone);
  QuarantineEntry by_v4;
  by_v4.ue = A("10.45.0.95");
  pipe_->worker().quarantine_add(by_v4, ts_);
  expect(run(uplink(0xB10, udp("10.45.0.95", "198.51.100.10", 53))), Action::kDrop, Reason::kQuarantined);
  expect(run(uplink(0xB10, udp("2001:db8:45:95::7", "2001:db8:100::10", 53))), Action::kDrop, Reason::kQuarantined);
  expect(run(uplink(0xB11, udp("10.45.0.96", "198.51.100.10", 53))), Action::kPass, Reason::kNone);
  EXPECT_TRUE(pipe_->worker().quarantine_release(A("10.45.0.95"), ts_));
  QuarantineEntry by_v6;
  by_v6.ue = A("2001:db8:45:95::1");
  pipe_->worker().quarantine_add(by_v6, ts_);
  expect(run(uplink(0xB10, udp("10.45.0.95", "198.51.100.10", 53))), Action::kDrop, Reason::kQuarantined);
  expect(run(uplink(0xB11, udp("10.45.0.96", "198.51.100.10", 53))), Action::kPass, Reason::kNone);
}

TEST(QuarantineFile, RoundTripAndErrors) {
  const std::string path = ::testing::TempDir() + "/quarantine-test.json";
  QuarantineEntry e;
  e.ue = *IpAddr::parse("2001:db8:45::9");
  e.allow = {*IpPrefix::parse("2001:db8:100::/48")};
  e.since_ns = 5;
  e.expires_ns = 9;
  e.reason = "scan";
  e.by = "detector";
  ASSERT_TRUE(QuarantineTable::save_file(path, {e}));
  auto back = QuarantineTable::load_file(path);
  ASSERT_TRUE(back);
  ASSERT_EQ(back->size(), 1u);
  EXPECT_EQ((*back)[0], e);
  auto missing = QuarantineTable::load_file(path + ".none");
  ASSERT_TRUE(missing);
  EXPECT_TRUE(missing->empty());
  {
    std::FILE* f = std::fopen(path.c_str(), "w");
    std::fputs("[{\"ue\": \"not-an-ip\"}]", f);
    std::fclose(f);
  }
  auto bad = QuarantineTable::load_file(path);
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().to_string().find("[0]"), std::string::npos);
}

}  // namespace
}  // namespace mecguard::guard
