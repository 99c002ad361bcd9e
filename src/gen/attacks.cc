// User-plane attacks. Each class starts at its `start`, emits `count` events at `rate` per
// second and labels every frame it produces with its class. Events that need a live session
// pick a benign UE active at that moment; an event with no suitable UE is skipped.
#include <algorithm>

#include "gen/flows.h"
#include "pfcp/build.h"

namespace mecguard::gen {

namespace {

constexpr int64_t kMs = 1'000'000;
constexpr int64_t kSec = 1'000'000'000;

class Attacks {
 public:
  explicit Attacks(Emitter& em) : em_(em), sc_(em.scenario()), topo_(em.topology()) {}

  void run();

 private:
  // Calls fn(i, t, rng) for each of spec.count events; stops at the end of the scenario.
  template <class Fn>
  void each(Attack a, Fn&& fn) {
    const auto& spec = sc_.attack(a);
    if (!spec.enabled) return;
    Prng rng(sc_.seed, std::string("attack.") + std::string(attack_name(a)));
    const int64_t step = std::max<int64_t>(1, kSec / std::max<uint32_t>(spec.rate, 1));
    for (uint32_t i = 0; i < spec.count; ++i) {
      const int64_t t = spec.start_ns + static_cast<int64_t>(i) * step +
                        static_cast<int64_t>(rng.below(static_cast<uint64_t>(step / 4 + 1)));
      if (!em_.in_window(t)) break;
      fn(i, t, rng);
    }
  }
  Label label(Attack a, const Ue* ue, std::string_view detail) const {
    Label l;
    l.cls = attack_class(a);
    l.detail = detail;
    if (ue != nullptr) {
      l.ue = static_cast<int32_t>(ue->index);
      l.has_seid = true;
      l.seid = ue->up_seid;
    }
    return l;
  }
  // An address of `family` that belongs to no UE pool (documentation ranges).
  static IpAddr foreign(IpFamily family, uint64_t n) {
    return family == IpFamily::kV4
               ? IpAddr::v4(0xCB007100u + static_cast<uint32_t>(n % 250) + 1)  // 203.0.113.x
               : nth_address(*IpPrefix::parse("2001:db8:bad::/64"), n + 1);
  }
  // When the last event of an attack happens (plus a second for responses).
  int64_t attack_end(const AttackSpec& spec) const {
    const int64_t step = std::max<int64_t>(1, kSec / std::max<uint32_t>(spec.rate, 1));
    return std::min(sc_.duration_ns - 1,
                    spec.start_ns + static_cast<int64_t>(spec.count) * step + kSec);
  }
  const IpAddr& default_target(const Ue& ue) const { return sc_.net.dnns[ue.dnn].servers.front(); }

  void ue_spoofing();
  void unknown_teid();
  void stale_teid();
  void malformed();
  void gtp_in_gtp();
  void echo_flood();
  void ue_to_ue();
  void mec_to_core();
  void port_scans();
  void floods();
  void hijacked();

