// Frame and GTP-U encoders; see build.h. Clarity over speed: these run off the data path.
#include "decode/build.h"

namespace mecguard::decode::build {

namespace {

void put_addr(ByteWriter& w, const IpAddr& a) {
  w.append(Bytes(a.bytes.data(), a.wire_size()));
}

uint32_t sum16(Bytes data, uint32_t acc) {
  size_t i = 0;
  for (; i + 1 < data.size(); i += 2) acc += load_be16(data.data() + i);
  if (i < data.size()) acc += uint32_t{data[i]} << 8;
  return acc;
}

uint32_t pseudo_sum(const IpAddr& src, const IpAddr& dst, uint8_t proto, size_t l4_len) {
  uint32_t acc = sum16(Bytes(src.bytes.data(), src.wire_size()), 0);
  acc = sum16(Bytes(dst.bytes.data(), dst.wire_size()), acc);
  acc += proto;
  acc += static_cast<uint32_t>(l4_len & 0xFFFF) + static_cast<uint32_t>(l4_len >> 16);
  return acc;
}

// Fills the UDP/TCP/ICMPv6 checksum of the segment at buf[at..] when the protocol has one.
void fill_l4_checksum(Buf& buf, size_t at, const IpAddr& src, const IpAddr& dst, uint8_t proto) {
  size_t field;
  switch (proto) {
    case kProtoUdp: field = 6; break;
    case kProtoTcp: field = 16; break;
    case kProtoIcmpv6: field = 2; break;
    default: return;
  }
  const size_t len = buf.size() - at;
  if (len < field + 2) return;
  buf[at + field] = 0;
  buf[at + field + 1] = 0;
  uint16_t c = internet_checksum(Bytes(buf.data() + at, len), pseudo_sum(src, dst, proto, len));
  if (c == 0 && proto == kProtoUdp) c = 0xFFFF;  // 0 means "no checksum" for UDP
  buf[at + field] = static_cast<uint8_t>(c >> 8);
  buf[at + field + 1] = static_cast<uint8_t>(c);
}

void pad_to(Buf& b, size_t unit) {
  while (b.size() % unit != 0) b.push_back(0);
}

}  // namespace

uint16_t internet_checksum(Bytes data, uint32_t initial) {
  uint64_t acc = sum16(data, 0);
  acc += initial;
  while ((acc >> 16) != 0) acc = (acc & 0xFFFF) + (acc >> 16);
  return static_cast<uint16_t>(~acc & 0xFFFF);
}

uint32_t crc32c(Bytes data) {
  uint32_t crc = 0xFFFFFFFFu;
  for (uint8_t b : data) {
    crc ^= b;
    for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0x82F63B78u & (0u - (crc & 1u)));
  }
  return ~crc;
}

// ---- link layer --------------------------------------------------------------------------

Buf ethernet(Bytes payload, uint16_t ethertype, const EthSpec& eth) {
  Buf out;
  ByteWriter w(out);
  w.append(eth.dst);
  w.append(eth.src);
  for (const VlanTag& t : eth.vlans) {
    w.be16(t.tpid);
    w.be16(static_cast<uint16_t>(((t.pcp & 7u) << 13) | (t.vid & 0x0FFFu)));
  }
  w.be16(ethertype);
  w.append(payload);
  return out;
}

static uint16_t ethertype_of(Bytes ip_packet) {
  return !ip_packet.empty() && (ip_packet[0] >> 4) == 6 ? kEtherIpv6 : kEtherIpv4;
}

Buf ethernet_ip(Bytes ip_packet, const EthSpec& eth) {
  return ethernet(ip_packet, ethertype_of(ip_packet), eth);
}

Buf sll(Bytes payload, uint16_t protocol) {
  Buf out;
  ByteWriter w(out);
  w.be16(0);  // packet type: to us
  w.be16(1);  // ARPHRD_ETHER
  w.be16(6);  // link-layer address length
  w.append(Mac{0x02, 0, 0, 0, 0, 0x01});
  w.zeros(2);  // address padded to 8 octets
  w.be16(protocol);
  w.append(payload);
  return out;
}

