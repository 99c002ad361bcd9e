// The builders: checksums, byte-exact agreement with hand-written vectors, round trips
// through decode_frame, and the deliberate-malformation knobs.
#include "decode/build.h"

#include <gtest/gtest.h>

#include "decode/packet.h"
#include "decode/vectors.h"

namespace mecguard::decode {
namespace {

using build::Buf;

IpAddr ip(const char* s) { return *IpAddr::parse(s); }

DecodedPacket decode(const Buf& f, LinkType link = LinkType::kEthernet) {
  DecodedPacket d;
  decode_frame(Bytes(f), link, d);
  return d;
}

// True when the L4 checksum of the segment at `l4` in `pkt` verifies (pseudo-header included).
bool l4_checksum_ok(const Buf& pkt, const IpLayer& l3, size_t l4, uint8_t proto) {
  Buf pseudo;
  ByteWriter w(pseudo);
  w.append(Bytes(l3.src.bytes.data(), l3.src.wire_size()));
  w.append(Bytes(l3.dst.bytes.data(), l3.dst.wire_size()));
  const size_t len = l3.offset + l3.total_len - l4;
  if (l3.version == 4) {
    w.u8(0);
    w.u8(proto);
    w.be16(static_cast<uint16_t>(len));
  } else {
    w.be32(static_cast<uint32_t>(len));
    w.zeros(3);
    w.u8(proto);
  }
  w.append(Bytes(pkt.data() + l4, len));
  return build::internet_checksum(pseudo) == 0;
}

TEST(Checksums, KnownValues) {
  // RFC 1071 section 3 example: the sum is ddf2, so the checksum is its complement.
  const Buf rfc = {0x00, 0x01, 0xF2, 0x03, 0xF4, 0xF5, 0xF6, 0xF7};
  EXPECT_EQ(build::internet_checksum(rfc), 0x220D);
  const Buf odd = {0x01};
  EXPECT_EQ(build::internet_checksum(odd), 0xFEFF);
  const std::string s = "123456789";
  const Buf digits(s.begin(), s.end());
  EXPECT_EQ(build::crc32c(digits), 0xE3069283u);  // the standard CRC-32C check value
}

TEST(Build, GtpuMatchesHandWrittenSignalling) {
  build::GtpuSpec er;
  er.msg_type = gtpu_msg::kEchoResponse;
  er.seq = 42;
  er.recovery = 5;
  EXPECT_EQ(build::gtpu(er), testvec::kGtpuEchoResponse);

  build::GtpuSpec ei;
  ei.msg_type = gtpu_msg::kErrorIndication;
  ei.teid_data_i = 7;
  ei.peer_addr = ip("2001:db8::2");
  EXPECT_EQ(build::gtpu(ei), testvec::kGtpuErrorIndicationV6);

  build::GtpuSpec ei4 = ei;
  ei4.seq = 0;
  ei4.teid_data_i = 1234;
  ei4.peer_addr = ip("10.0.0.2");
  EXPECT_EQ(build::gtpu(ei4), testvec::kGtpuErrorIndicationV4);

  build::GtpuSpec sn;
  sn.msg_type = gtpu_msg::kSupportedExtHeadersNotification;
  sn.seq = 1;
  sn.supported_ext = Buf{0x85, 0xC0};
  EXPECT_EQ(build::gtpu(sn), testvec::kGtpuSuppExtNotif);

  build::GtpuSpec em;
  em.msg_type = gtpu_msg::kEndMarker;
  em.teid = 0x1234;
  EXPECT_EQ(build::gtpu(em), testvec::kGtpuEndMarker);
}

TEST(Build, GpduMatchesHandWrittenFrameModuloChecksums) {
  build::TcpOpts t;
  t.seq = 1000;
  t.flags = tcp_flag::kSyn;
  build::Ipv4Opts in4;
  in4.ttl = 63;
  in4.id = 1;
  const Buf inner = build::ipv4(ip("192.168.1.10"), ip("8.8.8.8"), kProtoTcp,
                                build::tcp(49152, 80, t), in4);
  build::GtpuSpec g = build::gpdu_spec(100, inner, 9);
  g.pdu_session->rqi = true;
  build::Ipv4Opts out4;
  out4.id = 0x1234;
  out4.df = true;
  out4.fill_l4_checksum = false;
  const Buf frame = build::ethernet_ip(
      build::ipv4(ip("10.0.0.1"), ip("10.0.0.2"), kProtoUdp, build::udp(2152, 2152, build::gtpu(g)),
                  out4));
  ASSERT_EQ(frame.size(), testvec::kEthV4GtpuTcp.size());
  Buf expect = testvec::kEthV4GtpuTcp;
  for (size_t at : {24u, 25u, 68u, 69u, 94u, 95u}) expect[at] = frame[at];  // checksums
  EXPECT_EQ(frame, expect);
  EXPECT_EQ(build::internet_checksum(Bytes(frame.data() + 14, 20)), 0);
  EXPECT_EQ(build::internet_checksum(Bytes(frame.data() + 58, 20)), 0);
}

TEST(RoundTrip, VlanIpv4GtpuPduSessionInnerTcp) {
  build::TcpOpts t;
  t.seq = 0x01020304;
  t.ack = 0xA0B0C0D0;
  t.flags = tcp_flag::kAck | tcp_flag::kPsh;
  t.window = 512;
  t.options = {2, 4, 0x05, 0xB4};  // MSS 1460
  const Buf payload = {'h', 'e', 'l', 'l', 'o'};
  const Buf inner = build::tcp_ip(ip("10.45.0.7"), ip("93.184.216.34"), 40001, 443, t, payload);
  build::GtpuSpec g = build::gpdu_spec(0x11223344, inner, 5);
  g.seq = 77;
  g.npdu = 3;
  g.pdu_session->ppp = true;
  g.pdu_session->ppi = 6;
  build::EthSpec eth;
  eth.vlans = {{build::kEtherVlan, 42, 5}};
  const Buf f = build::ethernet_ip(build::gtpu_ip(ip("172.16.0.1"), ip("172.16.0.2"), g), eth);

  const DecodedPacket d = decode(f);
  ASSERT_EQ(d.status, DecodeStatus::kOk) << status_name(d.status);
  EXPECT_EQ(d.vlan_count, 1);
  EXPECT_EQ(d.vlan[0], 42);
  EXPECT_EQ(d.outer_ip.src, ip("172.16.0.1"));
  EXPECT_EQ(d.outer_ip.dst, ip("172.16.0.2"));
  EXPECT_EQ(d.app, AppKind::kGtpu);
  EXPECT_EQ(d.gtpu.teid, 0x11223344u);
  EXPECT_TRUE(d.gtpu.s_flag);
  EXPECT_TRUE(d.gtpu.pn_flag);
  EXPECT_EQ(d.gtpu.seq, 77);
  EXPECT_EQ(d.gtpu.npdu, 3);
  EXPECT_TRUE(d.gtpu.has_pdu_session);
  EXPECT_EQ(d.gtpu.pdu_type, 0);
  EXPECT_EQ(d.gtpu.qfi, 5);
  EXPECT_TRUE(d.gtpu.has_ppi);
  EXPECT_EQ(d.gtpu.ppi, 6);
  EXPECT_EQ(d.inner_ip.src, ip("10.45.0.7"));
  EXPECT_EQ(d.inner_ip.dst, ip("93.184.216.34"));
  EXPECT_EQ(d.inner_l4.proto, kProtoTcp);
  EXPECT_EQ(d.inner_l4.sport, 40001);
  EXPECT_EQ(d.inner_l4.dport, 443);
  EXPECT_EQ(d.inner_l4.tcp_seq, 0x01020304u);
  EXPECT_EQ(d.inner_l4.tcp_ack, 0xA0B0C0D0u);
  EXPECT_EQ(d.inner_l4.tcp_flags, tcp_flag::kAck | tcp_flag::kPsh);
  EXPECT_EQ(d.inner_l4.payload_offset, d.inner_l4.offset + 24);
  ASSERT_EQ(d.inner_l4.payload_len, payload.size());
  EXPECT_EQ(f[d.inner_l4.payload_offset], 'h');
  EXPECT_EQ(build::internet_checksum(Bytes(f.data() + d.outer_ip.offset, 20)), 0);
  EXPECT_TRUE(l4_checksum_ok(f, d.outer_ip, d.outer_l4.offset, kProtoUdp));
  EXPECT_TRUE(l4_checksum_ok(f, d.inner_ip, d.inner_l4.offset, kProtoTcp));
}

TEST(RoundTrip, Ipv6OuterIpv6InnerWithExtensionHeaders) {
  build::Ipv6Opts o;
  o.hop_limit = 17;
  o.ext = {build::Ipv6Ext{0, {1, 4, 0, 0, 0, 0}}, build::Ipv6Ext{43, {}},
           build::Ipv6Ext{51, Buf(10, 0xEE)}};
  const Buf inner = build::ipv6(ip("fd00::5"), ip("2001:db8:1::1"), kProtoUdp,
                                build::udp(5000, 6000, Buf{1, 2, 3}), o);
  const Buf f = build::ethernet_ip(
      build::gtpu_ip(ip("2001:db8::a"), ip("2001:db8::b"), build::gpdu_spec(9, inner)));
  const DecodedPacket d = decode(f);
  ASSERT_EQ(d.status, DecodeStatus::kOk) << status_name(d.status);
  EXPECT_EQ(d.outer_ip.version, 6);
  EXPECT_EQ(d.outer_ip.src, ip("2001:db8::a"));
  EXPECT_FALSE(d.gtpu.e_flag);
  EXPECT_EQ(d.inner_ip.version, 6);
  EXPECT_EQ(d.inner_ip.ttl, 17);
  EXPECT_EQ(d.inner_ip.ext_count, 3);
  EXPECT_EQ(d.inner_ip.header_len, 40 + 8 + 8 + 12);
  EXPECT_EQ(d.inner_ip.proto, kProtoUdp);
  EXPECT_EQ(d.inner_l4.sport, 5000);
  EXPECT_EQ(d.inner_l4.dport, 6000);
  EXPECT_EQ(d.inner_l4.payload_len, 3);
  EXPECT_TRUE(l4_checksum_ok(f, d.outer_ip, d.outer_l4.offset, kProtoUdp));
  EXPECT_TRUE(l4_checksum_ok(f, d.inner_ip, d.inner_l4.offset, kProtoUdp));
}

TEST(RoundTrip, Ipv6FragmentHeader) {
  build::Ipv6Opts o;
  o.ext = {build::ipv6_fragment_ext(0, true, 0xCAFEF00D)};
  const Buf p = build::ipv6(ip("2001:db8::1"), ip("2001:db8::2"), kProtoUdp,
                            build::udp(1, 2, Buf(16, 0)), o);
  const DecodedPacket d = decode(p, LinkType::kRaw);
  ASSERT_TRUE(d.ok());
  EXPECT_TRUE(d.outer_ip.is_fragment);
  EXPECT_TRUE(d.outer_ip.more_fragments);
  EXPECT_EQ(d.outer_ip.frag_id, 0xCAFEF00Du);
  EXPECT_EQ(d.outer_l4.dport, 2);
  o.ext = {build::ipv6_fragment_ext(100, false, 1)};
  const DecodedPacket d2 =
      decode(build::ipv6(ip("2001:db8::1"), ip("2001:db8::2"), kProtoUdp, Buf(8, 0), o),
             LinkType::kRaw);
  EXPECT_EQ(d2.outer_ip.frag_offset, 100);
  EXPECT_FALSE(d2.outer_l4.present());
}

TEST(RoundTrip, Ipv4OptionsAndFragmentFields) {
  build::Ipv4Opts o;
  o.ttl = 9;
  o.id = 0xBEEF;
  o.mf = true;
  o.frag_offset = 0;
  o.options = {0x94, 0x04, 0, 0, 1};  // Router Alert + NOP, padded to 8
  const Buf p = build::ipv4(ip("1.2.3.4"), ip("5.6.7.8"), kProtoUdp,
                            build::udp(2152, 2152, Buf(20, 0)), o);
  const DecodedPacket d = decode(p, LinkType::kIpv4);
  ASSERT_EQ(d.status, DecodeStatus::kOk) << status_name(d.status);
  EXPECT_EQ(d.outer_ip.header_len, 28);
  EXPECT_TRUE(d.outer_ip.has_options);
  EXPECT_TRUE(d.outer_ip.more_fragments);
  EXPECT_EQ(d.outer_ip.frag_id, 0xBEEFu);
  EXPECT_EQ(d.outer_ip.ttl, 9);
  EXPECT_EQ(d.app, AppKind::kNone);
  EXPECT_EQ(build::internet_checksum(Bytes(p.data(), 28)), 0);
}

TEST(RoundTrip, EveryLinkType) {
  const Buf pkt = build::icmp_echo_ip(ip("10.1.1.1"), ip("10.1.1.2"), true, 7, 9, Buf{1, 2});
  const Buf pkt6 = build::icmp_echo_ip(ip("fe80::1"), ip("fe80::2"), false, 7, 9);
  for (LinkType l : {LinkType::kEthernet, LinkType::kRaw, LinkType::kLinuxSll,
                     LinkType::kLinuxSll2}) {
    for (const Buf* p : {&pkt, &pkt6}) {
      const DecodedPacket d = decode(build::frame_for(l, *p), l);
      ASSERT_EQ(d.status, DecodeStatus::kOk) << static_cast<int>(l);
      EXPECT_EQ(d.outer_ip.total_len, p->size());
      EXPECT_EQ(d.outer_l4.icmp_type, p == &pkt ? 8 : 129);
    }
  }
  EXPECT_EQ(decode(build::frame_for(LinkType::kIpv4, pkt), LinkType::kIpv4).outer_l4.proto,
            kProtoIcmp);
  EXPECT_EQ(decode(build::frame_for(LinkType::kIpv6, pkt6), LinkType::kIpv6).outer_l4.proto,
            kProtoIcmpv6);
  EXPECT_EQ(build::internet_checksum(Bytes(pkt.data() + 20, pkt.size() - 20)), 0);
  const DecodedPacket d6 = decode(pkt6, LinkType::kRaw);
  EXPECT_TRUE(l4_checksum_ok(pkt6, d6.outer_ip, 40, kProtoIcmpv6));
}

TEST(RoundTrip, QinQAndSctp) {
  build::EthSpec eth;
  eth.vlans = {{build::kEtherQinQ, 10, 0}, {build::kEtherVlan, 20, 0}};
  const Buf chunk = {0x0A, 0x00, 0x00, 0x04};
  const Buf f = build::ethernet_ip(
      build::ip(ip("10.0.0.1"), ip("10.0.0.2"), kProtoSctp, build::sctp(38412, 38412, 99, chunk)),
      eth);
  const DecodedPacket d = decode(f);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d.vlan_count, 2);
  EXPECT_EQ(d.vlan[0], 10);
  EXPECT_EQ(d.vlan[1], 20);
  EXPECT_EQ(d.outer_l4.proto, kProtoSctp);
  EXPECT_EQ(d.outer_l4.sctp_vtag, 99u);
  // CRC32c over the packet with the checksum field zeroed, stored least significant first.
  Buf s(f.begin() + d.outer_l4.offset, f.end());
  const uint32_t wire = uint32_t{s[8]} | uint32_t{s[9]} << 8 | uint32_t{s[10]} << 16 |
                        uint32_t{s[11]} << 24;
  s[8] = s[9] = s[10] = s[11] = 0;
  EXPECT_EQ(build::crc32c(s), wire);
}

TEST(RoundTrip, SignallingMessages) {
  build::GtpuSpec ei;
  ei.msg_type = gtpu_msg::kErrorIndication;
  ei.teid_data_i = 0xFEEDu;
  ei.peer_addr = ip("192.0.2.1");
  DecodedPacket d = decode(build::udp_v4(ip("1.1.1.1"), ip("2.2.2.2"), 2152, 2152,
                                         build::gtpu(ei)),
                           LinkType::kRaw);
  ASSERT_EQ(d.status, DecodeStatus::kOk) << status_name(d.status);
  EXPECT_EQ(d.gtpu.ei_teid, 0xFEEDu);
  EXPECT_EQ(d.gtpu.ei_peer, ip("192.0.2.1"));

  build::GtpuSpec echo;
  echo.msg_type = gtpu_msg::kEchoRequest;
  echo.seq = 1;
  d = decode(build::gtpu_ip(ip("1.1.1.1"), ip("2.2.2.2"), echo, 40000, 2152), LinkType::kRaw);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d.gtpu.msg_type, gtpu_msg::kEchoRequest);
  EXPECT_EQ(d.gtpu.seq, 1);
}