  Emitter& em_;
  const Scenario& sc_;
  const Topology& topo_;
};

void Attacks::ue_spoofing() {
  each(Attack::kUeSpoofing, [&](uint32_t i, int64_t t, Prng& rng) {
    const Ue* ue = pick_active_ue(topo_, rng, t);
    if (ue == nullptr) return;
    const IpAddr& me = ue->primary();
    const uint32_t sources = sc_.attack(Attack::kUeSpoofing).sources;
    if (sources > 0) {
      // `sources` distinct spoofed addresses, in turn: 240.0.0.0/4 (reserved) or
      // 2001:db8:bad::/64, never a UE pool's.
      const uint64_t n = i % sources;
      const IpAddr src = me.is_v4() ? IpAddr::v4(0xF0000000u + static_cast<uint32_t>(n))
                                    : nth_address(*IpPrefix::parse("2001:db8:bad::/64"), n + 1);
      const IpAddr* dst = pick_server(sc_.net.dnns[ue->dnn], me.family, rng);
      if (dst == nullptr) return;
      const auto pkt = build::udp_ip(src, *dst, random_port(rng, 1024, 65000), 5004, filler(64));
      em_.ue_uplink_n3(t, *ue, ue->ul_teid, pkt, label(Attack::kUeSpoofing, ue, "spoofed_source"));
      return;
    }
    // Half the time a foreign address, half the time another UE's address of that family.
    IpAddr src = foreign(me.family, i);
    if (src == me) src = foreign(me.family, i + 1);  // a pool overlapping the foreign range
    if (i % 2 == 1) {
      const Ue* other = pick_active_ue(topo_, rng, t, me.is_v4());
      if (other != nullptr && other != ue && other->primary().family == me.family) {
        src = other->primary();
      }
    }
    const IpAddr* dst = pick_server(sc_.net.dnns[ue->dnn], me.family, rng);
    if (dst == nullptr) return;
    const auto pkt = build::udp_ip(src, *dst, random_port(rng, 1024, 65000), 5004, filler(64));
    em_.ue_uplink_n3(t, *ue, ue->ul_teid, pkt, label(Attack::kUeSpoofing, ue, "spoofed_source"));
  });
}

void Attacks::unknown_teid() {
  each(Attack::kUnknownTeid, [&](uint32_t, int64_t t, Prng& rng) {
    // A TEID no session holds; the inner packet looks like ordinary UE traffic.
    uint32_t teid = 0;
    for (;;) {
      teid = rng.next32();
      bool used = teid == 0;
      for (const auto& ue : topo_.ues) used = used || ue.ul_teid == teid;
      if (!used) break;
    }
    const Ue* ue = pick_active_ue(topo_, rng, t);
    if (ue == nullptr) return;
    const IpAddr* dst = pick_server(sc_.net.dnns[ue->dnn], ue->primary().family, rng);
    if (dst == nullptr) return;
    build::TcpOpts o;
    o.flags = decode::tcp_flag::kSyn;
    o.seq = rng.next32();
    const auto pkt = build::tcp_ip(ue->primary(), *dst, random_port(rng, 32768, 60999), 443, o);
    Label l = label(Attack::kUnknownTeid, nullptr, "unknown_teid");
    l.dir = Dir::kUl;
    em_.gtpu_to_upf(t, sc_.net.gnb[rng.below(sc_.net.gnb.size())],
                    build::gpdu_spec(teid, pkt, sc_.ues.qfi, 1), l);
  });
}

void Attacks::stale_teid() {
  if (topo_.released.empty()) return;
  each(Attack::kStaleTeid, [&](uint32_t i, int64_t t, Prng& rng) {
    // The deleted session's old gNB keeps sending on the old TEID.
    const Ue& ue = topo_.ues[topo_.released[i % topo_.released.size()]];
    const int64_t ts = std::max(t, ue.release_ns + 50 * kMs + static_cast<int64_t>(i) * kMs);
    if (!em_.in_window(ts)) return;
    const IpAddr* dst = pick_server(sc_.net.dnns[ue.dnn], ue.primary().family, rng);
    if (dst == nullptr) return;
    const auto pkt =
        build::udp_ip(ue.primary(), *dst, random_port(rng, 32768, 60999), 443, filler(120));
    Label l = label(Attack::kStaleTeid, &ue, "stale_teid");
    l.dir = Dir::kUl;
    em_.gtpu_to_upf(ts, sc_.net.gnb[ue.gnb_after],
                    build::gpdu_spec(ue.ul_teid, pkt, sc_.ues.qfi, 1), l);
  });
}

void Attacks::malformed() {
  const auto& kinds = sc_.attack(Attack::kMalformedGtpu).kinds;
  each(Attack::kMalformedGtpu, [&](uint32_t i, int64_t t, Prng& rng) {
    const Ue* ue = pick_active_ue(topo_, rng, t);
    if (ue == nullptr) return;
    const IpAddr* dst = pick_server(sc_.net.dnns[ue->dnn], ue->primary().family, rng);
    if (dst == nullptr) return;
    const auto pkt =
        build::udp_ip(ue->primary(), *dst, random_port(rng, 32768, 60999), 443, filler(80));
    auto spec = build::gpdu_spec(ue->ul_teid, pkt, sc_.ues.qfi, 1);
    const MalformedKind kind = kinds[i % kinds.size()];
    Label l = label(Attack::kMalformedGtpu, ue, malformed_kind_name(kind));
    l.dir = Dir::kUl;
    const Node& gnb = sc_.net.gnb[ue->gnb_at(t)];
    switch (kind) {
      case MalformedKind::kBadVersion:
        spec.version_override = static_cast<uint8_t>(2 + rng.below(6));  // 2..7
        l.expect = decode::DecodeStatus::kGtpuBadVersion;
        em_.gtpu_to_upf(t, gnb, spec, l);
        break;
      case MalformedKind::kLengthMismatch: {
        const auto good = build::gtpu(spec);
        const auto real = static_cast<uint16_t>(good.size() - 8);
        spec.length_override =
            static_cast<uint16_t>(i % 2 == 0 ? real + 1 + rng.below(200) : real - 1 - rng.below(8));
        l.expect = decode::DecodeStatus::kGtpuBadLength;
        em_.gtpu_to_upf(t, gnb, spec, l);
        break;
      }
      case MalformedKind::kZeroLengthExt:
        spec.zero_length_ext = true;
        l.expect = decode::DecodeStatus::kGtpuExtZeroLength;
        em_.gtpu_to_upf(t, gnb, spec, l);
        break;
      case MalformedKind::kTruncated: {
        // Fewer than the 8 mandatory header octets reach the UPF.
        const auto good = build::gtpu(spec);
        const size_t keep = 1 + rng.below(7);
        l.expect = decode::DecodeStatus::kGtpuTruncated;
        l.has_teid = false;
        em_.udp_to_upf_n3(t, gnb, Bytes(good.data(), keep), l);
        break;
      }
    }
  });
}

void Attacks::gtp_in_gtp() {
  each(Attack::kGtpInGtp, [&](uint32_t, int64_t t, Prng& rng) {
    const Ue* ue = pick_active_ue(topo_, rng, t);
    if (ue == nullptr) return;
    const IpAddr& src = ue->primary();
    // The tunnelled tunnel targets the UPF's N3 address when reachable in the UE's family.
    const IpAddr* dst = src.family == sc_.net.upf_n3.addr.family
                            ? &sc_.net.upf_n3.addr
                            : pick_server(sc_.net.dnns[ue->dnn], src.family, rng);
    if (dst == nullptr) return;
    const IpAddr victim = foreign(src.family, rng.below(200));
    const auto innermost = build::udp_ip(victim, *dst, 40000, 80, filler(40));
    const auto inner_gtp = build::gtpu(build::gpdu_spec(rng.next32() | 1, innermost));
    const auto pkt = build::udp_ip(src, *dst, kGtpuPort, kGtpuPort, inner_gtp);
    em_.ue_uplink_n3(t, *ue, ue->ul_teid, pkt, label(Attack::kGtpInGtp, ue, "gtp_in_gtp"));
  });
}

void Attacks::echo_flood() {
  const auto& spec = sc_.attack(Attack::kEchoFlood);
  Node from = sc_.net.gnb[0];
  if (spec.from) {
    from.addr = *spec.from;
    from.mac = Mac{0x02, 0x6d, 0x67, 0x0b, 0x00, 0x01};
  }
  each(Attack::kEchoFlood, [&](uint32_t i, int64_t t, Prng&) {
    build::GtpuSpec e;
    e.msg_type = decode::gtpu_msg::kEchoRequest;
    e.seq = static_cast<uint16_t>(i);
    Label l = label(Attack::kEchoFlood, nullptr, "gtpu_echo_request");
    l.dir = Dir::kToUpf;
    em_.gtpu_to_upf(t, from, e, l);
  });
}

void Attacks::ue_to_ue() {
  each(Attack::kUeToUe, [&](uint32_t i, int64_t t, Prng& rng) {
    const Ue* a = pick_active_ue(topo_, rng, t);
    if (a == nullptr) return;
    const Ue* b = nullptr;
    for (int tries = 0; tries < 16 && b == nullptr; ++tries) {
      const Ue* c = pick_active_ue(topo_, rng, t, a->primary().is_v4());
      if (c != nullptr && c != a && c->primary().family == a->primary().family) b = c;
    }
    if (b == nullptr) return;
    build::Buf pkt;
    if (i % 3 == 0) {
      pkt = build::icmp_echo_ip(a->primary(), b->primary(), true, 0x4242, static_cast<uint16_t>(i),
                                filler(32));
    } else if (i % 3 == 1) {
      build::TcpOpts o;
      o.flags = decode::tcp_flag::kSyn;
      o.seq = rng.next32();
      pkt = build::tcp_ip(a->primary(), b->primary(), random_port(rng, 32768, 60999), 445, o);
    } else {
      pkt = build::udp_ip(a->primary(), b->primary(), random_port(rng, 32768, 60999), 5060,
                          filler(200));
    }
    em_.ue_uplink_n3(t, *a, a->ul_teid, pkt, label(Attack::kUeToUe, a, "ue_to_ue"));
  });
}

void Attacks::mec_to_core() {
  const auto& net = sc_.net;
  each(Attack::kMecToCore, [&](uint32_t i, int64_t t, Prng& rng) {
    const IpAddr& mec = net.mec_hosts[rng.below(net.mec_hosts.size())];
    const IpAddr* core = nullptr;
    for (size_t k = 0, n = net.core_hosts.size(); k < n && core == nullptr; ++k) {
      const IpAddr& c = net.core_hosts[(i + k) % n];
      if (c.family == mec.family) core = &c;
    }
    if (core == nullptr) return;
    const Mac mec_mac{0x02, 0x6d, 0x67,
                      0x05, 0x00, static_cast<uint8_t>(1 + (&mec - net.mec_hosts.data()))};
    build::Buf pkt;
    if (i % 4 == 3) {
      // A MEC application speaking PFCP to the core.
      const auto hb = pfcp::encode(
          pfcp::heartbeat_request(rng.next32() & 0xFFFFFF, topo_.recovery_ts_smf + 17));
      pkt = build::udp_ip(mec, *core, random_port(rng, 32768, 60999), kPfcpPort, hb);
    } else {
      static constexpr uint16_t kPorts[] = {22, 443, 7777};
      build::TcpOpts o;
      o.flags = decode::tcp_flag::kSyn;
      o.seq = rng.next32();
      pkt = build::tcp_ip(mec, *core, random_port(rng, 32768, 60999), kPorts[i % 4 % 3], o);
    }
    em_.n6_lateral(t, mec_mac, em_.router_mac(), pkt,
                   label(Attack::kMecToCore, nullptr, "mec_to_core"));
  });
}

void Attacks::port_scans() {
  using namespace decode::tcp_flag;
  // Horizontal: one port across consecutive hosts, from one UE.
  {
    const auto& spec = sc_.attack(Attack::kPortScanHorizontal);
    Prng pick(sc_.seed, "attack.port_scan_horizontal.ue");
    const Ue* ue = spec.enabled
                       ? pick_active_ue(topo_, pick, spec.start_ns,
                                        !spec.target || spec.target->is_v4(), attack_end(spec))
                       : nullptr;
    if (ue == nullptr && spec.enabled) {
      ue = pick_active_ue(topo_, pick, spec.start_ns, !spec.target || spec.target->is_v4());
    }
    if (ue != nullptr) {
      const IpAddr base = spec.target ? *spec.target : default_target(*ue);
      const IpAddr* src =
          base.is_v4() ? (ue->has_v4() ? &ue->v4 : nullptr) : (ue->has_v6() ? &ue->v6 : nullptr);
      const uint16_t sport = random_port(pick, 32768, 60999);
      if (src != nullptr) {
        each(Attack::kPortScanHorizontal, [&](uint32_t i, int64_t t, Prng& rng) {
          const IpAddr dst = nth_address(IpPrefix::make(base, base.is_v4() ? 32 : 128), i);
          build::TcpOpts o;
          o.flags = kSyn;
          o.seq = rng.next32();
          em_.ue_uplink(t, *ue, build::tcp_ip(*src, dst, sport, 22, o),
                        label(Attack::kPortScanHorizontal, ue, "syn"));
        });
      }
    }
  }
  // Vertical: many ports on one host; closed ports answer RST.
  {
    const auto& spec = sc_.attack(Attack::kPortScanVertical);
    Prng pick(sc_.seed, "attack.port_scan_vertical.ue");
    const Ue* ue = spec.enabled
                       ? pick_active_ue(topo_, pick, spec.start_ns,
                                        !spec.target || spec.target->is_v4(), attack_end(spec))
                       : nullptr;
    if (ue == nullptr && spec.enabled) {
      ue = pick_active_ue(topo_, pick, spec.start_ns, !spec.target || spec.target->is_v4());
    }
    if (ue != nullptr) {
      const IpAddr dst = spec.target ? *spec.target : default_target(*ue);
      const IpAddr* src =
          dst.is_v4() ? (ue->has_v4() ? &ue->v4 : nullptr) : (ue->has_v6() ? &ue->v6 : nullptr);
      const uint16_t sport = random_port(pick, 32768, 60999);
      if (src != nullptr) {
        each(Attack::kPortScanVertical, [&](uint32_t i, int64_t t, Prng& rng) {
          const auto port = static_cast<uint16_t>(1 + i % 65535);
          if (port == kGtpuPort || port == kPfcpPort) return;
          build::TcpOpts o;
          o.flags = kSyn;
          o.seq = rng.next32();
          em_.ue_uplink(t, *ue, build::tcp_ip(*src, dst, sport, port, o),
                        label(Attack::kPortScanVertical, ue, "syn"));
          build::TcpOpts r;
          r.flags = kRst | kAck;
          r.ack = o.seq + 1;
          r.window = 0;
          em_.ue_downlink(t + sc_.traffic.rtt_ns, *ue, build::tcp_ip(dst, *src, port, sport, r),
                          label(Attack::kPortScanVertical, ue, "rst"));
        });
      }
    }
  }
}

void Attacks::floods() {
  for (Attack a : {Attack::kSynFlood, Attack::kUdpFlood}) {
    const auto& spec = sc_.attack(a);
    if (!spec.enabled) continue;
    // The attacking UEs: the first `sources` UEs with IPv4 (or IPv6 for an IPv6 target)
    // whose session is up for the whole flood (else: when it starts).
    const bool v4 = !spec.target || spec.target->is_v4();
    std::vector<const Ue*> bots;
    for (uint32_t i = 0; i < topo_.benign_count && bots.size() < spec.sources; ++i) {
      const Ue& ue = topo_.ues[i];
      if (ue.active_at(spec.start_ns) && ue.active_at(attack_end(spec)) &&
          (v4 ? ue.has_v4() : ue.has_v6())) {
        bots.push_back(&ue);
      }
    }
    for (uint32_t i = 0; i < topo_.benign_count && bots.size() < spec.sources; ++i) {
      const Ue& ue = topo_.ues[i];
      if (ue.active_at(spec.start_ns) && !ue.active_at(attack_end(spec)) &&
          (v4 ? ue.has_v4() : ue.has_v6())) {
        bots.push_back(&ue);
      }
    }
    if (bots.empty()) continue;
    Prng pick(sc_.seed, "flood.target");
    const IpAddr* server =
        pick_server(sc_.net.dnns[bots[0]->dnn], v4 ? IpFamily::kV4 : IpFamily::kV6, pick);
    const IpAddr target = spec.target ? *spec.target : server != nullptr ? *server : IpAddr{};
    if (target.empty()) continue;
    each(a, [&](uint32_t i, int64_t t, Prng& rng) {
      const Ue& ue = *bots[i % bots.size()];
      const IpAddr& src = v4 ? ue.v4 : ue.v6;
      const uint16_t sport = random_port(rng, 1024, 65000);
      if (a == Attack::kSynFlood) {
        build::TcpOpts o;
        o.flags = decode::tcp_flag::kSyn;
        o.seq = rng.next32();
        em_.ue_uplink(t, ue, build::tcp_ip(src, target, sport, 80, o), label(a, &ue, "syn"));
      } else {
        const uint16_t dport = random_port(rng, 1024, 2100);
        em_.ue_uplink(t, ue, build::udp_ip(src, target, sport, dport, filler(512)),
                      label(a, &ue, "udp"));
      }
    });
  }
}

// Hijacked devices: `sources` benign UEs with a steady profile (a telemetry packet to their
// DNN's first server every 250 ms for the 8 s before `start`, labelled benign) that at
// `start` switch to a bot's mix: TCP SYNs and UDP to 24 hosts of 198.18.0.0/15 (or
// 2001:db8:b07::/64) on typical bot ports, and ICMP. Few hosts and ports per second, so the
// change, not a scan or flood threshold, is what gives it away.
void Attacks::hijacked() {
  const auto& spec = sc_.attack(Attack::kHijackedUe);
  if (!spec.enabled) return;
  static constexpr uint16_t kBotPorts[] = {23, 2323, 6667, 25, 8080, 37215, 52869, 5555, 7547, 81, 123, 1900};
  constexpr int64_t kLearn = 8 * kSec;
  Prng pick(sc_.seed, "attack.hijacked_ue.ue");
  const int64_t from = std::max<int64_t>(0, spec.start_ns - kLearn);
  std::vector<const Ue*> bots;
  for (uint32_t k = 0; k < spec.sources * 4 && bots.size() < spec.sources; ++k) {
    const Ue* ue = pick_active_ue(topo_, pick, from, false, attack_end(spec));
    if (ue == nullptr) ue = pick_active_ue(topo_, pick, spec.start_ns);
    if (ue != nullptr && std::find(bots.begin(), bots.end(), ue) == bots.end()) bots.push_back(ue);
  }
  if (bots.empty()) return;
  for (const Ue* ue : bots) {
    const IpAddr* server = pick_server(sc_.net.dnns[ue->dnn], ue->primary().family, pick);
    if (server == nullptr) continue;
    for (int64_t t = std::max(from, ue->active_ns); t < spec.start_ns; t += 250 * kMs) {
      if (!ue->active_at(t) || !em_.in_window(t)) continue;
      Label l = label(Attack::kHijackedUe, ue, "udp");
      l.cls = kBenign;
      em_.ue_uplink(t, *ue, build::udp_ip(ue->primary(), *server, 40404, 5004, filler(96)), l);
    }
  }
  each(Attack::kHijackedUe, [&](uint32_t i, int64_t t, Prng& rng) {
    const Ue& ue = *bots[i % bots.size()];
    if (!ue.active_at(t)) return;
    const IpAddr& src = ue.primary();
    const IpAddr dst = src.is_v4() ? nth_address(*IpPrefix::parse("198.18.0.0/15"), 1 + rng.below(24))
                                   : nth_address(*IpPrefix::parse("2001:db8:b07::/64"), 1 + rng.below(24));
    const uint16_t port = kBotPorts[rng.below(std::size(kBotPorts))];
    const uint16_t sport = random_port(rng, 1024, 65000);
    build::Buf pkt;
    if (i % 5 == 4) {
      pkt = build::icmp_echo_ip(src, dst, true, 0x4b4b, static_cast<uint16_t>(i), filler(16));
    } else if (port == 123 || port == 1900) {
      pkt = build::udp_ip(src, dst, sport, port, filler(48));
    } else {
      build::TcpOpts o;
      o.flags = decode::tcp_flag::kSyn;
      o.seq = rng.next32();
      pkt = build::tcp_ip(src, dst, sport, port, o);
    }
    em_.ue_uplink(t, ue, pkt, label(Attack::kHijackedUe, &ue, "bot"));
  });
}

void Attacks::run() {
  ue_spoofing();
  unknown_teid();
  stale_teid();
  malformed();
  gtp_in_gtp();
  echo_flood();
  ue_to_ue();
  mec_to_core();
  port_scans();
  floods();
  hijacked();
}

}  // namespace

void emit_user_plane_attacks(Emitter& em) {
  Attacks(em).run();
}

}  // namespace mecguard::gen