Buf sll2(Bytes payload, uint16_t protocol) {
  Buf out;
  ByteWriter w(out);
  w.be16(protocol);
  w.be16(0);  // reserved
  w.be32(1);  // interface index
  w.be16(1);  // ARPHRD_ETHER
  w.u8(0);    // packet type
  w.u8(6);    // address length
  w.append(Mac{0x02, 0, 0, 0, 0, 0x01});
  w.zeros(2);
  w.append(payload);
  return out;
}

Buf frame_for(LinkType link, Bytes ip_packet, const EthSpec& eth) {
  switch (link) {
    case LinkType::kEthernet: return ethernet_ip(ip_packet, eth);
    case LinkType::kLinuxSll: return sll(ip_packet, ethertype_of(ip_packet));
    case LinkType::kLinuxSll2: return sll2(ip_packet, ethertype_of(ip_packet));
    case LinkType::kRaw:
    case LinkType::kIpv4:
    case LinkType::kIpv6: break;
  }
  return Buf(ip_packet.begin(), ip_packet.end());
}

// ---- IP ----------------------------------------------------------------------------------

Buf ipv4(const IpAddr& src, const IpAddr& dst, uint8_t proto, Bytes payload, const Ipv4Opts& o) {
  Buf opts = o.options;
  pad_to(opts, 4);
  const size_t hl = 20 + opts.size();
  Buf out;
  ByteWriter w(out);
  const uint8_t ihl = o.ihl_override.value_or(static_cast<uint8_t>(hl / 4));
  w.u8(static_cast<uint8_t>((o.version_override.value_or(4) << 4) | (ihl & 0x0F)));
  w.u8(o.tos);
  w.be16(o.total_len_override.value_or(static_cast<uint16_t>(hl + payload.size())));
  w.be16(o.id);
  w.be16(static_cast<uint16_t>((o.df ? 0x4000 : 0) | (o.mf ? 0x2000 : 0) |
                               (o.frag_offset & 0x1FFF)));
  w.u8(o.ttl);
  w.u8(proto);
  w.be16(0);  // checksum, below
  put_addr(w, src);
  put_addr(w, dst);
  w.append(opts);
  const uint16_t c = o.checksum_override.value_or(internet_checksum(Bytes(out.data(), hl)));
  w.patch_be16(10, c);
  w.append(payload);
  if (o.fill_l4_checksum && !o.mf && o.frag_offset == 0) {
    fill_l4_checksum(out, hl, src, dst, proto);
  }
  return out;
}

Ipv6Ext ipv6_fragment_ext(uint16_t frag_offset, bool more, uint32_t id) {
  Ipv6Ext e;
  e.type = 44;
  ByteWriter w(e.body);
  w.be16(static_cast<uint16_t>((frag_offset << 3) | (more ? 1 : 0)));
  w.be32(id);
  return e;
}

Buf ipv6(const IpAddr& src, const IpAddr& dst, uint8_t proto, Bytes payload, const Ipv6Opts& o) {
  Buf exts;
  bool fragmented = false;
  for (size_t i = 0; i < o.ext.size(); ++i) {
    const Ipv6Ext& e = o.ext[i];
    const uint8_t next = i + 1 < o.ext.size() ? o.ext[i + 1].type : proto;
    Buf h{next, 0};
    h.insert(h.end(), e.body.begin(), e.body.end());
    const size_t unit = e.type == 51 ? 4 : 8;
    pad_to(h, unit);
    if (h.size() < 8) h.resize(8, 0);
    if (e.type == 44) {
      fragmented = true;
      h[1] = 0;  // reserved
    } else if (e.type == 51) {
      h[1] = static_cast<uint8_t>(h.size() / 4 - 2);
    } else {
      h[1] = static_cast<uint8_t>(h.size() / 8 - 1);
    }
    exts.insert(exts.end(), h.begin(), h.end());
  }
  Buf out;
  ByteWriter w(out);
  const uint32_t vtf = (uint32_t{o.version_override.value_or(6)} << 28) |
                       (uint32_t{o.traffic_class} << 20) | (o.flow_label & 0xFFFFFu);
  w.be32(vtf);
  w.be16(o.payload_len_override.value_or(static_cast<uint16_t>(exts.size() + payload.size())));
  w.u8(o.ext.empty() ? proto : o.ext.front().type);
  w.u8(o.hop_limit);
  put_addr(w, src);
  put_addr(w, dst);
  w.append(exts);
  const size_t l4_at = out.size();
  w.append(payload);
  if (o.fill_l4_checksum && !fragmented) fill_l4_checksum(out, l4_at, src, dst, proto);
  return out;
}

