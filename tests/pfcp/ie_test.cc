// IE value codecs: byte vectors from TS 29.244 clause 8.2, one commented line per field.
#include <gtest/gtest.h>

#include <vector>

#include "pfcp/ie.h"
#include "samples.h"

namespace mecguard::pfcp {
namespace {

using testing::ip;

// Encodes x as IE `type` and returns only the value octets (after the 4-byte header).
template <class T>
std::vector<uint8_t> value_of(uint16_t type, const T& x) {
  std::vector<uint8_t> out;
  ByteWriter w(out);
  encode_ie(w, type, x);
  EXPECT_GE(out.size(), 4u);
  EXPECT_EQ(load_be16(out.data()), type);
  EXPECT_EQ(load_be16(out.data() + 2), out.size() - 4);
  return {out.begin() + 4, out.end()};
}

TEST(PfcpIe, FTeidV4) {
  const std::vector<uint8_t> v = {
      0x01,                    // flags: V4
      0x00, 0x00, 0x12, 0x34,  // TEID
      0xc0, 0xa8, 0x01, 0x01,  // IPv4 192.168.1.1
  };
  FTeid f;
  ASSERT_EQ(decode_value(v, f), Status::kOk);
  EXPECT_TRUE(f.v4);
  EXPECT_FALSE(f.v6);
  EXPECT_FALSE(f.ch);
  EXPECT_EQ(f.teid, 0x1234u);
  EXPECT_EQ(f.ipv4, ip("192.168.1.1"));
  EXPECT_EQ(value_of(ie::kFTeid, f), v);
}

TEST(PfcpIe, FTeidV4V6) {
  const std::vector<uint8_t> v = {
      0x03,                    // flags: V4, V6
      0xff, 0xff, 0xff, 0xfe,  // TEID
      0x0a, 0x00, 0x00, 0x09,  // IPv4 10.0.0.9
      0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x09,  // IPv6 2001:db8::9
  };
  FTeid f;
  ASSERT_EQ(decode_value(v, f), Status::kOk);
  EXPECT_EQ(f.teid, 0xfffffffeu);
  EXPECT_EQ(f.ipv4, ip("10.0.0.9"));
  EXPECT_EQ(f.ipv6, ip("2001:db8::9"));
  EXPECT_EQ(value_of(ie::kFTeid, f), v);
}

TEST(PfcpIe, FTeidChooseWithChooseId) {
  const std::vector<uint8_t> v = {
      0x0d,  // flags: V4, CH, CHID (no TEID, no address)
      0x07,  // CHOOSE ID
  };
  FTeid f;
  ASSERT_EQ(decode_value(v, f), Status::kOk);
  EXPECT_TRUE(f.ch);
  EXPECT_TRUE(f.chid);
  EXPECT_TRUE(f.v4);
  EXPECT_EQ(f.choose_id, 7);
  EXPECT_EQ(f.teid, 0u);
  EXPECT_TRUE(f.ipv4.empty());
  EXPECT_EQ(f, FTeid::choose(true, false, 7));
  EXPECT_EQ(value_of(ie::kFTeid, f), v);
}

TEST(PfcpIe, FTeidErrors) {
  FTeid f;
  const std::vector<uint8_t> chid_without_ch = {0x09, 0x01};  // V4, CHID
  EXPECT_EQ(decode_value(chid_without_ch, f), Status::kBadIeValue);
  const std::vector<uint8_t> missing_addr = {0x01, 0, 0, 0, 1, 10, 0};  // V4, TEID, half an address
  EXPECT_EQ(decode_value(missing_addr, f), Status::kIeBadLength);
  const std::vector<uint8_t> ch_missing_id = {0x0c};  // CH, CHID, no CHOOSE ID
  EXPECT_EQ(decode_value(ch_missing_id, f), Status::kIeBadLength);
  EXPECT_EQ(decode_value(Bytes{}, f), Status::kIeBadLength);
}

TEST(PfcpIe, UeIpV4Source) {
  const std::vector<uint8_t> v = {
      0x02,                    // flags: V4, S/D=0 (source)
      0x0a, 0x2d, 0x00, 0x02,  // IPv4 10.45.0.2
  };
  UeIpAddress u;
  ASSERT_EQ(decode_value(v, u), Status::kOk);
  EXPECT_EQ(u.ipv4, ip("10.45.0.2"));
  EXPECT_TRUE(u.ipv6.empty());
  EXPECT_FALSE(u.destination);
  EXPECT_EQ(u, UeIpAddress::source(ip("10.45.0.2")));
  EXPECT_EQ(value_of(ie::kUeIpAddress, u), v);
}

TEST(PfcpIe, UeIpV6DestinationWithPrefixDelegation) {
  const std::vector<uint8_t> v = {
      0x0d,  // flags: V6, S/D=1 (destination), IPv6D
      0x20, 0x01, 0x0d, 0xb8, 0x00, 0x45, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,  // IPv6 2001:db8:45::
      0x08,  // IPv6 prefix delegation bits: /64 - 8 = /56 delegated
  };
  UeIpAddress u;
  ASSERT_EQ(decode_value(v, u), Status::kOk);
  EXPECT_EQ(u.ipv6, ip("2001:db8:45::"));
  EXPECT_TRUE(u.destination);
  EXPECT_EQ(u.ipv6_prefix_delegation_bits, 8);
  EXPECT_FALSE(u.ipv6_prefix_length);
  EXPECT_EQ(value_of(ie::kUeIpAddress, u), v);
}

TEST(PfcpIe, UeIpV4V6WithPrefixLengthAndChoose) {
  const std::vector<uint8_t> v = {
      0x61,  // flags: V6, CHV6, IP6PL
      0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01,  // IPv6 2001:db8::1
      0x40,  // IPv6 prefix length 64
  };
  UeIpAddress u;
  ASSERT_EQ(decode_value(v, u), Status::kOk);
  EXPECT_TRUE(u.chv6);
  EXPECT_FALSE(u.chv4);
  EXPECT_EQ(u.ipv6_prefix_length, 64);
  EXPECT_EQ(value_of(ie::kUeIpAddress, u), v);
  const std::vector<uint8_t> short_pl = {0x40};  // IP6PL without its octet
  EXPECT_EQ(decode_value(short_pl, u), Status::kIeBadLength);
  const std::vector<uint8_t> chv4 = {0x10};  // CHV4 only: UP function allocates
  ASSERT_EQ(decode_value(chv4, u), Status::kOk);
  EXPECT_TRUE(u.chv4);
  EXPECT_TRUE(u.ipv4.empty());
}

TEST(PfcpIe, NodeIdKinds) {
  const std::vector<uint8_t> v4 = {0x00, 10, 0, 0, 1};  // type IPv4, 10.0.0.1
  NodeId n;
  ASSERT_EQ(decode_value(v4, n), Status::kOk);
  EXPECT_EQ(n, NodeId::from_ip(ip("10.0.0.1")));
  const std::vector<uint8_t> fqdn = {
      0x02,                          // type FQDN
      0x04, 's', 'm', 'f', '1',      // label "smf1"
      0x07, 'e', 'x', 'a', 'm', 'p', 'l', 'e',  // label "example"
  };
  ASSERT_EQ(decode_value(fqdn, n), Status::kOk);
  EXPECT_EQ(n.kind, NodeId::Kind::kFqdn);
  EXPECT_EQ(n.fqdn, "smf1.example");
  EXPECT_EQ(value_of(ie::kNodeId, n), fqdn);
  const std::vector<uint8_t> bad_label = {0x02, 0x09, 'a', 'b'};  // label runs past the end
  EXPECT_EQ(decode_value(bad_label, n), Status::kBadIeValue);
  const std::vector<uint8_t> bad_type = {0x03, 1, 2, 3, 4};
  EXPECT_EQ(decode_value(bad_type, n), Status::kBadIeValue);
  const std::vector<uint8_t> short_v6 = {0x01, 0x20, 0x01};
  EXPECT_EQ(decode_value(short_v6, n), Status::kIeBadLength);
}

TEST(PfcpIe, FSeidV4) {
  const std::vector<uint8_t> v = {
      0x02,                                            // flags: V4
      0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x01,  // SEID 0x1001
      0x0a, 0x00, 0x00, 0x01,                          // IPv4 10.0.0.1
  };
  FSeid f;
  ASSERT_EQ(decode_value(v, f), Status::kOk);
  EXPECT_EQ(f.seid, 0x1001u);
  EXPECT_EQ(f.ipv4, ip("10.0.0.1"));
  EXPECT_TRUE(f.ipv6.empty());
  EXPECT_EQ(value_of(ie::kFSeid, f), v);
  EXPECT_EQ(decode_value(Bytes(v.data(), 11), f), Status::kIeBadLength);
}

TEST(PfcpIe, SdfFilterFlowDescriptionAndId) {
  const std::vector<uint8_t> v = {
      0x11,        // flags: FD, BID
      0x00,        // spare
      0x00, 0x0a,  // flow description length 10
      'p', 'e', 'r', 'm', 'i', 't', ' ', 'o', 'u', 't',  // flow description
      0x00, 0x00, 0x00, 0x05,  // SDF filter ID 5
  };
  SdfFilter s;
  ASSERT_EQ(decode_value(v, s), Status::kOk);
  EXPECT_EQ(s.flow_description, "permit out");
  EXPECT_EQ(s.sdf_filter_id, 5u);
  EXPECT_FALSE(s.flow_label);
  EXPECT_EQ(value_of(ie::kSdfFilter, s), v);
  const std::vector<uint8_t> all = {
      0x1e, 0x00,              // flags: TTC, SPI, FL, BID
      0xb8, 0xfc,              // ToS/traffic class and mask
      0x00, 0x00, 0x01, 0x00,  // SPI 256
      0x01, 0x23, 0x45,        // flow label
      0x00, 0x00, 0x00, 0x02,  // SDF filter ID 2
  };
  ASSERT_EQ(decode_value(all, s), Status::kOk);
  EXPECT_EQ(s.tos_traffic_class, 0xb8fc);
  EXPECT_EQ(s.security_parameter_index, 256u);
  EXPECT_EQ(s.flow_label, 0x012345u);
  EXPECT_EQ(value_of(ie::kSdfFilter, s), all);
  const std::vector<uint8_t> fd_overrun = {0x01, 0x00, 0x00, 0x09, 'a'};
  EXPECT_EQ(decode_value(fd_overrun, s), Status::kIeBadLength);
}

TEST(PfcpIe, OuterHeaderCreationVariants) {
  const std::vector<uint8_t> gtpu4 = {
      0x01, 0x00,              // description: GTP-U/UDP/IPv4
      0x00, 0x00, 0x02, 0x00,  // TEID 0x200
      0xc0, 0xa8, 0x01, 0x32,  // IPv4 192.168.1.50
  };
  OuterHeaderCreation o;
  ASSERT_EQ(decode_value(gtpu4, o), Status::kOk);
  EXPECT_EQ(o, OuterHeaderCreation::gtpu(0x200, ip("192.168.1.50")));
  EXPECT_EQ(value_of(ie::kOuterHeaderCreation, o), gtpu4);
  const std::vector<uint8_t> udp6_ctag = {
      0x48, 0x00,  // description: UDP/IPv6, C-TAG
      0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x07,  // IPv6 2001:db8::7
      0x08, 0x68,        // port 2152
      0x00, 0x10, 0x64,  // C-TAG
  };
  ASSERT_EQ(decode_value(udp6_ctag, o), Status::kOk);
  EXPECT_EQ(o.ipv6, ip("2001:db8::7"));
  EXPECT_EQ(o.port, 2152);
  EXPECT_EQ(o.c_tag, 0x001064u);
  EXPECT_EQ(o.teid, 0u);
  EXPECT_EQ(value_of(ie::kOuterHeaderCreation, o), udp6_ctag);
  EXPECT_EQ(decode_value(Bytes(gtpu4.data(), 7), o), Status::kIeBadLength);
}

TEST(PfcpIe, ApplyActionBitrateGateAndSmallValues) {
  ApplyAction a;
  const std::vector<uint8_t> aa = {0x0c};  // BUFF, NOCP
  ASSERT_EQ(decode_value(aa, a), Status::kOk);
  EXPECT_TRUE(a.has(ApplyAction::kBuff));
  EXPECT_TRUE(a.has(ApplyAction::kNocp));
  EXPECT_FALSE(a.has(ApplyAction::kForw));
  EXPECT_EQ(value_of(ie::kApplyAction, a), aa);
  const std::vector<uint8_t> aa2 = {0x12, 0x01};  // FORW, DUPL; octet 6: EDRT
  ASSERT_EQ(decode_value(aa2, a), Status::kOk);
  EXPECT_EQ(a.flags, ApplyAction::kForw | ApplyAction::kDupl | ApplyAction::kEdrt);
  EXPECT_EQ(value_of(ie::kApplyAction, a), aa2);

  const std::vector<uint8_t> mbr = {
      0x00, 0x00, 0x01, 0x86, 0xa0,  // UL MBR 100000 kbps
      0xff, 0xff, 0xff, 0xff, 0xff,  // DL MBR 2^40-1 kbps
  };
  Bitrate br;
  ASSERT_EQ(decode_value(mbr, br), Status::kOk);
  EXPECT_EQ(br.ul_kbps, 100000u);
  EXPECT_EQ(br.dl_kbps, kMaxBitrateKbps);
  EXPECT_EQ(value_of(ie::kMbr, br), mbr);
  EXPECT_EQ(decode_value(Bytes(mbr.data(), 9), br), Status::kIeBadLength);

  GateStatus g;
  const std::vector<uint8_t> gate = {0x04};  // UL CLOSED, DL OPEN
  ASSERT_EQ(decode_value(gate, g), Status::kOk);
  EXPECT_EQ(g.ul, GateStatus::kClosed);
  EXPECT_EQ(g.dl, GateStatus::kOpen);
  EXPECT_EQ(value_of(ie::kGateStatus, g), gate);

  OuterHeaderRemoval ohr;
  const std::vector<uint8_t> ohr_v = {0x06, 0x01};  // GTP-U/UDP/IP; delete PDU session container
  ASSERT_EQ(decode_value(ohr_v, ohr), Status::kOk);
  EXPECT_EQ(ohr.description, OuterHeaderRemoval::kGtpuUdpIp);
  EXPECT_EQ(ohr.gtpu_extension_header_deletion, 1);
  EXPECT_EQ(value_of(ie::kOuterHeaderRemoval, ohr), ohr_v);

  SourceInterface si;
  const std::vector<uint8_t> si_v = {0x01};  // Core
  ASSERT_EQ(decode_value(si_v, si), Status::kOk);
  EXPECT_EQ(si, SourceInterface::kCore);
  DestinationInterface di;
  const std::vector<uint8_t> di_v = {0x02};  // SGi-LAN/N6-LAN
  ASSERT_EQ(decode_value(di_v, di), Status::kOk);
  EXPECT_EQ(di, DestinationInterface::kSgiLanN6Lan);

  uint32_t id = 0;
  const std::vector<uint8_t> far_id = {0x80, 0x00, 0x00, 0x07};  // predefined FAR ID bit + 7
  ASSERT_EQ(decode_value(far_id, id), Status::kOk);
  EXPECT_EQ(id, 0x80000007u);
  uint16_t pdr = 0;
  EXPECT_EQ(decode_value(Bytes(far_id.data(), 1), pdr), Status::kIeBadLength);
  OffendingIe off;
  const std::vector<uint8_t> off_v = {0x00, 0x15};  // F-TEID
  ASSERT_EQ(decode_value(off_v, off), Status::kOk);
  EXPECT_EQ(off.type, ie::kFTeid);
}

TEST(PfcpIe, NetworkInstanceLabels) {
  const auto labels = dnn_to_labels("internet.mnc001");
  const std::vector<uint8_t> want = {8, 'i', 'n', 't', 'e', 'r', 'n', 'e', 't',
                                     6, 'm', 'n', 'c', '0', '0', '1'};
  EXPECT_EQ(labels, want);
  EXPECT_EQ(dnn_from_labels(std::string(labels.begin(), labels.end())), "internet.mnc001");
  EXPECT_EQ(dnn_from_labels("internet"), "internet");  // plain string stays as it is
}

}  // namespace
}  // namespace mecguard::pfcp
