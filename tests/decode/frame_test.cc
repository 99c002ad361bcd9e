// decode_frame on hand-written frames: every layer's fields, and each malformation's status.
#include <gtest/gtest.h>

#include <cstring>
#include <set>
#include <string>

#include "decode/packet.h"
#include "decode/vectors.h"

namespace mecguard::decode {
namespace {

using testvec::V;

IpAddr ip(const char* s) { return *IpAddr::parse(s); }

DecodedPacket decode(const V& v, LinkType link, const DecodeOptions& o = {}) {
  DecodedPacket d;
  decode_frame(Bytes(v), link, d, o);
  return d;
}

// The status of `v` after `mutate` changed a copy of it.
template <class F>
DecodeStatus status_after(const V& v, LinkType link, F mutate) {
  V m = v;
  mutate(m);
  return decode(m, link).status;
}

TEST(StatusTable, NamesAndTextsAreDeclaredOnce) {
  std::set<std::string_view> names;
  for (size_t i = 0; i < kDecodeStatusCount; ++i) {
    const auto s = static_cast<DecodeStatus>(i);
    EXPECT_FALSE(status_name(s).empty());
    EXPECT_FALSE(status_text(s).empty());
    names.insert(status_name(s));
  }
  EXPECT_EQ(names.size(), kDecodeStatusCount);
  EXPECT_EQ(status_name(DecodeStatus::kOk), "ok");
  EXPECT_EQ(status_name(DecodeStatus::kGtpuBadLength), "gtpu_bad_length");
  EXPECT_EQ(status_text(DecodeStatus::kVlanTooDeep), "more than two VLAN tags");
  EXPECT_EQ(status_name(DecodeStatus::kCount_), "unknown");
}

TEST(DecodeFrame, EthIpv4GtpuPduSessionInnerTcp) {
  const DecodedPacket d = decode(testvec::kEthV4GtpuTcp, LinkType::kEthernet);
  ASSERT_EQ(d.status, DecodeStatus::kOk) << status_name(d.status);
  EXPECT_EQ(d.ethertype, 0x0800);
  EXPECT_EQ(d.vlan_count, 0);
  EXPECT_EQ(d.outer_ip.version, 4);
  EXPECT_EQ(d.outer_ip.offset, 14);
  EXPECT_EQ(d.outer_ip.header_len, 20);
  EXPECT_EQ(d.outer_ip.total_len, 84);
  EXPECT_EQ(d.outer_ip.src, ip("10.0.0.1"));
  EXPECT_EQ(d.outer_ip.dst, ip("10.0.0.2"));
  EXPECT_EQ(d.outer_ip.ttl, 64);
  EXPECT_EQ(d.outer_ip.proto, kProtoUdp);
  EXPECT_TRUE(d.outer_ip.dont_fragment);
  EXPECT_FALSE(d.outer_ip.is_fragment);
  EXPECT_EQ(d.outer_ip.frag_id, 0x1234u);
  EXPECT_EQ(d.outer_l4.proto, kProtoUdp);
  EXPECT_EQ(d.outer_l4.offset, 34);
  EXPECT_EQ(d.outer_l4.sport, 2152);
  EXPECT_EQ(d.outer_l4.dport, 2152);
  EXPECT_EQ(d.outer_l4.payload_offset, 42);
  EXPECT_EQ(d.outer_l4.payload_len, 56);
  ASSERT_EQ(d.app, AppKind::kGtpu);
  const GtpuLayer& g = d.gtpu;
  EXPECT_EQ(g.offset, 42);
  EXPECT_EQ(g.version, 1);
  EXPECT_TRUE(g.pt);
  EXPECT_TRUE(g.e_flag);
  EXPECT_FALSE(g.s_flag);
  EXPECT_FALSE(g.pn_flag);
  EXPECT_EQ(g.msg_type, gtpu_msg::kGpdu);
  EXPECT_EQ(g.length, 48);
  EXPECT_EQ(g.teid, 100u);
  EXPECT_EQ(g.ext_count, 1);
  EXPECT_EQ(g.first_ext_type, gtpu_ext::kPduSessionContainer);
  EXPECT_TRUE(g.has_pdu_session);
  EXPECT_EQ(g.pdu_type, 0);
  EXPECT_EQ(g.qfi, 9);
  EXPECT_TRUE(g.rqi);
  EXPECT_FALSE(g.has_ppi);
  EXPECT_EQ(g.unknown_required_ext, 0);
  EXPECT_EQ(g.payload_offset, 58);
  EXPECT_EQ(g.payload_len, 40);
  EXPECT_EQ(d.gtpu_payload().size(), 40u);
  EXPECT_EQ(d.inner_ip.version, 4);
  EXPECT_EQ(d.inner_ip.offset, 58);
  EXPECT_EQ(d.inner_ip.src, ip("192.168.1.10"));
  EXPECT_EQ(d.inner_ip.dst, ip("8.8.8.8"));
  EXPECT_EQ(d.inner_ip.ttl, 63);
  EXPECT_EQ(d.inner_l4.proto, kProtoTcp);
  EXPECT_EQ(d.inner_l4.offset, 78);
  EXPECT_EQ(d.inner_l4.sport, 49152);
  EXPECT_EQ(d.inner_l4.dport, 80);
  EXPECT_EQ(d.inner_l4.tcp_seq, 1000u);
  EXPECT_EQ(d.inner_l4.tcp_ack, 0u);
  EXPECT_EQ(d.inner_l4.tcp_flags, tcp_flag::kSyn);
  EXPECT_EQ(d.inner_l4.payload_len, 0);
  EXPECT_EQ(d.inner_detail, DecodeStatus::kOk);
}

TEST(DecodeFrame, DecodeInnerOffLeavesInnerAbsent) {
  DecodeOptions o;
  o.decode_inner = false;
  const DecodedPacket d = decode(testvec::kEthV4GtpuTcp, LinkType::kEthernet, o);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d.gtpu.teid, 100u);
  EXPECT_FALSE(d.inner_ip.present());
  EXPECT_FALSE(d.inner_l4.present());
}

TEST(DecodeFrame, Ipv6OuterAndInner) {
  const DecodedPacket d = decode(testvec::kEthV6GtpuV6Udp, LinkType::kEthernet);
  ASSERT_EQ(d.status, DecodeStatus::kOk) << status_name(d.status);
  EXPECT_EQ(d.ethertype, 0x86DD);
  EXPECT_EQ(d.outer_ip.version, 6);
  EXPECT_EQ(d.outer_ip.header_len, 40);
  EXPECT_EQ(d.outer_ip.total_len, 108);
  EXPECT_EQ(d.outer_ip.src, ip("2001:db8::1"));
  EXPECT_EQ(d.outer_ip.dst, ip("2001:db8::2"));
  EXPECT_EQ(d.outer_ip.ttl, 64);
  EXPECT_EQ(d.outer_ip.ext_count, 0);
  EXPECT_EQ(d.outer_l4.sport, 40000);
  EXPECT_EQ(d.outer_l4.dport, 2152);
  ASSERT_EQ(d.app, AppKind::kGtpu);
  EXPECT_EQ(d.gtpu.teid, 0xDEADBEEFu);
  EXPECT_FALSE(d.gtpu.e_flag);
  EXPECT_FALSE(d.gtpu.has_pdu_session);
  EXPECT_EQ(d.gtpu.payload_offset, 14 + 40 + 8 + 8);
  EXPECT_EQ(d.gtpu.payload_len, 52);
  EXPECT_EQ(d.inner_ip.version, 6);
  EXPECT_EQ(d.inner_ip.src, ip("fd00::a"));
  EXPECT_EQ(d.inner_ip.dst, ip("2001:4860:4860::8888"));
  EXPECT_EQ(d.inner_ip.ttl, 63);
  EXPECT_EQ(d.inner_l4.proto, kProtoUdp);
  EXPECT_EQ(d.inner_l4.sport, 54321);
  EXPECT_EQ(d.inner_l4.dport, 53);
  EXPECT_EQ(d.inner_l4.payload_len, 4);
}

TEST(DecodeFrame, QinQAndPfcpDispatch) {
  const DecodedPacket d = decode(testvec::kQinQPfcp, LinkType::kEthernet);
  ASSERT_EQ(d.status, DecodeStatus::kOk) << status_name(d.status);
  EXPECT_EQ(d.vlan_count, 2);
  EXPECT_EQ(d.vlan[0], 100);
  EXPECT_EQ(d.vlan[1], 200);
  EXPECT_EQ(d.ethertype, 0x0800);
  EXPECT_EQ(d.outer_ip.offset, 22);
  EXPECT_EQ(d.app, AppKind::kPfcp);
  EXPECT_EQ(d.pfcp_offset, 22 + 20 + 8);
  EXPECT_EQ(d.pfcp_len, 4);
  ASSERT_EQ(d.pfcp_bytes().size(), 4u);
  EXPECT_EQ(d.pfcp_bytes()[1], 0x01);
  EXPECT_FALSE(d.gtpu.present());
}

TEST(DecodeFrame, PortsAreConfigurable) {
  DecodeOptions o;
  o.pfcp_port = 9999;
  EXPECT_EQ(decode(testvec::kQinQPfcp, LinkType::kEthernet, o).app, AppKind::kNone);
  o.gtpu_port = 8805;
  const DecodedPacket d = decode(testvec::kQinQPfcp, LinkType::kEthernet, o);
  EXPECT_EQ(d.app, AppKind::kGtpu);
  EXPECT_EQ(d.status, DecodeStatus::kGtpuTruncated);  // 4 bytes are no GTP-U header
}

TEST(DecodeFrame, SllIpv4Icmp) {
  const DecodedPacket d = decode(testvec::kSllIcmp, LinkType::kLinuxSll);
  ASSERT_EQ(d.status, DecodeStatus::kOk) << status_name(d.status);
  EXPECT_EQ(d.link, LinkType::kLinuxSll);
  EXPECT_EQ(d.ethertype, 0x0800);
  EXPECT_EQ(d.outer_ip.offset, 16);
  EXPECT_EQ(d.outer_l4.proto, kProtoIcmp);
  EXPECT_EQ(d.outer_l4.icmp_type, 8);
  EXPECT_EQ(d.outer_l4.icmp_code, 0);
  EXPECT_EQ(d.app, AppKind::kNone);
}

TEST(DecodeFrame, Sll2Ipv6Icmpv6) {
  const DecodedPacket d = decode(testvec::kSll2Icmpv6, LinkType::kLinuxSll2);
  ASSERT_EQ(d.status, DecodeStatus::kOk) << status_name(d.status);
  EXPECT_EQ(d.ethertype, 0x86DD);
  EXPECT_EQ(d.outer_ip.offset, 20);
  EXPECT_EQ(d.outer_ip.ttl, 255);
  EXPECT_EQ(d.outer_l4.proto, kProtoIcmpv6);
  EXPECT_EQ(d.outer_l4.icmp_type, 129);
}

TEST(DecodeFrame, Ipv4OptionsAndFirstFragment) {
  const DecodedPacket d = decode(testvec::kRawV4OptionsFirstFrag, LinkType::kRaw);
  ASSERT_EQ(d.status, DecodeStatus::kOk) << status_name(d.status);
  EXPECT_EQ(d.outer_ip.header_len, 24);
  EXPECT_TRUE(d.outer_ip.has_options);
  EXPECT_TRUE(d.outer_ip.is_fragment);
  EXPECT_TRUE(d.outer_ip.more_fragments);
  EXPECT_EQ(d.outer_ip.frag_offset, 0);
  EXPECT_EQ(d.outer_ip.frag_id, 0xABCDu);
  EXPECT_EQ(d.outer_l4.proto, kProtoUdp);  // first fragment: L4 decoded
  EXPECT_EQ(d.outer_l4.dport, 2152);
  EXPECT_EQ(d.outer_l4.payload_len, 8);     // what is present, not the UDP length
  EXPECT_EQ(d.app, AppKind::kNone);         // not reassembled, so not handed to GTP-U
  EXPECT_FALSE(d.gtpu.present());
}

TEST(DecodeFrame, Ipv4LaterFragmentHasNoL4) {
  const DecodedPacket d = decode(testvec::kRawV4LaterFrag, LinkType::kIpv4);
  ASSERT_EQ(d.status, DecodeStatus::kOk);
  EXPECT_TRUE(d.outer_ip.is_fragment);
  EXPECT_FALSE(d.outer_ip.more_fragments);
  EXPECT_EQ(d.outer_ip.frag_offset, 185);
  EXPECT_EQ(d.outer_ip.proto, kProtoUdp);
  EXPECT_FALSE(d.outer_l4.present());
}

TEST(DecodeFrame, Ipv6ExtensionHeadersAndFragment) {
  const DecodedPacket d = decode(testvec::kRawV6ExtFrag, LinkType::kIpv6);
  ASSERT_EQ(d.status, DecodeStatus::kOk) << status_name(d.status);
  EXPECT_EQ(d.outer_ip.ext_count, 3);
  EXPECT_EQ(d.outer_ip.header_len, 64);
  EXPECT_EQ(d.outer_ip.proto, kProtoUdp);
  EXPECT_TRUE(d.outer_ip.is_fragment);
  EXPECT_TRUE(d.outer_ip.more_fragments);
  EXPECT_EQ(d.outer_ip.frag_offset, 0);
  EXPECT_EQ(d.outer_ip.frag_id, 0x12345678u);
  EXPECT_EQ(d.outer_l4.proto, kProtoUdp);
  EXPECT_EQ(d.outer_l4.offset, 64);
  EXPECT_EQ(d.outer_l4.dport, 53);
  EXPECT_EQ(d.outer_l4.payload_len, 4);
}

TEST(DecodeFrame, Ipv6LaterFragmentHasNoL4) {
  const DecodeStatus st = status_after(testvec::kRawV6ExtFrag, LinkType::kIpv6, [](V& m) {
    m[58] = 0x00;  // fragment offset high byte
    m[59] = 0x08;  // offset 1 (x 8 octets), M 0
  });
  EXPECT_EQ(st, DecodeStatus::kOk);
  V m = testvec::kRawV6ExtFrag;
  m[59] = 0x08;
  const DecodedPacket d = decode(m, LinkType::kIpv6);
  EXPECT_EQ(d.outer_ip.frag_offset, 1);
  EXPECT_FALSE(d.outer_ip.more_fragments);
  EXPECT_FALSE(d.outer_l4.present());
}

TEST(DecodeFrame, Ipv6AuthenticationHeaderIsWalked) {
  V m = testvec::kRawV6ExtFrag;
  // Turn the Destination Options header into AH: next 44, length (8/4 - 2) = 0.
  m[40] = 51;  // HBH next header -> AH
  m[49] = 0;   // AH payload length
  const DecodedPacket d = decode(m, LinkType::kIpv6);
  ASSERT_EQ(d.status, DecodeStatus::kOk) << status_name(d.status);
  EXPECT_EQ(d.outer_ip.ext_count, 3);
  EXPECT_EQ(d.outer_ip.header_len, 64);
}

TEST(DecodeFrame, SctpCommonHeader) {
  const DecodedPacket d = decode(testvec::kRawV4Sctp, LinkType::kRaw);
  ASSERT_EQ(d.status, DecodeStatus::kOk);
  EXPECT_EQ(d.outer_l4.proto, kProtoSctp);
  EXPECT_EQ(d.outer_l4.sport, 38412);
  EXPECT_EQ(d.outer_l4.dport, 38412);
  EXPECT_EQ(d.outer_l4.sctp_vtag, 0x01020304u);
  EXPECT_EQ(d.outer_l4.payload_len, 4);
}

TEST(DecodeFrame, NonIpEthertypeStopsCleanly) {
  V arp = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 0x08, 0x06, 0, 1};
  const DecodedPacket d = decode(arp, LinkType::kEthernet);
  EXPECT_EQ(d.status, DecodeStatus::kOk);
  EXPECT_EQ(d.ethertype, 0x0806);
  EXPECT_FALSE(d.outer_ip.present());
}

