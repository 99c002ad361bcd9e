// `mecguard decode CAPTURE`: one line per frame (or a per-layer view with -v, or JSON lines
// with --json), then counts per protocol layer, message type and decode status.
//
// Output goes through a small appender into one buffer written in large blocks: formatting
// is std::to_chars and inet_ntop, no iostream and no allocation per field.
#include <arpa/inet.h>

#include <array>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "capture/reader.h"
#include "cli/commands.h"
#include "decode/packet.h"
#include "pfcp/message.h"
#include "pfcp/types.h"

namespace mecguard::cli {
namespace {

using decode::DecodedPacket;
using decode::DecodeStatus;

// ---- output buffer ----------------------------------------------------------------------

class Out {
 public:
  explicit Out(std::FILE* f) : f_(f) { buf_.reserve(kFlushAt + 4096); }
  Out(const Out&) = delete;
  Out& operator=(const Out&) = delete;
  ~Out() { flush(); }

  Out& s(std::string_view v) {
    buf_.append(v);
    return *this;
  }
  Out& c(char ch) {
    buf_.push_back(ch);
    return *this;
  }
  Out& u(uint64_t v) { return num(v, 10); }
  Out& hex(uint64_t v) {
    s("0x");
    return num(v, 16);
  }
  // 0x + exactly `digits` hex digits (TEIDs print as 0x0000abcd, like tshark).
  Out& hex_pad(uint64_t v, size_t digits) {
    char tmp[24];
    const auto r = std::to_chars(tmp, tmp + sizeof tmp, v, 16);
    const auto len = static_cast<size_t>(r.ptr - tmp);
    s("0x");
    if (len < digits) buf_.append(digits - len, '0');
    buf_.append(tmp, len);
    return *this;
  }
  // Right-aligned in `width` columns.
  Out& u_pad(uint64_t v, size_t width) {
    char tmp[24];
    const auto r = std::to_chars(tmp, tmp + sizeof tmp, v);
    const auto len = static_cast<size_t>(r.ptr - tmp);
    if (len < width) buf_.append(width - len, ' ');
    buf_.append(tmp, len);
    return *this;
  }
  // Left-aligned in `width` columns.
  Out& s_pad(std::string_view v, size_t width) {
    buf_.append(v);
    if (v.size() < width) buf_.append(width - v.size(), ' ');
    return *this;
  }
  // seconds.nanoseconds
  Out& ts(uint64_t ns) {
    u(ns / 1000000000ULL).c('.');
    char tmp[24];
    const auto r = std::to_chars(tmp, tmp + sizeof tmp, ns % 1000000000ULL);
    const auto len = static_cast<size_t>(r.ptr - tmp);
    buf_.append(9 - len, '0');
    buf_.append(tmp, len);
    return *this;
  }
  Out& ip(const IpAddr& a) {
    if (a.empty()) return s("-");
    char tmp[INET6_ADDRSTRLEN];
    if (inet_ntop(a.is_v4() ? AF_INET : AF_INET6, a.bytes.data(), tmp, sizeof tmp) == nullptr) {
      return s("?");
    }
    return s(tmp);
  }
  // addr:port, [v6]:port
  Out& endpoint(const IpAddr& a, uint16_t port, bool with_port) {
    if (!with_port) return ip(a);
    if (a.is_v6()) return c('[').ip(a).s("]:").u(port);
    return ip(a).c(':').u(port);
  }
  void end_line() {
    buf_.push_back('\n');
    if (buf_.size() >= kFlushAt) flush();
  }
  void flush() {
    if (!buf_.empty()) std::fwrite(buf_.data(), 1, buf_.size(), f_);
    buf_.clear();
    std::fflush(f_);
  }

