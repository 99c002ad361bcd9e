// Frame and GTP-U encoders: build well-formed (or deliberately malformed) frames byte by byte.
// Callers: the scenario generator (src/gen), the SCAS test runner, decoder tests and fuzz seeds.
// Never used on the data path: these allocate freely and favour clarity over speed.
//
// Layers compose inside out; each builder returns the bytes of its layer including what it
// wraps:
//   auto ip  = build::udp_ip(src, dst, 2152, 2152, build::gtpu(spec));   // IPv4 or IPv6 + UDP
//   auto eth = build::ethernet_ip(ip);                                    // Ethernet II
// L4 checksums that need the pseudo-header (UDP, TCP, ICMPv6) are filled in by ipv4()/ipv6()
// when they wrap the segment (set fill_l4_checksum=false to keep a deliberately wrong one).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <vector>

#include "common/bytes.h"
#include "common/ip.h"
#include "decode/packet.h"

namespace mecguard::decode::build {

using Buf = std::vector<uint8_t>;
using Mac = std::array<uint8_t, 6>;

// ---- checksums ---------------------------------------------------------------------------
// RFC 1071 one's-complement sum folded and inverted, over `data` plus an initial partial sum.
uint16_t internet_checksum(Bytes data, uint32_t initial = 0);
// CRC32c (Castagnoli) as used by SCTP (RFC 9260 appendix), returned in host order.
uint32_t crc32c(Bytes data);

// ---- link layer --------------------------------------------------------------------------
inline constexpr uint16_t kEtherIpv4 = 0x0800, kEtherIpv6 = 0x86DD, kEtherVlan = 0x8100,
                          kEtherQinQ = 0x88A8, kEtherQinQOld = 0x9100;

struct VlanTag {
  uint16_t tpid = kEtherVlan;
  uint16_t vid = 0;  // 12 bits
  uint8_t pcp = 0;   // 3 bits
};

struct EthSpec {
  Mac dst{0x02, 0x00, 0x00, 0x00, 0x00, 0x02};
  Mac src{0x02, 0x00, 0x00, 0x00, 0x00, 0x01};
  std::vector<VlanTag> vlans;  // outermost first; the decoder accepts at most two
};

// Ethernet II header (+ tags) + payload. No FCS, no padding to 60 bytes.
Buf ethernet(Bytes payload, uint16_t ethertype, const EthSpec& eth = {});
// Ethernet around an IP packet; ethertype from the packet's version nibble.
Buf ethernet_ip(Bytes ip_packet, const EthSpec& eth = {});
// Linux cooked capture v1 (16-byte header, protocol at offset 14) and v2 (20 bytes, protocol
// at offset 0).
Buf sll(Bytes payload, uint16_t protocol);
Buf sll2(Bytes payload, uint16_t protocol);
// Wraps an IP packet for `link` (Ethernet, SLL, SLL2 or one of the raw types).
Buf frame_for(LinkType link, Bytes ip_packet, const EthSpec& eth = {});

// ---- IP ----------------------------------------------------------------------------------
struct Ipv4Opts {
  uint8_t ttl = 64;
  uint8_t tos = 0;
  uint16_t id = 0;
  bool df = false;
  bool mf = false;
  uint16_t frag_offset = 0;    // in 8-byte units
  Buf options;                 // raw option bytes; padded with EOL to a 4-byte multiple
  bool fill_l4_checksum = true;  // UDP/TCP checksum over pseudo-header (first fragment only)
  // Malformation knobs.
  std::optional<uint8_t> version_override;
  std::optional<uint8_t> ihl_override;
  std::optional<uint16_t> total_len_override;
  std::optional<uint16_t> checksum_override;
};

struct Ipv6Ext {
  uint8_t type = 0;  // 0 HBH, 43 routing, 44 fragment, 51 AH, 60 dest opts, 135 mobility...
  // Bytes after the 2-byte (next header, length) prefix. Padded with zeros to the type's
  // unit (8 bytes, 4 for AH). For a fragment header use ipv6_fragment_ext().
  Buf body;
};
// An IPv6 Fragment header (RFC 8200 4.5): offset in 8-byte units, M flag, identification.
Ipv6Ext ipv6_fragment_ext(uint16_t frag_offset, bool more, uint32_t id);

struct Ipv6Opts {
  uint8_t hop_limit = 64;
  uint8_t traffic_class = 0;
  uint32_t flow_label = 0;
  std::vector<Ipv6Ext> ext;  // in order; the last one's next header is `proto`
  bool fill_l4_checksum = true;
  std::optional<uint8_t> version_override;
  std::optional<uint16_t> payload_len_override;
};

// IPv4 / IPv6 header + payload (the L4 segment). `proto` is the upper-layer protocol.
Buf ipv4(const IpAddr& src, const IpAddr& dst, uint8_t proto, Bytes payload,
         const Ipv4Opts& o = {});
Buf ipv6(const IpAddr& src, const IpAddr& dst, uint8_t proto, Bytes payload,
         const Ipv6Opts& o = {});
// Either, by the family of src (both addresses must be the same family).
Buf ip(const IpAddr& src, const IpAddr& dst, uint8_t proto, Bytes payload);

// ---- L4 segments (checksum 0 unless noted; ipv4()/ipv6() fill UDP/TCP/ICMPv6) -------------
Buf udp(uint16_t sport, uint16_t dport, Bytes payload);

struct TcpOpts {
  uint32_t seq = 0;
  uint32_t ack = 0;
  uint8_t flags = tcp_flag::kAck;
  uint16_t window = 65535;
  uint16_t urgent = 0;
  Buf options;  // padded with EOL to a 4-byte multiple
  std::optional<uint8_t> data_offset_override;  // in 4-byte units
};
Buf tcp(uint16_t sport, uint16_t dport, const TcpOpts& t, Bytes payload = {});

// ICMP echo request (type 8) or reply (0); checksum computed here (no pseudo-header).
Buf icmp_echo(bool request, uint16_t id, uint16_t seq, Bytes payload = {});
// ICMPv6 echo request (128) or reply (129); checksum filled in by ipv6().
Buf icmpv6_echo(bool request, uint16_t id, uint16_t seq, Bytes payload = {});
// SCTP common header + raw chunk bytes; CRC32c computed here.
Buf sctp(uint16_t sport, uint16_t dport, uint32_t vtag, Bytes chunks = {});

// ---- whole IP packets (the common compositions) ------------------------------------------
Buf udp_v4(const IpAddr& src, const IpAddr& dst, uint16_t sport, uint16_t dport, Bytes payload);
Buf udp_ip(const IpAddr& src, const IpAddr& dst, uint16_t sport, uint16_t dport, Bytes payload);
Buf tcp_ip(const IpAddr& src, const IpAddr& dst, uint16_t sport, uint16_t dport,
           const TcpOpts& t, Bytes payload = {});
Buf icmp_echo_ip(const IpAddr& src, const IpAddr& dst, bool request, uint16_t id,
                 uint16_t seq, Bytes payload = {});  // ICMP or ICMPv6 by family

// ---- GTP-U (TS 29.281) -------------------------------------------------------------------
// PDU Session Container content (TS 38.415 5.5.2): DL (pdu_type 0) or UL (pdu_type 1).
struct PduSessionContainer {
  uint8_t pdu_type = 0;  // 0 DL PDU SESSION INFORMATION, 1 UL
  uint8_t qfi = 0;       // 6 bits
  bool rqi = false;      // DL only
  bool ppp = false;      // DL only: Paging Policy Presence; PPI octet follows
  uint8_t ppi = 0;       // 3 bits
};

struct GtpuExtHeader {
  uint8_t type = 0;
  // Bytes between the length octet and the next-type octet; padded with zeros so the
  // header is a multiple of 4 octets.
  Buf content;
};

struct GtpuSpec {
  uint8_t msg_type = gtpu_msg::kGpdu;
  uint32_t teid = 0;
  std::optional<uint16_t> seq;   // sets S
  std::optional<uint8_t> npdu;   // sets PN
  std::optional<PduSessionContainer> pdu_session;  // first extension header when present
  std::vector<GtpuExtHeader> extra_ext;            // after the PDU Session Container
  // Signalling IEs, written in this order when set.
  std::optional<uint8_t> recovery;       // IE 14 (Echo Response)
  std::optional<uint32_t> teid_data_i;   // IE 16 (Error Indication)
  std::optional<IpAddr> peer_addr;       // IE 133, 2-byte length (Error Indication)
  std::optional<Buf> supported_ext;      // IE 141, 1-byte count + list (Supp. Ext. Hdr Notif.)
  Buf payload;                           // appended last: T-PDU or further raw IEs
  // Deliberate malformations.
  std::optional<uint8_t> version_override;  // 3 bits
  std::optional<bool> pt_override;
  std::optional<uint16_t> length_override;
  bool force_optional_fields = false;  // the 4 optional octets with E=S=PN=0 (sets no flag)
  bool zero_length_ext = false;        // append an extension header whose length octet is 0
};

// The GTP-U message (header, extension headers, IEs, payload) — the UDP payload.
Buf gtpu(const GtpuSpec& g);
// A G-PDU: TEID, optional QFI (adds a PDU Session Container), T-PDU.
GtpuSpec gpdu_spec(uint32_t teid, Bytes inner_ip, std::optional<uint8_t> qfi = std::nullopt,
                   uint8_t pdu_type = 0);
// Outer IP + UDP (2152 both ways by default) + GTP-U.
Buf gtpu_ip(const IpAddr& src, const IpAddr& dst, const GtpuSpec& g, uint16_t sport = 2152,
            uint16_t dport = 2152);

}  // namespace mecguard::decode::build
