// Benign user-plane traffic: per UE, TCP connections (handshake, request/response data with
// consistent sequence and acknowledgement numbers, FIN close), UDP flows, ICMP echo and DNS
// lookups; plus GTP-U Echo between the UPF and each gNB. Times are the moments a packet
// passes the UPF; a response follows its request after about one RTT.
#include <algorithm>
#include <array>
#include <string>

#include "gen/flows.h"

namespace mecguard::gen {

namespace {

constexpr int64_t kMs = 1'000'000;
constexpr int64_t kSec = 1'000'000'000;

// A DNS query or response (RFC 1035) for `name`, type A (1) or AAAA (28).
build::Buf dns_message(uint16_t id, bool response, const std::string& name, bool aaaa,
                       const IpAddr& answer) {
  build::Buf out;
  ByteWriter w(out);
  w.be16(id);
  w.be16(response ? 0x8180 : 0x0100);  // QR|RD|RA, or RD
  w.be16(1);                           // QDCOUNT
  w.be16(response ? 1 : 0);            // ANCOUNT
  w.be16(0);
  w.be16(0);
  size_t start = 0;
  while (start <= name.size()) {
    size_t dot = name.find('.', start);
    if (dot == std::string::npos) dot = name.size();
    w.u8(static_cast<uint8_t>(dot - start));
    for (size_t i = start; i < dot; ++i) w.u8(static_cast<uint8_t>(name[i]));
    start = dot + 1;
  }
  w.u8(0);
  const uint16_t qtype = aaaa ? 28 : 1;
  w.be16(qtype);
  w.be16(1);  // IN
  if (response) {
    w.be16(0xC00C);  // name: pointer to the question
    w.be16(qtype);
    w.be16(1);
    w.be32(300);  // TTL
    w.be16(static_cast<uint16_t>(answer.wire_size()));
    w.append(Bytes(answer.bytes.data(), answer.wire_size()));
  }
  return out;
}

class UserPlane {
 public:
  explicit UserPlane(Emitter& em)
      : em_(em), sc_(em.scenario()), topo_(em.topology()), rng_(sc_.seed, "traffic") {}

  void run();

 private:
  // The UE address and a server of one family the UE has (nullptr server: none).
  struct Peer {
    const IpAddr* ue = nullptr;
    const IpAddr* server = nullptr;
  };
  Peer choose_peer(const Ue& ue, const std::vector<IpAddr>& servers_v);
  int64_t rtt() {
    const int64_t base = sc_.traffic.rtt_ns;
    return base / 2 + static_cast<int64_t>(rng_.below(static_cast<uint64_t>(base)));
  }
  int64_t flow_start(const Ue& ue) {
    const int64_t lo = ue.active_ns + 5 * kMs;
    const int64_t hi = std::min(ue.release_ns, sc_.duration_ns);
    if (hi <= lo) return kNever;
    return lo + static_cast<int64_t>(rng_.below(static_cast<uint64_t>(hi - lo)));
  }
  uint16_t ephemeral_port() { return static_cast<uint16_t>(rng_.range(32768, 60999)); }
  uint32_t payload_len(uint32_t lo, uint32_t hi) {
    return static_cast<uint32_t>(rng_.range(lo, hi));
  }

  void tcp_flow(const Ue& ue);
  void udp_flow(const Ue& ue);
  void pings(const Ue& ue);
  void dns(const Ue& ue);
  void gtpu_echo();
  void end_markers();

