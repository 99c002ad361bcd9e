// Internal to src/decode: the IP and L4 header decoders shared by decode_frame (outer packet)
// and decode_gtpu (the T-PDU inside a G-PDU). Not part of the public API.
//
// The IpLayer/L4Layer passed in must be freshly reset (all zero): fields are written in place.
// Every function takes the frame base pointer and a [off, end) window already known to lie
// inside the frame; it never reads outside that window. Offsets fit in 16 bits because
// frames longer than 65535 bytes are rejected before any layer is decoded.
#pragma once

#include <cstdint>
#include <cstring>

#include "decode/packet.h"

namespace mecguard::decode::detail {

inline constexpr uint8_t kMaxIpv6Ext = 8;  // extension headers walked before giving up

inline uint16_t u16(uint32_t v) { return static_cast<uint16_t>(v); }

// decode_gtpu without its reset: out.gtpu, inner_ip and inner_l4 must already be zero (as
// decode_frame leaves them). Defined in gtpu.cc.
DecodeStatus decode_gtpu_fresh(Bytes frame, uint32_t start, uint32_t len, DecodedPacket& out,
                               const DecodeOptions& opts) noexcept;

// Resets a layer struct whose defaults are all zero bits (static_asserts in packet.cc).
template <class T>
inline void zero(T& v) {
  std::memset(static_cast<void*>(&v), 0, sizeof(T));
}

// Writes an address into a zeroed IpAddr in place. Building a temporary IpAddr and copying
// it costs a store-forwarding stall (a 16-byte load over a 4-byte store) on every packet.
inline void set_v4(IpAddr& a, const uint8_t* p) {
  std::memcpy(a.bytes.data(), p, 4);
  a.family = IpFamily::kV4;
}
inline void set_v6(IpAddr& a, const uint8_t* p) {
  std::memcpy(a.bytes.data(), p, 16);
  a.family = IpFamily::kV6;
}

// Options are walked for shape only (type, length); their contents are not interpreted.
inline bool ipv4_options_ok(const uint8_t* h, uint32_t hl) noexcept {
  uint32_t i = 20;
  while (i < hl) {
    const uint8_t t = h[i];
    if (t == 0) return true;  // End of Option List: the rest is padding
    if (t == 1) {             // No-Operation
      ++i;
      continue;
    }
    if (i + 1 >= hl) return false;
    const uint8_t l = h[i + 1];
    if (l < 2 || i + l > hl) return false;
    i += l;
  }
  return true;
}

inline DecodeStatus decode_ipv4(const uint8_t* p, uint32_t off, uint32_t end,
                                IpLayer& ip) noexcept {
  const uint32_t avail = end - off;
  if (avail < 20) return DecodeStatus::kIpv4Truncated;
  const uint8_t* h = p + off;
  if ((h[0] >> 4) != 4) return DecodeStatus::kIpv4BadVersion;
  const uint32_t hl = (h[0] & 0x0Fu) * 4u;
  if (hl < 20) return DecodeStatus::kIpv4BadIhl;
  if (hl > avail) return DecodeStatus::kIpv4Truncated;
  const uint32_t tl = load_be16(h + 2);
  if (tl < hl || tl > avail) return DecodeStatus::kIpv4BadTotalLength;
  const uint16_t ff = load_be16(h + 6);
  ip.version = 4;
  ip.offset = u16(off);
  ip.header_len = u16(hl);
  ip.total_len = u16(tl);
  ip.ttl = h[8];
  ip.proto = h[9];
  set_v4(ip.src, h + 12);
  set_v4(ip.dst, h + 16);
  ip.dont_fragment = (ff & 0x4000) != 0;
  ip.more_fragments = (ff & 0x2000) != 0;
  ip.frag_offset = ff & 0x1FFF;
  ip.is_fragment = ip.more_fragments || ip.frag_offset != 0;
  ip.frag_id = load_be16(h + 4);
  if (hl > 20) {
    ip.has_options = true;
    if (!ipv4_options_ok(h, hl)) return DecodeStatus::kIpv4BadOptions;
  }
  return DecodeStatus::kOk;
}

inline DecodeStatus decode_ipv6(const uint8_t* p, uint32_t off, uint32_t end,
                                IpLayer& ip) noexcept {
  const uint32_t avail = end - off;
  if (avail < 40) return DecodeStatus::kIpv6Truncated;
  const uint8_t* h = p + off;
  if ((h[0] >> 4) != 6) return DecodeStatus::kIpv6BadVersion;
  const uint32_t plen = load_be16(h + 4);
  if (40 + plen > avail) return DecodeStatus::kIpv6BadPayloadLength;
  ip.version = 6;
  ip.offset = u16(off);
  ip.total_len = u16(40 + plen);
  ip.ttl = h[7];
  set_v6(ip.src, h + 8);
  set_v6(ip.dst, h + 24);
  const uint32_t pend = off + 40 + plen;
  uint32_t pos = off + 40;
  uint8_t nh = h[6];
  for (;;) {
    uint32_t len;
    switch (nh) {
      case 0:    // Hop-by-Hop Options
      case 43:   // Routing
      case 60:   // Destination Options
      case 135:  // Mobility
      case 139:  // HIP
      case 140:  // Shim6
      case 253:  // experimental
      case 254:
        if (pos + 8 > pend) return DecodeStatus::kIpv6ExtTruncated;
        len = (uint32_t{p[pos + 1]} + 1) * 8;
        break;
      case 44:  // Fragment: fixed 8 octets
        if (pos + 8 > pend) return DecodeStatus::kIpv6ExtTruncated;
        len = 8;
        {
          const uint16_t fo = load_be16(p + pos + 2);
          ip.is_fragment = true;
          ip.frag_offset = u16(fo >> 3);
          ip.more_fragments = (fo & 1) != 0;
          ip.frag_id = load_be32(p + pos + 4);
        }
        break;
      case 51:  // Authentication Header: length in 4-octet units minus 2
        if (pos + 8 > pend) return DecodeStatus::kIpv6ExtTruncated;
        len = (uint32_t{p[pos + 1]} + 2) * 4;
        break;
      default:
        ip.proto = nh;
        ip.header_len = u16(pos - off);
        return DecodeStatus::kOk;
    }
    if (ip.ext_count == kMaxIpv6Ext) return DecodeStatus::kIpv6TooManyExt;
    if (pos + len > pend) return DecodeStatus::kIpv6ExtTruncated;
    nh = p[pos];
    pos += len;
    ++ip.ext_count;
  }
}

// L4 header of an already decoded IP layer. A non-first fragment has no L4 header: l4 stays
// absent and the result is kOk. In a first fragment the UDP length may exceed the data.
inline DecodeStatus decode_l4(const uint8_t* p, const IpLayer& ip, L4Layer& l4) noexcept {
  if (ip.frag_offset != 0) return DecodeStatus::kOk;
  const uint32_t off = uint32_t{ip.offset} + ip.header_len;
  const uint32_t avail = uint32_t{ip.offset} + ip.total_len - off;
  const uint8_t* h = p + off;
  switch (ip.proto) {
    case kProtoUdp: {
      if (avail < 8) return DecodeStatus::kUdpTruncated;
      const uint32_t ulen = load_be16(h + 4);
      if (ulen < 8 || (ulen > avail && !ip.is_fragment)) return DecodeStatus::kUdpBadLength;
      l4.sport = load_be16(h);
      l4.dport = load_be16(h + 2);
      l4.payload_offset = u16(off + 8);
      l4.payload_len = u16((ulen < avail ? ulen : avail) - 8);
      break;
    }
    case kProtoTcp: {
      if (avail < 20) return DecodeStatus::kTcpTruncated;
      const uint32_t doff = (h[12] >> 4) * 4u;
      if (doff < 20) return DecodeStatus::kTcpBadDataOffset;
      if (doff > avail) return DecodeStatus::kTcpTruncated;
      l4.sport = load_be16(h);
      l4.dport = load_be16(h + 2);
      l4.tcp_seq = load_be32(h + 4);
      l4.tcp_ack = load_be32(h + 8);
      l4.tcp_flags = h[13];
      l4.payload_offset = u16(off + doff);
      l4.payload_len = u16(avail - doff);
      break;
    }
    case kProtoIcmp:
    case kProtoIcmpv6:
      if (avail < 8) return DecodeStatus::kIcmpTruncated;
      l4.icmp_type = h[0];
      l4.icmp_code = h[1];
      l4.payload_offset = u16(off + 8);
      l4.payload_len = u16(avail - 8);
      break;
    case kProtoSctp:
      if (avail < 12) return DecodeStatus::kSctpTruncated;
      l4.sport = load_be16(h);
      l4.dport = load_be16(h + 2);
      l4.sctp_vtag = load_be32(h + 4);
      l4.payload_offset = u16(off + 12);
      l4.payload_len = u16(avail - 12);
      break;
    default:
      return DecodeStatus::kOk;
  }
  l4.offset = u16(off);
  l4.proto = ip.proto;
  return DecodeStatus::kOk;
}

}  // namespace mecguard::decode::detail
