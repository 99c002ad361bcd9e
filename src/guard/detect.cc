#include "guard/detect.h"

#include <algorithm>
#include <bit>
#include <cmath>

#include "pfcp/message.h"

namespace mecguard::guard {

namespace {

// Active windows a UE's profile learns from before behaviour change is judged.
constexpr uint8_t kLearnWindows = 4;

uint64_t bucket(uint64_t x) { return uint64_t{1} << (mix64(x) & 63); }
uint8_t proto_bit(uint8_t proto) {
  switch (proto) {
    case decode::kProtoTcp: return 1;
    case decode::kProtoUdp: return 2;
    case decode::kProtoIcmp:
    case decode::kProtoIcmpv6: return 4;
    default: return 8;
  }
}
// New buckets in this window that the learned profile never saw; a new protocol weighs 4.
double profile_divergence(const UeDetect& u, const UeProfile& prof) {
  return std::popcount(u.cur_ports & ~prof.ports) + std::popcount(u.cur_hosts & ~prof.hosts) +
         4 * std::popcount(static_cast<unsigned>(u.cur_protos & ~u.prof_protos));
}
// Who a detection names when it is not the packet's own UE: an N4 frame's session (churn)
// or its peer (storm).
struct Subject {
  const IpAddr* ue = nullptr;
  const IpAddr* src = nullptr;
  uint64_t up_seid = 0;
};

bool not_the_ues(const Verdict& v) {
  if (v.action != Action::kDrop && v.action != Action::kRedirect) return false;
  switch (reason_stage(v.reason)) {
    case StageId::kDecode:
    case StageId::kN4:
    case StageId::kSanity:
    case StageId::kTeid:
    case StageId::kAntiSpoof:
      return true;
    default:
      return false;
  }
}

// The bit of UeDetect::fired for a per-UE detection (the reasons from kDetectSynFlood to
// kDetectBehaviourChange; the churn and storm detections keep their own flags).
constexpr uint16_t fired_bit(Reason r) {
  const auto i = static_cast<uint32_t>(r) - static_cast<uint32_t>(Reason::kDetectSynFlood);
  return static_cast<uint16_t>(1u << (i & 15));
}
static_assert(static_cast<uint32_t>(Reason::kDetectBehaviourChange) - static_cast<uint32_t>(Reason::kDetectSynFlood) < 16,
              "the per-UE detections fit UeDetect::fired");

// The churn key of a session's UE address (its IPv4 address, or else its IPv6 prefix, within
// its network instance) and that address; false when the session has none.
bool churn_key(const Session& s, ChurnKey& key, IpAddr& ue) {
  if (s.has_v4) {
    key.hi = (uint64_t{4} << 48) | (uint64_t{s.network_instance} << 32) | s.ue_v4;
    ue = IpAddr::v4(s.ue_v4);
  } else if (s.has_v6) {
    key.hi = (uint64_t{6} << 48) | (uint64_t{s.network_instance} << 32);
    key.lo = s.ue_v6;
    ue = s.ue_v6_addr();
  } else {
    return false;
  }
  return true;
}

// Whether the record notes its establishment in the detector's current epoch.
bool stamped(const DetectState& st, const Session& s) {
  return s.churn_ms != 0 && s.churn_epoch == st.churn_epoch_serial;
}

// The entry a noted establishment stands for: what the detector would have entered for it.
UeChurn from_stamp(const Session& s) { return UeChurn{s.churn_ms, s.churn_ms, 1, false}; }

// A new entry in the current table for an address that has none there, holding `fresh` (carried
// over from the older table, made from the session record's note, or empty); the older table's
// entry, if any, goes. nullptr (counted) when the table is full.
UeChurn* entry(DetectState& st, uint64_t hkey, const UeChurn& fresh) {
  UeChurn* u = st.churn[st.churn_cur].find_or_insert(hkey, fresh);
  if (!u) {
    ++st.churn_overflow;
    return nullptr;
  }
  st.churn[st.churn_cur ^ 1].erase(hkey);  // the other table: `u` stays where it is
  return u;
}

class DetectStage final : public Stage {
 public:
  StageId id() const override { return StageId::kDetect; }
  bool wants(const SegmentSummary& s) const noexcept override {
    return s.any(flow_bit(Flow::kN4) | flow_bit(Flow::kUplink));
  }