TEST(DecodeFrame, EthernetPaddingIsIgnored) {
  V m = testvec::kQinQPfcp;
  m.resize(m.size() + 6, 0);  // trailer beyond the IP total length
  const DecodedPacket d = decode(m, LinkType::kEthernet);
  EXPECT_EQ(d.status, DecodeStatus::kOk);
  EXPECT_EQ(d.pfcp_len, 4);
}

TEST(DecodeFrame, ResetsPreviousResult) {
  DecodedPacket d;
  decode_frame(Bytes(testvec::kEthV4GtpuTcp), LinkType::kEthernet, d);
  ASSERT_TRUE(d.gtpu.present());
  decode_frame(Bytes(testvec::kSllIcmp), LinkType::kLinuxSll, d);
  EXPECT_TRUE(d.ok());
  EXPECT_FALSE(d.gtpu.present());
  EXPECT_FALSE(d.inner_ip.present());
  EXPECT_EQ(d.app, AppKind::kNone);
}

TEST(DecodeFrame, ResetClearsEveryField) {
  // decode_frame resets layer by layer; a garbage-filled result must come back as default.
  DecodedPacket d;
  std::memset(static_cast<void*>(&d), 0xAB, sizeof d);
  const V arp = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 0x08, 0x06};
  ASSERT_EQ(decode_frame(Bytes(arp), LinkType::kEthernet, d), DecodeStatus::kOk);
  // Static objects are zero-initialized, padding included, so memcmp is meaningful.
  static const IpLayer kIp;
  static const L4Layer kL4;
  static const GtpuLayer kGtpu;
  EXPECT_EQ(std::memcmp(&d.outer_ip, &kIp, sizeof(IpLayer)), 0);
  EXPECT_EQ(std::memcmp(&d.outer_l4, &kL4, sizeof(L4Layer)), 0);
  EXPECT_EQ(std::memcmp(&d.gtpu, &kGtpu, sizeof(GtpuLayer)), 0);
  EXPECT_EQ(std::memcmp(&d.inner_ip, &kIp, sizeof(IpLayer)), 0);
  EXPECT_EQ(std::memcmp(&d.inner_l4, &kL4, sizeof(L4Layer)), 0);
  EXPECT_EQ(d.vlan_count, 0);
  EXPECT_EQ(d.vlan[0], 0);
  EXPECT_EQ(d.vlan[1], 0);
  EXPECT_EQ(d.app, AppKind::kNone);
  EXPECT_EQ(d.inner_detail, DecodeStatus::kOk);
  EXPECT_EQ(d.pfcp_offset, 0);
  EXPECT_EQ(d.pfcp_len, 0);
  EXPECT_EQ(d.link, LinkType::kEthernet);
  EXPECT_EQ(d.ethertype, 0x0806);
}

