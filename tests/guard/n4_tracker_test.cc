#include "guard/n4_tracker.h"

#include <gtest/gtest.h>

#include <unordered_map>

#include "pfcp/build.h"

namespace mecguard::guard {
namespace {

IpAddr A(const char* s) { return *IpAddr::parse(s); }

// Plays SMF and UPF around a tracker, sending every message through encode + decode so the
// tracker sees exactly what the wire carries.
class N4Fixture : public ::testing::Test {
 protected:
  N4Fixture() : table_(small_limits()), tracker_(table_, {}) {}

  static SessionTable::Limits small_limits() {
    SessionTable::Limits l;
    l.max_sessions = 8;
    l.max_addresses = 64;
    l.max_routes = 64;
    l.recently_deleted = 16;
    return l;
  }

  N4Result send(const pfcp::Message& m, const IpAddr& src, const IpAddr& dst, bool record = true) {
    const auto bytes = pfcp::encode(m);
    auto decoded = pfcp::decode_message(bytes);
    EXPECT_TRUE(decoded) << (decoded ? "" : decoded.error().to_string());
    return tracker_.process(*decoded, src, dst, ts_ += 1000, record);
  }

  pfcp::UeSessionSpec spec(uint64_t cp_seid, const char* ue, uint32_t ul_teid, bool choose = false) {
    pfcp::UeSessionSpec s;
    s.cp_seid = cp_seid;
    s.cp_addr = smf_;
    s.cp_node = pfcp::NodeId::from_ip(smf_);
    s.ue_addr = A(ue);
    s.ul_teid = ul_teid;
    s.upf_n3_addr = upf_n3_;
    s.choose_teid = choose;
    s.gnb_teid = 0x9000 + ul_teid;
    s.gnb_addr = gnb_;
    s.dnn = "internet";
    return s;
  }

  // Establishment request + accepted response; returns the session id.
  SessionId establish(uint64_t cp_seid, uint64_t up_seid, const char* ue, uint32_t ul_teid,
                      bool choose = false, std::optional<pfcp::FTeid> created = {}) {
    const uint32_t seq = ++seq_;
    EXPECT_EQ(send(pfcp::session_establishment_request(seq, spec(cp_seid, ue, ul_teid, choose)), smf_, upf_n4_).outcome,
              N4Outcome::kRequestPending);
    auto r = send(pfcp::session_establishment_response(seq, cp_seid, pfcp::NodeId::from_ip(upf_n4_),
                                                       pfcp::Cause::kRequestAccepted, up_seid, upf_n4_, created),
                  upf_n4_, smf_);
    EXPECT_EQ(r.outcome, N4Outcome::kSessionCreated);
    return r.session;
  }

  uint16_t id_of(const IpAddr& a) { return *table_.addresses().find(a); }

