#include "guard/stages.h"

#include "guard/detect.h"

#include <algorithm>
#include <array>

#include "pfcp/message.h"

namespace mecguard::guard {

namespace {

using decode::AppKind;
using decode::DecodeStatus;
namespace gtpu_msg = decode::gtpu_msg;

bool done(const Verdict& v) { return v.action == Action::kDrop || v.action == Action::kRedirect; }

bool is_gtpu(const PacketCtx& p) {
  return p.flow == Flow::kUplink || p.flow == Flow::kDownlink || p.flow == Flow::kGtpUnknown;
}
bool is_gpdu(const PacketCtx& p) { return is_gtpu(p) && p.pkt.gtpu.msg_type == gtpu_msg::kGpdu; }

// Decode statuses below GTP-U (link, IP, UDP/TCP...) vs GTP-U header vs inner packet.
bool gtpu_status(DecodeStatus s) { return s >= DecodeStatus::kGtpuTruncated && s < DecodeStatus::kInnerTruncated; }
bool inner_status(DecodeStatus s) { return s >= DecodeStatus::kInnerTruncated; }

// Spends one token of the per-source bucket for `src`; false when the rate is exceeded.
bool peer_allows(FlatMap<IpAddr, TokenBucket, RateState::AddrHash>& table, TokenBucket& overflow,
                 uint64_t& overflow_count, const IpAddr& src, uint64_t now_ns, double pps, double burst_seconds) {
  const double burst = std::max(1.0, pps * burst_seconds);
  TokenBucket* b = table.find_or_insert(src);
  if (!b) {
    ++overflow_count;
    return overflow.take(now_ns, pps, burst, 1.0);
  }
  return b->take(now_ns, pps, burst, 1.0);
}

template <class F>
void for_each_live(std::span<PacketCtx> pkts, std::span<Verdict> verdicts, F&& f) {
  for (size_t i = 0; i < pkts.size(); ++i) {
    if (!done(verdicts[i])) f(pkts[i], verdicts[i]);
  }
}

class DecodeStage final : public Stage {
 public:
  StageId id() const override { return StageId::kDecode; }
  void run(std::span<PacketCtx> pkts, std::span<Verdict> verdicts, Worker& w) noexcept override {
    for_each_live(pkts, verdicts, [&](PacketCtx& p, Verdict& v) {
      ++w.counters().stage_packets[static_cast<size_t>(StageId::kDecode)];
      const DecodeStatus s = p.pkt.status;
      if (s != DecodeStatus::kOk && !gtpu_status(s) && !inner_status(s)) {
        w.report(p, v, Reason::kFrameMalformed, Action::kDrop);
      }
    });
  }
};

// N4: protection (G10) first, then session tracking. A message the stage drops is still
// shown to the tracker with record=false, so a dropped request never changes state.
class N4Stage final : public Stage {
 public:
  StageId id() const override { return StageId::kN4; }
  bool wants(const SegmentSummary& s) const noexcept override { return s.any(flow_bit(Flow::kN4)); }
  void run(std::span<PacketCtx> pkts, std::span<Verdict> verdicts, Worker& w) noexcept override {
    const CompiledPolicy& pol = w.policy();
    const bool allow_list = !pol.source.topology.smf_peers.empty();
    for_each_live(pkts, verdicts, [&](PacketCtx& p, Verdict& v) {
      if (p.flow != Flow::kN4) return;
      ++w.counters().stage_packets[static_cast<size_t>(StageId::kN4)];
      const IpAddr& src = p.pkt.outer_ip.src;
      const IpAddr& dst = p.pkt.outer_ip.dst;
      if (allow_list && std::find(pol.n4_peers.begin(), pol.n4_peers.end(), src) == pol.n4_peers.end()) {
        if (w.report(p, v, Reason::kN4UnlistedPeer, Action::kDrop)) return;
      }
      const double pps = pol.source.rate_limits.pfcp_per_peer_pps;
      if (pps > 0) {
        auto& r = w.rates();
        if (!peer_allows(r.pfcp_peers, r.pfcp_overflow, w.counters().rate_table_full, src, p.ts_ns, pps,
                         pol.burst_seconds) &&
            w.report(p, v, Reason::kN4RateLimited, Action::kDrop)) {
          return;
        }
      }
      pfcp::DecodeStats stats;
      auto m = pfcp::decode_message(p.pkt.pfcp_bytes(), &stats);
      if (!m) {
        w.report(p, v, Reason::kPfcpMalformed, Action::kDrop);
        return;
      }
      bool dropped = false;
      if (stats.walk.ie_count > pol.source.limits.max_ies_per_message) {
        dropped = w.report(p, v, Reason::kN4TooManyIes, Action::kDrop);
      }
      if (!dropped) {
        const N4Outcome owner = w.n4().check_owner(*m, src, dst);
        if (owner == N4Outcome::kForeignPeer) dropped = w.report(p, v, Reason::kN4ForeignSeid, Action::kDrop);
        if (owner == N4Outcome::kUnknownSeid) w.report(p, v, Reason::kN4UnknownSeid, Action::kAlert);
      }
      if (!dropped && m->type() == pfcp::MsgType::kSessionEstablishmentRequest) {
        const auto peer = w.sessions().addresses().find(src);
        if (peer && w.sessions().sessions_of_peer(*peer) >= pol.source.limits.max_sessions_per_peer) {
          dropped = w.report(p, v, Reason::kN4PeerSessionCap, Action::kDrop);
        }
      }
      const auto r = w.n4().process(*m, src, dst, p.ts_ns, !dropped);
      if (r.session != kNoSession) p.session = r.session;
      if (r.outcome == N4Outcome::kTableFull) w.report(p, v, Reason::kN4TableFull, Action::kAlert);
      if (r.outcome == N4Outcome::kCollision) w.report(p, v, Reason::kN4Collision, Action::kAlert);
    });
  }
};

class SanityStage final : public Stage {
 public:
  StageId id() const override { return StageId::kSanity; }
  bool wants(const SegmentSummary& s) const noexcept override { return s.any(SegmentSummary::kGtpu); }
  void run(std::span<PacketCtx> pkts, std::span<Verdict> verdicts, Worker& w) noexcept override {
    const double echo_pps = w.policy().source.rate_limits.gtpu_echo_per_peer_pps;
    const double burst = w.policy().burst_seconds;
    for_each_live(pkts, verdicts, [&](PacketCtx& p, Verdict& v) {
      if (!is_gtpu(p)) return;
      ++w.counters().stage_packets[static_cast<size_t>(StageId::kSanity)];
      const auto& g = p.pkt.gtpu;
      const DecodeStatus s = p.pkt.status;
      if (gtpu_status(s)) {
        w.report(p, v, Reason::kGtpuMalformed, Action::kDrop);
      } else if (g.unknown_required_ext != 0) {
        w.report(p, v, Reason::kGtpuUnknownRequiredExt, Action::kDrop);
      } else if (!allowed(g.msg_type, p.flow)) {
        w.report(p, v, Reason::kGtpuMsgNotAllowed, Action::kDrop);
      } else if (g.msg_type == gtpu_msg::kGpdu && g.teid == 0) {
        w.report(p, v, Reason::kGtpuTeidZero, Action::kDrop);
      } else if (g.msg_type == gtpu_msg::kEchoRequest && echo_pps > 0 &&
                 !peer_allows(w.rates().echo_peers, w.rates().echo_overflow, w.counters().rate_table_full,
                              p.pkt.outer_ip.src, p.ts_ns, echo_pps, burst)) {
        w.report(p, v, Reason::kGtpuEchoRate, Action::kDrop);
      } else if (inner_status(s)) {
        w.report(p, v, Reason::kInnerMalformed, Action::kDrop);
      } else if (g.msg_type == gtpu_msg::kGpdu && p.pkt.inner_l4.proto == decode::kProtoUdp &&
                 (p.pkt.inner_l4.dport == 2152 || p.pkt.inner_l4.sport == 2152)) {
        w.report(p, v, Reason::kGtpInGtp, Action::kDrop);
      }
    });
  }

