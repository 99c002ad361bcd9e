// Hand-written frames for the decoder tests, one commented line per field. Checksums are
// placeholders (0xC5C5) where the decoder does not verify them. Shared by the field tests,
// the truncation sweep and the fuzz-seed writer.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "decode/packet.h"

namespace mecguard::decode::testvec {

using V = std::vector<uint8_t>;

// Ethernet / IPv4 / UDP 2152 / GTP-U G-PDU with a DL PDU Session Container / IPv4 / TCP SYN.
inline const V kEthV4GtpuTcp = {
    0x02, 0x00, 0x00, 0x00, 0x00, 0x02,  // eth dst
    0x02, 0x00, 0x00, 0x00, 0x00, 0x01,  // eth src
    0x08, 0x00,                          // ethertype IPv4
    0x45, 0x00,                          // version 4, IHL 5, TOS 0
    0x00, 0x54,                          // total length 84
    0x12, 0x34,                          // identification
    0x40, 0x00,                          // flags DF, fragment offset 0
    0x40, 0x11,                          // TTL 64, protocol UDP
    0xC5, 0xC5,                          // header checksum (not verified)
    0x0A, 0x00, 0x00, 0x01,              // src 10.0.0.1 (gNB)
    0x0A, 0x00, 0x00, 0x02,              // dst 10.0.0.2 (UPF)
    0x08, 0x68,                          // UDP sport 2152
    0x08, 0x68,                          // UDP dport 2152
    0x00, 0x40,                          // UDP length 64
    0x00, 0x00,                          // UDP checksum (none)
    0x34,                                // GTP: version 1, PT 1, E 1, S 0, PN 0
    0xFF,                                // message type G-PDU
    0x00, 0x30,                          // length 48 (4 optional + 4 ext + 40 T-PDU)
    0x00, 0x00, 0x00, 0x64,              // TEID 100
    0x00, 0x00,                          // sequence number (S=0: ignored)
    0x00,                                // N-PDU number (PN=0: ignored)
    0x85,                                // next extension header: PDU Session Container
    0x01,                                // ext length: 1 x 4 octets
    0x00,                                // PDU type 0 (DL), spare
    0x49,                                // PPP 0, RQI 1, QFI 9
    0x00,                                // next extension header: none
    0x45, 0x00,                          // inner IPv4, IHL 5
    0x00, 0x28,                          // total length 40
    0x00, 0x01,                          // identification
    0x00, 0x00,                          // no flags
    0x3F, 0x06,                          // TTL 63, protocol TCP
    0xC5, 0xC5,                          // checksum
    0xC0, 0xA8, 0x01, 0x0A,              // src 192.168.1.10 (UE)
    0x08, 0x08, 0x08, 0x08,              // dst 8.8.8.8
    0xC0, 0x00,                          // TCP sport 49152
    0x00, 0x50,                          // TCP dport 80
    0x00, 0x00, 0x03, 0xE8,              // seq 1000
    0x00, 0x00, 0x00, 0x00,              // ack 0
    0x50,                                // data offset 5
    0x02,                                // flags SYN
    0xFF, 0xFF,                          // window
    0xC5, 0xC5,                          // checksum
    0x00, 0x00,                          // urgent pointer
};

// Ethernet / IPv6 / UDP / GTP-U G-PDU (no optional fields) / IPv6 / UDP 53 with 4 bytes.
inline const V kEthV6GtpuV6Udp = {
    0x02, 0x00, 0x00, 0x00, 0x00, 0x02,  // eth dst
    0x02, 0x00, 0x00, 0x00, 0x00, 0x01,  // eth src
    0x86, 0xDD,                          // ethertype IPv6
    0x60, 0x00, 0x00, 0x00,              // version 6, traffic class 0, flow label 0
    0x00, 0x44,                          // payload length 68
    0x11,                                // next header UDP
    0x40,                                // hop limit 64
    0x20, 0x01, 0x0D, 0xB8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01,  // src 2001:db8::1
    0x20, 0x01, 0x0D, 0xB8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02,  // dst 2001:db8::2
    0x9C, 0x40,                          // UDP sport 40000
    0x08, 0x68,                          // UDP dport 2152
    0x00, 0x44,                          // UDP length 68
    0xC5, 0xC5,                          // UDP checksum
    0x30,                                // GTP: version 1, PT 1, no E/S/PN
    0xFF,                                // G-PDU
    0x00, 0x34,                          // length 52
    0xDE, 0xAD, 0xBE, 0xEF,              // TEID 0xdeadbeef
    0x60, 0x00, 0x00, 0x00,              // inner IPv6
    0x00, 0x0C,                          // payload length 12
    0x11,                                // next header UDP
    0x3F,                                // hop limit 63
    0xFD, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x0A,  // src fd00::a (UE)
    0x20, 0x01, 0x48, 0x60, 0x48, 0x60, 0, 0, 0, 0, 0, 0, 0, 0, 0x88, 0x88,  // 2001:4860:4860::8888
    0xD4, 0x31,                          // UDP sport 54321
    0x00, 0x35,                          // UDP dport 53
    0x00, 0x0C,                          // UDP length 12
    0xC5, 0xC5,                          // checksum
    0xAA, 0xBB, 0xCC, 0xDD,              // payload
};

// QinQ (802.1ad outer VID 100, 802.1Q inner VID 200) / IPv4 / UDP to PFCP 8805.
inline const V kQinQPfcp = {
    0x02, 0x00, 0x00, 0x00, 0x00, 0x02,  // eth dst
    0x02, 0x00, 0x00, 0x00, 0x00, 0x01,  // eth src
    0x88, 0xA8,                          // TPID 802.1ad
    0x20, 0x64,                          // PCP 1, VID 100
    0x81, 0x00,                          // TPID 802.1Q
    0x00, 0xC8,                          // VID 200
    0x08, 0x00,                          // ethertype IPv4
    0x45, 0x00, 0x00, 0x20,              // IPv4, IHL 5, total length 32
    0x00, 0x00, 0x00, 0x00,              // id, flags
    0x40, 0x11, 0xC5, 0xC5,              // TTL 64, UDP, checksum
    0x0A, 0x00, 0x01, 0x01,              // src 10.0.1.1 (SMF)
    0x0A, 0x00, 0x01, 0x02,              // dst 10.0.1.2 (UPF)
    0x22, 0x65,                          // UDP sport 8805
    0x22, 0x65,                          // UDP dport 8805
    0x00, 0x0C,                          // UDP length 12
    0x00, 0x00,                          // checksum
    0x20, 0x01, 0x00, 0x00,              // PFCP: v1, Heartbeat Request, length 0 (opaque here)
};

// Linux cooked v1 / IPv4 / ICMP echo request.
inline const V kSllIcmp = {
    0x00, 0x00,                          // packet type: to us
    0x00, 0x01,                          // ARPHRD_ETHER
    0x00, 0x06,                          // address length
    0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00,  // address, padded to 8
    0x08, 0x00,                          // protocol IPv4
    0x45, 0x00, 0x00, 0x1C,              // IPv4, total length 28
    0x00, 0x00, 0x00, 0x00,              // id, flags
    0x40, 0x01, 0xC5, 0xC5,              // TTL 64, ICMP, checksum
    0x0A, 0x00, 0x00, 0x01,              // src
    0x0A, 0x00, 0x00, 0x02,              // dst
    0x08,                                // ICMP type 8 (echo request)
    0x00,                                // code 0
    0xC5, 0xC5,                          // checksum
    0x00, 0x07,                          // identifier
    0x00, 0x01,                          // sequence
};

// Linux cooked v2 / IPv6 / ICMPv6 echo reply.
inline const V kSll2Icmpv6 = {
    0x86, 0xDD,                          // protocol IPv6
    0x00, 0x00,                          // reserved
    0x00, 0x00, 0x00, 0x02,              // interface index
    0x00, 0x01,                          // ARPHRD_ETHER
    0x04,                                // packet type: outgoing
    0x06,                                // address length
    0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00,  // address
    0x60, 0x00, 0x00, 0x00,              // IPv6
    0x00, 0x08,                          // payload length 8
    0x3A,                                // next header ICMPv6
    0xFF,                                // hop limit 255
    0xFE, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01,  // src fe80::1
    0xFE, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02,  // dst fe80::2
    0x81,                                // type 129 echo reply
    0x00,                                // code
    0xC5, 0xC5,                          // checksum
    0x00, 0x07, 0x00, 0x01,              // identifier, sequence
};

// Raw IPv4 with a Router Alert option, first fragment (MF) of a UDP datagram to 2152.
inline const V kRawV4OptionsFirstFrag = {
    0x46, 0x00,                          // version 4, IHL 6 (one option word)
    0x00, 0x28,                          // total length 40
    0xAB, 0xCD,                          // identification
    0x20, 0x00,                          // MF, offset 0
    0x40, 0x11, 0xC5, 0xC5,              // TTL 64, UDP, checksum
    0x0A, 0x00, 0x00, 0x01,              // src
    0x0A, 0x00, 0x00, 0x02,              // dst
    0x94, 0x04, 0x00, 0x00,              // option: Router Alert, length 4, value 0
    0x08, 0x68,                          // UDP sport 2152
    0x08, 0x68,                          // UDP dport 2152
    0x03, 0xE8,                          // UDP length 1000 (whole datagram)
    0x00, 0x00,                          // checksum
    0x30, 0xFF, 0x03, 0xDC,              // start of a GTP-U header (not decoded: fragment)
    0x00, 0x00, 0x00, 0x01,
};

// Raw IPv4 non-first fragment (offset 185 x 8) of a UDP datagram: no L4 header.
inline const V kRawV4LaterFrag = {
    0x45, 0x00, 0x00, 0x1C,              // IPv4, total length 28
    0xAB, 0xCD,                          // identification
    0x00, 0xB9,                          // offset 185, MF 0
    0x40, 0x11, 0xC5, 0xC5,              // TTL 64, UDP, checksum
    0x0A, 0x00, 0x00, 0x01,              // src
    0x0A, 0x00, 0x00, 0x02,              // dst
    0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,  // fragment data
};

// Raw IPv6 with Hop-by-Hop, Destination Options and Fragment headers, then UDP.
inline const V kRawV6ExtFrag = {
    0x60, 0x00, 0x00, 0x00,              // IPv6
    0x00, 0x24,                          // payload length 36
    0x00,                                // next header Hop-by-Hop
    0x40,                                // hop limit
    0x20, 0x01, 0x0D, 0xB8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01,  // src
    0x20, 0x01, 0x0D, 0xB8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02,  // dst
    0x3C, 0x00,                          // HBH: next Destination Options, length 0 (8 octets)
    0x01, 0x04, 0x00, 0x00, 0x00, 0x00,  // PadN
    0x2C, 0x00,                          // Dest opts: next Fragment, length 0
    0x01, 0x04, 0x00, 0x00, 0x00, 0x00,  // PadN
    0x11, 0x00,                          // Fragment: next UDP, reserved
    0x00, 0x01,                          // offset 0, M 1
    0x12, 0x34, 0x56, 0x78,              // identification
    0x30, 0x39,                          // UDP sport 12345
    0x00, 0x35,                          // UDP dport 53
    0x00, 0x40,                          // UDP length 64 (whole datagram)
    0x00, 0x00,                          // checksum
    0xDE, 0xAD, 0xBE, 0xEF,              // data
};

// Raw IPv4 / SCTP common header + one 4-byte chunk header.
inline const V kRawV4Sctp = {
    0x45, 0x00, 0x00, 0x24,              // IPv4, total length 36
    0x00, 0x00, 0x00, 0x00,              // id, flags
    0x40, 0x84, 0xC5, 0xC5,              // TTL 64, SCTP, checksum
    0x0A, 0x00, 0x00, 0x01,              // src
    0x0A, 0x00, 0x00, 0x02,              // dst
    0x96, 0x0C,                          // sport 38412 (NGAP)
    0x96, 0x0C,                          // dport 38412
    0x01, 0x02, 0x03, 0x04,              // verification tag
    0xC5, 0xC5, 0xC5, 0xC5,              // CRC32c (not verified)
    0x0A, 0x00, 0x00, 0x04,              // chunk: COOKIE ECHO, flags, length 4
};

// ---- GTP-U messages alone (UDP payloads), for decode_gtpu ---------------------------------

inline const V kGtpuEchoRequest = {
    0x32,                    // version 1, PT 1, S 1
    0x01,                    // Echo Request
    0x00, 0x04,              // length 4
    0x00, 0x00, 0x00, 0x00,  // TEID 0
    0x00, 0x2A,              // sequence 42
    0x00,                    // N-PDU
    0x00,                    // next ext: none
};

inline const V kGtpuEchoResponse = {
    0x32,                    // version 1, PT 1, S 1
    0x02,                    // Echo Response
    0x00, 0x06,              // length 6
    0x00, 0x00, 0x00, 0x00,  // TEID 0
    0x00, 0x2A,              // sequence 42
    0x00, 0x00,              // N-PDU, next ext
    0x0E,                    // IE Recovery
    0x05,                    // restart counter 5
};

inline const V kGtpuErrorIndicationV4 = {
    0x32,                    // version 1, PT 1, S 1
    0x1A,                    // Error Indication
    0x00, 0x10,              // length 16
    0x00, 0x00, 0x00, 0x00,  // TEID 0
    0x00, 0x00, 0x00, 0x00,  // sequence, N-PDU, next ext
    0x10,                    // IE TEID Data I
    0x00, 0x00, 0x04, 0xD2,  // TEID 1234
    0x85,                    // IE GTP-U Peer Address
    0x00, 0x04,              // length 4
    0x0A, 0x00, 0x00, 0x02,  // 10.0.0.2
};

inline const V kGtpuErrorIndicationV6 = {
    0x30,                    // version 1, PT 1, no optional fields
    0x1A,                    // Error Indication
    0x00, 0x18,              // length 24
    0x00, 0x00, 0x00, 0x00,  // TEID 0
    0x10,                    // IE TEID Data I
    0x00, 0x00, 0x00, 0x07,  // TEID 7
    0x85,                    // IE GTP-U Peer Address
    0x00, 0x10,              // length 16
    0x20, 0x01, 0x0D, 0xB8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02,  // 2001:db8::2
};

inline const V kGtpuEndMarker = {
    0x30,                    // version 1, PT 1
    0xFE,                    // End Marker
    0x00, 0x00,              // length 0
    0x00, 0x00, 0x12, 0x34,  // TEID 0x1234
};

inline const V kGtpuSuppExtNotif = {
    0x32,                    // version 1, PT 1, S 1
    0x1F,                    // Supported Extension Headers Notification
    0x00, 0x08,              // length 8
    0x00, 0x00, 0x00, 0x00,  // TEID 0
    0x00, 0x01, 0x00, 0x00,  // sequence 1, N-PDU, next ext
    0x8D,                    // IE Extension Header Type List (141)
    0x02,                    // 2 types
    0x85, 0xC0,              // PDU Session Container, PDCP PDU Number
};

// G-PDU with UL PDU Session Container, then a PDCP PDU Number header, then an unknown
// comprehension-required type 0xA1, then inner IPv4 UDP.
inline const V kGtpuExtChain = {
    0x37,                    // version 1, PT 1, E 1, S 1, PN 1
    0xFF,                    // G-PDU
    0x00, 0x30,              // length 48 = 4 + 4 + 4 + 8 + 28
    0x00, 0x00, 0x00, 0x09,  // TEID 9
    0x01, 0x00,              // sequence 256
    0x07,                    // N-PDU 7
    0x85,                    // next: PDU Session Container
    0x01, 0x10, 0x05, 0xC0,  // len 1, UL PDU type 1, QFI 5, next PDCP PDU Number
    0x01, 0x12, 0x34, 0xA1,  // len 1, PDCP PDU number 0x1234, next 0xA1 (unknown, required)
    0x02, 0xAA, 0xBB, 0xCC, 0xDD, 0xEE, 0xFF, 0x00,  // len 2, 6 octets, next none
    0x45, 0x00, 0x00, 0x1C,  // inner IPv4, total length 28
    0x00, 0x00, 0x00, 0x00,  // id, flags
    0x40, 0x11, 0xC5, 0xC5,  // TTL 64, UDP, checksum
    0xC0, 0xA8, 0x01, 0x0A,  // src 192.168.1.10
    0xC0, 0xA8, 0x01, 0x01,  // dst 192.168.1.1
    0x00, 0x44, 0x00, 0x43,  // UDP 68 -> 67
    0x00, 0x08, 0x00, 0x00,  // length 8, checksum
};

struct NamedFrame {
  std::string name;
  LinkType link;
  const V* bytes;
};

inline std::vector<NamedFrame> all_frames() {
  return {
      {"eth_v4_gtpu_tcp", LinkType::kEthernet, &kEthV4GtpuTcp},
      {"eth_v6_gtpu_v6_udp", LinkType::kEthernet, &kEthV6GtpuV6Udp},
      {"qinq_pfcp", LinkType::kEthernet, &kQinQPfcp},
      {"sll_icmp", LinkType::kLinuxSll, &kSllIcmp},
      {"sll2_icmpv6", LinkType::kLinuxSll2, &kSll2Icmpv6},
      {"raw_v4_options_first_frag", LinkType::kRaw, &kRawV4OptionsFirstFrag},
      {"raw_v4_later_frag", LinkType::kIpv4, &kRawV4LaterFrag},
      {"raw_v6_ext_frag", LinkType::kIpv6, &kRawV6ExtFrag},
      {"raw_v4_sctp", LinkType::kRaw, &kRawV4Sctp},
  };
}

inline std::vector<std::pair<std::string, const V*>> all_gtpu() {
  return {
      {"echo_request", &kGtpuEchoRequest},       {"echo_response", &kGtpuEchoResponse},
      {"error_ind_v4", &kGtpuErrorIndicationV4}, {"error_ind_v6", &kGtpuErrorIndicationV6},
      {"end_marker", &kGtpuEndMarker},           {"supp_ext_notif", &kGtpuSuppExtNotif},
      {"ext_chain", &kGtpuExtChain},
  };
}

}  // namespace mecguard::decode::testvec