  SessionTable table_;
  N4Tracker tracker_;
  uint64_t ts_ = 0;
  uint32_t seq_ = 0;
  IpAddr smf_ = A("192.0.2.10");
  IpAddr rogue_ = A("192.0.2.66");
  IpAddr upf_n4_ = A("192.0.2.4");
  IpAddr upf_n3_ = A("198.51.100.1");
  IpAddr gnb_ = A("198.51.100.20");
  IpAddr gnb2_ = A("198.51.100.21");
};

TEST_F(N4Fixture, SmfChosenTeidIndexesEveryKey) {
  const SessionId id = establish(0x100, 0x200, "10.45.0.7", 0x1001);
  ASSERT_NE(id, kNoSession);
  EXPECT_EQ(table_.by_local_tunnel(id_of(upf_n3_), 0x1001), id);
  EXPECT_EQ(table_.by_dl_tunnel(id_of(gnb_), 0x9000 + 0x1001), id);
  const uint16_t ni = table_.network_instance_id("internet");
  EXPECT_EQ(table_.by_ue(ni, A("10.45.0.7")), id);
  EXPECT_EQ(table_.by_ue(ni, A("10.45.0.8")), kNoSession);
  EXPECT_EQ(table_.by_seid(id_of(upf_n4_), 0x200), id);
  EXPECT_TRUE(table_.owns_address(id, A("10.45.0.7")));
  EXPECT_FALSE(table_.owns_address(id, A("10.45.0.9")));
  EXPECT_EQ(table_.get(id)->cp_seid, 0x100u);
  EXPECT_EQ(table_.size(), 1u);
}

TEST_F(N4Fixture, UpfChosenTeidComesFromCreatedPdr) {
  const SessionId id = establish(0x101, 0x201, "10.45.0.8", 0, true, pfcp::FTeid::make(0xABCD, upf_n3_));
  ASSERT_NE(id, kNoSession);
  EXPECT_EQ(table_.by_local_tunnel(id_of(upf_n3_), 0xABCD), id);
  EXPECT_EQ(table_.by_local_tunnel(id_of(upf_n3_), 0), kNoSession);
}

TEST_F(N4Fixture, HandoverMovesTheDownlinkTunnelOnly) {
  const SessionId id = establish(0x102, 0x202, "10.45.0.9", 0x1002);
  const uint32_t seq = ++seq_;
  EXPECT_EQ(send(pfcp::session_modification_request(seq, 0x202, 0x7777, gnb2_), smf_, upf_n4_).outcome,
            N4Outcome::kRequestPending);
  // Before the UPF accepts, nothing changed.
  EXPECT_EQ(table_.by_dl_tunnel(id_of(gnb_), 0x9000 + 0x1002), id);
  EXPECT_EQ(send(pfcp::session_modification_response(seq, 0x102, pfcp::Cause::kRequestAccepted), upf_n4_, smf_).outcome,
            N4Outcome::kSessionModified);
  EXPECT_EQ(table_.by_dl_tunnel(id_of(gnb2_), 0x7777), id);
  EXPECT_EQ(table_.by_dl_tunnel(id_of(gnb_), 0x9000 + 0x1002), kNoSession);
  EXPECT_EQ(table_.by_local_tunnel(id_of(upf_n3_), 0x1002), id);  // uplink unchanged
}

TEST_F(N4Fixture, DeletionLeavesAStaleTeid) {
  const SessionId id = establish(0x103, 0x203, "10.45.0.10", 0x1003);
  const uint32_t seq = ++seq_;
  send(pfcp::session_deletion_request(seq, 0x203), smf_, upf_n4_);
  EXPECT_EQ(send(pfcp::session_deletion_response(seq, 0x103, pfcp::Cause::kRequestAccepted), upf_n4_, smf_).outcome,
            N4Outcome::kSessionDeleted);
  EXPECT_EQ(table_.get(id), nullptr);
  EXPECT_EQ(table_.by_local_tunnel(id_of(upf_n3_), 0x1003), kNoSession);
  EXPECT_TRUE(table_.recently_deleted(id_of(upf_n3_), 0x1003));
  EXPECT_FALSE(table_.recently_deleted(id_of(upf_n3_), 0x1004));
  EXPECT_EQ(table_.by_ue(table_.network_instance_id("internet"), A("10.45.0.10")), kNoSession);
  EXPECT_EQ(table_.size(), 0u);
}

TEST_F(N4Fixture, ForeignPeerCannotModifyOrDelete) {
  const SessionId id = establish(0x104, 0x204, "10.45.0.11", 0x1004);
  const uint32_t seq = ++seq_;
  const auto del = pfcp::session_deletion_request(seq, 0x204);
  EXPECT_EQ(tracker_.check_owner(*pfcp::decode_message(pfcp::encode(del)), rogue_, upf_n4_), N4Outcome::kForeignPeer);
  EXPECT_EQ(send(del, rogue_, upf_n4_).outcome, N4Outcome::kForeignPeer);
  // Even if a UPF answered it, the foreign request was never recorded.
  EXPECT_EQ(send(pfcp::session_deletion_response(seq, 0x104, pfcp::Cause::kRequestAccepted), upf_n4_, rogue_).outcome,
            N4Outcome::kUnmatchedResponse);
  EXPECT_NE(table_.get(id), nullptr);
  EXPECT_EQ(send(pfcp::session_deletion_request(++seq_, 0x999), smf_, upf_n4_).outcome, N4Outcome::kUnknownSeid);
  EXPECT_EQ(tracker_.counters()[static_cast<size_t>(N4Outcome::kForeignPeer)], 1u);
}

TEST_F(N4Fixture, DroppedRequestChangesNothing) {
  const SessionId id = establish(0x105, 0x205, "10.45.0.12", 0x1005);
  const uint32_t seq = ++seq_;
  send(pfcp::session_deletion_request(seq, 0x205), smf_, upf_n4_, /*record=*/false);
  EXPECT_EQ(send(pfcp::session_deletion_response(seq, 0x105, pfcp::Cause::kRequestAccepted), upf_n4_, smf_).outcome,
            N4Outcome::kUnmatchedResponse);
  EXPECT_NE(table_.get(id), nullptr);
}

TEST_F(N4Fixture, RejectionCollisionAndFullTable) {
  const uint32_t seq = ++seq_;
  send(pfcp::session_establishment_request(seq, spec(0x106, "10.45.0.13", 0x1006)), smf_, upf_n4_);
  EXPECT_EQ(send(pfcp::session_establishment_response(seq, 0x106, pfcp::NodeId::from_ip(upf_n4_),
                                                      pfcp::Cause::kNoResourcesAvailable, 0x206, upf_n4_),
                 upf_n4_, smf_).outcome,
            N4Outcome::kRejectedByUpf);
  EXPECT_EQ(table_.size(), 0u);

  establish(0x107, 0x207, "10.45.0.14", 0x1007);
  // Same UE address and TEID in a second session: created, but the keys are refused.
  const uint32_t seq2 = ++seq_;
  send(pfcp::session_establishment_request(seq2, spec(0x108, "10.45.0.14", 0x1007)), smf_, upf_n4_);
  auto r = send(pfcp::session_establishment_response(seq2, 0x108, pfcp::NodeId::from_ip(upf_n4_),
                                                     pfcp::Cause::kRequestAccepted, 0x208, upf_n4_),
                upf_n4_, smf_);
  EXPECT_EQ(r.outcome, N4Outcome::kCollision);
  EXPECT_GE(r.collisions, 2u);  // TEID and UE address
  EXPECT_EQ(table_.by_ue(table_.network_instance_id("internet"), A("10.45.0.14")), table_.by_seid(id_of(upf_n4_), 0x207));

  for (uint32_t i = 0; table_.size() < table_.capacity(); ++i) {
    const std::string ue = "10.45.1." + std::to_string(i + 1);
    establish(0x300 + i, 0x400 + i, ue.c_str(), 0x2000 + i);
  }
  const uint32_t seq3 = ++seq_;
  send(pfcp::session_establishment_request(seq3, spec(0x500, "10.45.2.1", 0x3000)), smf_, upf_n4_);
  EXPECT_EQ(send(pfcp::session_establishment_response(seq3, 0x500, pfcp::NodeId::from_ip(upf_n4_),
                                                      pfcp::Cause::kRequestAccepted, 0x600, upf_n4_),
                 upf_n4_, smf_).outcome,
            N4Outcome::kTableFull);
}

TEST_F(N4Fixture, ReleaseAndRestartFlushPeerSessions) {
  establish(0x110, 0x210, "10.45.0.20", 0x1010);
  establish(0x111, 0x211, "10.45.0.21", 0x1011);
  const uint32_t seq = ++seq_;
  send(pfcp::association_release_request(seq, pfcp::NodeId::from_ip(smf_)), smf_, upf_n4_);
  auto r = send(pfcp::association_release_response(seq, pfcp::NodeId::from_ip(upf_n4_), pfcp::Cause::kRequestAccepted),
                upf_n4_, smf_);
  EXPECT_EQ(r.outcome, N4Outcome::kAssociationReleased);
  EXPECT_EQ(r.flushed, 2u);
  EXPECT_EQ(table_.size(), 0u);

  establish(0x112, 0x212, "10.45.0.22", 0x1012);
  EXPECT_EQ(send(pfcp::heartbeat_request(++seq_, 1000), smf_, upf_n4_).outcome, N4Outcome::kIgnored);
  EXPECT_EQ(send(pfcp::heartbeat_request(++seq_, 1000), smf_, upf_n4_).outcome, N4Outcome::kIgnored);
  auto restart = send(pfcp::heartbeat_request(++seq_, 2000), smf_, upf_n4_);
  EXPECT_EQ(restart.outcome, N4Outcome::kPeerRestarted);
  EXPECT_EQ(restart.flushed, 1u);
  EXPECT_EQ(table_.size(), 0u);
}

// by_ue_any() finds a UE address in any network instance with one probe, and answers at
// once for IPv4 blocks with no UE address or route; routes shorter than a /16, and addresses
// learned in a new block, are found.
TEST(SessionTable, AnyNetworkInstanceAndBlockSummary) {
  SessionTable t(SessionTable::Limits{});
  Session a;
  a.up_seid = 1;
  a.network_instance = t.network_instance_id("internet");
  auto [ra, ida] = t.create(a);
  ASSERT_EQ(ra, TableResult::kOk);
  Session b;
  b.up_seid = 2;
  b.network_instance = t.network_instance_id("ims");
  auto [rb, idb] = t.create(b);
  ASSERT_EQ(rb, TableResult::kOk);
  EXPECT_EQ(t.by_ue_any(A("10.64.0.1")), kNoSession);
  ASSERT_EQ(t.set_ue_v4(ida, A("10.64.0.1").v4_host()), TableResult::kOk);
  ASSERT_EQ(t.set_ue_v4(idb, A("172.20.9.9").v4_host()), TableResult::kOk);
  EXPECT_EQ(t.by_ue_any(A("10.64.0.1")), ida);
  EXPECT_EQ(t.by_ue_any(A("172.20.9.9")), idb);
  EXPECT_EQ(t.by_ue(b.network_instance, A("172.20.9.9")), idb);
  EXPECT_EQ(t.by_ue(a.network_instance, A("172.20.9.9")), kNoSession);  // not in that instance
  EXPECT_EQ(t.by_ue_any(A("10.64.0.2")), kNoSession);    // same block, no such UE
  EXPECT_EQ(t.by_ue_any(A("198.51.100.7")), kNoSession);  // block without UEs
  // The same address in two instances: either session answers "any", each its own instance.
  Session c;
  c.up_seid = 3;
  c.network_instance = b.network_instance;
  auto [rc, idc] = t.create(c);
  ASSERT_EQ(rc, TableResult::kOk);
  ASSERT_EQ(t.set_ue_v4(idc, A("10.64.0.1").v4_host()), TableResult::kOk);
  EXPECT_EQ(t.by_ue(a.network_instance, A("10.64.0.1")), ida);
  EXPECT_EQ(t.by_ue(c.network_instance, A("10.64.0.1")), idc);
  const SessionId any = t.by_ue_any(A("10.64.0.1"));
  EXPECT_TRUE(any == ida || any == idc);
  // A Framed-Route wider than a /16 marks every block it covers.
  ASSERT_EQ(t.add_route(idb, *IpPrefix::parse("100.64.0.0/10")), TableResult::kOk);
  EXPECT_EQ(t.by_ue_any(A("100.64.0.1")), idb);
  EXPECT_EQ(t.by_ue_any(A("100.127.255.254")), idb);
  EXPECT_EQ(t.by_ue_any(A("100.128.0.1")), kNoSession);
  t.remove(ida);
  EXPECT_EQ(t.by_ue_any(A("10.64.0.1")), idc);
}

// The removal hook (the churn detector's) sees every record the table forgets, as it stood,
// and a noted record (churn_ms) before its churn address changes; the note then leaves it.
TEST(SessionTable, RemoveHookSeesRecordsLeavingAndNotedAddressChanges) {
  SessionTable t(SessionTable::Limits{});
  std::vector<std::pair<uint32_t, uint32_t>> seen;  // (ue_v4, churn_ms) of each call
  t.on_remove(
      [](void* ctx, const Session& s) {
        static_cast<std::vector<std::pair<uint32_t, uint32_t>>*>(ctx)->emplace_back(s.ue_v4, s.churn_ms);
      },
      &seen);
  Session a;
  a.up_seid = 1;
  auto [ra, id] = t.create(a);
  ASSERT_EQ(ra, TableResult::kOk);
  ASSERT_EQ(t.set_ue_v4(id, 0x0A400001), TableResult::kOk);  // no note: no call
  t.get(id)->churn_ms = 77;
  ASSERT_EQ(t.set_ue_v4(id, 0x0A400001), TableResult::kOk);  // the same address: no call
  EXPECT_TRUE(seen.empty());
  ASSERT_EQ(t.set_ue_v6(id, A("2001:db8::1"), 64), TableResult::kOk);  // not its churn key
  EXPECT_TRUE(seen.empty());
  ASSERT_EQ(t.set_ue_v4(id, 0x0A400002), TableResult::kOk);  // the note was about .1
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0], std::make_pair(0x0A400001u, 77u));
  EXPECT_EQ(t.get(id)->churn_ms, 0u);
  ASSERT_EQ(t.set_ue_v4(id, 0x0A400003), TableResult::kOk);  // no note any more
  EXPECT_EQ(seen.size(), 1u);
  t.remove(id);
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[1], std::make_pair(0x0A400003u, 0u));
  // Without an IPv4 address the churn key is the IPv6 prefix: another host in the same /64 is
  // the same key; another /64, or the same bits at another length, is not.
  Session b;
  b.up_seid = 2;
  auto [rb, idb] = t.create(b);
  ASSERT_EQ(rb, TableResult::kOk);
  ASSERT_EQ(t.set_ue_v6(idb, A("2001:db8:0:100::1"), 64), TableResult::kOk);
  t.get(idb)->churn_ms = 88;
  ASSERT_EQ(t.set_ue_v6(idb, A("2001:db8:0:100::2"), 64), TableResult::kOk);
  EXPECT_EQ(seen.size(), 2u);
  ASSERT_EQ(t.set_ue_v6(idb, A("2001:db8:0:100::"), 56), TableResult::kOk);
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen[2].second, 88u);
  t.get(idb)->churn_ms = 89;
  ASSERT_EQ(t.set_ue_v6(idb, A("2001:db8:0:1ff::"), 56), TableResult::kOk);  // the same /56
  EXPECT_EQ(seen.size(), 3u);
  ASSERT_EQ(t.set_ue_v6(idb, A("2001:db8:0:200::"), 56), TableResult::kOk);
  ASSERT_EQ(seen.size(), 4u);
  EXPECT_EQ(seen[3].second, 89u);
}

