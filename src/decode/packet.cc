// decode_frame: link layer (Ethernet + VLAN tags, Linux cooked v1/v2, raw IP), the outer IP
// and L4 headers, then dispatch of UDP payloads to GTP-U or PFCP by port.
#include "decode/packet.h"

#include <cstring>
#include <type_traits>

#include "decode/ip_decode.h"

namespace mecguard::decode {

namespace {

constexpr std::string_view kNames[] = {
#define MG_X(e, name, text) name,
    MG_DECODE_STATUS(MG_X)
#undef MG_X
};
constexpr std::string_view kTexts[] = {
#define MG_X(e, name, text) text,
    MG_DECODE_STATUS(MG_X)
#undef MG_X
};
static_assert(std::size(kNames) == kDecodeStatusCount);
static_assert(std::is_trivially_copyable_v<DecodedPacket> &&
              std::is_trivially_destructible_v<DecodedPacket>);
static_assert(sizeof(void*) != 8 || sizeof(DecodedPacket) == 272,
              "DecodedPacket changed: add the new member to the reset in decode_frame");

constexpr uint16_t kEtherIpv4 = 0x0800, kEtherIpv6 = 0x86DD;

inline bool is_vlan_tpid(uint16_t t) { return t == 0x8100 || t == 0x88A8 || t == 0x9100; }

// The link header: sets ethertype and vlan fields, returns the L3 offset through `l3`.
inline DecodeStatus decode_link(const uint8_t* p, uint32_t n, LinkType link, DecodedPacket& out,
                                uint32_t& l3) noexcept {
  switch (link) {
    case LinkType::kEthernet: {
      if (n < 14) return DecodeStatus::kEthTruncated;
      uint16_t et = load_be16(p + 12);
      uint32_t pos = 14;
      while (is_vlan_tpid(et)) {
        if (out.vlan_count == 2) return DecodeStatus::kVlanTooDeep;
        if (pos + 4 > n) return DecodeStatus::kVlanTruncated;
        out.vlan[out.vlan_count++] = load_be16(p + pos) & 0x0FFF;
        et = load_be16(p + pos + 2);
        pos += 4;
      }
      out.ethertype = et;
      l3 = pos;
      return DecodeStatus::kOk;
    }
    case LinkType::kLinuxSll:
      if (n < 16) return DecodeStatus::kSllTruncated;
      out.ethertype = load_be16(p + 14);
      l3 = 16;
      return DecodeStatus::kOk;
    case LinkType::kLinuxSll2:
      if (n < 20) return DecodeStatus::kSllTruncated;
      out.ethertype = load_be16(p);
      l3 = 20;
      return DecodeStatus::kOk;
    case LinkType::kRaw:
      if (n == 0) return DecodeStatus::kIpv4Truncated;
      switch (p[0] >> 4) {
        case 4: out.ethertype = kEtherIpv4; break;
        case 6: out.ethertype = kEtherIpv6; break;
        default: return DecodeStatus::kIpv4BadVersion;
      }
      l3 = 0;
      return DecodeStatus::kOk;
    case LinkType::kIpv4:
      out.ethertype = kEtherIpv4;
      l3 = 0;
      return DecodeStatus::kOk;
    case LinkType::kIpv6:
      out.ethertype = kEtherIpv6;
      l3 = 0;
      return DecodeStatus::kOk;
  }
  return DecodeStatus::kUnsupportedLinkType;
}

inline DecodeStatus decode_all(Bytes frame, LinkType link, DecodedPacket& out,
                               const DecodeOptions& opts) noexcept {
  const uint8_t* p = frame.data();
  if (frame.size() > 65535) return DecodeStatus::kFrameTooLarge;
  const auto n = static_cast<uint32_t>(frame.size());
  uint32_t l3 = 0;
  DecodeStatus st = decode_link(p, n, link, out, l3);
  if (st != DecodeStatus::kOk) return st;

  if (out.ethertype == kEtherIpv4) {
    st = detail::decode_ipv4(p, l3, n, out.outer_ip);
  } else if (out.ethertype == kEtherIpv6) {
    st = detail::decode_ipv6(p, l3, n, out.outer_ip);
  } else {
    return DecodeStatus::kOk;  // ARP, LLDP...: nothing more to decode
  }
  if (st != DecodeStatus::kOk) return st;
  st = detail::decode_l4(p, out.outer_ip, out.outer_l4);
  if (st != DecodeStatus::kOk) return st;

  // Application by UDP port, either direction. Fragments are not reassembled, so a
  // fragmented datagram's payload is never handed to the GTP-U or PFCP decoders.
  const L4Layer& l4 = out.outer_l4;
  if (l4.proto != kProtoUdp || out.outer_ip.is_fragment) return DecodeStatus::kOk;
  const bool gtpu_d = l4.dport == opts.gtpu_port, pfcp_d = l4.dport == opts.pfcp_port;
  const bool gtpu_s = l4.sport == opts.gtpu_port, pfcp_s = l4.sport == opts.pfcp_port;
  if (gtpu_d || (gtpu_s && !pfcp_d)) {
    out.app = AppKind::kGtpu;
    return detail::decode_gtpu_fresh(frame, l4.payload_offset, l4.payload_len, out, opts);
  }
  if (pfcp_d || pfcp_s) {
    out.app = AppKind::kPfcp;
    out.pfcp_offset = l4.payload_offset;
    out.pfcp_len = l4.payload_len;
  }
  return DecodeStatus::kOk;
}

}  // namespace

std::string_view status_name(DecodeStatus s) {
  const auto i = static_cast<size_t>(s);
  return i < kDecodeStatusCount ? kNames[i] : std::string_view("unknown");
}

std::string_view status_text(DecodeStatus s) {
  const auto i = static_cast<size_t>(s);
  return i < kDecodeStatusCount ? kTexts[i] : std::string_view("unknown status");
}

DecodeStatus decode_frame(Bytes frame, LinkType link, DecodedPacket& out,
                          const DecodeOptions& opts) noexcept {
  // Reset layer by layer: each is small enough for a few inline vector stores, while one
  // assignment or memset of the whole object compiles to `rep stos`/`rep movs`, whose start-up
  // cost alone was a third of a full GTP-U decode.
  out.status = DecodeStatus::kOk;
  out.vlan_count = 0;
  out.vlan[0] = out.vlan[1] = 0;
  out.ethertype = 0;
  detail::zero(out.outer_ip);
  detail::zero(out.outer_l4);
  out.app = AppKind::kNone;
  detail::zero(out.gtpu);
  detail::zero(out.inner_ip);
  detail::zero(out.inner_l4);
  out.inner_detail = DecodeStatus::kOk;
  out.pfcp_offset = 0;
  out.pfcp_len = 0;
  out.frame = frame;
  out.link = link;
  out.status = decode_all(frame, link, out, opts);
  return out.status;
}

}  // namespace mecguard::decode