TEST(RoundTrip, ExtraExtensionHeaders) {
  build::GtpuSpec g = build::gpdu_spec(1, build::udp_v4(ip("1.1.1.1"), ip("2.2.2.2"), 1, 2, {}),
                                       3, 1);
  g.extra_ext = {{gtpu_ext::kPdcpPduNumber, {0x00, 0x05}}, {0xB0, {1, 2, 3, 4, 5}}};
  Buf m = build::gtpu(g);
  DecodedPacket d;
  ASSERT_EQ(decode_gtpu(Bytes(m), 0, static_cast<uint16_t>(m.size()), d), DecodeStatus::kOk);
  EXPECT_EQ(d.gtpu.ext_count, 3);
  EXPECT_EQ(d.gtpu.pdu_type, 1);
  EXPECT_EQ(d.gtpu.qfi, 3);
  EXPECT_EQ(d.gtpu.unknown_required_ext, 0xB0);
  EXPECT_EQ(d.inner_l4.dport, 2);
}

TEST(Malformations, GtpuKnobs) {
  auto status_of = [](const build::GtpuSpec& g) {
    const Buf m = build::gtpu(g);
    DecodedPacket d;
    return decode_gtpu(Bytes(m), 0, static_cast<uint16_t>(m.size()), d);
  };
  build::GtpuSpec base = build::gpdu_spec(1, build::udp_v4(ip("1.1.1.1"), ip("2.2.2.2"), 1, 2, {}));
  EXPECT_EQ(status_of(base), DecodeStatus::kOk);
  build::GtpuSpec g = base;
  g.version_override = 2;
  EXPECT_EQ(status_of(g), DecodeStatus::kGtpuBadVersion);
  g = base;
  g.pt_override = false;
  EXPECT_EQ(status_of(g), DecodeStatus::kGtpuBadPt);
  g = base;
  g.length_override = 3;
  EXPECT_EQ(status_of(g), DecodeStatus::kGtpuBadLength);
  g = base;
  g.zero_length_ext = true;
  EXPECT_EQ(status_of(g), DecodeStatus::kGtpuExtZeroLength);
  g.pdu_session = build::PduSessionContainer{};
  EXPECT_EQ(status_of(g), DecodeStatus::kGtpuExtZeroLength);
  g = base;
  g.force_optional_fields = true;
  const Buf m = build::gtpu(g);
  EXPECT_EQ(m[0], 0x30);  // no flag set, yet 4 more octets
  EXPECT_EQ(status_of(g), DecodeStatus::kInnerBadVersion);  // the 4 octets read as T-PDU
}