  void run(std::span<PacketCtx> pkts, std::span<Verdict> verdicts, Worker& w) noexcept override {
    const CompiledPolicy& pol = w.policy();
    const auto& d = pol.source.detection;
    const auto window = static_cast<uint64_t>(d.window_seconds * 1e9);
    DetectState& st = w.detect();
    // The TEID stage fetched each packet's session record and detector state for this batch.
    for (size_t i = 0; i < pkts.size(); ++i) {
      PacketCtx& p = pkts[i];
      Verdict& v = verdicts[i];
      if (p.flow == Flow::kN4) {
        churn(w, p, v, st);
        continue;
      }
      // Uplink user traffic of a known session only; the N6 copy of an N3 packet is the same
      // packet, so only N3 counts when the flow is tunnelled.
      if (p.session == kNoSession || p.flow != Flow::kUplink || !p.user_traffic()) continue;
      // A packet dropped as not the UE's own (spoofed source, unknown or stale tunnel,
      // malformed) says nothing about the UE; one dropped by policy (ACL, rate, quarantine,
      // zone, inter-UE) is still the UE's behaviour.
      if (not_the_ues(v)) continue;
      ++w.counters().stage_packets[static_cast<size_t>(StageId::kDetect)];
      const auto& ip = p.ip();
      const auto& l4 = p.l4();
      // Without security classes every UE has the default thresholds: no prefix lookup.
      const auto& th = pol.class_detect.empty() ? pol.detect_default : pol.detect_thresholds(pol.group_of(ip.src));

      UeState* state = st.ue.get(p.session);
      if (!state) continue;
      UeDetect* u = &state->detect;
      UeProfile& prof = state->profile;
      if (!(u->live & UeDetect::kLive)) {
        u->live = UeDetect::kLive;
        u->window_start = p.ts_ns;
      }
      if (p.ts_ns >= u->window_start + window) roll(*u, prof, p.ts_ns, window, th.behaviour_change / 4);

      const bool syn = ip.proto == decode::kProtoTcp && (l4.tcp_flags & decode::tcp_flag::kSyn) &&
                       !(l4.tcp_flags & decode::tcp_flag::kAck);
      const bool udp = ip.proto == decode::kProtoUdp;
      const bool icmp = ip.proto == decode::kProtoIcmp || ip.proto == decode::kProtoIcmpv6;
      ++u->pkts;
      u->syn += syn;
      u->udp += udp;
      u->icmp += icmp;
      const size_t dst_hash = IpAddrHash{}(ip.dst);
      if (syn || udp) {
        const bool grew = u->ports.add(dst_hash * 65537 + l4.dport);
        if (u->hosts.add(dst_hash) || grew) u->live |= UeDetect::kSketchDirty;
      }
      const uint16_t service = icmp ? l4.icmp_type : l4.dport;
      const uint64_t port_bit = bucket((uint64_t{ip.proto} << 16) | service);
      const uint64_t host_bit = bucket(dst_hash);
      const uint8_t proto = proto_bit(ip.proto);
      // The divergence from the profile grows only when this window gains a bucket.
      const bool new_bucket = !(u->cur_ports & port_bit) || !(u->cur_hosts & host_bit) || !(u->cur_protos & proto);
      u->cur_ports |= port_bit;
      u->cur_hosts |= host_bit;
      u->cur_protos |= proto;
      if (new_bucket && u->active_windows >= kLearnWindows) {
        check(w, p, v, *u, Reason::kDetectBehaviourChange, "new_profile_buckets", profile_divergence(*u, prof),
              th.behaviour_change, window);
      }
      // Each rate can only have crossed its threshold when its own counter moved.
      const double secs = d.window_seconds;
      if (syn && may_exceed_rate(u->syn, secs, th.syn_rate)) {
        check(w, p, v, *u, Reason::kDetectSynFlood, "syn_per_s", u->syn / secs, th.syn_rate, window);
      }
      if (udp && may_exceed_rate(u->udp, secs, th.udp_rate)) {
        check(w, p, v, *u, Reason::kDetectUdpFlood, "udp_per_s", u->udp / secs, th.udp_rate, window);
      }
      if (icmp && may_exceed_rate(u->icmp, secs, th.icmp_rate)) {
        check(w, p, v, *u, Reason::kDetectIcmpFlood, "icmp_per_s", u->icmp / secs, th.icmp_rate, window);
      }
      if ((syn || udp) && (u->live & UeDetect::kSketchDirty)) {
        // Estimates only when a check could fire: a sketch grew since the last estimate (an
        // estimate depends on the registers alone), the check has not fired this window, and
        // enough items were added (every SYN or UDP packet adds one to each sketch) to possibly
        // pass the threshold.
        const uint32_t adds = u->syn + u->udp;
        const bool ports_open = may_fire(*u, Reason::kDetectPortScan, th.scan_distinct_ports, adds);
        const bool hosts_open = may_fire(*u, Reason::kDetectHostScan, th.scan_distinct_hosts, adds);
        if (ports_open || hosts_open) {
          u->live &= static_cast<uint8_t>(~UeDetect::kSketchDirty);
          const double hosts = u->hosts.estimate();
          // Many ports on few hosts: vertical; many hosts: horizontal.
          if (hosts < 4 && ports_open) {
            check(w, p, v, *u, Reason::kDetectPortScan, "distinct_ports", u->ports.estimate(), th.scan_distinct_ports,
                  window);
          }
          if (hosts_open) check(w, p, v, *u, Reason::kDetectHostScan, "distinct_hosts", hosts, th.scan_distinct_hosts, window);
        }
      }
      // mean + 25 bounds the limit from below (sigma >= 0): the square root only when near it.
      if (u->windows >= UeDetect::kBaselineWindows && (th.anomaly_sigma < 0 || static_cast<float>(u->pkts) > u->mean + 25)) {
        // The slack keeps a UE that was idle for a while from flagging on its first burst.
        const double limit = u->mean + th.anomaly_sigma * std::sqrt(u->var) + 25;
        check(w, p, v, *u, Reason::kDetectVolumeAnomaly, "pkts_per_window", u->pkts, limit, window);
      }
      if (syn || udp) convergence(w, p, v, st, *u, syn, dst_hash, window, d);
    }
  }