Buf ip(const IpAddr& src, const IpAddr& dst, uint8_t proto, Bytes payload) {
  return src.is_v6() ? ipv6(src, dst, proto, payload) : ipv4(src, dst, proto, payload);
}

// ---- L4 ----------------------------------------------------------------------------------

Buf udp(uint16_t sport, uint16_t dport, Bytes payload) {
  Buf out;
  ByteWriter w(out);
  w.be16(sport);
  w.be16(dport);
  w.be16(static_cast<uint16_t>(8 + payload.size()));
  w.be16(0);
  w.append(payload);
  return out;
}

Buf tcp(uint16_t sport, uint16_t dport, const TcpOpts& t, Bytes payload) {
  Buf opts = t.options;
  pad_to(opts, 4);
  Buf out;
  ByteWriter w(out);
  w.be16(sport);
  w.be16(dport);
  w.be32(t.seq);
  w.be32(t.ack);
  const uint8_t doff = t.data_offset_override.value_or(static_cast<uint8_t>(5 + opts.size() / 4));
  w.u8(static_cast<uint8_t>(doff << 4));
  w.u8(t.flags);
  w.be16(t.window);
  w.be16(0);  // checksum, filled by ipv4()/ipv6()
  w.be16(t.urgent);
  w.append(opts);
  w.append(payload);
  return out;
}

Buf icmp_echo(bool request, uint16_t id, uint16_t seq, Bytes payload) {
  Buf out;
  ByteWriter w(out);
  w.u8(request ? 8 : 0);
  w.u8(0);
  w.be16(0);
  w.be16(id);
  w.be16(seq);
  w.append(payload);
  w.patch_be16(2, internet_checksum(out));
  return out;
}

Buf icmpv6_echo(bool request, uint16_t id, uint16_t seq, Bytes payload) {
  Buf out;
  ByteWriter w(out);
  w.u8(request ? 128 : 129);
  w.u8(0);
  w.be16(0);
  w.be16(id);
  w.be16(seq);
  w.append(payload);
  return out;
}

Buf sctp(uint16_t sport, uint16_t dport, uint32_t vtag, Bytes chunks) {
  Buf out;
  ByteWriter w(out);
  w.be16(sport);
  w.be16(dport);
  w.be32(vtag);
  w.be32(0);
  w.append(chunks);
  // The CRC32c goes on the wire least significant octet first (RFC 9260 appendix A).
  const uint32_t c = crc32c(out);
  for (int i = 0; i < 4; ++i) out[8 + static_cast<size_t>(i)] = static_cast<uint8_t>(c >> (8 * i));
  return out;
}

Buf udp_v4(const IpAddr& src, const IpAddr& dst, uint16_t sport, uint16_t dport, Bytes payload) {
  return ipv4(src, dst, kProtoUdp, udp(sport, dport, payload));
}

Buf udp_ip(const IpAddr& src, const IpAddr& dst, uint16_t sport, uint16_t dport, Bytes payload) {
  return ip(src, dst, kProtoUdp, udp(sport, dport, payload));
}

Buf tcp_ip(const IpAddr& src, const IpAddr& dst, uint16_t sport, uint16_t dport,
           const TcpOpts& t, Bytes payload) {
  return ip(src, dst, kProtoTcp, tcp(sport, dport, t, payload));
}

Buf icmp_echo_ip(const IpAddr& src, const IpAddr& dst, bool request, uint16_t id, uint16_t seq,
                 Bytes payload) {
  if (src.is_v6()) return ipv6(src, dst, kProtoIcmpv6, icmpv6_echo(request, id, seq, payload));
  return ipv4(src, dst, kProtoIcmp, icmp_echo(request, id, seq, payload));
}