 private:
  static bool allowed(uint8_t type, Flow f) {
    switch (type) {
      case gtpu_msg::kGpdu:
      case gtpu_msg::kEchoRequest:
      case gtpu_msg::kEchoResponse:
      case gtpu_msg::kErrorIndication:
      case gtpu_msg::kSupportedExtHeadersNotification:
        return true;
      case gtpu_msg::kEndMarker:  // sent by the UPF toward the RAN (TS 29.281 7.3.2)
        return f != Flow::kUplink;
      default:
        return false;
    }
  }
};

class TeidStage final : public Stage {
 public:
  StageId id() const override { return StageId::kTeid; }
  bool wants(const SegmentSummary& s) const noexcept override { return s.any(SegmentSummary::kGtpu); }
  void run(std::span<PacketCtx> pkts, std::span<Verdict> verdicts, Worker& w) noexcept override {
    // Chunks of a pipeline batch: resolve tunnel endpoint ids and load the tunnel slots for
    // the whole chunk, then the records they name, then look up and judge; the misses of a
    // chunk overlap instead of following one another (LineBatch in page_array.h).
    for (size_t begin = 0; begin < pkts.size(); begin += Pipeline::kMaxBatch) {
      const size_t n = std::min(Pipeline::kMaxBatch, pkts.size() - begin);
      run_chunk(pkts.subspan(begin, n), verdicts.subspan(begin, n), w);
    }
  }

