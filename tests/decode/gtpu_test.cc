// decode_gtpu on hand-written GTP-U messages (TS 29.281): signalling messages, extension
// header chains, and one status per malformation.
#include <gtest/gtest.h>

#include "decode/packet.h"
#include "decode/vectors.h"

namespace mecguard::decode {
namespace {

using testvec::V;

DecodedPacket gtpu(const V& v, uint16_t len) {
  DecodedPacket d;
  decode_gtpu(Bytes(v), 0, len, d);
  return d;
}
DecodedPacket gtpu(const V& v) { return gtpu(v, static_cast<uint16_t>(v.size())); }

template <class F>
DecodeStatus status_after(const V& v, F mutate) {
  V m = v;
  mutate(m);
  return gtpu(m).status;
}

TEST(DecodeGtpu, EchoRequest) {
  const DecodedPacket d = gtpu(testvec::kGtpuEchoRequest);
  ASSERT_EQ(d.status, DecodeStatus::kOk) << status_name(d.status);
  EXPECT_EQ(d.gtpu.msg_type, gtpu_msg::kEchoRequest);
  EXPECT_TRUE(d.gtpu.s_flag);
  EXPECT_EQ(d.gtpu.seq, 42);
  EXPECT_EQ(d.gtpu.teid, 0u);
  EXPECT_FALSE(d.gtpu.has_recovery);
  EXPECT_EQ(d.gtpu.payload_len, 0);
}

TEST(DecodeGtpu, EchoResponseWithRecovery) {
  const DecodedPacket d = gtpu(testvec::kGtpuEchoResponse);
  ASSERT_EQ(d.status, DecodeStatus::kOk) << status_name(d.status);
  EXPECT_EQ(d.gtpu.msg_type, gtpu_msg::kEchoResponse);
  EXPECT_TRUE(d.gtpu.has_recovery);
  EXPECT_EQ(d.gtpu.recovery, 5);
  EXPECT_EQ(d.gtpu.payload_offset, 12);
  EXPECT_EQ(d.gtpu.payload_len, 2);
}

TEST(DecodeGtpu, ErrorIndicationV4) {
  const DecodedPacket d = gtpu(testvec::kGtpuErrorIndicationV4);
  ASSERT_EQ(d.status, DecodeStatus::kOk) << status_name(d.status);
  EXPECT_EQ(d.gtpu.msg_type, gtpu_msg::kErrorIndication);
  EXPECT_EQ(d.gtpu.ei_teid, 1234u);
  EXPECT_EQ(d.gtpu.ei_peer, *IpAddr::parse("10.0.0.2"));
}

TEST(DecodeGtpu, ErrorIndicationV6) {
  const DecodedPacket d = gtpu(testvec::kGtpuErrorIndicationV6);
  ASSERT_EQ(d.status, DecodeStatus::kOk) << status_name(d.status);
  EXPECT_FALSE(d.gtpu.s_flag);
  EXPECT_EQ(d.gtpu.ei_teid, 7u);
  EXPECT_EQ(d.gtpu.ei_peer, *IpAddr::parse("2001:db8::2"));
}

TEST(DecodeGtpu, EndMarker) {
  const DecodedPacket d = gtpu(testvec::kGtpuEndMarker);
  ASSERT_EQ(d.status, DecodeStatus::kOk);
  EXPECT_EQ(d.gtpu.msg_type, gtpu_msg::kEndMarker);
  EXPECT_EQ(d.gtpu.teid, 0x1234u);
  EXPECT_EQ(d.gtpu.length, 0);
  EXPECT_FALSE(d.inner_ip.present());
}

TEST(DecodeGtpu, SupportedExtensionHeadersNotification) {
  const DecodedPacket d = gtpu(testvec::kGtpuSuppExtNotif);
  ASSERT_EQ(d.status, DecodeStatus::kOk) << status_name(d.status);
  EXPECT_EQ(d.gtpu.msg_type, gtpu_msg::kSupportedExtHeadersNotification);
  EXPECT_EQ(d.gtpu.supported_ext_count, 2);
  ASSERT_EQ(d.gtpu.supported_ext_offset, 14);
  EXPECT_EQ(testvec::kGtpuSuppExtNotif[d.gtpu.supported_ext_offset], 0x85);
  EXPECT_EQ(testvec::kGtpuSuppExtNotif[d.gtpu.supported_ext_offset + 1u], 0xC0);
}

TEST(DecodeGtpu, ExtensionChainUlContainerAndUnknownRequired) {
  const DecodedPacket d = gtpu(testvec::kGtpuExtChain);
  ASSERT_EQ(d.status, DecodeStatus::kOk) << status_name(d.status);
  const GtpuLayer& g = d.gtpu;
  EXPECT_TRUE(g.e_flag && g.s_flag && g.pn_flag);
  EXPECT_EQ(g.seq, 256);
  EXPECT_EQ(g.npdu, 7);
  EXPECT_EQ(g.teid, 9u);
  EXPECT_EQ(g.ext_count, 3);
  EXPECT_EQ(g.first_ext_type, gtpu_ext::kPduSessionContainer);
  EXPECT_TRUE(g.has_pdu_session);
  EXPECT_EQ(g.pdu_type, 1);
  EXPECT_EQ(g.qfi, 5);
  EXPECT_FALSE(g.rqi);
  EXPECT_EQ(g.unknown_required_ext, 0xA1);
  EXPECT_EQ(g.payload_offset, 28);
  EXPECT_EQ(g.payload_len, 28);
  EXPECT_EQ(d.inner_ip.version, 4);
  EXPECT_EQ(d.inner_l4.proto, kProtoUdp);
  EXPECT_EQ(d.inner_l4.sport, 68);
  EXPECT_EQ(d.inner_l4.dport, 67);
}

TEST(DecodeGtpu, DlContainerWithPpi) {
  V m = testvec::kGtpuExtChain;
  m[13] = 0x00;  // DL PDU type
  m[14] = 0xC5;  // PPP 1, RQI 1, QFI 5: PPI octet would follow but the header has none
  DecodedPacket d = gtpu(m);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d.gtpu.pdu_type, 0);
  EXPECT_TRUE(d.gtpu.rqi);
  EXPECT_FALSE(d.gtpu.has_ppi);  // only 2 content octets in a 4-octet header
  // A two-unit container with the PPI octet: rebuild the front of the chain.
  const V c = {
      0x34, 0xFF, 0x00, 0x20, 0, 0, 0, 1,  // E, G-PDU, length 32, TEID 1
      0x00, 0x00, 0x00, 0x85,              // optional fields, next: PDU Session Container
      0x02, 0x00, 0x85, 0xA0,              // len 2, DL, PPP 1 QFI 5, PPI 5
      0x00, 0x00, 0x00, 0x00,              // padding, next none
      0x45, 0x00, 0x00, 0x14, 0, 0, 0, 0,  // inner IPv4 header only, protocol 0
      0x40, 0x00, 0x00, 0x00, 1, 1, 1, 1, 2, 2, 2, 2,
  };
  d = gtpu(c);
  ASSERT_EQ(d.status, DecodeStatus::kOk) << status_name(d.status);
  EXPECT_TRUE(d.gtpu.has_ppi);
  EXPECT_EQ(d.gtpu.ppi, 5);
  EXPECT_EQ(d.gtpu.qfi, 5);
  EXPECT_FALSE(d.inner_l4.present());
}

TEST(DecodeGtpu, OtherMessageTypesDecodeHeaderOnly) {
  const DecodedPacket d = gtpu(V{0x30, 0x05, 0x00, 0x02, 0, 0, 0, 0, 0xAB, 0xCD});
  EXPECT_EQ(d.status, DecodeStatus::kOk);
  EXPECT_EQ(d.gtpu.msg_type, 5);
  EXPECT_EQ(d.gtpu.payload_len, 2);
}

TEST(DecodeGtpuErrors, Header) {
  const auto& e = testvec::kGtpuEchoRequest;
  EXPECT_EQ(gtpu(e, 7).status, DecodeStatus::kGtpuTruncated);
  EXPECT_EQ(status_after(e, [](V& m) { m[0] = 0x52; }), DecodeStatus::kGtpuBadVersion);
  EXPECT_EQ(status_after(e, [](V& m) { m[0] = 0x02; }), DecodeStatus::kGtpuBadVersion);
  EXPECT_EQ(status_after(e, [](V& m) { m[0] = 0x22; }), DecodeStatus::kGtpuBadPt);
  EXPECT_EQ(status_after(e, [](V& m) { m[3] = 5; }), DecodeStatus::kGtpuBadLength);
  EXPECT_EQ(status_after(e, [](V& m) { m[3] = 3; }), DecodeStatus::kGtpuBadLength);
  // S set but the length leaves no room for the optional fields.
  EXPECT_EQ(status_after(e, [](V& m) { m[3] = 0; m.resize(8); }), DecodeStatus::kGtpuTruncated);
  // Window past the end of the buffer.
  DecodedPacket d;
  EXPECT_EQ(decode_gtpu(Bytes(e), 4, 12, d), DecodeStatus::kGtpuTruncated);
  EXPECT_EQ(d.status, DecodeStatus::kGtpuTruncated);
}

TEST(DecodeGtpuErrors, ExtensionChain) {
  const auto& c = testvec::kGtpuExtChain;
  EXPECT_EQ(status_after(c, [](V& m) { m[16] = 0; }), DecodeStatus::kGtpuExtZeroLength);
  EXPECT_EQ(status_after(c, [](V& m) { m[20] = 13; }), DecodeStatus::kGtpuExtTruncated);
  // The chain's last next-type points past the message: the T-PDU is taken as a header
  // whose length octet (0x45 x 4) runs off the end.
  EXPECT_EQ(status_after(c, [](V& m) { m[27] = 0x40; }), DecodeStatus::kGtpuExtTruncated);
  // Chain ends exactly at the end of the message with a next type set.
  V m = c;
  m.resize(28);
  m[3] = 20;
  m[27] = 0x40;
  EXPECT_EQ(gtpu(m).status, DecodeStatus::kGtpuExtTruncated);
  // 17 one-unit headers.
  V many = {0x34, 0xFF, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0x40};
  for (int i = 0; i < 17; ++i) {
    const V h = {1, 0, 0, static_cast<uint8_t>(i == 16 ? 0 : 0x40)};
    many.insert(many.end(), h.begin(), h.end());
  }
  many[3] = static_cast<uint8_t>(many.size() - 8);
  EXPECT_EQ(gtpu(many).status, DecodeStatus::kGtpuExtTooMany);
  many.resize(many.size() - 4);
  many[3] = static_cast<uint8_t>(many.size() - 8);
  many.back() = 0;
  const DecodedPacket d = gtpu(many);
  EXPECT_EQ(d.status, DecodeStatus::kInnerTruncated);  // 16 headers fine, then empty T-PDU
  EXPECT_EQ(d.gtpu.ext_count, 16);
}

TEST(DecodeGtpuErrors, SignallingIes) {
  // Error Indication without the peer address.
  EXPECT_EQ(status_after(testvec::kGtpuErrorIndicationV4, [](V& m) {
              m.resize(17);
              m[3] = 9;
            }),
            DecodeStatus::kGtpuIeTruncated);
  // Peer address of 5 octets.
  EXPECT_EQ(status_after(testvec::kGtpuErrorIndicationV4, [](V& m) {
              m[19] = 5;
              m.push_back(0);
              m[3] = 17;
            }),
            DecodeStatus::kGtpuIeMalformed);
  // Peer address length beyond the message.
  EXPECT_EQ(status_after(testvec::kGtpuErrorIndicationV4, [](V& m) { m[19] = 16; }),
            DecodeStatus::kGtpuIeTruncated);
  // TEID Data I cut short.
  EXPECT_EQ(status_after(testvec::kGtpuErrorIndicationV4, [](V& m) {
              m.resize(15);
              m[3] = 7;
            }),
            DecodeStatus::kGtpuIeTruncated);
  // Recovery without its value.
  EXPECT_EQ(status_after(testvec::kGtpuEchoResponse, [](V& m) {
              m.resize(13);
              m[3] = 5;
            }),
            DecodeStatus::kGtpuIeTruncated);
  // An unknown TV IE cannot be skipped.
  EXPECT_EQ(status_after(testvec::kGtpuEchoResponse, [](V& m) { m[12] = 0x0F; }),
            DecodeStatus::kGtpuIeMalformed);
  // Supported Extension Headers Notification: list missing / count beyond the message.
  EXPECT_EQ(status_after(testvec::kGtpuSuppExtNotif, [](V& m) {
              m.resize(12);
              m[3] = 4;
            }),
            DecodeStatus::kGtpuIeTruncated);
  EXPECT_EQ(status_after(testvec::kGtpuSuppExtNotif, [](V& m) { m[13] = 3; }),
            DecodeStatus::kGtpuIeTruncated);
}

TEST(DecodeGtpuErrors, TpduNotIp) {
  V m = testvec::kGtpuExtChain;
  m[28] = 0x15;
  DecodedPacket d = gtpu(m);
  EXPECT_EQ(d.status, DecodeStatus::kInnerBadVersion);
  EXPECT_EQ(d.gtpu.teid, 9u);
  m = testvec::kGtpuExtChain;
  m.resize(40);
  m[3] = 32;
  d = gtpu(m);
  EXPECT_EQ(d.status, DecodeStatus::kInnerTruncated);
  EXPECT_EQ(d.inner_detail, DecodeStatus::kIpv4Truncated);
  m[28] = 0x60;
  EXPECT_EQ(gtpu(m).status, DecodeStatus::kInnerTruncated);
}

}  // namespace
}  // namespace mecguard::decode