 private:
  static constexpr size_t kFlushAt = size_t{64} << 10;
  Out& num(uint64_t v, int base) {
    char tmp[24];
    const auto r = std::to_chars(tmp, tmp + sizeof tmp, v, base);
    buf_.append(tmp, static_cast<size_t>(r.ptr - tmp));
    return *this;
  }
  std::FILE* f_;
  std::string buf_;
};

// ---- names ------------------------------------------------------------------------------

std::string_view gtpu_msg_name(uint8_t t) {
  switch (t) {
    case decode::gtpu_msg::kEchoRequest:
      return "echo_request";
    case decode::gtpu_msg::kEchoResponse:
      return "echo_response";
    case decode::gtpu_msg::kErrorIndication:
      return "error_indication";
    case decode::gtpu_msg::kSupportedExtHeadersNotification:
      return "supported_ext_headers";
    case decode::gtpu_msg::kEndMarker:
      return "end_marker";
    case decode::gtpu_msg::kGpdu:
      return "g_pdu";
    default:
      return "unknown";
  }
}

std::string_view l4_name(uint8_t proto) {
  switch (proto) {
    case decode::kProtoTcp:
      return "tcp";
    case decode::kProtoUdp:
      return "udp";
    case decode::kProtoIcmp:
      return "icmp";
    case decode::kProtoIcmpv6:
      return "icmpv6";
    case decode::kProtoSctp:
      return "sctp";
    default:
      return {};
  }
}

bool has_ports(uint8_t proto) {
  return proto == decode::kProtoTcp || proto == decode::kProtoUdp || proto == decode::kProtoSctp;
}

void tcp_flags(Out& o, uint8_t f) {
  static constexpr std::array<std::pair<uint8_t, char>, 8> kLetters = {{
      {decode::tcp_flag::kFin, 'F'},
      {decode::tcp_flag::kSyn, 'S'},
      {decode::tcp_flag::kRst, 'R'},
      {decode::tcp_flag::kPsh, 'P'},
      {decode::tcp_flag::kAck, 'A'},
      {decode::tcp_flag::kUrg, 'U'},
      {decode::tcp_flag::kEce, 'E'},
      {decode::tcp_flag::kCwr, 'C'},
  }};
  if (f == 0) {
    o.c('-');
    return;
  }
  for (const auto& [bit, letter] : kLetters) {
    if ((f & bit) != 0) o.c(letter);
  }
}

// ---- counters ---------------------------------------------------------------------------

// Protocol layers counted once per frame that contains them: X(enumerator, name).
#define MG_DECODE_LAYERS(X)                                                                   \
  X(kVlan, "vlan")                                                                            \
  X(kIpv4, "ipv4") X(kIpv6, "ipv6") X(kFragment, "ip_fragment") X(kUdp, "udp") X(kTcp, "tcp") \
      X(kIcmp, "icmp") X(kIcmpv6, "icmpv6") X(kSctp, "sctp") X(kIpUndecoded, "ip_undecoded")  \
          X(kNonIp, "non_ip") X(kGtpu, "gtpu") X(kPfcp, "pfcp") X(kInnerIpv4, "inner_ipv4")   \
              X(kInnerIpv6, "inner_ipv6") X(kInnerTcp, "inner_tcp") X(kInnerUdp, "inner_udp") \
                  X(kInnerIcmp, "inner_icmp") X(kInnerOther, "inner_other")

enum class Layer : uint8_t {
#define MG_X(e, name) e,
  MG_DECODE_LAYERS(MG_X)
#undef MG_X
      kCount_
};
constexpr std::string_view kLayerNames[] = {
#define MG_X(e, name) name,
    MG_DECODE_LAYERS(MG_X)
#undef MG_X
};
constexpr size_t kLayerCount = static_cast<size_t>(Layer::kCount_);

struct Totals {
  uint64_t frames = 0;
  uint64_t bytes = 0;  // captured
  uint64_t cut = 0;    // captured < original length
  uint64_t first_ns = 0;
  uint64_t last_ns = 0;
  std::array<uint64_t, kLayerCount> layers{};
  std::array<uint64_t, 256> gtpu_types{};
  std::array<uint64_t, 256> pfcp_types{};
  std::array<uint64_t, decode::kDecodeStatusCount> status{};
  std::array<uint64_t, pfcp::kStatusCount> pfcp_status{};