// ---- malformations: one status each --------------------------------------------------------

TEST(DecodeFrameErrors, LinkLayer) {
  const auto& e = testvec::kEthV4GtpuTcp;
  EXPECT_EQ(status_after(e, static_cast<LinkType>(147), [](V&) {}),
            DecodeStatus::kUnsupportedLinkType);
  EXPECT_EQ(status_after(e, LinkType::kEthernet, [](V& m) { m.resize(13); }),
            DecodeStatus::kEthTruncated);
  EXPECT_EQ(status_after(e, LinkType::kEthernet, [](V& m) { m.resize(65536); }),
            DecodeStatus::kFrameTooLarge);
  // One 802.1Q tag cut short.
  EXPECT_EQ(status_after(e, LinkType::kEthernet, [](V& m) {
              m.resize(16);
              m[12] = 0x81;
              m[13] = 0x00;
            }),
            DecodeStatus::kVlanTruncated);
  // A third tag.
  EXPECT_EQ(status_after(testvec::kQinQPfcp, LinkType::kEthernet, [](V& m) {
              m[20] = 0x91;  // inner ethertype -> 0x9100 (old QinQ TPID)
              m[21] = 0x00;
            }),
            DecodeStatus::kVlanTooDeep);
  EXPECT_EQ(status_after(testvec::kSllIcmp, LinkType::kLinuxSll, [](V& m) { m.resize(15); }),
            DecodeStatus::kSllTruncated);
  EXPECT_EQ(status_after(testvec::kSll2Icmpv6, LinkType::kLinuxSll2, [](V& m) { m.resize(19); }),
            DecodeStatus::kSllTruncated);
  EXPECT_EQ(status_after(testvec::kRawV4Sctp, LinkType::kRaw, [](V& m) { m[0] = 0x55; }),
            DecodeStatus::kIpv4BadVersion);
}