  Emitter& em_;
  const Scenario& sc_;
  const Topology& topo_;
  Prng rng_;
  Label benign_;
};

UserPlane::Peer UserPlane::choose_peer(const Ue& ue, const std::vector<IpAddr>& servers) {
  Peer p;
  const bool prefer_v6 = ue.has_v6() && (!ue.has_v4() || rng_.below(2) == 0);
  const IpFamily order[2] = {prefer_v6 ? IpFamily::kV6 : IpFamily::kV4,
                             prefer_v6 ? IpFamily::kV4 : IpFamily::kV6};
  for (IpFamily f : order) {
    const IpAddr* mine =
        f == IpFamily::kV4 ? (ue.has_v4() ? &ue.v4 : nullptr) : (ue.has_v6() ? &ue.v6 : nullptr);
    if (mine == nullptr) continue;
    size_t n = 0;
    for (const auto& s : servers) n += s.family == f ? 1 : 0;
    if (n == 0) continue;
    size_t k = rng_.below(n);
    for (const auto& s : servers) {
      if (s.family != f) continue;
      if (k-- == 0) {
        p.ue = mine;
        p.server = &s;
        return p;
      }
    }
  }
  return p;
}

void UserPlane::tcp_flow(const Ue& ue) {
  const auto& tcp = sc_.traffic.tcp;
  const Peer p = choose_peer(ue, sc_.net.dnns[ue.dnn].servers);
  if (p.server == nullptr) return;
  int64_t t = flow_start(ue);
  if (t == kNever) return;
  const uint16_t sport = ephemeral_port();
  const uint16_t dport = tcp.ports[rng_.below(tcp.ports.size())];
  uint32_t cseq = rng_.next32(), sseq = rng_.next32();
  Label l = benign_;
  l.detail = "tcp";
  using namespace decode::tcp_flag;
  auto ul = [&](uint8_t flags, uint32_t len, build::Buf options = {}) {
    build::TcpOpts o;
    o.seq = cseq;
    o.ack = (flags & kAck) != 0 ? sseq : 0;
    o.flags = flags;
    o.options = std::move(options);
    em_.ue_uplink(t, ue, build::tcp_ip(*p.ue, *p.server, sport, dport, o, filler(len)), l);
    cseq += len + ((flags & (kSyn | kFin)) != 0 ? 1 : 0);
  };
  auto dl = [&](uint8_t flags, uint32_t len, build::Buf options = {}) {
    build::TcpOpts o;
    o.seq = sseq;
    o.ack = cseq;
    o.flags = flags;
    o.window = 64240;
    o.options = std::move(options);
    em_.ue_downlink(t, ue, build::tcp_ip(*p.server, *p.ue, dport, sport, o, filler(len)), l);
    sseq += len + ((flags & (kSyn | kFin)) != 0 ? 1 : 0);
  };
  const build::Buf mss{0x02, 0x04, 0x05, 0x78};  // MSS 1400 (GTP-U overhead leaves room)
  ul(kSyn, 0, mss);
  t += rtt();
  dl(kSyn | kAck, 0, mss);
  t += rtt() / 2;
  ul(kAck, 0);
  for (uint32_t i = 0; i < tcp.segments; ++i) {
    t += 1 * kMs + static_cast<int64_t>(rng_.below(5 * kMs));
    if (i % 2 == 0) {
      ul(kPsh | kAck, payload_len(tcp.payload_min, std::min(tcp.payload_max, 600u)));
      t += rtt();
    } else {
      dl(kPsh | kAck, payload_len(tcp.payload_min, tcp.payload_max));
      t += rtt() / 2;
    }
  }
  t += 2 * kMs;
  ul(kFin | kAck, 0);
  t += rtt();
  dl(kFin | kAck, 0);
  t += rtt() / 2;
  ul(kAck, 0);
}

void UserPlane::udp_flow(const Ue& ue) {
  const auto& udp = sc_.traffic.udp;
  const Peer p = choose_peer(ue, sc_.net.dnns[ue.dnn].servers);
  if (p.server == nullptr) return;
  int64_t t = flow_start(ue);
  if (t == kNever) return;
  const uint16_t sport = ephemeral_port();
  const uint16_t dport = udp.ports[rng_.below(udp.ports.size())];
  Label l = benign_;
  l.detail = "udp";
  for (uint32_t i = 0; i < udp.packets; ++i) {
    const auto len = payload_len(udp.payload_min, udp.payload_max);
    if (i == 0 || rng_.below(10) < 4) {
      em_.ue_uplink(t, ue, build::udp_ip(*p.ue, *p.server, sport, dport, filler(len)), l);
    } else {
      em_.ue_downlink(t, ue, build::udp_ip(*p.server, *p.ue, dport, sport, filler(len)), l);
    }
    t += 10 * kMs + static_cast<int64_t>(rng_.below(30 * kMs));
  }
}

void UserPlane::pings(const Ue& ue) {
  const Peer p = choose_peer(ue, sc_.net.dnns[ue.dnn].servers);
  if (p.server == nullptr) return;
  int64_t t = flow_start(ue);
  if (t == kNever) return;
  const auto id = static_cast<uint16_t>(rng_.next32());
  Label l = benign_;
  l.detail = "icmp";
  for (uint16_t seq = 1; seq <= sc_.traffic.icmp.pings_per_ue; ++seq) {
    em_.ue_uplink(t, ue, build::icmp_echo_ip(*p.ue, *p.server, true, id, seq, filler(56)), l);
    const int64_t tr = t + rtt();
    em_.ue_downlink(tr, ue, build::icmp_echo_ip(*p.server, *p.ue, false, id, seq, filler(56)), l);
    t += kSec;
  }
}

void UserPlane::dns(const Ue& ue) {
  const auto& d = sc_.net.dnns[ue.dnn];
  if (d.dns.empty()) return;
  static constexpr std::array<const char*, 6> kNames = {"www.example.com",  "api.example.net",
                                                        "cdn.example.org",  "mec-app.edge.example",
                                                        "time.example.com", "telemetry.example.io"};
  Label l = benign_;
  l.detail = "dns";
  for (uint32_t q = 0; q < sc_.traffic.dns.queries_per_ue; ++q) {
    const Peer p = choose_peer(ue, d.dns);
    if (p.server == nullptr) return;
    const int64_t t = flow_start(ue);
    if (t == kNever) return;
    const std::string name = kNames[rng_.below(kNames.size())];
    const bool aaaa = p.ue->is_v6();
    const auto id = static_cast<uint16_t>(rng_.next32());
    const uint16_t sport = ephemeral_port();
    const IpAddr& answer = d.servers[rng_.below(d.servers.size())];
    IpAddr ans = answer;
    if (ans.is_v6() != aaaa)
      ans = aaaa ? *IpAddr::parse("2001:db8::80") : *IpAddr::parse("192.0.2.80");
    em_.ue_uplink(
        t, ue, build::udp_ip(*p.ue, *p.server, sport, 53, dns_message(id, false, name, aaaa, ans)),
        l);
    em_.ue_downlink(
        t + rtt() / 2, ue,
        build::udp_ip(*p.server, *p.ue, 53, sport, dns_message(id, true, name, aaaa, ans)), l);
  }
}

void UserPlane::gtpu_echo() {
  const uint32_t every = sc_.traffic.gtpu_echo_interval_s;
  if (every == 0) return;
  Label req;
  req.dir = Dir::kFromUpf;
  req.detail = "gtpu_echo_request";
  Label rsp;
  rsp.dir = Dir::kToUpf;
  rsp.detail = "gtpu_echo_response";
  uint16_t seq = 0;
  for (int64_t t = int64_t{every} * kSec; t < sc_.duration_ns; t += int64_t{every} * kSec) {
    for (size_t g = 0; g < sc_.net.gnb.size(); ++g) {
      build::GtpuSpec e;
      e.msg_type = decode::gtpu_msg::kEchoRequest;
      e.seq = ++seq;
      const int64_t tg = t + static_cast<int64_t>(g) * kMs;
      em_.gtpu_from_upf(tg, sc_.net.gnb[g], e, req);
      build::GtpuSpec r;
      r.msg_type = decode::gtpu_msg::kEchoResponse;
      r.seq = seq;
      r.recovery = 0;
      if (em_.in_window(tg + 2 * kMs)) em_.gtpu_to_upf(tg + 2 * kMs, sc_.net.gnb[g], r, rsp);
    }
  }
}

// After a handover the UPF closes the old downlink path with an End Marker (TS 29.281 5.1)
// to the old gNB's TEID, just after the path switch.
void UserPlane::end_markers() {
  Label l = benign_;
  l.dir = Dir::kDl;
  l.detail = "end_marker";
  for (uint32_t i = 0; i < topo_.benign_count; ++i) {
    const Ue& ue = topo_.ues[i];
    const int64_t t = ue.switch_ns == kNever ? kNever : ue.switch_ns + 500'000;
    if (t >= sc_.duration_ns || t >= ue.release_ns) continue;
    build::GtpuSpec e;
    e.msg_type = decode::gtpu_msg::kEndMarker;
    e.teid = ue.dl_teid;
    Label lu = l;
    lu.ue = static_cast<int32_t>(ue.index);
    lu.has_seid = true;
    lu.seid = ue.up_seid;
    em_.gtpu_from_upf(t, sc_.net.gnb[ue.gnb], e, lu);
  }
}

void UserPlane::run() {
  const auto& tr = sc_.traffic;
  for (uint32_t i = 0; i < topo_.benign_count; ++i) {
    const Ue& ue = topo_.ues[i];
    for (uint32_t f = 0; f < tr.tcp.flows_per_ue; ++f) tcp_flow(ue);
    for (uint32_t f = 0; f < tr.udp.flows_per_ue; ++f) udp_flow(ue);
    if (tr.icmp.pings_per_ue > 0) pings(ue);
    dns(ue);
  }
  end_markers();
  gtpu_echo();
}

}  // namespace

Bytes filler(size_t len) {
  // Printable, deterministic and the same for every run (the seed does not matter here).
  static const std::array<uint8_t, 1500> kFill = [] {
    std::array<uint8_t, 1500> a{};
    uint64_t s = 0x6d6563677561726dULL;  // "mecguard"
    for (auto& b : a) b = static_cast<uint8_t>(0x20 + splitmix64(s) % 95);
    return a;
  }();
  return Bytes(kFill.data(), std::min(len, kFill.size()));
}

const Ue* pick_active_ue(const Topology& topo, Prng& rng, int64_t t, bool need_v4, int64_t until) {
  if (topo.benign_count == 0) return nullptr;
  const auto fits = [&](const Ue& ue) {
    return ue.active_at(t) && ue.active_at(std::max(t, until)) && (!need_v4 || ue.has_v4());
  };
  for (int tries = 0; tries < 32; ++tries) {
    const Ue& ue = topo.ues[rng.below(topo.benign_count)];
    if (fits(ue)) return &ue;
  }
  const uint64_t off = rng.below(topo.benign_count);
  for (uint32_t i = 0; i < topo.benign_count; ++i) {
    const Ue& ue = topo.ues[(off + i) % topo.benign_count];
    if (fits(ue)) return &ue;
  }
  return nullptr;
}

const IpAddr* pick_server(const Dnn& d, IpFamily family, Prng& rng) {
  size_t n = 0;
  for (const auto& s : d.servers) n += s.family == family ? 1 : 0;
  if (n == 0) return nullptr;
  size_t k = rng.below(n);
  for (const auto& s : d.servers) {
    if (s.family == family && k-- == 0) return &s;
  }
  return nullptr;
}

void emit_user_plane(Emitter& em) {
  UserPlane(em).run();
}

}  // namespace mecguard::gen
