// decode_gtpu: GTP-U v1 (TS 29.281) header, extension header chain with the PDU Session
// Container (TS 38.415 5.5.2), signalling IEs, and the T-PDU's inner IP/L4 headers.
#include <cstring>

#include "decode/ip_decode.h"
#include "decode/packet.h"

namespace mecguard::decode {

namespace {

using detail::u16;
using detail::zero;

constexpr uint8_t kMaxGtpuExt = 16;  // extension headers walked before giving up

// TS 29.281 8.x information element types used by GTP-U signalling messages.
constexpr uint8_t kIeRecovery = 14, kIeTeidDataI = 16, kIePeerAddress = 133,
                  kIeExtHeaderTypeList = 141;

inline bool known_ext_type(uint8_t t) {
  switch (t) {
    case 0x03:  // Long PDCP PDU Number (legacy code point)
    case 0x20:  // Service Class Indicator
    case gtpu_ext::kUdpPort:
    case gtpu_ext::kRanContainer:
    case gtpu_ext::kLongPdcpPdu:
    case gtpu_ext::kXwRanContainer:
    case gtpu_ext::kNrRanContainer:
    case gtpu_ext::kPduSessionContainer:
    case gtpu_ext::kPdcpPduNumber:
      return true;
    default:
      return false;
  }
}

// One extension header's content: the octets between its length and next-type octets
// (clen >= 2 because the length is at least one 4-octet unit).
inline void on_ext(GtpuLayer& g, uint8_t type, const uint8_t* c, uint32_t clen) noexcept {
  if (type == gtpu_ext::kPduSessionContainer) {
    if (g.has_pdu_session) return;  // the first container is the one that counts
    g.has_pdu_session = true;
    g.pdu_type = c[0] >> 4;
    g.qfi = c[1] & 0x3F;
    if (g.pdu_type == 0) {  // DL PDU SESSION INFORMATION: PPP | RQI | QFI
      g.rqi = (c[1] & 0x40) != 0;
      if ((c[1] & 0x80) != 0 && clen >= 3) {
        g.has_ppi = true;
        g.ppi = c[2] >> 5;
      }
    }
    return;
  }
  // The two high bits of an unknown type say whether it must be understood (29.281 5.2.1).
  if ((type & 0x80) != 0 && g.unknown_required_ext == 0 && !known_ext_type(type)) {
    g.unknown_required_ext = type;
  }
}

// Walks the IEs of a signalling message. TV IEs (type < 128) have fixed lengths, so an
// unknown one cannot be skipped; TLV IEs carry a 2-octet length, except type 141 whose
// length is one octet.
inline DecodeStatus walk_ies(const uint8_t* p, uint32_t pos, uint32_t end, GtpuLayer& g,
                             bool& have_teid, bool& have_peer, bool& have_list) noexcept {
  while (pos < end) {
    const uint8_t t = p[pos];
    const uint32_t avail = end - pos;
    if (t == kIeRecovery) {
      if (avail < 2) return DecodeStatus::kGtpuIeTruncated;
      g.has_recovery = true;
      g.recovery = p[pos + 1];
      pos += 2;
    } else if (t == kIeTeidDataI) {
      if (avail < 5) return DecodeStatus::kGtpuIeTruncated;
      g.ei_teid = load_be32(p + pos + 1);
      have_teid = true;
      pos += 5;
    } else if (t == kIeExtHeaderTypeList) {
      if (avail < 2 || avail - 2 < p[pos + 1]) return DecodeStatus::kGtpuIeTruncated;
      g.supported_ext_count = p[pos + 1];
      g.supported_ext_offset = u16(pos + 2);
      have_list = true;
      pos += 2u + p[pos + 1];
    } else if (t >= 128) {
      if (avail < 3) return DecodeStatus::kGtpuIeTruncated;
      const uint32_t l = load_be16(p + pos + 1);
      if (avail - 3 < l) return DecodeStatus::kGtpuIeTruncated;
      if (t == kIePeerAddress) {
        if (l == 4) {
          detail::set_v4(g.ei_peer, p + pos + 3);
        } else if (l == 16) {
          detail::set_v6(g.ei_peer, p + pos + 3);
        } else {
          return DecodeStatus::kGtpuIeMalformed;
        }
        have_peer = true;
      }
      pos += 3 + l;
    } else {
      return DecodeStatus::kGtpuIeMalformed;
    }
  }
  return DecodeStatus::kOk;
}

inline DecodeStatus decode_inner(const uint8_t* p, uint32_t pos, uint32_t end,
                                 DecodedPacket& out) noexcept {
  const uint32_t avail = end - pos;
  DecodeStatus st;
  if (avail == 0) {
    out.inner_detail = DecodeStatus::kInnerTruncated;
    return DecodeStatus::kInnerTruncated;
  }
  switch (p[pos] >> 4) {
    case 4:
      if (avail < 20) {
        out.inner_detail = DecodeStatus::kIpv4Truncated;
        return DecodeStatus::kInnerTruncated;
      }
      st = detail::decode_ipv4(p, pos, end, out.inner_ip);
      break;
    case 6:
      if (avail < 40) {
        out.inner_detail = DecodeStatus::kIpv6Truncated;
        return DecodeStatus::kInnerTruncated;
      }
      st = detail::decode_ipv6(p, pos, end, out.inner_ip);
      break;
    default:
      out.inner_detail = DecodeStatus::kInnerBadVersion;
      return DecodeStatus::kInnerBadVersion;
  }
  if (st == DecodeStatus::kOk) st = detail::decode_l4(p, out.inner_ip, out.inner_l4);
  if (st != DecodeStatus::kOk) {
    out.inner_detail = st;
    return DecodeStatus::kInnerMalformed;
  }
  return DecodeStatus::kOk;
}

}  // namespace

DecodeStatus detail::decode_gtpu_fresh(Bytes frame, uint32_t start, uint32_t len,
                                       DecodedPacket& out, const DecodeOptions& opts) noexcept {
  if (frame.size() > 65535) return DecodeStatus::kFrameTooLarge;
  const uint32_t end = start + len;
  if (end > frame.size() || len < 8) return DecodeStatus::kGtpuTruncated;
  const uint8_t* p = frame.data();
  const uint8_t* h = p + start;
  GtpuLayer& g = out.gtpu;
  const uint8_t flags = h[0];
  g.offset = u16(start);
  g.version = flags >> 5;
  if (g.version != 1) return DecodeStatus::kGtpuBadVersion;
  g.pt = (flags & 0x10) != 0;
  if (!g.pt) return DecodeStatus::kGtpuBadPt;
  g.e_flag = (flags & 0x04) != 0;
  g.s_flag = (flags & 0x02) != 0;
  g.pn_flag = (flags & 0x01) != 0;
  g.msg_type = h[1];
  g.length = load_be16(h + 2);
  g.teid = load_be32(h + 4);
  if (8u + g.length != len) return DecodeStatus::kGtpuBadLength;

  uint32_t pos = start + 8;
  if ((flags & 0x07) != 0) {
    // Any of E, S, PN: all three optional fields are present (29.281 5.1).
    if (g.length < 4) return DecodeStatus::kGtpuTruncated;
    if (g.s_flag) g.seq = load_be16(h + 8);
    if (g.pn_flag) g.npdu = h[10];
    uint8_t next = g.e_flag ? h[11] : gtpu_ext::kNone;
    g.first_ext_type = next;
    pos += 4;
    while (next != gtpu_ext::kNone) {
      if (g.ext_count == kMaxGtpuExt) return DecodeStatus::kGtpuExtTooMany;
      if (pos >= end) return DecodeStatus::kGtpuExtTruncated;
      const uint32_t elen = p[pos] * 4u;
      if (elen == 0) return DecodeStatus::kGtpuExtZeroLength;
      if (elen > end - pos) return DecodeStatus::kGtpuExtTruncated;
      on_ext(g, next, p + pos + 1, elen - 2);
      next = p[pos + elen - 1];
      pos += elen;
      ++g.ext_count;
    }
  }
  g.payload_offset = u16(pos);
  g.payload_len = u16(end - pos);

  bool have_teid = false, have_peer = false, have_list = false;
  DecodeStatus st = DecodeStatus::kOk;
  switch (g.msg_type) {
    case gtpu_msg::kGpdu:
      return opts.decode_inner ? decode_inner(p, pos, end, out) : DecodeStatus::kOk;
    case gtpu_msg::kEchoRequest:
    case gtpu_msg::kEchoResponse:
    case gtpu_msg::kEndMarker:
      return walk_ies(p, pos, end, g, have_teid, have_peer, have_list);
    case gtpu_msg::kErrorIndication:
      st = walk_ies(p, pos, end, g, have_teid, have_peer, have_list);
      if (st == DecodeStatus::kOk && !(have_teid && have_peer)) {
        st = DecodeStatus::kGtpuIeTruncated;
      }
      return st;
    case gtpu_msg::kSupportedExtHeadersNotification:
      st = walk_ies(p, pos, end, g, have_teid, have_peer, have_list);
      if (st == DecodeStatus::kOk && !have_list) st = DecodeStatus::kGtpuIeTruncated;
      return st;
    default:
      return DecodeStatus::kOk;  // other types: header only
  }
}

DecodeStatus decode_gtpu(Bytes frame, uint16_t offset, uint16_t len, DecodedPacket& out,
                         const DecodeOptions& opts) noexcept {
  out.frame = frame;
  // All-zero is each layer's default (see decode_frame).
  detail::zero(out.gtpu);
  detail::zero(out.inner_ip);
  detail::zero(out.inner_l4);
  out.inner_detail = DecodeStatus::kOk;
  out.status = detail::decode_gtpu_fresh(frame, offset, len, out, opts);
  return out.status;
}

}  // namespace mecguard::decode