TEST(DecodeFrameErrors, Ipv4) {
  const auto& r = testvec::kRawV4Sctp;
  const LinkType l = LinkType::kIpv4;
  EXPECT_EQ(status_after(r, l, [](V& m) { m.resize(19); }), DecodeStatus::kIpv4Truncated);
  EXPECT_EQ(status_after(r, l, [](V& m) { m[0] = 0x65; }), DecodeStatus::kIpv4BadVersion);
  EXPECT_EQ(status_after(r, l, [](V& m) { m[0] = 0x44; }), DecodeStatus::kIpv4BadIhl);
  EXPECT_EQ(status_after(r, l, [](V& m) { m[0] = 0x4F; }), DecodeStatus::kIpv4Truncated);
  EXPECT_EQ(status_after(r, l, [](V& m) { m[3] = 0x25; }), DecodeStatus::kIpv4BadTotalLength);
  EXPECT_EQ(status_after(r, l, [](V& m) { m[3] = 0x13; }), DecodeStatus::kIpv4BadTotalLength);
  const auto& o = testvec::kRawV4OptionsFirstFrag;
  EXPECT_EQ(status_after(o, l, [](V& m) { m[21] = 0x01; }), DecodeStatus::kIpv4BadOptions);
  EXPECT_EQ(status_after(o, l, [](V& m) { m[21] = 0x05; }), DecodeStatus::kIpv4BadOptions);
  // NOP, NOP, NOP, EOL is fine.
  EXPECT_EQ(status_after(o, l, [](V& m) {
              m[20] = 1;
              m[21] = 1;
              m[22] = 1;
              m[23] = 0;
            }),
            DecodeStatus::kOk);
}

