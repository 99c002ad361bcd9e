#include "gen/emit.h"

namespace mecguard::gen {

Emitter::Emitter(const Scenario& sc, const Topology& topo, FrameStore& store)
    : sc_(sc), topo_(topo), store_(store) {}

void Emitter::add(int64_t t, Bytes ip_packet, const Mac& src, const Mac& dst, uint16_t vlan,
                  Label l) {
  build::EthSpec eth;
  eth.src = src;
  eth.dst = dst;
  if (vlan != 0) eth.vlans.push_back(build::VlanTag{build::kEtherVlan, vlan, 0});
  const auto frame = build::ethernet_ip(ip_packet, eth);
  store_.add(t, frame, l);
}

void Emitter::pfcp_to_upf(int64_t t, const Node& from, const pfcp::Message& m, Label l) {
  const auto payload = pfcp::encode(m);
  const auto ip = build::udp_ip(from.addr, sc_.net.upf_n4.addr, kPfcpPort, kPfcpPort, payload);
  l.iface = Iface::kN4;
  l.dir = Dir::kToUpf;
  l.pfcp_seq = m.header.seq;
  l.detail = pfcp::message_type_name(m.header.type);
  add(t, ip, from.mac, sc_.net.upf_n4.mac, sc_.net.vlan.n4, l);
}

void Emitter::pfcp_from_upf(int64_t t, const Node& to, const pfcp::Message& m, Label l) {
  const auto payload = pfcp::encode(m);
  const auto ip = build::udp_ip(sc_.net.upf_n4.addr, to.addr, kPfcpPort, kPfcpPort, payload);
  l.iface = Iface::kN4;
  l.dir = Dir::kFromUpf;
  l.pfcp_seq = m.header.seq;
  l.detail = pfcp::message_type_name(m.header.type);
  add(t, ip, sc_.net.upf_n4.mac, to.mac, sc_.net.vlan.n4, l);
}

void Emitter::gtpu_to_upf(int64_t t, const Node& gnb, const build::GtpuSpec& g, Label l) {
  const auto ip = build::gtpu_ip(gnb.addr, sc_.net.upf_n3.addr, g);
  l.iface = Iface::kN3;
  l.has_teid = true;
  l.teid = g.teid;
  add(t, ip, gnb.mac, sc_.net.upf_n3.mac, sc_.net.vlan.n3, l);
}

void Emitter::gtpu_from_upf(int64_t t, const Node& gnb, const build::GtpuSpec& g, Label l) {
  const auto ip = build::gtpu_ip(sc_.net.upf_n3.addr, gnb.addr, g);
  l.iface = Iface::kN3;
  l.has_teid = true;
  l.teid = g.teid;
  add(t, ip, sc_.net.upf_n3.mac, gnb.mac, sc_.net.vlan.n3, l);
}

void Emitter::udp_to_upf_n3(int64_t t, const Node& gnb, Bytes payload, Label l) {
  const auto ip = build::udp_ip(gnb.addr, sc_.net.upf_n3.addr, kGtpuPort, kGtpuPort, payload);
  l.iface = Iface::kN3;
  add(t, ip, gnb.mac, sc_.net.upf_n3.mac, sc_.net.vlan.n3, l);
}

void Emitter::ue_uplink_n3(int64_t t, const Ue& ue, uint32_t teid, Bytes ip_packet, Label l) {
  if (!in_window(t)) return;
  const auto spec = build::gpdu_spec(teid, ip_packet, sc_.ues.qfi, 1);
  l.ue = static_cast<int32_t>(ue.index);
  l.dir = Dir::kUl;
  l.has_seid = true;
  l.seid = ue.up_seid;
  gtpu_to_upf(t, sc_.net.gnb[ue.gnb_at(t)], spec, l);
}

void Emitter::ue_uplink(int64_t t, const Ue& ue, Bytes ip_packet, Label l) {
  if (!ue.active_at(t)) return;
  ue_uplink_n3(t, ue, ue.ul_teid, ip_packet, l);
  const int64_t t6 = t + kHopNs;
  if (sc_.traffic.n6 && sc_.net.has_n6 && in_window(t6)) {
    l.ue = static_cast<int32_t>(ue.index);
    l.iface = Iface::kN6;
    l.dir = Dir::kUl;
    l.has_seid = true;
    l.seid = ue.up_seid;
    add(t6, ip_packet, sc_.net.upf_n6.mac, sc_.net.n6_router_mac, sc_.net.vlan.n6, l);
  }
}

void Emitter::ue_downlink(int64_t t, const Ue& ue, Bytes ip_packet, Label l) {
  const int64_t t3 = t + kHopNs;
  if (!ue.active_at(t) || !ue.active_at(t3) || !in_window(t3)) return;
  l.ue = static_cast<int32_t>(ue.index);
  l.dir = Dir::kDl;
  l.has_seid = true;
  l.seid = ue.up_seid;
  if (sc_.traffic.n6 && sc_.net.has_n6) {
    l.iface = Iface::kN6;
    add(t, ip_packet, sc_.net.n6_router_mac, sc_.net.upf_n6.mac, sc_.net.vlan.n6, l);
  }
  const auto spec = build::gpdu_spec(ue.dl_teid_at(t3), ip_packet, sc_.ues.qfi, 0);
  gtpu_from_upf(t3, sc_.net.gnb[ue.gnb_at(t3)], spec, l);
}

void Emitter::n6_lateral(int64_t t, const Mac& src, const Mac& dst, Bytes ip_packet, Label l) {
  if (!in_window(t)) return;
  l.iface = Iface::kN6;
  l.dir = Dir::kLateral;
  add(t, ip_packet, src, dst, sc_.net.vlan.n6, l);
}

}  // namespace mecguard::gen