 private:
  // Closes the UE's window: the baseline learns from it, the counters restart.
  // `absorb`: after learning, a window widens the profile only when it diverged by at most
  // this much (a new server now and then is absorbed; a change that stays below the threshold
  // in its first, partial window still adds up in the next one instead of being learned).
  static void roll(UeDetect& u, UeProfile& prof, uint64_t now, uint64_t window, double absorb) {
    const bool learning = u.active_windows < kLearnWindows;
    if (u.pkts > 0 && (learning || profile_divergence(u, prof) <= absorb)) {
      prof.ports |= u.cur_ports;
      prof.hosts |= u.cur_hosts;
      u.prof_protos |= u.cur_protos;
      if (u.active_windows < 255) ++u.active_windows;
    }
    u.cur_ports = u.cur_hosts = 0;
    u.cur_protos = 0;
    const auto x = static_cast<float>(u.pkts);
    if (u.windows == 0) {
      u.mean = x;
    } else {
      const float diff = x - u.mean;
      u.mean += 0.1f * diff;
      u.var = 0.9f * (u.var + 0.1f * diff * diff);
    }
    if (u.windows < UeDetect::kBaselineWindows) ++u.windows;
    // Windows with no packets between: count them in as zeros (bounded catch-up).
    const uint64_t idle = (now - u.window_start) / window;
    for (uint64_t k = 1; k < idle && k < 16; ++k) u.mean *= 0.9f;
    if (idle > 1) {
      const uint64_t zeros = std::min<uint64_t>(idle - 1, 15);
      u.windows = static_cast<uint8_t>(std::min<uint64_t>(u.windows + zeros, UeDetect::kBaselineWindows));
    }
    u.window_start = now - (now - u.window_start) % window;
    u.pkts = u.syn = u.udp = u.icmp = 0;
    u.fired = 0;
    u.ports.clear();
    u.hosts.clear();
  }

  // False only when count / seconds <= threshold for sure: a product instead of a division on
  // every packet, the exact quotient left to the check when it may pass (the margin covers the
  // rounding of both).
  static bool may_exceed_rate(uint32_t count, double seconds, double threshold) {
    return static_cast<double>(count) > threshold * seconds * (1 - 1e-9);
  }

  // Whether check() on a distinct count sketched from `adds` items could fire.
  static bool may_fire(const UeDetect& u, Reason r, double threshold, uint32_t adds) {
    return threshold > 0 && !(u.fired & fired_bit(r)) && Hll32::can_exceed(adds, threshold);
  }

  // Fires once per UE, reason and window when value exceeds threshold.
  static void check(Worker& w, PacketCtx& p, Verdict& v, UeDetect& u, Reason r, std::string_view measure,
                    double value, double threshold, uint64_t window) {
    if (threshold <= 0 || value <= threshold) return;
    const uint16_t bit = fired_bit(r);
    if (u.fired & bit) return;
    u.fired = static_cast<uint16_t>(u.fired | bit);
    detected(w, p, v, r, measure, value, threshold, window);
  }