TEST(DecodeFrameErrors, Ipv6) {
  const auto& r = testvec::kRawV6ExtFrag;
  const LinkType l = LinkType::kIpv6;
  EXPECT_EQ(status_after(r, l, [](V& m) { m.resize(39); }), DecodeStatus::kIpv6Truncated);
  EXPECT_EQ(status_after(r, l, [](V& m) { m[0] = 0x40; }), DecodeStatus::kIpv6BadVersion);
  EXPECT_EQ(status_after(r, l, [](V& m) { m[5] = 0x25; }), DecodeStatus::kIpv6BadPayloadLength);
  // HBH claims 16 octets; only 8 left before... the chain then runs off the payload.
  EXPECT_EQ(status_after(r, l, [](V& m) { m[41] = 0x04; }), DecodeStatus::kIpv6ExtTruncated);
  // Payload length covers only the HBH header, which names another header.
  EXPECT_EQ(status_after(r, l, [](V& m) { m[5] = 8; m.resize(48); }),
            DecodeStatus::kIpv6ExtTruncated);
  // Nine Destination Options headers in a row.
  V many = {0x60, 0, 0, 0, 0, 72, 60, 64};
  many.resize(40, 0);
  for (int i = 0; i < 9; ++i) {
    const V h = {static_cast<uint8_t>(i == 8 ? 59 : 60), 0, 1, 4, 0, 0, 0, 0};
    many.insert(many.end(), h.begin(), h.end());
  }
  EXPECT_EQ(decode(many, l).status, DecodeStatus::kIpv6TooManyExt);
  many.resize(40 + 64);
  many[5] = 64;
  many[40 + 56] = 59;  // eighth header ends the chain: No Next Header
  const DecodedPacket d = decode(many, l);
  EXPECT_EQ(d.status, DecodeStatus::kOk);
  EXPECT_EQ(d.outer_ip.ext_count, 8);
  EXPECT_EQ(d.outer_ip.proto, 59);
  EXPECT_FALSE(d.outer_l4.present());
}