  void add(Layer l) { ++layers[static_cast<size_t>(l)]; }
};

// ---- one frame --------------------------------------------------------------------------

struct Options {
  std::string path;
  bool verbose = false;
  bool summary = false;
  bool json = false;
  uint64_t limit = 0;  // 0: all
  uint16_t gtpu_port = 2152;
  uint16_t pfcp_port = 8805;
};

void count_ip(Totals& t, const decode::IpLayer& ip, const decode::L4Layer& l4, bool inner) {
  if (!ip.present()) return;
  if (inner) {
    t.add(ip.version == 4 ? Layer::kInnerIpv4 : Layer::kInnerIpv6);
    switch (l4.proto) {
      case decode::kProtoTcp:
        t.add(Layer::kInnerTcp);
        break;
      case decode::kProtoUdp:
        t.add(Layer::kInnerUdp);
        break;
      case decode::kProtoIcmp:
      case decode::kProtoIcmpv6:
        t.add(Layer::kInnerIcmp);
        break;
      default:
        t.add(Layer::kInnerOther);
        break;
    }
    return;
  }
  t.add(ip.version == 4 ? Layer::kIpv4 : Layer::kIpv6);
  if (ip.is_fragment) t.add(Layer::kFragment);
  switch (l4.proto) {
    case decode::kProtoTcp:
      t.add(Layer::kTcp);
      break;
    case decode::kProtoUdp:
      t.add(Layer::kUdp);
      break;
    case decode::kProtoIcmp:
      t.add(Layer::kIcmp);
      break;
    case decode::kProtoIcmpv6:
      t.add(Layer::kIcmpv6);
      break;
    case decode::kProtoSctp:
      t.add(Layer::kSctp);
      break;
    default:
      break;
  }
}

// "src:sport -> dst:dport proto [flags|type]"
void flow(Out& o, const decode::IpLayer& ip, const decode::L4Layer& l4) {
  const bool ports = has_ports(l4.proto);
  o.endpoint(ip.src, l4.sport, ports).s(" -> ").endpoint(ip.dst, l4.dport, ports).c(' ');
  const std::string_view n = l4_name(l4.proto);
  if (!n.empty()) {
    o.s(n);
  } else if (ip.is_fragment && l4.proto == 0) {
    o.s("frag proto=").u(ip.proto).s(" off=").u(ip.frag_offset * 8U);
  } else {
    o.s("proto=").u(ip.proto);
  }
  if (l4.proto == decode::kProtoTcp) {
    o.c(' ');
    tcp_flags(o, l4.tcp_flags);
  } else if (l4.proto == decode::kProtoIcmp || l4.proto == decode::kProtoIcmpv6) {
    o.s(" type=").u(l4.icmp_type).s(" code=").u(l4.icmp_code);
  }
}

// The PFCP header of a frame, decoded once and shared by the counters and every view.
struct PfcpHead {
  pfcp::Status status = pfcp::Status::kOk;
  pfcp::HeaderInfo info;
  int type = -1;  // message type when known from the header or its second byte
};

PfcpHead pfcp_head(const DecodedPacket& p) {
  PfcpHead h;
  h.status = pfcp::decode_header(p.pfcp_bytes(), h.info);
  if (h.status == pfcp::Status::kOk) {
    h.type = h.info.header.type;
  } else if (p.pfcp_len >= 2) {
    h.type = p.pfcp_bytes()[1];  // the type is byte 1 even when the rest is bad
  }
  return h;
}

void pfcp_short(Out& o, const DecodedPacket& p, const PfcpHead& h) {
  o.s(" pfcp ");
  if (h.status != pfcp::Status::kOk) {
    const Bytes b = p.pfcp_bytes();
    if (b.size() >= 2) o.s("type=").u(b[1]).s((b[0] & 0x01) != 0 ? " S=1" : " S=0");
    o.s(" !").s(pfcp::status_name(h.status));
    return;
  }
  const pfcp::Header& hd = h.info.header;
  o.s(pfcp::message_type_name(hd.type));
  if (!pfcp::is_known_message_type(hd.type)) o.s("(").u(hd.type).s(")");
  if (hd.has_seid) o.s(" seid=").hex(hd.seid);
  o.s(" seq=").u(hd.seq);
  if (hd.fo) o.s(" fo");
}

void gtpu_short(Out& o, const DecodedPacket& p) {
  const auto& g = p.gtpu;
  o.s(" gtpu ").s(gtpu_msg_name(g.msg_type));
  if (g.msg_type != decode::gtpu_msg::kGpdu && gtpu_msg_name(g.msg_type) == "unknown") {
    o.s("(").u(g.msg_type).s(")");
  }
  o.s(" teid=").hex_pad(g.teid, 8);
  if (g.has_pdu_session) o.s(" qfi=").u(g.qfi).s(g.pdu_type == 1 ? " ul" : " dl");
  if (g.s_flag) o.s(" seq=").u(g.seq);
  if (g.has_recovery) o.s(" recovery=").u(g.recovery);
  if (g.msg_type == decode::gtpu_msg::kErrorIndication && g.ei_teid != 0) {
    o.s(" ei_teid=").hex_pad(g.ei_teid, 8).s(" ei_peer=").ip(g.ei_peer);
  }
  if (p.inner_ip.present()) {
    o.s(" | ");
    flow(o, p.inner_ip, p.inner_l4);
  }
}

void frame_line(Out& o, const capture::Frame& f, decode::LinkType link, const DecodedPacket& p,
                const PfcpHead& head) {
  o.u_pad(f.number, 6).c(' ').ts(f.ts_ns).c(' ').s(capture::link_type_name(link));
  for (uint8_t i = 0; i < p.vlan_count && i < 2; ++i) o.s(" vlan=").u(p.vlan[i]);
  if (p.outer_ip.present()) {
    o.c(' ');
    flow(o, p.outer_ip, p.outer_l4);
  } else if (p.ethertype != 0) {
    o.s(" ethertype=").hex(p.ethertype);
  }
  if (p.app == decode::AppKind::kGtpu && p.gtpu.present()) gtpu_short(o, p);
  if (p.app == decode::AppKind::kPfcp) pfcp_short(o, p, head);
  o.s(" len=").u(f.data.size());
  if (f.truncated()) o.c('/').u(f.orig_len);
  if (!p.ok()) o.s(" !").s(decode::status_name(p.status));
  o.end_line();
}

// ---- verbose view -----------------------------------------------------------------------

void ip_detail(Out& o, std::string_view label, const decode::IpLayer& ip) {
  o.s("  ").s(label).s(": ").ip(ip.src).s(" -> ").ip(ip.dst).s(" proto=").u(ip.proto);
  o.s(ip.version == 6 ? " hlim=" : " ttl=").u(ip.ttl).s(" hdr=").u(ip.header_len);
  o.s(" total=").u(ip.total_len);
  if (ip.version == 6) o.s(" ext=").u(ip.ext_count);
  if (ip.has_options) o.s(" options");
  if (ip.dont_fragment) o.s(" df");
  if (ip.is_fragment) {
    o.s(" fragment id=").u(ip.frag_id).s(" off=").u(ip.frag_offset * 8U);
    if (ip.more_fragments) o.s(" mf");
  }
  o.s(" @").u(ip.offset);
  o.end_line();
}

void l4_detail(Out& o, std::string_view label, const decode::L4Layer& l4) {
  if (!l4.present()) return;
  o.s("  ").s(label).s(": ").s(l4_name(l4.proto));
  if (has_ports(l4.proto)) o.c(' ').u(l4.sport).s(" -> ").u(l4.dport);
  if (l4.proto == decode::kProtoTcp) {
    o.s(" flags=");
    tcp_flags(o, l4.tcp_flags);
    o.s(" seq=").u(l4.tcp_seq).s(" ack=").u(l4.tcp_ack);
  } else if (l4.proto == decode::kProtoIcmp || l4.proto == decode::kProtoIcmpv6) {
    o.s(" type=").u(l4.icmp_type).s(" code=").u(l4.icmp_code);
  } else if (l4.proto == decode::kProtoSctp) {
    o.s(" vtag=").hex(l4.sctp_vtag);
  }
  o.s(" payload=").u(l4.payload_len).s(" @").u(l4.offset);
  o.end_line();
}

void gtpu_detail(Out& o, const decode::GtpuLayer& g) {
  o.s("  gtpu: ").s(gtpu_msg_name(g.msg_type)).s(" (").u(g.msg_type).s(") v").u(g.version);
  o.s(" pt=").u(g.pt ? 1U : 0U).s(" e=").u(g.e_flag ? 1U : 0U).s(" s=").u(g.s_flag ? 1U : 0U);
  o.s(" pn=").u(g.pn_flag ? 1U : 0U).s(" length=").u(g.length).s(" teid=").hex(g.teid);
  if (g.s_flag) o.s(" seq=").u(g.seq);
  if (g.pn_flag) o.s(" npdu=").u(g.npdu);
  o.s(" @").u(g.offset);
  o.end_line();
  if (g.ext_count > 0) {
    o.s("  gtpu ext: count=").u(g.ext_count).s(" first=").hex(g.first_ext_type);
    if (g.unknown_required_ext != 0) o.s(" unknown_required=").hex(g.unknown_required_ext);
    if (g.has_pdu_session) {
      o.s(" pdu_session ").s(g.pdu_type == 1 ? "ul" : "dl").s(" qfi=").u(g.qfi);
      if (g.rqi) o.s(" rqi");
      if (g.has_ppi) o.s(" ppi=").u(g.ppi);
    }
    o.end_line();
  }
  if (g.has_recovery) o.s("  gtpu ie: recovery=").u(g.recovery).end_line();
  if (g.msg_type == decode::gtpu_msg::kErrorIndication) {
    o.s("  gtpu ie: teid_data_i=").hex_pad(g.ei_teid, 8).s(" peer=").ip(g.ei_peer).end_line();
  }
  o.s("  gtpu payload: ").u(g.payload_len).s(" bytes @").u(g.payload_offset).end_line();
}

void fteid(Out& o, const pfcp::FTeid& f) {
  if (f.ch) {
    o.s("choose");
    if (f.v4) o.s(" v4");
    if (f.v6) o.s(" v6");
    if (f.chid) o.s(" id=").u(f.choose_id);
    return;
  }
  o.hex_pad(f.teid, 8);
  if (!f.ipv4.empty()) o.c('@').ip(f.ipv4);
  if (!f.ipv6.empty()) o.c('@').ip(f.ipv6);
}

void fseid(Out& o, std::string_view label, const pfcp::FSeid& f) {
  o.s("  pfcp ie: ").s(label).s(" seid=").hex(f.seid);
  if (!f.ipv4.empty()) o.c(' ').ip(f.ipv4);
  if (!f.ipv6.empty()) o.c(' ').ip(f.ipv6);
  o.end_line();
}

void pfcp_detail(Out& o, const DecodedPacket& p, const PfcpHead& head) {
  o.s("  pfcp:");
  if (head.status != pfcp::Status::kOk) {
    pfcp_short(o, p, head);
    o.s(" @").u(p.pfcp_offset).end_line();
    return;
  }
  const pfcp::Header& h = head.info.header;
  o.c(' ').s(pfcp::message_type_name(h.type)).s(" (").u(h.type).c(')');
  if (h.has_seid) o.s(" seid=").hex(h.seid);
  o.s(" seq=").u(h.seq);
  if (h.mp) o.s(" priority=").u(h.priority);
  if (h.fo) o.s(" fo");
  o.s(" length=").u(head.info.msg_len).s(" @").u(p.pfcp_offset).end_line();
  pfcp::DecodeStats stats;
  const auto m = pfcp::decode_message(p.pfcp_bytes(), &stats);
  if (!m) {
    o.s("  pfcp decode: ").s(m.error().to_string()).end_line();
    return;
  }
  if (m->node_id) {
    o.s("  pfcp ie: node_id=");
    if (m->node_id->kind == pfcp::NodeId::Kind::kFqdn) {
      o.s(m->node_id->fqdn);
    } else {
      o.ip(m->node_id->ip);
    }
    o.end_line();
  }
  if (m->cause) o.s("  pfcp ie: cause=").u(static_cast<uint8_t>(*m->cause)).end_line();
  if (m->cp_f_seid) fseid(o, "cp_f_seid", *m->cp_f_seid);
  if (m->up_f_seid) fseid(o, "up_f_seid", *m->up_f_seid);
  if (m->recovery_time_stamp) {
    o.s("  pfcp ie: recovery_time_stamp=").u(*m->recovery_time_stamp).end_line();
  }
  for (const auto& pdr : m->create_pdrs) {
    o.s("  pfcp ie: create_pdr id=").u(pdr.pdr_id).s(" precedence=").u(pdr.precedence);
    if (pdr.pdi.f_teid) {
      o.s(" f_teid=");
      fteid(o, *pdr.pdi.f_teid);
    }
    for (const auto& ue : pdr.pdi.ue_ips) {
      o.s(" ue_ip=");
      if (!ue.ipv4.empty()) o.ip(ue.ipv4);
      if (!ue.ipv6.empty()) o.ip(ue.ipv6);
    }
    if (pdr.pdi.qfi) o.s(" qfi=").u(*pdr.pdi.qfi);
    if (pdr.far_id) o.s(" far=").u(*pdr.far_id);
    o.end_line();
  }
  for (const auto& c : m->created_pdrs) {
    o.s("  pfcp ie: created_pdr id=").u(c.pdr_id);
    if (c.local_f_teid) {
      o.s(" f_teid=");
      fteid(o, *c.local_f_teid);
    }
    o.end_line();
  }
  const auto count = [&](std::string_view n, size_t v) {
    if (v > 0) o.s("  pfcp ie: ").s(n).s(" x").u(v).end_line();
  };
  count("create_far", m->create_fars.size());
  count("create_qer", m->create_qers.size());
  count("create_urr", m->create_urrs.size());
  count("update_pdr", m->update_pdrs.size());
  count("update_far", m->update_fars.size());
  count("update_qer", m->update_qers.size());
  count("remove_pdr", m->remove_pdrs.size());
  count("remove_far", m->remove_fars.size());
  count("remove_qer", m->remove_qers.size());
  count("remove_urr", m->remove_urrs.size());
  count("other_ie", m->extra_ies.size());
}

void frame_detail(Out& o, const capture::Frame& f, decode::LinkType link, const DecodedPacket& p,
                  const PfcpHead& head) {
  o.s("frame ").u(f.number).s(": ").ts(f.ts_ns).s(" captured=").u(f.data.size());
  o.s(" wire=").u(f.orig_len).s(" status=").s(decode::status_name(p.status));
  if (!p.ok()) o.s(" (").s(decode::status_text(p.status)).c(')');
  o.end_line();
  o.s("  link: ").s(capture::link_type_name(link));
  for (uint8_t i = 0; i < p.vlan_count && i < 2; ++i) o.s(" vlan=").u(p.vlan[i]);
  if (p.ethertype != 0) o.s(" ethertype=").hex(p.ethertype);
  o.end_line();
  if (p.outer_ip.present()) ip_detail(o, p.outer_ip.version == 6 ? "ipv6" : "ipv4", p.outer_ip);
  l4_detail(o, "l4", p.outer_l4);
  if (p.app == decode::AppKind::kGtpu && p.gtpu.present()) gtpu_detail(o, p.gtpu);
  if (p.inner_ip.present()) {
    ip_detail(o, p.inner_ip.version == 6 ? "inner ipv6" : "inner ipv4", p.inner_ip);
  }
  l4_detail(o, "inner l4", p.inner_l4);
  if (p.app == decode::AppKind::kPfcp) pfcp_detail(o, p, head);
}

// ---- JSON -------------------------------------------------------------------------------

nlohmann::json ip_json(const decode::IpLayer& ip, const decode::L4Layer& l4) {
  nlohmann::json j = {{"version", ip.version},
                      {"src", ip.src.to_string()},
                      {"dst", ip.dst.to_string()},
                      {"proto", ip.proto}};
  if (ip.is_fragment) j["fragment"] = true;
  if (l4.present()) {
    j["l4"] = l4_name(l4.proto);
    if (has_ports(l4.proto)) {
      j["sport"] = l4.sport;
      j["dport"] = l4.dport;
    }
    if (l4.proto == decode::kProtoTcp) j["tcp_flags"] = l4.tcp_flags;
    if (l4.proto == decode::kProtoIcmp || l4.proto == decode::kProtoIcmpv6) {
      j["icmp_type"] = l4.icmp_type;
      j["icmp_code"] = l4.icmp_code;
    }
  }
  return j;
}

// The IE values a cross-check with another dissector needs: F-SEIDs, every F-TEID (PDI,
// Created PDR), UE addresses and the TEIDs of Outer Header Creation.
void pfcp_ies_json(const pfcp::Message& m, nlohmann::json& pj) {
  auto fseid = [](const pfcp::FSeid& f) {
    nlohmann::json j = {{"seid", f.seid}};
    if (!f.ipv4.empty()) j["ipv4"] = f.ipv4.to_string();
    if (!f.ipv6.empty()) j["ipv6"] = f.ipv6.to_string();
    return j;
  };
  if (m.cp_f_seid) pj["cp_f_seid"] = fseid(*m.cp_f_seid);
  if (m.up_f_seid) pj["up_f_seid"] = fseid(*m.up_f_seid);
  nlohmann::json fteids = nlohmann::json::array(), ue_ips = nlohmann::json::array(), ohc = nlohmann::json::array();
  auto add_fteid = [&](const pfcp::FTeid& f) {
    nlohmann::json j = {{"ch", f.ch}};
    if (!f.ch) j["teid"] = f.teid;
    if (!f.ipv4.empty()) j["ipv4"] = f.ipv4.to_string();
    if (!f.ipv6.empty()) j["ipv6"] = f.ipv6.to_string();
    fteids.push_back(std::move(j));
  };
  auto add_ue = [&](const pfcp::UeIpAddress& u) {
    if (!u.ipv4.empty()) ue_ips.push_back(u.ipv4.to_string());
    if (!u.ipv6.empty()) ue_ips.push_back(u.ipv6.to_string());
  };
  auto add_pdi = [&](const pfcp::Pdi& pdi) {
    if (pdi.f_teid) add_fteid(*pdi.f_teid);
    for (const auto& u : pdi.ue_ips) add_ue(u);
  };
  auto add_fp = [&](const pfcp::ForwardingParameters& fp) {
    if (fp.outer_header_creation) ohc.push_back(fp.outer_header_creation->teid);
  };
  for (const auto& c : m.create_pdrs) add_pdi(c.pdi);
  for (const auto& u : m.update_pdrs) {
    if (u.pdi) add_pdi(*u.pdi);
  }
  for (const auto& c : m.created_pdrs) {
    if (c.local_f_teid) add_fteid(*c.local_f_teid);
    for (const auto& u : c.ue_ips) add_ue(u);
  }
  for (const auto& f : m.create_fars) {
    if (f.forwarding) add_fp(*f.forwarding);
  }
  for (const auto& f : m.update_fars) {
    if (f.update_forwarding) add_fp(*f.update_forwarding);
  }
  if (!fteids.empty()) pj["f_teids"] = std::move(fteids);
  if (!ue_ips.empty()) pj["ue_ips"] = std::move(ue_ips);
  if (!ohc.empty()) pj["ohc_teids"] = std::move(ohc);
}

void frame_json(Out& o, const capture::Frame& f, decode::LinkType link, const DecodedPacket& p,
                const PfcpHead& head) {
  nlohmann::json j = {{"frame", f.number},
                      {"ts_ns", f.ts_ns},
                      {"captured", f.data.size()},
                      {"wire", f.orig_len},
                      {"link", capture::link_type_name(link)},
                      {"status", decode::status_name(p.status)}};
  if (p.vlan_count > 0) {
    j["vlan"] = nlohmann::json::array();
    for (uint8_t i = 0; i < p.vlan_count && i < 2; ++i) j["vlan"].push_back(p.vlan[i]);
  }
  if (p.ethertype != 0) j["ethertype"] = p.ethertype;
  if (p.outer_ip.present()) j["ip"] = ip_json(p.outer_ip, p.outer_l4);
  if (p.app == decode::AppKind::kGtpu && p.gtpu.present()) {
    const auto& g = p.gtpu;
    nlohmann::json gj = {
        {"type", gtpu_msg_name(g.msg_type)}, {"msg_type", g.msg_type}, {"teid", g.teid}};
    if (g.has_pdu_session) {
      gj["qfi"] = g.qfi;
      gj["pdu_type"] = g.pdu_type == 1 ? "ul" : "dl";
    }
    if (g.s_flag) gj["seq"] = g.seq;
    if (p.inner_ip.present()) gj["inner"] = ip_json(p.inner_ip, p.inner_l4);
    j["gtpu"] = std::move(gj);
  }
  if (p.app == decode::AppKind::kPfcp) {
    nlohmann::json pj = {{"status", pfcp::status_name(head.status)}};
    if (head.type >= 0) pj["msg_type"] = head.type;
    if (head.status == pfcp::Status::kOk) {
      const pfcp::Header& hd = head.info.header;
      pj["type"] = pfcp::message_type_name(hd.type);
      if (hd.has_seid) pj["seid"] = hd.seid;
      pj["seq"] = hd.seq;
      if (auto m = pfcp::decode_message(p.pfcp_bytes())) pfcp_ies_json(*m, pj);
      else pj["ie_error"] = m.error().to_string();
    }
    j["pfcp"] = std::move(pj);
  }
  o.s(j.dump()).end_line();
}

// ---- totals -----------------------------------------------------------------------------

void count_frame(Totals& t, const capture::Frame& f, const DecodedPacket& p, const PfcpHead& head) {
  if (t.frames == 0) t.first_ns = f.ts_ns;
  t.last_ns = f.ts_ns;
  ++t.frames;
  t.bytes += f.data.size();
  if (f.truncated()) ++t.cut;
  ++t.status[static_cast<size_t>(p.status)];
  if (p.vlan_count > 0) t.add(Layer::kVlan);
  if (p.outer_ip.present()) {
    count_ip(t, p.outer_ip, p.outer_l4, false);
  } else if (p.ethertype == 0x0800 || p.ethertype == 0x86DD) {
    t.add(Layer::kIpUndecoded);  // an IP header the decoder refused
  } else {
    t.add(Layer::kNonIp);
  }
  if (p.app == decode::AppKind::kGtpu && p.gtpu.present()) {
    t.add(Layer::kGtpu);
    ++t.gtpu_types[p.gtpu.msg_type];
    count_ip(t, p.inner_ip, p.inner_l4, true);
  }
  if (p.app == decode::AppKind::kPfcp) {
    t.add(Layer::kPfcp);
    ++t.pfcp_status[static_cast<size_t>(head.status)];
    if (head.type >= 0) ++t.pfcp_types[static_cast<size_t>(head.type)];
  }
}

void print_totals(Out& o, const Totals& t, const capture::Reader& r) {
  o.s("frames: ").u(t.frames).s("  bytes: ").u(t.bytes).s("  cut by snaplen: ").u(t.cut);
  o.s("  link: ").s(capture::link_type_name(r.link_type()));
  if (t.frames > 0) o.s("  span: ").ts(t.last_ns - t.first_ns).s(" s");
  o.end_line();
  const auto section = [&](std::string_view title) { o.s(title).c(':').end_line(); };
  const auto row = [&](std::string_view name, uint64_t v) {
    o.s("  ").s_pad(name, 36).u_pad(v, 10).end_line();
  };
  section("protocols");
  for (size_t i = 0; i < kLayerCount; ++i) {
    if (t.layers[i] > 0) row(kLayerNames[i], t.layers[i]);
  }
  if (t.layers[static_cast<size_t>(Layer::kGtpu)] > 0) {
    section("gtpu messages");
    for (size_t i = 0; i < 256; ++i) {
      if (t.gtpu_types[i] == 0) continue;
      const auto type = static_cast<uint8_t>(i);
      if (gtpu_msg_name(type) == "unknown") {
        std::string n = "unknown(" + std::to_string(i) + ")";
        row(n, t.gtpu_types[i]);
      } else {
        row(gtpu_msg_name(type), t.gtpu_types[i]);
      }
    }
  }
  if (t.layers[static_cast<size_t>(Layer::kPfcp)] > 0) {
    section("pfcp messages");
    for (size_t i = 0; i < 256; ++i) {
      if (t.pfcp_types[i] == 0) continue;
      const auto type = static_cast<uint8_t>(i);
      if (pfcp::is_known_message_type(type)) {
        row(pfcp::message_type_name(type), t.pfcp_types[i]);
      } else {
        std::string n = "unknown(" + std::to_string(i) + ")";
        row(n, t.pfcp_types[i]);
      }
    }
    section("pfcp header status");
    for (size_t i = 0; i < pfcp::kStatusCount; ++i) {
      if (t.pfcp_status[i] > 0)
        row(pfcp::status_name(static_cast<pfcp::Status>(i)), t.pfcp_status[i]);
    }
  }
  section("decode status");
  for (size_t i = 0; i < decode::kDecodeStatusCount; ++i) {
    if (t.status[i] > 0) row(decode::status_name(static_cast<DecodeStatus>(i)), t.status[i]);
  }
}

void print_totals_json(Out& o, const Totals& t, const capture::Reader& r) {
  nlohmann::json j = {{"frames", t.frames},
                      {"bytes", t.bytes},
                      {"cut", t.cut},
                      {"link", capture::link_type_name(r.link_type())}};
  nlohmann::json layers = nlohmann::json::object();
  for (size_t i = 0; i < kLayerCount; ++i) {
    if (t.layers[i] > 0) layers[std::string(kLayerNames[i])] = t.layers[i];
  }
  nlohmann::json gtpu = nlohmann::json::object();
  nlohmann::json pfcp_types = nlohmann::json::object();
  for (size_t i = 0; i < 256; ++i) {
    const auto type = static_cast<uint8_t>(i);
    if (t.gtpu_types[i] > 0) {
      const std::string n = gtpu_msg_name(type) == "unknown" ? "unknown(" + std::to_string(i) + ")"
                                                             : std::string(gtpu_msg_name(type));
      gtpu[n] = t.gtpu_types[i];
    }
    if (t.pfcp_types[i] > 0) {
      const std::string n = pfcp::is_known_message_type(type)
                                ? std::string(pfcp::message_type_name(type))
                                : "unknown(" + std::to_string(i) + ")";
      pfcp_types[n] = t.pfcp_types[i];
    }
  }
  nlohmann::json status = nlohmann::json::object();
  for (size_t i = 0; i < decode::kDecodeStatusCount; ++i) {
    if (t.status[i] > 0) {
      status[std::string(decode::status_name(static_cast<DecodeStatus>(i)))] = t.status[i];
    }
  }
  nlohmann::json pstatus = nlohmann::json::object();
  for (size_t i = 0; i < pfcp::kStatusCount; ++i) {
    if (t.pfcp_status[i] > 0) {
      pstatus[std::string(pfcp::status_name(static_cast<pfcp::Status>(i)))] = t.pfcp_status[i];
    }
  }
  j["protocols"] = std::move(layers);
  j["gtpu_messages"] = std::move(gtpu);
  j["pfcp_messages"] = std::move(pfcp_types);
  j["pfcp_header_status"] = std::move(pstatus);
  j["decode_status"] = std::move(status);
  nlohmann::json top = {{"summary", std::move(j)}};
  o.s(top.dump()).end_line();
}

// ---- the command ------------------------------------------------------------------------

int run(const Options& opt) {
  auto reader = capture::Reader::open(opt.path);
  if (!reader) {
    std::fprintf(stderr, "mecguard decode: %s\n", reader.error().to_string().c_str());
    return reader.error().code == ErrorCode::kInvalidArgument ? 2 : 1;
  }
  capture::Reader& r = *reader;
  decode::DecodeOptions dopt;
  dopt.gtpu_port = opt.gtpu_port;
  dopt.pfcp_port = opt.pfcp_port;

  Out out(stdout);
  auto totals = std::make_unique<Totals>();
  Totals& t = *totals;
  std::vector<capture::Frame> batch(256);
  std::vector<DecodedPacket> packets(batch.size());
  bool stopped_by_limit = false;
  while (!stopped_by_limit) {
    size_t n = r.read_batch(batch);
    if (n == 0) break;
    if (opt.limit > 0 && t.frames + n >= opt.limit) {
      n = static_cast<size_t>(opt.limit - t.frames);
      stopped_by_limit = true;
    }
    for (size_t i = 0; i < n; ++i) {
      (void)decode::decode_frame(batch[i].data, r.link_type(), packets[i], dopt);
    }
    for (size_t i = 0; i < n; ++i) {
      const capture::Frame& f = batch[i];
      const DecodedPacket& p = packets[i];
      const PfcpHead head = p.app == decode::AppKind::kPfcp ? pfcp_head(p) : PfcpHead{};
      count_frame(t, f, p, head);
      if (opt.summary) continue;
      if (opt.json) {
        frame_json(out, f, r.link_type(), p, head);
      } else if (opt.verbose) {
        frame_detail(out, f, r.link_type(), p, head);
      } else {
        frame_line(out, f, r.link_type(), p, head);
      }
    }
  }
  if (opt.json) {
    print_totals_json(out, t, r);
  } else {
    if (!opt.summary) out.end_line();
    print_totals(out, t, r);
  }
  out.flush();
  if (!stopped_by_limit && r.error()) {
    std::fprintf(stderr, "mecguard decode: %s (%llu frames before it were decoded)\n",
                 r.error()->to_string().c_str(), static_cast<unsigned long long>(t.frames));
    return 1;
  }
  if (std::ferror(stdout) != 0) {
    std::fprintf(stderr, "mecguard decode: error writing standard output\n");
    return 1;
  }
  return 0;
}

}  // namespace

void register_decode(CLI::App& app) {
  auto opt = std::make_shared<Options>();
  auto* sub = app.add_subcommand("decode", "Decode a pcap/pcapng capture frame by frame");
  sub->add_option("capture", opt->path, "Capture file (pcap or pcapng; - for stdin)")->required();
  auto* verbose =
      sub->add_flag("-v,--verbose", opt->verbose, "Detailed view of every layer's fields");
  sub->add_flag("--summary", opt->summary, "Print only the totals");
  sub->add_flag("--json", opt->json, "JSON lines: one object per frame, then a summary object")
      ->excludes(verbose);
  // uint64_t alone would take "-1" as 2^64-1.
  const CLI::Validator non_negative(
      [](std::string& v) {
        return v.find('-') == std::string::npos ? std::string() : "must not be negative";
      },
      "N>=0");
  sub->add_option("--limit", opt->limit, "Stop after N frames (0: all)")->check(non_negative);
  sub->add_option("--gtpu-port", opt->gtpu_port, "UDP port of GTP-U")->capture_default_str();
  sub->add_option("--pfcp-port", opt->pfcp_port, "UDP port of PFCP")->capture_default_str();
  sub->callback([opt] { exit_status() = run(*opt); });
}

}  // namespace mecguard::cli
