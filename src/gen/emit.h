// Emitter: turns "this packet, between these nodes, at this time" into an Ethernet frame
// (with the scenario's VLAN tags) in the FrameStore. It wraps decode/build.h for L2-L4 and
// GTP-U and pfcp::encode for N4; it has no encoders of its own. Callers: the PFCP flows,
// benign user-plane flows and attacks (flows.h). Internal to src/gen.
#pragma once

#include <cstdint>

#include "decode/build.h"
#include "gen/frame_store.h"
#include "gen/scenario.h"
#include "gen/topology.h"
#include "pfcp/message.h"

namespace mecguard::gen {

namespace build = decode::build;

inline constexpr uint16_t kGtpuPort = 2152;
inline constexpr uint16_t kPfcpPort = 8805;
inline constexpr int64_t kHopNs = 40'000;  // UPF transit time between N3 and N6

class Emitter {
 public:
  Emitter(const Scenario& sc, const Topology& topo, FrameStore& store);

  const Scenario& scenario() const { return sc_; }
  const Topology& topology() const { return topo_; }
  bool in_window(int64_t t) const { return t >= 0 && t < sc_.duration_ns; }

  // N4: PFCP between a node and the UPF's N4 address (UDP 8805 both ways).
  void pfcp_to_upf(int64_t t, const Node& from, const pfcp::Message& m, Label l);
  void pfcp_from_upf(int64_t t, const Node& to, const pfcp::Message& m, Label l);

  // N3: GTP-U between gNB `gnb` and the UPF's N3 address.
  void gtpu_to_upf(int64_t t, const Node& gnb, const build::GtpuSpec& g, Label l);
  void gtpu_from_upf(int64_t t, const Node& gnb, const build::GtpuSpec& g, Label l);
  // N3: a raw UDP payload on port 2152 (deliberately malformed GTP-U).
  void udp_to_upf_n3(int64_t t, const Node& gnb, Bytes payload, Label l);

  // A UE's packet (an IP packet from/to the UE): uplink is the N3 G-PDU from the serving
  // gNB and, when traffic.n6 is set, the same packet leaving on N6 kHopNs later; downlink
  // is the N6 arrival (when enabled) and the N3 G-PDU to the serving gNB kHopNs later.
  // Frames outside the scenario window or outside the UE's session are not emitted.
  void ue_uplink(int64_t t, const Ue& ue, Bytes ip_packet, Label l);
  void ue_downlink(int64_t t, const Ue& ue, Bytes ip_packet, Label l);
  // Uplink G-PDU on N3 only (attacks: the guard should stop it before N6).
  void ue_uplink_n3(int64_t t, const Ue& ue, uint32_t teid, Bytes ip_packet, Label l);

  // N6 side, no UPF involved: an IP packet between two data-network hosts.
  void n6_lateral(int64_t t, const Mac& src, const Mac& dst, Bytes ip_packet, Label l);

  const Mac& upf_n6_mac() const { return sc_.net.upf_n6.mac; }
  const Mac& router_mac() const { return sc_.net.n6_router_mac; }

 private:
  void add(int64_t t, Bytes ip_packet, const Mac& src, const Mac& dst, uint16_t vlan, Label l);

  const Scenario& sc_;
  const Topology& topo_;
  FrameStore& store_;
};

}  // namespace mecguard::gen