TEST(DecodeFrameErrors, L4) {
  const LinkType l = LinkType::kIpv4;
  // UDP: IP payload of 7 bytes.
  V u = testvec::kRawV4LaterFrag;
  u[6] = 0;
  u[7] = 0;  // not a fragment
  u[3] = 27;
  u.resize(27);
  EXPECT_EQ(decode(u, l).status, DecodeStatus::kUdpTruncated);
  // UDP length beyond / below the IP payload.
  V u2 = testvec::kRawV4LaterFrag;
  u2[6] = 0;
  u2[7] = 0;
  u2[24] = 0;
  u2[25] = 9;
  EXPECT_EQ(decode(u2, l).status, DecodeStatus::kUdpBadLength);
  u2[25] = 7;
  EXPECT_EQ(decode(u2, l).status, DecodeStatus::kUdpBadLength);
  u2[25] = 8;
  EXPECT_EQ(decode(u2, l).status, DecodeStatus::kOk);
  // TCP: short header, data offset < 5, data offset beyond the data.
  V t = u2;
  t[9] = kProtoTcp;
  EXPECT_EQ(decode(t, l).status, DecodeStatus::kTcpTruncated);
  const auto& g = testvec::kEthV4GtpuTcp;
  const LinkType e = LinkType::kEthernet;
  EXPECT_EQ(status_after(g, e, [](V& m) { m[90] = 0x40; }), DecodeStatus::kInnerMalformed);
  EXPECT_EQ(status_after(g, e, [](V& m) { m[90] = 0x60; }), DecodeStatus::kInnerMalformed);
  // ICMP shorter than 8 bytes.
  EXPECT_EQ(status_after(testvec::kSllIcmp, LinkType::kLinuxSll, [](V& m) {
              m[19] = 27;
              m.resize(43);
            }),
            DecodeStatus::kIcmpTruncated);
  // SCTP shorter than 12 bytes.
  EXPECT_EQ(status_after(testvec::kRawV4Sctp, l, [](V& m) {
              m[3] = 31;
              m.resize(31);
            }),
            DecodeStatus::kSctpTruncated);
}

TEST(DecodeFrameErrors, InnerPacket) {
  const auto& g = testvec::kEthV4GtpuTcp;
  const LinkType e = LinkType::kEthernet;
  DecodedPacket d;
  V m = g;
  m[90] = 0x40;  // inner TCP data offset 4
  decode_frame(Bytes(m), e, d);
  EXPECT_EQ(d.status, DecodeStatus::kInnerMalformed);
  EXPECT_EQ(d.inner_detail, DecodeStatus::kTcpBadDataOffset);
  EXPECT_EQ(d.gtpu.teid, 100u);  // layers before the problem stay valid
  m = g;
  m[58] = 0x75;  // inner version 7
  decode_frame(Bytes(m), e, d);
  EXPECT_EQ(d.status, DecodeStatus::kInnerBadVersion);
  m = g;
  m[60] = 0x00;
  m[61] = 0x29;  // inner total length 41 > 40 available
  decode_frame(Bytes(m), e, d);
  EXPECT_EQ(d.status, DecodeStatus::kInnerMalformed);
  EXPECT_EQ(d.inner_detail, DecodeStatus::kIpv4BadTotalLength);
}

}  // namespace
}  // namespace mecguard::decode
