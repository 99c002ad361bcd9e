// N4 traffic: the benign PFCP life of every session and the PFCP attacks. Requests from
// each SMF are numbered in time order (one sequence space per SMF, another for the UPF's
// own heartbeats); every response copies its request's sequence number and carries the
// peer's SEID in the header.
#include <algorithm>

#include "gen/flows.h"
#include "pfcp/build.h"

namespace mecguard::gen {

namespace {

constexpr int64_t kMs = 1'000'000;

enum class TxnKind : uint8_t {
  kAssociation,
  kHeartbeatFromSmf,
  kHeartbeatFromUpf,
  kEstablish,
  kModify,
  kDelete,
};

struct Txn {
  int64_t t;
  uint16_t smf;
  TxnKind kind;
  uint32_t ue;  // for session kinds
};

Label label_for(const Ue* ue, uint8_t cls) {
  Label l;
  l.cls = cls;
  if (ue != nullptr) {
    l.ue = static_cast<int32_t>(ue->index);
    l.has_seid = true;
    l.seid = ue->up_seid;
  }
  return l;
}

pfcp::UeSessionSpec session_spec(const Scenario& sc, const Ue& ue) {
  const auto& smf = sc.net.smf[ue.smf];
  pfcp::UeSessionSpec s;
  s.cp_seid = ue.cp_seid;
  s.cp_addr = smf.addr;
  s.cp_node = pfcp::NodeId::from_ip(smf.addr);
  s.ue_addr = ue.has_v4() ? ue.v4 : ue.v6_prefix.addr;
  s.choose_teid = ue.upf_fteid;
  s.ul_teid = ue.upf_fteid ? 0 : ue.ul_teid;
  s.upf_n3_addr = sc.net.upf_n3.addr;
  s.gnb_teid = ue.dl_teid;
  s.gnb_addr = sc.net.gnb[ue.gnb].addr;
  s.dnn = sc.net.dnns[ue.dnn].name;
  return s;
}

// The establishment request, with the UE's IPv6 /64 added to each UE IP Address.
pfcp::Message establishment_request(const Scenario& sc, const Ue& ue, uint32_t seq) {
  auto m = pfcp::session_establishment_request(seq, session_spec(sc, ue));
  for (auto& qer : m.create_qers) qer.qfi = sc.ues.qfi;
  if (ue.has_v6()) {
    for (auto& pdr : m.create_pdrs) {
      for (auto& ip : pdr.pdi.ue_ips) {
        ip.ipv6 = ue.v6_prefix.addr;
        ip.ipv6_prefix_length = 64;
      }
    }
  }
  return m;
}

class PfcpFlows {
 public:
  explicit PfcpFlows(Emitter& em)
      : em_(em), sc_(em.scenario()), topo_(em.topology()), rng_(sc_.seed, "pfcp") {}

  void benign();
  void unlisted_peer();
  void hijack();