 private:
  static constexpr uint32_t kNoAddr = 0xFFFFFFFFu;

  static void run_chunk(std::span<PacketCtx> pkts, std::span<Verdict> verdicts, Worker& w) noexcept {
    auto& st = w.sessions();
    std::array<uint32_t, Pipeline::kMaxBatch> addr;  // Interner id, or kNoAddr
    std::array<SessionTable::TunnelProbe, Pipeline::kMaxBatch> probe;
    LineBatch lines;
    // Tunnels of a batch mostly end at one UPF address: look each distinct run up once.
    IpAddr last;
    uint32_t last_id = kNoAddr;
    bool have_last = false;
    for (size_t i = 0; i < pkts.size(); ++i) {
      const PacketCtx& p = pkts[i];
      addr[i] = kNoAddr;
      if (!is_gpdu(p) || done(verdicts[i])) continue;
      const IpAddr& dst = p.pkt.outer_ip.dst;
      if (!have_last || !(dst == last)) {
        const auto a = st.addresses().find(dst);
        last = dst;
        last_id = a ? *a : kNoAddr;
        have_last = true;
      }
      addr[i] = last_id;
      if (last_id == kNoAddr) continue;
      probe[i] = SessionTable::tunnel_probe(static_cast<uint16_t>(last_id), p.pkt.gtpu.teid, p.flow == Flow::kDownlink);
      st.fetch(probe[i], lines);
      // The inter-UE stage looks every uplink destination up among the UE addresses.
      if (p.flow != Flow::kDownlink && p.pkt.inner_ip.present()) st.fetch_ue(p.pkt.inner_ip.dst, lines);
    }
    lines.load();
    // The candidate session of each slot (the slot is in cache now): its record, which the
    // lookup below checks (a downlink packet's whole record, its rate buckets included), and
    // for an uplink packet the UE's state, which the rate and detect stages read.
    const CompiledPolicy& pol = w.policy();
    const bool ue_state = pol.modes[static_cast<size_t>(StageId::kRate)] != policy::StageMode::kOff ||
                          pol.modes[static_cast<size_t>(StageId::kDetect)] != policy::StageMode::kOff;
    std::array<SessionId, Pipeline::kMaxBatch> cand;
    for (size_t i = 0; i < pkts.size(); ++i) {
      cand[i] = kNoSession;
      if (addr[i] == kNoAddr) continue;
      cand[i] = st.candidate(probe[i]);
      if (cand[i] == kNoSession) continue;
      const bool up = !probe[i].downlink;
      st.fetch_session(cand[i], up, lines);
      if (ue_state && up) w.rates().fetch_ue(cand[i], lines);
    }
    lines.load();
    // Look up and judge.
    uint64_t examined = 0;
    for (size_t i = 0; i < pkts.size(); ++i) {
      PacketCtx& p = pkts[i];
      Verdict& v = verdicts[i];
      if (!is_gpdu(p) || done(v)) continue;
      ++examined;
      const SessionId id = addr[i] != kNoAddr ? st.find(probe[i], cand[i]) : kNoSession;
      if (id == kNoSession) {
        const bool stale = addr[i] != kNoAddr && p.flow != Flow::kDownlink &&
                           st.recently_deleted(static_cast<uint16_t>(addr[i]), p.pkt.gtpu.teid);
        w.report(p, v, stale ? Reason::kTeidStale : Reason::kTeidUnknown, Action::kDrop);
        continue;
      }
      p.session = id;
      p.ni = w.policy_ni_of(*st.get(id));
    }
    w.counters().stage_packets[static_cast<size_t>(StageId::kTeid)] += examined;
  }
};

class AntiSpoofStage final : public Stage {
 public:
  StageId id() const override { return StageId::kAntiSpoof; }
  bool wants(const SegmentSummary& s) const noexcept override { return s.any(SegmentSummary::kUser); }
  void run(std::span<PacketCtx> pkts, std::span<Verdict> verdicts, Worker& w) noexcept override {
    auto& st = w.sessions();
    for_each_live(pkts, verdicts, [&](PacketCtx& p, Verdict& v) {
      if (!p.user_traffic()) return;
      ++w.counters().stage_packets[static_cast<size_t>(StageId::kAntiSpoof)];
      const auto& ip = p.ip();
      if (p.flow == Flow::kN6Uplink || p.flow == Flow::kN6Downlink) {
        const IpAddr& ue = p.flow == Flow::kN6Uplink ? ip.src : ip.dst;
        const SessionId id = st.by_ue_any(ue);
        if (id == kNoSession) {
          w.report(p, v, p.flow == Flow::kN6Uplink ? Reason::kUeSrcSpoofed : Reason::kUeDstMismatch, Action::kDrop);
          return;
        }
        p.session = id;
        p.ni = w.policy_ni_of(*st.get(id));
        return;
      }
      if (p.session == kNoSession) return;  // TEID stage off or monitor-only
      if (p.flow == Flow::kUplink && !st.owns_address(p.session, ip.src)) {
        w.report(p, v, Reason::kUeSrcSpoofed, Action::kDrop);
      } else if (p.flow == Flow::kDownlink && !st.owns_address(p.session, ip.dst)) {
        w.report(p, v, Reason::kUeDstMismatch, Action::kDrop);
      }
    });
  }
};

// Quarantine (G12): a quarantined UE's traffic passes only to and from its allow-list.
// Runs after anti-spoofing, so the UE address is the session's own.
class QuarantineStage final : public Stage {
 public:
  StageId id() const override { return StageId::kQuarantine; }
  void run(std::span<PacketCtx> pkts, std::span<Verdict> verdicts, Worker& w) noexcept override {
    auto& q = w.quarantine();
    if (q.empty()) return;
    uint64_t examined = 0;
    for_each_live(pkts, verdicts, [&](PacketCtx& p, Verdict& v) {
      if (!p.user_traffic()) return;
      ++examined;
      const IpAddr* ue = p.ue_addr();
      if (!ue) return;
      const IpAddr& peer = p.uplink() ? p.ip().dst : p.ip().src;
      bool blocked = !q.allows(*ue, peer, p.ts_ns);
      // A dual-stack UE is quarantined by either of its addresses.
      const Session* s = blocked ? nullptr : w.sessions().get(p.session);
      if (s && (ue->is_v6() ? s->has_v4 : ue->is_v4() && s->has_v6)) {
        blocked = !q.allows(ue->is_v6() ? IpAddr::v4(s->ue_v4) : s->ue_v6_addr(), peer, p.ts_ns);
      }
      if (blocked) w.report(p, v, Reason::kQuarantined, Action::kDrop);
    });
    w.counters().stage_packets[static_cast<size_t>(StageId::kQuarantine)] += examined;
    for (const auto& e : q.take_expired()) w.quarantine_report(e, change_name(QuarantineChange::kExpired), pkts.empty() ? 0 : pkts.back().ts_ns);
  }
};

class InterUeStage final : public Stage {
 public:
  StageId id() const override { return StageId::kInterUe; }
  bool wants(const SegmentSummary& s) const noexcept override { return s.any(SegmentSummary::kUserUplink); }
  void run(std::span<PacketCtx> pkts, std::span<Verdict> verdicts, Worker& w) noexcept override {
    auto& st = w.sessions();
    const CompiledPolicy& pol = w.policy();
    for_each_live(pkts, verdicts, [&](PacketCtx& p, Verdict& v) {
      if (!p.user_traffic() || !p.uplink() || p.session == kNoSession) return;
      ++w.counters().stage_packets[static_cast<size_t>(StageId::kInterUe)];
      // Any UE on this UPF, whatever its network instance: the source's policy decides.
      const SessionId peer = st.by_ue_any(p.ip().dst);
      if (peer == kNoSession || peer == p.session) return;
      policy::InterUePolicy rule = p.ni < pol.ni_inter_ue.size() ? pol.ni_inter_ue[p.ni] : policy::InterUePolicy{};
      if (const auto* cls = pol.class_of_group(pol.group_of(p.ip().src)); cls && cls->inter_ue) rule = *cls->inter_ue;
      if (rule.action == policy::Action::kDeny) {
        w.report(p, v, Reason::kInterUeDenied, Action::kDrop);
      } else if (rule.action == policy::Action::kRedirect) {
        uint16_t gw = 0;
        for (size_t i = 0; i < pol.gateways.size(); ++i) {
          if (pol.gateways[i] == rule.gateway) gw = static_cast<uint16_t>(i);
        }
        w.report(p, v, Reason::kInterUeRedirected, Action::kRedirect, 0, gw);
      }
    });
  }
};

// The zone firewall runs twice: on transport (outer addresses of N4, GTP-U and plain IP)
// before N4, so that PFCP from a zone that may not reach the core never changes session
// state; and on user traffic (inner packets, N6) after anti-spoofing, so that a spoofed
// packet is reported as spoofed.
class ZoneStage final : public Stage {
 public:
  explicit ZoneStage(bool transport) : transport_(transport) {}
  StageId id() const override { return StageId::kZone; }
  void run(std::span<PacketCtx> pkts, std::span<Verdict> verdicts, Worker& w) noexcept override {
    const CompiledPolicy& pol = w.policy();
    // Transport addresses repeat from packet to packet (the tunnels of a batch run between a
    // few gNBs and the UPF): the answer for the previous pair is reused.
    IpAddr last_src, last_dst;
    bool last_tunnel = false;
    const CompiledPolicy::ZoneVerdict* last = nullptr;
    uint64_t examined = 0;
    for_each_live(pkts, verdicts, [&](PacketCtx& p, Verdict& v) {
      if (!p.pkt.outer_ip.present()) return;
      const bool user = p.user_traffic();
      if (transport_) {
        // GTP-U: RAN <-> core is the N3 interface itself and always allowed.
        if (user && !is_gtpu(p)) return;  // N6 plain IP is judged as user traffic
        ++examined;
        const IpAddr& src = p.pkt.outer_ip.src;
        const IpAddr& dst = p.pkt.outer_ip.dst;
        const bool tunnel = is_gtpu(p);
        if (!last || !(src == last_src) || !(dst == last_dst) || tunnel != last_tunnel) {
          last = verdict_of(pol, src, dst, tunnel);
          last_src = src;
          last_dst = dst;
          last_tunnel = tunnel;
        }
        if (last->action != Action::kPass) w.report(p, v, last->reason, last->action);
      } else if (user) {
        const auto* zv = verdict_of(pol, p.ip().src, p.ip().dst, false);
        if (zv->action != Action::kPass) w.report(p, v, zv->reason, zv->action);
      }
    });
    if (transport_) w.counters().stage_packets[static_cast<size_t>(StageId::kZone)] += examined;
  }