TEST(Malformations, IpKnobs) {
  build::Ipv4Opts o;
  o.ihl_override = 4;
  EXPECT_EQ(decode(build::ipv4(ip("1.1.1.1"), ip("2.2.2.2"), kProtoUdp,
                               build::udp(1, 2, {}), o),
                   LinkType::kIpv4)
                .status,
            DecodeStatus::kIpv4BadIhl);
  o = {};
  o.total_len_override = 100;
  EXPECT_EQ(decode(build::ipv4(ip("1.1.1.1"), ip("2.2.2.2"), kProtoUdp, build::udp(1, 2, {}), o),
                   LinkType::kIpv4)
                .status,
            DecodeStatus::kIpv4BadTotalLength);
  build::Ipv6Opts o6;
  o6.payload_len_override = 100;
  EXPECT_EQ(decode(build::ipv6(ip("::1"), ip("::2"), kProtoUdp, build::udp(1, 2, {}), o6),
                   LinkType::kIpv6)
                .status,
            DecodeStatus::kIpv6BadPayloadLength);
  build::TcpOpts t;
  t.data_offset_override = 3;
  EXPECT_EQ(decode(build::tcp_ip(ip("1.1.1.1"), ip("2.2.2.2"), 1, 2, t), LinkType::kRaw).status,
            DecodeStatus::kTcpBadDataOffset);
}

}  // namespace
}  // namespace mecguard::decode