// ---- GTP-U -------------------------------------------------------------------------------

Buf gtpu(const GtpuSpec& g) {
  std::vector<GtpuExtHeader> exts;
  if (g.pdu_session) {
    const PduSessionContainer& c = *g.pdu_session;
    GtpuExtHeader e;
    e.type = gtpu_ext::kPduSessionContainer;
    e.content.push_back(static_cast<uint8_t>((c.pdu_type & 0x0F) << 4));
    if (c.pdu_type == 0) {
      e.content.push_back(static_cast<uint8_t>((c.ppp ? 0x80 : 0) | (c.rqi ? 0x40 : 0) |
                                               (c.qfi & 0x3F)));
      if (c.ppp) e.content.push_back(static_cast<uint8_t>((c.ppi & 7) << 5));
    } else {
      e.content.push_back(static_cast<uint8_t>(c.qfi & 0x3F));
    }
    exts.push_back(std::move(e));
  }
  exts.insert(exts.end(), g.extra_ext.begin(), g.extra_ext.end());

  const bool e_flag = !exts.empty() || g.zero_length_ext;
  const bool s_flag = g.seq.has_value(), pn_flag = g.npdu.has_value();
  const bool optional = e_flag || s_flag || pn_flag || g.force_optional_fields;
  const uint8_t zero_ext_type = gtpu_ext::kUdpPort;

  Buf out;
  ByteWriter w(out);
  const bool pt = g.pt_override.value_or(true);
  w.u8(static_cast<uint8_t>(((g.version_override.value_or(1) & 7) << 5) | (pt ? 0x10 : 0) |
                            (e_flag ? 0x04 : 0) | (s_flag ? 0x02 : 0) | (pn_flag ? 0x01 : 0)));
  w.u8(g.msg_type);
  w.be16(0);  // length, patched below
  w.be32(g.teid);
  if (optional) {
    w.be16(g.seq.value_or(0));
    w.u8(g.npdu.value_or(0));
    w.u8(!exts.empty() ? exts.front().type : g.zero_length_ext ? zero_ext_type : 0);
  }
  for (size_t i = 0; i < exts.size(); ++i) {
    Buf h{0};
    h.insert(h.end(), exts[i].content.begin(), exts[i].content.end());
    h.push_back(0);
    pad_to(h, 4);
    h[0] = static_cast<uint8_t>(h.size() / 4);
    h.back() = i + 1 < exts.size()        ? exts[i + 1].type
               : g.zero_length_ext ? zero_ext_type
                                   : gtpu_ext::kNone;
    w.append(h);
  }
  if (g.zero_length_ext) w.zeros(4);  // length octet 0: the malformation
  if (g.recovery) {
    w.u8(14);
    w.u8(*g.recovery);
  }
  if (g.teid_data_i) {
    w.u8(16);
    w.be32(*g.teid_data_i);
  }
  if (g.peer_addr) {
    w.u8(133);
    w.be16(static_cast<uint16_t>(g.peer_addr->wire_size()));
    put_addr(w, *g.peer_addr);
  }
  if (g.supported_ext) {
    w.u8(141);
    w.u8(static_cast<uint8_t>(g.supported_ext->size()));
    w.append(*g.supported_ext);
  }
  w.append(g.payload);
  w.patch_be16(2, g.length_override.value_or(static_cast<uint16_t>(out.size() - 8)));
  return out;
}

GtpuSpec gpdu_spec(uint32_t teid, Bytes inner_ip, std::optional<uint8_t> qfi, uint8_t pdu_type) {
  GtpuSpec g;
  g.msg_type = gtpu_msg::kGpdu;
  g.teid = teid;
  if (qfi) g.pdu_session = PduSessionContainer{.pdu_type = pdu_type, .qfi = *qfi};
  g.payload.assign(inner_ip.begin(), inner_ip.end());
  return g;
}

Buf gtpu_ip(const IpAddr& src, const IpAddr& dst, const GtpuSpec& g, uint16_t sport,
            uint16_t dport) {
  return udp_ip(src, dst, sport, dport, gtpu(g));
}

}  // namespace mecguard::decode::build