 private:
  int64_t response_delay() { return 300'000 + static_cast<int64_t>(rng_.below(1'200'000)); }
  const Node& smf(uint16_t i) const { return sc_.net.smf[i]; }
  Node attacker_node(const std::optional<IpAddr>& configured, bool prefer_listed_other);

  Emitter& em_;
  const Scenario& sc_;
  const Topology& topo_;
  Prng rng_;
};

void PfcpFlows::benign() {
  std::vector<Txn> txns;
  const int64_t end = sc_.duration_ns;
  const auto nsmf = static_cast<uint16_t>(sc_.net.smf.size());
  for (uint16_t s = 0; s < nsmf; ++s) {
    txns.push_back({(1 + 2 * int64_t{s}) * kMs, s, TxnKind::kAssociation, 0});
    const int64_t hb = sc_.traffic.heartbeat_interval_ns;
    if (hb > 0) {
      for (int64_t t = hb; t + 5 * kMs < end; t += hb) {
        txns.push_back({t + s * kMs, s, TxnKind::kHeartbeatFromSmf, 0});
        txns.push_back({t + hb / 2 + s * kMs, s, TxnKind::kHeartbeatFromUpf, 0});
      }
    }
  }
  for (const auto& ue : topo_.ues) {
    if (ue.establish_ns >= end) continue;
    txns.push_back({ue.establish_ns, ue.smf, TxnKind::kEstablish, ue.index});
    if (ue.handover_ns < end) txns.push_back({ue.handover_ns, ue.smf, TxnKind::kModify, ue.index});
    if (ue.release_ns < end) txns.push_back({ue.release_ns, ue.smf, TxnKind::kDelete, ue.index});
  }
  std::stable_sort(txns.begin(), txns.end(), [](const Txn& a, const Txn& b) { return a.t < b.t; });

  std::vector<uint32_t> smf_seq(nsmf, 0), upf_seq(nsmf, 0);
  const auto upf_node = pfcp::NodeId::from_ip(sc_.net.upf_n4.addr);
  const auto accepted = pfcp::Cause::kRequestAccepted;
  for (const auto& x : txns) {
    const Node& peer = smf(x.smf);
    const int64_t tr = x.t + response_delay();
    if (x.kind == TxnKind::kHeartbeatFromUpf) {
      const uint32_t seq = ++upf_seq[x.smf] & 0xFFFFFF;
      em_.pfcp_from_upf(x.t, peer, pfcp::heartbeat_request(seq, topo_.recovery_ts_upf), {});
      em_.pfcp_to_upf(tr, peer, pfcp::heartbeat_response(seq, topo_.recovery_ts_smf), {});
      continue;
    }
    const uint32_t seq = ++smf_seq[x.smf] & 0xFFFFFF;
    const Ue* ue = x.kind >= TxnKind::kEstablish ? &topo_.ues[x.ue] : nullptr;
    const uint8_t cls = ue != nullptr && ue->churn ? attack_class(Attack::kSessionChurn) : kBenign;
    const Label l = label_for(ue, cls);
    switch (x.kind) {
      case TxnKind::kAssociation:
        em_.pfcp_to_upf(x.t, peer,
                        pfcp::association_setup_request(seq, pfcp::NodeId::from_ip(peer.addr),
                                                        topo_.recovery_ts_smf),
                        l);
        em_.pfcp_from_upf(
            tr, peer,
            pfcp::association_setup_response(seq, upf_node, accepted, topo_.recovery_ts_upf), l);
        break;
      case TxnKind::kHeartbeatFromSmf:
        em_.pfcp_to_upf(x.t, peer, pfcp::heartbeat_request(seq, topo_.recovery_ts_smf), l);
        em_.pfcp_from_upf(tr, peer, pfcp::heartbeat_response(seq, topo_.recovery_ts_upf), l);
        break;
      case TxnKind::kEstablish: {
        em_.pfcp_to_upf(x.t, peer, establishment_request(sc_, *ue, seq), l);
        std::optional<pfcp::FTeid> created;
        if (ue->upf_fteid) created = pfcp::FTeid::make(ue->ul_teid, sc_.net.upf_n3.addr);
        em_.pfcp_from_upf(
            tr, peer,
            pfcp::session_establishment_response(seq, ue->cp_seid, upf_node, accepted, ue->up_seid,
                                                 sc_.net.upf_n4.addr, created),
            l);
        break;
      }
      case TxnKind::kModify:
        em_.pfcp_to_upf(x.t, peer,
                        pfcp::session_modification_request(seq, ue->up_seid, ue->dl_teid_after,
                                                           sc_.net.gnb[ue->gnb_after].addr),
                        l);
        em_.pfcp_from_upf(tr, peer, pfcp::session_modification_response(seq, ue->cp_seid, accepted),
                          l);
        break;
      case TxnKind::kDelete:
        em_.pfcp_to_upf(x.t, peer, pfcp::session_deletion_request(seq, ue->up_seid), l);
        em_.pfcp_from_upf(tr, peer, pfcp::session_deletion_response(seq, ue->cp_seid, accepted), l);
        break;
      case TxnKind::kHeartbeatFromUpf:
        break;
    }
  }
}

// An attacker's N4 address: the configured one; else (hijack) another listed SMF when there
// is one; else an address next to smf[0] that no SMF uses.
Node PfcpFlows::attacker_node(const std::optional<IpAddr>& configured, bool prefer_listed_other) {
  Node n;
  n.mac = Mac{0x02, 0x6d, 0x67, 0x0a, 0x00, prefer_listed_other ? uint8_t{2} : uint8_t{1}};
  if (configured) {
    n.addr = *configured;
    for (const auto& s : sc_.net.smf) {
      if (s.addr == n.addr) n.mac = s.mac;
    }
    return n;
  }
  if (prefer_listed_other && sc_.net.smf.size() > 1) return sc_.net.smf[1];
  IpAddr a = sc_.net.smf[0].addr;
  const size_t last = a.is_v6() ? 15 : 3;
  for (uint8_t step = 0x40;; ++step) {
    a.bytes[last] = static_cast<uint8_t>(sc_.net.smf[0].addr.bytes[last] + step);
    bool listed = a == sc_.net.upf_n4.addr;
    for (const auto& s : sc_.net.smf) listed = listed || s.addr == a;
    if (!listed) break;
  }
  n.addr = a;
  return n;
}

void PfcpFlows::unlisted_peer() {
  const auto& spec = sc_.attack(Attack::kPfcpUnlistedPeer);
  if (!spec.enabled) return;
  Prng rng(sc_.seed, "attack.pfcp_unlisted_peer");
  const Node rogue = attacker_node(spec.from, false);
  Label l;
  l.cls = attack_class(Attack::kPfcpUnlistedPeer);
  const int64_t step = 1'000'000'000 / spec.rate;
  uint32_t seq = rng.next32() & 0xFFFF;
  const uint32_t recovery = topo_.recovery_ts_smf + 1000 + static_cast<uint32_t>(rng.below(1000));
  for (uint32_t i = 0; i < spec.count; ++i) {
    const int64_t t = spec.start_ns + static_cast<int64_t>(i) * step;
    if (!em_.in_window(t)) break;
    ++seq;
    switch (i % 4) {
      case 0:
        em_.pfcp_to_upf(
            t, rogue,
            pfcp::association_setup_request(seq, pfcp::NodeId::from_ip(rogue.addr), recovery), l);
        break;
      case 1:
        em_.pfcp_to_upf(t, rogue, pfcp::heartbeat_request(seq, recovery), l);
        break;
      case 2: {
        // A session for a made-up UE, as if the rogue node were an SMF.
        const auto& dnn = sc_.net.dnns[0];
        pfcp::UeSessionSpec s;
        s.cp_seid = rng.next();
        s.cp_addr = rogue.addr;
        s.cp_node = pfcp::NodeId::from_ip(rogue.addr);
        s.ue_addr = dnn.pool_v4 ? nth_address(*dnn.pool_v4, 65000 + rng.below(500))
                                : nth_address(*dnn.pool_v6, 65000 + rng.below(500), true);
        s.choose_teid = true;
        s.upf_n3_addr = sc_.net.upf_n3.addr;
        s.gnb_teid = rng.next32() | 1;
        s.gnb_addr =
            rogue.addr.family == sc_.net.upf_n3.addr.family ? rogue.addr : sc_.net.gnb[0].addr;
        s.dnn = dnn.name;
        em_.pfcp_to_upf(t, rogue, pfcp::session_establishment_request(seq, s), l);
        break;
      }
      default: {
        // Deletion of a real session's SEID from the unlisted peer.
        const Ue* victim = pick_active_ue(topo_, rng, t);
        Label lv = l;
        uint64_t seid = rng.next();
        if (victim != nullptr) {
          lv.ue = static_cast<int32_t>(victim->index);
          lv.has_seid = true;
          lv.seid = victim->up_seid;
          seid = victim->up_seid;
        }
        em_.pfcp_to_upf(t, rogue, pfcp::session_deletion_request(seq, seid), lv);
        break;
      }
    }
  }
}

void PfcpFlows::hijack() {
  const auto& spec = sc_.attack(Attack::kPfcpSessionHijack);
  if (!spec.enabled) return;
  Prng rng(sc_.seed, "attack.pfcp_session_hijack");
  const Node attacker = attacker_node(spec.from, true);
  const int64_t step = 1'000'000'000 / spec.rate;
  uint32_t seq = rng.next32() & 0xFFFFF;
  for (uint32_t i = 0; i < spec.count; ++i) {
    const int64_t t = spec.start_ns + static_cast<int64_t>(i) * step;
    if (!em_.in_window(t)) break;
    // A victim session owned by another SMF, alive at t.
    const Ue* victim = nullptr;
    for (int tries = 0; tries < 64 && victim == nullptr; ++tries) {
      const Ue* c = pick_active_ue(topo_, rng, t);
      if (c != nullptr && sc_.net.smf[c->smf].addr != attacker.addr) victim = c;
    }
    if (victim == nullptr) continue;
    Label l = label_for(victim, attack_class(Attack::kPfcpSessionHijack));
    ++seq;
    if (i % 2 == 0) {
      // Redirect the victim's downlink to a tunnel endpoint the attacker controls.
      IpAddr rogue_gnb = sc_.net.gnb[0].addr;
      rogue_gnb.bytes[rogue_gnb.is_v6() ? 15 : 3] ^= 0x80;
      em_.pfcp_to_upf(
          t, attacker,
          pfcp::session_modification_request(seq, victim->up_seid, rng.next32() | 1, rogue_gnb), l);
    } else {
      em_.pfcp_to_upf(t, attacker, pfcp::session_deletion_request(seq, victim->up_seid), l);
    }
  }
}

}  // namespace

void emit_pfcp(Emitter& em) {
  PfcpFlows flows(em);
  flows.benign();
  flows.unlisted_peer();
  flows.hijack();
}

}  // namespace mecguard::gen