  static void detected(Worker& w, PacketCtx& p, Verdict& v, Reason r, std::string_view measure, double value,
                       double threshold, uint64_t window, const Subject& who = Subject{}) {
    w.report(p, v, r, Action::kAlert);
    auto& events = w.events();
    if (!events.empty() && events.back().reason == r && events.back().frame == p.frame) {
      Event& e = events.back();
      e.measure = measure;
      e.value = value;
      e.threshold = threshold;
      e.window_ns = window;
      if (who.ue) e.ue = *who.ue;
      if (who.src) e.src = *who.src;
      if (who.up_seid) e.up_seid = who.up_seid;
    }
    const auto& d = w.policy().source.detection;
    const IpAddr* ue = who.ue ? who.ue : who.src ? nullptr : p.ue_addr();
    if (d.quarantine && ue && !w.quarantine().find(*ue, p.ts_ns)) {
      QuarantineEntry q;
      q.ue = *ue;
      q.since_ns = p.ts_ns;
      q.expires_ns = p.ts_ns + static_cast<uint64_t>(d.quarantine_seconds * 1e9);
      q.reason = std::string(reason_name(r));
      q.by = "detect";
      w.quarantine_add(q, p.ts_ns);
    }
  }

  // Session churn (signalling storms). Runs on an N4 frame right after the N4 stage, whose
  // tracker result it reads: an accepted establishment, modification or deletion counts for
  // the session's UE address (new SEIDs each time, so the key is the address within the
  // network instance); an establishment for an address that had one within the churn window
  // is a re-establishment, counted per SMF peer.
  static void churn(Worker& w, PacketCtx& p, Verdict& v, DetectState& st) {
    const N4Tracker& n4 = w.n4();
    if (n4.processed() == st.n4_seen) return;  // the N4 stage did not pass it to the tracker
    st.n4_seen = n4.processed();
    const N4Result& r = n4.last_result();
    if (!r.has_subject) return;
    using pfcp::MsgType;
    const bool changed = r.outcome == N4Outcome::kSessionCreated || r.outcome == N4Outcome::kSessionModified ||
                         r.outcome == N4Outcome::kCollision;
    const bool est = changed && r.msg_type == static_cast<uint8_t>(MsgType::kSessionEstablishmentResponse);
    const bool mod = changed && r.msg_type == static_cast<uint8_t>(MsgType::kSessionModificationResponse);
    const bool del = r.outcome == N4Outcome::kSessionDeleted;
    if (!est && !mod && !del) return;
    const Session& s = r.subject;
    ChurnKey key;
    IpAddr ue;
    if (!churn_key(s, key, ue)) return;
    ++w.counters().stage_packets[static_cast<size_t>(StageId::kDetect)];
    const CompiledPolicy& pol = w.policy();
    const auto& d = pol.source.detection;
    const auto cw = static_cast<uint64_t>(d.churn_window_seconds * 1e9);
    const uint64_t now = p.ts_ns;
    // Times in ms since the epoch; past 2^32 ms (49 days) the epoch moves on and the churn
    // tables start afresh (and the records' stamps of the old epoch are void).
    if (st.churn_epoch_ns == 0 || (now > st.churn_epoch_ns && now - st.churn_epoch_ns >= (uint64_t{1} << 32) * 1'000'000)) {
      if (st.churn_epoch_ns != 0 && ++st.churn_epoch_serial == 0) st.churn_epoch_serial = 1;
      st.churn_epoch_ns = now > 1'000'000 ? now - 1'000'000 : 1;
      st.churn[0].clear();
      st.churn[1].clear();
      st.churn_gen_start = now;
    }
    const auto now_ms = now > st.churn_epoch_ns ? static_cast<uint32_t>((now - st.churn_epoch_ns) / 1'000'000) : 0u;
    const auto cw_ms = static_cast<uint32_t>(std::min<uint64_t>(cw / 1'000'000, 0xFFFFFFFFu));
    st.churn_last_ms = now_ms;
    st.churn_window_ms = cw_ms;
    if (now >= st.churn_gen_start + cw) {
      st.churn_cur ^= 1;
      st.churn[st.churn_cur].clear();
      st.churn_gen_start = now;
    }
    const auto& th = pol.detect_thresholds(pol.group_of(ue));
    const uint64_t hkey = key.hash();
    UeChurn* u = st.churn[st.churn_cur].find(hkey);
    if (!u) {
      const UeChurn* older = st.churn[st.churn_cur ^ 1].find(hkey);
      const bool noted = stamped(st, s);
      // The address's first event in the window is an establishment that fires nothing (one
      // event): the session record notes it instead of a new entry. An entry made later from
      // the note (below, or when the session leaves the table) holds what this one would have.
      const bool one_event_fires = th.session_churn > 0 && 1 > th.session_churn;
      Session* live = est && !older && !noted && now_ms != 0 && !one_event_fires ? w.sessions().get(r.session)
                                                                                 : nullptr;
      if (live) {
        live->churn_ms = now_ms;
        live->churn_epoch = st.churn_epoch_serial;
        return;
      }
      u = entry(st, hkey, older ? *older : noted ? from_stamp(s) : UeChurn{});
      if (!u) return;
    }
    if (u->events == 0 || (now_ms >= u->window_start_ms && now_ms - u->window_start_ms >= cw_ms)) {
      u->window_start_ms = now_ms;
      u->events = 0;
      u->fired = false;
    }
    const bool reestablish = est && u->last_establish_ms != 0 && now_ms - u->last_establish_ms < cw_ms;
    if (est) u->last_establish_ms = now_ms;
    if (u->events < 0xFFFF) ++u->events;
    if (th.session_churn > 0 && u->events > th.session_churn && !u->fired) {
      u->fired = true;
      Subject who;
      who.ue = &ue;
      who.up_seid = s.up_seid;
      detected(w, p, v, Reason::kDetectSessionChurn, "session_events_per_window", u->events, th.session_churn, cw,
               who);
    }
    if (!reestablish) return;
    const auto window = static_cast<uint64_t>(d.window_seconds * 1e9);
    PeerChurn* pc = st.peers.find_or_insert(s.peer, PeerChurn{now, 0, false});
    if (!pc) return;
    if (now >= pc->window_start + window) *pc = PeerChurn{now, 0, false};
    ++pc->reestablish;
    const double rate = pc->reestablish / d.window_seconds;
    if (rate > d.peer_session_rate && !pc->fired) {
      pc->fired = true;
      const IpAddr peer = w.sessions().addresses().at(s.peer);
      Subject who;
      who.src = &peer;
      detected(w, p, v, Reason::kDetectSignallingStorm, "reestablish_per_s", rate, d.peer_session_rate, window,
               who);
    }
  }