 private:
  bool transport_;

  // Unzoned addresses pass; otherwise the compiled matrix answers.
  static const CompiledPolicy::ZoneVerdict* verdict_of(const CompiledPolicy& pol, const IpAddr& src, const IpAddr& dst,
                                                       bool tunnel) {
    static const CompiledPolicy::ZoneVerdict kPass{};
    const auto& zs = pol.zones.lookup(src);
    if (!zs) return &kPass;
    const auto& zd = pol.zones.lookup(dst);
    if (!zd) return &kPass;
    return &pol.zone_verdict(*zs, *zd, tunnel);
  }
};

class AclStage final : public Stage {
 public:
  StageId id() const override { return StageId::kAcl; }
  bool wants(const SegmentSummary& s) const noexcept override { return s.any(SegmentSummary::kUser); }
  void run(std::span<PacketCtx> pkts, std::span<Verdict> verdicts, Worker& w) noexcept override {
    const CompiledPolicy& pol = w.policy();
    for_each_live(pkts, verdicts, [&](PacketCtx& p, Verdict& v) {
      if (!p.user_traffic()) return;
      ++w.counters().stage_packets[static_cast<size_t>(StageId::kAcl)];
      const auto& ip = p.ip();
      const auto& l4 = p.l4();
      AclKey k;
      k.src = ip.src;
      k.dst = ip.dst;
      k.proto = ip.proto;
      const bool icmp = ip.proto == decode::kProtoIcmp || ip.proto == decode::kProtoIcmpv6;
      k.sport = icmp ? l4.icmp_type : l4.sport;
      k.dport = icmp ? l4.icmp_code : l4.dport;
      k.direction = p.uplink() ? policy::Direction::kUplink : policy::Direction::kDownlink;
      k.interface = (p.flow == Flow::kN6Uplink || p.flow == Flow::kN6Downlink) ? policy::Interface::kN6
                    : p.on_n9                                                  ? policy::Interface::kN9
                                                                               : policy::Interface::kN3;
      k.network_instance = p.ni;
      k.ue_group = pol.group_of(*p.ue_addr());
      const int32_t rule = pol.acl.classify(k);
      if (rule != kNoRule) {
        const auto ri = static_cast<size_t>(rule);
        const auto& r = pol.source.acl[ri];
        if (r.action == policy::Action::kDeny) {
          w.report(p, v, Reason::kAclDenied, Action::kDrop, r.id);
          return;
        }
        if (r.action == policy::Action::kLog) w.report(p, v, Reason::kAclLogged, Action::kAlert, r.id);
        if (const int32_t slot = pol.acl_rate_slot[ri]; slot >= 0) {
          const auto si = static_cast<size_t>(slot);
          auto& rs = w.rates();
          if (rs.acl_policy != pol.id) {  // rule indexes are the policy's own: start afresh
            rs.acl_rule.assign(pol.acl_rates.size(), DualBucket{});
            rs.acl_policy = pol.id;
          }
          if (!rs.acl_rule[si].take(p.ts_ns, pol.acl_rates[si], pol.burst_seconds, ip.total_len)) {
            w.report(p, v, Reason::kRateAclRule, Action::kDrop, r.id);
          }
        }
        return;
      }
      const auto* cls = pol.class_of_group(k.ue_group);
      const auto def = cls ? cls->acl_default : pol.source.acl_default;
      if (def == policy::Action::kDeny) w.report(p, v, Reason::kAclDefaultDeny, Action::kDrop);
    });
  }
};

// Rate limits on user traffic (G9): per UE and direction (the UE's class thresholds or the
// policy default) and per network instance. A packet another stage dropped spends nothing.
class RateStage final : public Stage {
 public:
  StageId id() const override { return StageId::kRate; }
  bool wants(const SegmentSummary& s) const noexcept override { return s.any(SegmentSummary::kUser); }
  void run(std::span<PacketCtx> pkts, std::span<Verdict> verdicts, Worker& w) noexcept override {
    const CompiledPolicy& pol = w.policy();
    auto& rs = w.rates();
    // The TEID stage loaded the buckets of tunnelled packets; load those of N6 packets (their
    // sessions were found by anti-spoofing) before judging: uplink in the UE's state, downlink
    // in the session record.
    LineBatch lines;
    for (size_t i = 0; i < pkts.size(); ++i) {
      const PacketCtx& p = pkts[i];
      if (p.session == kNoSession || done(verdicts[i])) continue;
      if (p.flow == Flow::kN6Uplink) rs.fetch_ue(p.session, lines);
      else if (p.flow == Flow::kN6Downlink) w.sessions().fetch_session(p.session, false, lines);
    }
    lines.load();
    const bool groups = pol.ue_groups.size() != 0;
    const double burst_seconds = pol.burst_seconds;
    const size_t ni_count = std::min(pol.ni_rates.size(), rs.ni.size());
    uint64_t examined = 0;
    for_each_live(pkts, verdicts, [&](PacketCtx& p, Verdict& v) {
      if (!p.user_traffic() || p.session == kNoSession) return;
      ++examined;
      const bool up = p.uplink();
      const auto bytes = static_cast<uint32_t>(p.ip().total_len);
      const IpAddr* ue = p.ue_addr();
      const auto& rates = pol.ue_rates(groups && ue ? pol.group_of(*ue) : 0);
      const RateLimit& ue_limit = up ? rates.first : rates.second;
      if (ue_limit.any()) {
        DualBucket* b = nullptr;
        if (up) {
          UeState* u = rs.ue_slot(p.session);
          if (u) b = &u->uplink;
          else ++w.counters().rate_table_full;
        } else if (Session* s = w.sessions().get(p.session)) {
          b = &s->downlink_rate;
        }
        if (b && !b->take(p.ts_ns, ue_limit, burst_seconds, bytes)) {
          if (w.report(p, v, up ? Reason::kRateUeUplink : Reason::kRateUeDownlink, Action::kDrop)) return;
        }
      }
      if (p.ni < ni_count) {
        const RateLimit& ni_limit = up ? pol.ni_rates[p.ni].first : pol.ni_rates[p.ni].second;
        auto& nb = up ? rs.ni[p.ni].first : rs.ni[p.ni].second;
        if (ni_limit.any() && !nb.take(p.ts_ns, ni_limit, burst_seconds, bytes)) {
          w.report(p, v, Reason::kRateNetworkInstance, Action::kDrop);
        }
      }
    });
    w.counters().stage_packets[static_cast<size_t>(StageId::kRate)] += examined;
  }
};

}  // namespace

std::vector<std::unique_ptr<Stage>> make_stages(const CompiledPolicy& policy) {
  std::vector<std::unique_ptr<Stage>> out;
  auto add = [&](std::unique_ptr<Stage> s) {
    if (policy.modes[static_cast<size_t>(s->id())] != policy::StageMode::kOff) out.push_back(std::move(s));
  };
  add(std::make_unique<DecodeStage>());
  add(std::make_unique<SanityStage>());
  add(std::make_unique<ZoneStage>(/*transport=*/true));
  add(std::make_unique<N4Stage>());
  add(std::make_unique<TeidStage>());
  add(std::make_unique<AntiSpoofStage>());
  add(std::make_unique<QuarantineStage>());
  add(std::make_unique<InterUeStage>());
  add(std::make_unique<ZoneStage>(/*transport=*/false));
  add(std::make_unique<AclStage>());
  add(std::make_unique<RateStage>());
  add(make_detect_stage());
  return out;
}

}  // namespace mecguard::guard
