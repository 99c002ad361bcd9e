#include "guard/detect.h"

#include <cmath>

namespace mecguard::guard {

namespace {

class DetectStage final : public Stage {
 public:
  StageId id() const override { return StageId::kDetect; }

  void run(std::span<PacketCtx> pkts, std::span<Verdict> verdicts, Worker& w) noexcept override {
    const CompiledPolicy& pol = w.policy();
    const auto& d = pol.source.detection;
    const auto window = static_cast<uint64_t>(d.window_seconds * 1e9);
    DetectState& st = w.detect();
    for (size_t i = 0; i < pkts.size(); ++i) {
      PacketCtx& p = pkts[i];
      Verdict& v = verdicts[i];
      // Uplink user traffic of a known session only; the N6 copy of an N3 packet is the same
      // packet, so only N3 counts when the flow is tunnelled.
      if (p.session == kNoSession || p.flow != Flow::kUplink || !p.user_traffic()) continue;
      ++w.counters().stage_packets[static_cast<size_t>(StageId::kDetect)];
      const Session* s = w.sessions().get(p.session);
      const auto& ip = p.ip();
      const auto& l4 = p.l4();
      const auto& th = pol.detect_thresholds(pol.group_of(ip.src));

      UeDetect* u = st.ue.find(p.session);
      if (!u) {
        if (st.ue.insert_or_assign(p.session, UeDetect{}) == InsertResult::kFull) continue;
        u = st.ue.find(p.session);
        u->serial = ~s->serial;  // force the reset below
      }
      if (u->serial != s->serial) {
        *u = UeDetect{};
        u->serial = s->serial;
        u->window_start = p.ts_ns;
      }
      if (p.ts_ns >= u->window_start + window) roll(*u, p.ts_ns, window);

      const bool syn = ip.proto == decode::kProtoTcp && (l4.tcp_flags & decode::tcp_flag::kSyn) &&
                       !(l4.tcp_flags & decode::tcp_flag::kAck);
      const bool udp = ip.proto == decode::kProtoUdp;
      const bool icmp = ip.proto == decode::kProtoIcmp || ip.proto == decode::kProtoIcmpv6;
      ++u->pkts;
      u->syn += syn;
      u->udp += udp;
      u->icmp += icmp;
      if (syn || udp) {
        u->ports.add(IpAddrHash{}(ip.dst) * 65537 + l4.dport);
        u->hosts.add(IpAddrHash{}(ip.dst));
      }
      const double secs = d.window_seconds;
      check(w, p, v, *u, Reason::kDetectSynFlood, "syn_per_s", u->syn / secs, th.syn_rate, window);
      check(w, p, v, *u, Reason::kDetectUdpFlood, "udp_per_s", u->udp / secs, th.udp_rate, window);
      check(w, p, v, *u, Reason::kDetectIcmpFlood, "icmp_per_s", u->icmp / secs, th.icmp_rate, window);
      if (syn || udp) {
        const double hosts = u->hosts.estimate();
        const double ports = u->ports.estimate();
        // Many ports on few hosts: vertical; many hosts: horizontal.
        if (hosts < 4) check(w, p, v, *u, Reason::kDetectPortScan, "distinct_ports", ports, th.scan_distinct_ports, window);
        check(w, p, v, *u, Reason::kDetectHostScan, "distinct_hosts", hosts, th.scan_distinct_hosts, window);
      }
      if (u->windows >= 10) {
        // The slack keeps a UE that was idle for a while from flagging on its first burst.
        const double limit = u->mean + th.anomaly_sigma * std::sqrt(u->var) + 25;
        check(w, p, v, *u, Reason::kDetectVolumeAnomaly, "pkts_per_window", u->pkts, limit, window);
      }
      if (syn || udp) convergence(w, p, v, st, *u, syn, window, d);
    }
  }

 private:
  // Closes the UE's window: the baseline learns from it, the counters restart.
  static void roll(UeDetect& u, uint64_t now, uint64_t window) {
    const auto x = static_cast<float>(u.pkts);
    if (u.windows == 0) {
      u.mean = x;
    } else {
      const float diff = x - u.mean;
      u.mean += 0.1f * diff;
      u.var = 0.9f * (u.var + 0.1f * diff * diff);
    }
    ++u.windows;
    // Windows with no packets between: count them in as zeros (bounded catch-up).
    const uint64_t idle = (now - u.window_start) / window;
    for (uint64_t k = 1; k < idle && k < 16; ++k) {
      u.mean *= 0.9f;
      ++u.windows;
    }
    u.window_start = now - (now - u.window_start) % window;
    u.pkts = u.syn = u.udp = u.icmp = 0;
    u.fired = 0;
    u.ports.clear();
    u.hosts.clear();
  }

  // Fires once per UE, reason and window when value exceeds threshold.
  static void check(Worker& w, PacketCtx& p, Verdict& v, UeDetect& u, Reason r, std::string_view measure,
                    double value, double threshold, uint64_t window) {
    if (threshold <= 0 || value <= threshold) return;
    const uint32_t bit = 1u << (static_cast<uint32_t>(r) % 32);
    if (u.fired & bit) return;
    u.fired |= bit;
    detected(w, p, v, r, measure, value, threshold, window);
  }

  static void detected(Worker& w, PacketCtx& p, Verdict& v, Reason r, std::string_view measure, double value,
                       double threshold, uint64_t window) {
    w.report(p, v, r, Action::kAlert);
    auto& events = w.events();
    if (!events.empty() && events.back().reason == r && events.back().frame == p.frame) {
      events.back().measure = measure;
      events.back().value = value;
      events.back().threshold = threshold;
      events.back().window_ns = window;
    }
    const auto& d = w.policy().source.detection;
    const IpAddr* ue = p.ue_addr();
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

  // DDoS: per destination this window, SYN/UDP counts and distinct source UEs. A destination
  // past both thresholds is flagged for a few windows; every UE still sending to it is
  // reported (once per window).
  static void convergence(Worker& w, PacketCtx& p, Verdict& v, DetectState& st, UeDetect& u, bool syn,
                          uint64_t window, const policy::Detection& d) {
    const IpAddr& dst = p.ip().dst;
    if (p.ts_ns >= st.dst_window_start + window) {
      st.dst.clear();
      st.dst_window_start = p.ts_ns;
    }
    DstDetect* t = st.dst.find(dst);
    if (!t) {
      if (st.dst.insert_or_assign(dst, DstDetect{}) == InsertResult::kFull) {
        ++st.dst_overflow;
      }
      t = st.dst.find(dst);
    }
    if (t) {
      (syn ? t->syn : t->udp) += 1;
      t->sources.add(p.session);
      const double pps = std::max(t->syn, t->udp) / d.window_seconds;
      const double sources = t->sources.estimate();
      if (!t->flagged && pps > d.ddos_pps && sources >= d.ddos_sources) {
        t->flagged = true;
        const uint64_t until = p.ts_ns + 5 * window;
        if (st.flagged.insert_or_assign(dst, until) == InsertResult::kFull) ++st.dst_overflow;
      }
    }
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

}  // namespace mecguard::guard