  // DDoS: per destination this window, SYN/UDP counts and distinct source UEs. A destination
  // past both thresholds is flagged for a few windows; every UE still sending to it is
  // reported (once per window).
  static void convergence(Worker& w, PacketCtx& p, Verdict& v, DetectState& st, UeDetect& u, bool syn,
                          uint64_t dst, uint64_t window, const policy::Detection& d) {
    if (p.ts_ns >= st.dst_window_start + window) {
      st.dst.clear();
      st.dst_window_start = p.ts_ns;
    }
    DstDetect* t = st.dst.find_or_insert(dst);
    if (!t) {
      ++st.dst_overflow;
    } else {
      (syn ? t->syn : t->udp) += 1;
      t->sources.add(p.session);
      const uint32_t most = std::max(t->syn, t->udp);
      if (!t->flagged && may_exceed_rate(most, d.window_seconds, d.ddos_pps) && most / d.window_seconds > d.ddos_pps &&
          t->sources.estimate() >= d.ddos_sources) {
        t->flagged = true;
        const uint64_t until = p.ts_ns + 5 * window;
        if (st.flagged.insert_or_assign(dst, until) == InsertResult::kFull) ++st.dst_overflow;
      }
    }
    if (st.flagged.size() == 0) return;
    if (const uint64_t* until = st.flagged.find(dst)) {
      if (p.ts_ns > *until) {
        st.flagged.erase(dst);
        return;
      }
      // A UE takes part when it bursts SYNs or UDP at the target, not with one connection.
      if (u.syn + u.udp < 5) return;
      check(w, p, v, u, Reason::kDetectDdosTarget, "sources_to_destination", t ? t->sources.estimate() : d.ddos_sources,
            d.ddos_sources, window);
    }
  }
};

}  // namespace

std::unique_ptr<Stage> make_detect_stage() { return std::make_unique<DetectStage>(); }

void keep_churn_history(void* detect_state, const Session& s) {
  auto& st = *static_cast<DetectState*>(detect_state);
  // A note older than the churn window stands for an entry the tables would have aged out.
  if (!stamped(st, s) || st.churn_last_ms - s.churn_ms >= st.churn_window_ms) return;
  ChurnKey key;
  IpAddr ue;
  if (!churn_key(s, key, ue)) return;
  const uint64_t hkey = key.hash();
  if (st.churn[0].find(hkey) || st.churn[1].find(hkey)) return;  // the entry has the history
  entry(st, hkey, from_stamp(s));
}

}  // namespace mecguard::guard