// The TEID stage's probe path: the candidate an index slot names is the first entry with the
// tunnel's 32-bit hash; when two tunnels share that hash, the lookup of the second must not
// stop at the first's session. The two TEIDs are found by a birthday search over the hash.
TEST(SessionTable, TunnelProbeWithCollidingHashes) {
  SessionTable t(SessionTable::Limits{});
  const uint16_t upf = *t.addresses().intern(A("192.0.2.1"));
  std::unordered_map<uint32_t, uint32_t> seen;  // hash -> teid
  uint32_t t1 = 0, t2 = 0;
  for (uint32_t teid = 1; teid < 2'000'000 && t2 == 0; ++teid) {
    const auto [it, fresh] = seen.emplace(SessionTable::tunnel_probe(upf, teid, false).hash, teid);
    if (!fresh) {
      t1 = it->second;
      t2 = teid;
    }
  }
  ASSERT_NE(t2, 0u) << "no 32-bit hash collision among 2M TEIDs";
  SessionId ids[2];
  const uint32_t teids[2] = {t1, t2};
  for (int k = 0; k < 2; ++k) {
    Session s;
    s.up_seid = 100u + static_cast<uint64_t>(k);
    auto [r, id] = t.create(s);
    ASSERT_EQ(r, TableResult::kOk);
    ids[k] = id;
    Tunnel tun;
    tun.teid = teids[k];
    tun.addr = upf;
    ASSERT_EQ(t.add_local_tunnel(id, tun), TableResult::kOk);
  }
  for (int k = 0; k < 2; ++k) {
    const auto probe = SessionTable::tunnel_probe(upf, teids[k], false);
    const SessionId cand = t.candidate(probe);
    EXPECT_EQ(cand, ids[0]) << "the first entry with the hash is the candidate of both";
    EXPECT_EQ(t.find(probe, cand), ids[k]);
    EXPECT_EQ(t.find(probe), ids[k]);
    EXPECT_EQ(t.by_local_tunnel(upf, teids[k]), ids[k]);
    // A stale candidate (another session's id, or none) still finds the owner.
    EXPECT_EQ(t.find(probe, ids[1 - k]), ids[k]);
    EXPECT_EQ(t.find(probe, kNoSession), ids[k]);
  }
  // The downlink probe of the same key looks in the downlink index: nothing there.
  EXPECT_EQ(t.find(SessionTable::tunnel_probe(upf, t1, true)), kNoSession);
  t.remove(ids[0]);
  const auto probe2 = SessionTable::tunnel_probe(upf, t2, false);
  EXPECT_EQ(t.find(probe2, t.candidate(probe2)), ids[1]);
  EXPECT_EQ(t.find(probe2, ids[0]), ids[1]);  // a removed session's id is not taken
  EXPECT_EQ(t.by_local_tunnel(upf, t1), kNoSession);
}

