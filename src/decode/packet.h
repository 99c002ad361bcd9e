// Frame decoder API: one pass from the link layer to the inner packet of a GTP-U tunnel.
// Callers: the capture reader's users (decode/inspect commands), the guard pipeline, the
// scenario generator's self-checks, fuzzers and benchmarks.
//
// Zero-copy: DecodedPacket holds the frame span and offsets into it; every field is in host
// order. A decode never allocates and never throws; a problem is a DecodeStatus, and the
// fields of every layer decoded before the problem stay valid.
#pragma once

#include <cstdint>
#include <string_view>

#include "common/bytes.h"
#include "common/ip.h"

namespace mecguard::decode {

// Every decode status, declared once: X(enumerator, counter name, description).
#define MG_DECODE_STATUS(X)                                                              \
  X(kOk, "ok", "decoded")                                                                \
  X(kUnsupportedLinkType, "unsupported_link_type", "link type not supported")            \
  X(kFrameTooLarge, "frame_too_large", "frame longer than 65535 bytes")                  \
  X(kEthTruncated, "eth_truncated", "Ethernet header truncated")                         \
  X(kVlanTruncated, "vlan_truncated", "802.1Q tag truncated")                            \
  X(kVlanTooDeep, "vlan_too_deep", "more than two VLAN tags")                            \
  X(kSllTruncated, "sll_truncated", "Linux cooked header truncated")                     \
  X(kIpv4Truncated, "ipv4_truncated", "IPv4 header truncated")                           \
  X(kIpv4BadVersion, "ipv4_bad_version", "IP version field does not match")              \
  X(kIpv4BadIhl, "ipv4_bad_ihl", "IPv4 IHL below 5")                                     \
  X(kIpv4BadTotalLength, "ipv4_bad_total_length", "IPv4 total length exceeds data or below IHL") \
  X(kIpv4BadOptions, "ipv4_bad_options", "IPv4 options malformed")                       \
  X(kIpv6Truncated, "ipv6_truncated", "IPv6 header truncated")                           \
  X(kIpv6BadVersion, "ipv6_bad_version", "IP version field does not match")              \
  X(kIpv6BadPayloadLength, "ipv6_bad_payload_length", "IPv6 payload length exceeds data") \
  X(kIpv6ExtTruncated, "ipv6_ext_truncated", "IPv6 extension header truncated")          \
  X(kIpv6TooManyExt, "ipv6_too_many_ext", "IPv6 extension header chain too long")        \
  X(kUdpTruncated, "udp_truncated", "UDP header truncated")                              \
  X(kUdpBadLength, "udp_bad_length", "UDP length inconsistent with IP payload")          \
  X(kTcpTruncated, "tcp_truncated", "TCP header truncated")                              \
  X(kTcpBadDataOffset, "tcp_bad_data_offset", "TCP data offset invalid")                 \
  X(kIcmpTruncated, "icmp_truncated", "ICMP header truncated")                           \
  X(kSctpTruncated, "sctp_truncated", "SCTP common header truncated")                    \
  X(kGtpuTruncated, "gtpu_truncated", "GTP-U header truncated")                          \
  X(kGtpuBadVersion, "gtpu_bad_version", "GTP version is not 1")                         \
  X(kGtpuBadPt, "gtpu_bad_pt", "GTP protocol type is not GTP (PT=0, GTP')")              \
  X(kGtpuBadLength, "gtpu_bad_length", "GTP-U length inconsistent with UDP payload")     \
  X(kGtpuExtZeroLength, "gtpu_ext_zero_length", "GTP-U extension header of length 0")    \
  X(kGtpuExtTruncated, "gtpu_ext_truncated", "GTP-U extension header chain truncated")   \
  X(kGtpuExtTooMany, "gtpu_ext_too_many", "GTP-U extension header chain too long")       \
  X(kGtpuIeTruncated, "gtpu_ie_truncated", "GTP-U signalling IE truncated or missing")   \
  X(kGtpuIeMalformed, "gtpu_ie_malformed", "GTP-U signalling IE with invalid length or type") \
  X(kInnerTruncated, "inner_truncated", "T-PDU payload too short for an IP header")      \
  X(kInnerBadVersion, "inner_bad_version", "T-PDU payload is neither IPv4 nor IPv6")     \
  X(kInnerMalformed, "inner_malformed", "inner IP packet malformed")

enum class DecodeStatus : uint8_t {
#define MG_X(e, name, text) e,
  MG_DECODE_STATUS(MG_X)
#undef MG_X
      kCount_
};
inline constexpr size_t kDecodeStatusCount = static_cast<size_t>(DecodeStatus::kCount_);
std::string_view status_name(DecodeStatus s);  // counter name, e.g. "gtpu_bad_length"
std::string_view status_text(DecodeStatus s);  // human description

// pcap LINKTYPE_* values we read.
enum class LinkType : uint16_t {
  kEthernet = 1,
  kRaw = 101,  // raw IPv4/IPv6, version from the first nibble
  kLinuxSll = 113,
  kIpv4 = 228,
  kIpv6 = 229,
  kLinuxSll2 = 276,
};

struct IpLayer {
  IpAddr src;
  IpAddr dst;
  uint16_t offset = 0;      // of the IP header in the frame
  uint16_t header_len = 0;  // IPv4 IHL*4, or IPv6 40 + extension headers walked
  uint16_t total_len = 0;   // header + payload per the header's length field(s)
  uint8_t version = 0;      // 0 when absent
  uint8_t proto = 0;        // upper-layer protocol (after IPv6 extension headers)
  uint8_t ttl = 0;          // TTL / hop limit
  uint8_t ext_count = 0;    // IPv6 extension headers walked
  bool has_options = false; // IPv4 IHL > 5
  bool is_fragment = false; // MF set or offset != 0 (IPv4), Fragment header (IPv6)
  bool more_fragments = false;
  bool dont_fragment = false;
  uint16_t frag_offset = 0;  // in 8-byte units
  uint32_t frag_id = 0;
  bool present() const { return version != 0; }
};

// Upper-layer protocol numbers used across the project.
inline constexpr uint8_t kProtoIcmp = 1, kProtoTcp = 6, kProtoUdp = 17, kProtoIcmpv6 = 58,
                         kProtoSctp = 132;

namespace tcp_flag {
inline constexpr uint8_t kFin = 0x01, kSyn = 0x02, kRst = 0x04, kPsh = 0x08, kAck = 0x10,
                         kUrg = 0x20, kEce = 0x40, kCwr = 0x80;
}

struct L4Layer {
  uint16_t offset = 0;
  uint16_t sport = 0;  // ports: TCP/UDP/SCTP
  uint16_t dport = 0;
  uint8_t proto = 0;   // 0 when not decoded (fragment, unknown protocol)
  uint8_t tcp_flags = 0;
  uint8_t icmp_type = 0;
  uint8_t icmp_code = 0;
  uint32_t tcp_seq = 0;
  uint32_t tcp_ack = 0;
  uint32_t sctp_vtag = 0;
  uint16_t payload_offset = 0;
  uint16_t payload_len = 0;
  bool present() const { return proto != 0; }
};

// GTP-U message types (TS 29.281 table 6.1-1).
namespace gtpu_msg {
inline constexpr uint8_t kEchoRequest = 1, kEchoResponse = 2, kErrorIndication = 26,
                         kSupportedExtHeadersNotification = 31, kEndMarker = 254, kGpdu = 255;
}
// Extension header types (TS 29.281 5.2.1-3).
namespace gtpu_ext {
inline constexpr uint8_t kNone = 0x00, kUdpPort = 0x40, kRanContainer = 0x81,
                         kLongPdcpPdu = 0x82, kXwRanContainer = 0x83, kNrRanContainer = 0x84,
                         kPduSessionContainer = 0x85, kPdcpPduNumber = 0xC0;
}

struct GtpuLayer {
  uint16_t offset = 0;  // of the GTP-U header in the frame
  uint8_t version = 0;
  bool pt = false;       // protocol type: 1 = GTP
  bool e_flag = false;   // extension header present
  bool s_flag = false;   // sequence number present
  bool pn_flag = false;  // N-PDU number present
  uint8_t msg_type = 0;
  uint16_t length = 0;   // header length field: bytes after the mandatory 8
  uint32_t teid = 0;
  uint16_t seq = 0;
  uint8_t npdu = 0;
  uint8_t ext_count = 0;
  uint8_t first_ext_type = 0;
  // The first extension header of a type this decoder does not know whose type has the
  // "comprehension required" bits (10xxxxxx/11xxxxxx per 29.281 5.2.1); 0 when none.
  uint8_t unknown_required_ext = 0;
  bool has_pdu_session = false;  // PDU Session Container present
  uint8_t pdu_type = 0;          // 0 = DL PDU SESSION INFORMATION, 1 = UL
  uint8_t qfi = 0;
  bool rqi = false;
  bool has_ppi = false;
  uint8_t ppi = 0;
  uint16_t payload_offset = 0;  // T-PDU or signalling IEs
  uint16_t payload_len = 0;
  // Signalling messages: Echo's Recovery IE; Error Indication's TEID Data I and peer address.
  bool has_recovery = false;
  uint8_t recovery = 0;
  uint32_t ei_teid = 0;
  IpAddr ei_peer;
  // Supported Extension Headers Notification: the Extension Header Type List (IE 141).
  uint8_t supported_ext_count = 0;
  uint16_t supported_ext_offset = 0;  // of the first listed type in the frame
  bool present() const { return version != 0; }
};

enum class AppKind : uint8_t { kNone, kGtpu, kPfcp };

struct DecodeOptions {
  uint16_t gtpu_port = 2152;
  uint16_t pfcp_port = 8805;
  bool decode_inner = true;  // decode the IP packet inside a G-PDU
};

// Every member's default is zero bits except `link`: decode_frame resets member by member,
// each layer with a memset (see packet.cc). A new member must default to zero and be added
// to that reset (a static_assert on the size there is the reminder).
struct DecodedPacket {
  Bytes frame;
  DecodeStatus status = DecodeStatus::kOk;
  LinkType link = LinkType::kEthernet;
  uint8_t vlan_count = 0;
  uint16_t vlan[2] = {0, 0};  // VIDs, outermost first
  uint16_t ethertype = 0;     // after VLAN tags (or from SLL/raw)
  IpLayer outer_ip;
  L4Layer outer_l4;
  AppKind app = AppKind::kNone;  // by UDP port (either direction)
  GtpuLayer gtpu;
  IpLayer inner_ip;   // inside a G-PDU
  L4Layer inner_l4;
  // When status is kInner*: the precise problem found in the T-PDU (e.g. kTcpTruncated).
  DecodeStatus inner_detail = DecodeStatus::kOk;
  uint16_t pfcp_offset = 0;  // AppKind::kPfcp: the UDP payload, for pfcp::decode_*
  uint16_t pfcp_len = 0;

  bool ok() const { return status == DecodeStatus::kOk; }
  Bytes pfcp_bytes() const { return frame.subspan(pfcp_offset, pfcp_len); }
  Bytes gtpu_payload() const { return frame.subspan(gtpu.payload_offset, gtpu.payload_len); }
};

// Decodes one frame. Resets `out` first. Never reads outside `frame`.
DecodeStatus decode_frame(Bytes frame, LinkType link, DecodedPacket& out,
                          const DecodeOptions& opts = {}) noexcept;

// Decodes a GTP-U message starting at frame[offset] (UDP payload of `len` bytes) into
// out.gtpu and, for a G-PDU, out.inner_ip/inner_l4. Used by decode_frame and by fuzzers.
DecodeStatus decode_gtpu(Bytes frame, uint16_t offset, uint16_t len, DecodedPacket& out,
                         const DecodeOptions& opts = {}) noexcept;

}  // namespace mecguard::decode