TEST(SessionTable, Ipv6PrefixDelegationAndFramedRoutes) {
  SessionTable t(SessionTable::Limits{});
  Session s;
  s.up_seid = 1;
  auto [res, id] = t.create(s);
  ASSERT_EQ(res, TableResult::kOk);
  EXPECT_EQ(t.set_ue_v6(id, A("2001:db8:45:7::1"), 64), TableResult::kOk);
  EXPECT_EQ(t.add_route(id, *IpPrefix::parse("192.0.2.128/25")), TableResult::kOk);
  EXPECT_EQ(t.add_route(id, *IpPrefix::parse("2001:db8:99::/48")), TableResult::kOk);
  EXPECT_TRUE(t.owns_address(id, A("2001:db8:45:7:abcd::5")));  // anywhere in the /64
  EXPECT_FALSE(t.owns_address(id, A("2001:db8:45:8::1")));
  EXPECT_TRUE(t.owns_address(id, A("192.0.2.200")));
  EXPECT_FALSE(t.owns_address(id, A("192.0.2.100")));
  EXPECT_TRUE(t.owns_address(id, A("2001:db8:99:1::1")));
  EXPECT_EQ(t.by_ue(0, A("2001:db8:45:7::99")), id);
  EXPECT_EQ(t.by_ue(0, A("192.0.2.129")), id);
  EXPECT_EQ(t.by_ue_any(A("2001:db8:99:ff::1")), id);
  Session other;
  other.up_seid = 2;
  auto [res2, id2] = t.create(other);
  ASSERT_EQ(res2, TableResult::kOk);
  EXPECT_EQ(t.add_route(id2, *IpPrefix::parse("192.0.2.128/25")), TableResult::kCollision);
  EXPECT_EQ(t.set_ue_v6(id2, A("2001:db8:45:7::2"), 64), TableResult::kCollision);
  t.remove(id);
  EXPECT_EQ(t.by_ue(0, A("192.0.2.129")), kNoSession);
  EXPECT_EQ(t.by_ue(0, A("2001:db8:45:7::99")), kNoSession);
  EXPECT_EQ(t.add_route(id2, *IpPrefix::parse("192.0.2.128/25")), TableResult::kOk);
  EXPECT_EQ(t.by_ue(0, A("192.0.2.129")), id2);
}

}  // namespace
}  // namespace mecguard::guard
