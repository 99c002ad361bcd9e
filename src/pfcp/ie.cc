#include "pfcp/ie.h"

#include <algorithm>

namespace mecguard::pfcp {
namespace {

constexpr size_t kMaxIeValue = 0xFFFF;

// Writes the IE header with a length placeholder; the returned mark is patched by close().
size_t open_ie(ByteWriter& w, uint16_t type) {
  w.be16(type);
  const size_t at = w.size();
  w.be16(0);
  return at;
}
void close_ie(ByteWriter& w, size_t at) {
  w.patch_be16(at, static_cast<uint16_t>(w.size() - at - 2));
}

void put_addr(ByteWriter& w, const IpAddr& a) {
  w.append(Bytes(a.bytes.data(), a.wire_size()));
}

// Reads a DNS-label FQDN (RFC 1035 3.1 without compression) into dotted text.
Status labels_to_dotted(Bytes v, std::string& out) {
  out.clear();
  size_t i = 0;
  while (i < v.size()) {
    const size_t n = v[i];
    if (n == 0) {
      // A terminating root label is tolerated only at the very end.
      return i + 1 == v.size() && !out.empty() ? Status::kOk : Status::kBadIeValue;
    }
    if (n > 63 || n > v.size() - i - 1) return Status::kBadIeValue;
    if (!out.empty()) out.push_back('.');
    for (size_t k = 0; k < n; ++k) {
      const auto c = static_cast<char>(v[i + 1 + k]);
      // A '.' inside a label could not be re-encoded to the same labels.
      if (c == '.') return Status::kBadIeValue;
      out.push_back(c);
    }
    i += 1 + n;
  }
  return out.empty() ? Status::kBadIeValue : Status::kOk;
}

}  // namespace

NodeId NodeId::from_ip(const IpAddr& a) {
  NodeId n;
  n.kind = a.is_v6() ? Kind::kIpv6 : Kind::kIpv4;
  n.ip = a;
  return n;
}
NodeId NodeId::from_fqdn(std::string name) {
  NodeId n;
  n.kind = Kind::kFqdn;
  n.fqdn = std::move(name);
  return n;
}

FTeid FTeid::make(uint32_t teid, const IpAddr& addr) {
  FTeid f;
  f.teid = teid;
  if (addr.is_v6()) {
    f.v6 = true;
    f.ipv6 = addr;
  } else {
    f.v4 = true;
    f.ipv4 = addr;
  }
  return f;
}
FTeid FTeid::choose(bool want_v4, bool want_v6, std::optional<uint8_t> choose_id) {
  FTeid f;
  f.ch = true;
  f.v4 = want_v4;
  f.v6 = want_v6;
  if (choose_id) {
    f.chid = true;
    f.choose_id = *choose_id;
  }
  return f;
}

OuterHeaderCreation OuterHeaderCreation::gtpu(uint32_t teid, const IpAddr& peer) {
  OuterHeaderCreation o;
  o.teid = teid;
  if (peer.is_v6()) {
    o.description = kGtpuUdpIpv6;
    o.ipv6 = peer;
  } else {
    o.description = kGtpuUdpIpv4;
    o.ipv4 = peer;
  }
  return o;
}

std::string dnn_from_labels(std::string_view wire) {
  std::string out;
  const Bytes b(reinterpret_cast<const uint8_t*>(wire.data()), wire.size());
  if (labels_to_dotted(b, out) == Status::kOk) return out;
  return std::string(wire);
}

std::vector<uint8_t> dnn_to_labels(std::string_view dotted) {
  std::vector<uint8_t> out;
  size_t start = 0;
  while (start <= dotted.size()) {
    size_t dot = dotted.find('.', start);
    if (dot == std::string_view::npos) dot = dotted.size();
    const size_t n = dot - start;
    if (n > 0 && n <= 63) {
      out.push_back(static_cast<uint8_t>(n));
      out.insert(out.end(), dotted.begin() + static_cast<std::ptrdiff_t>(start),
                 dotted.begin() + static_cast<std::ptrdiff_t>(dot));
    }
    start = dot + 1;
  }
  return out;
}

// --- decoders ------------------------------------------------------------------------

Status decode_value(Bytes v, NodeId& out) {
  if (v.empty()) return Status::kIeBadLength;
  out = NodeId{};
  switch (v[0] & 0x0F) {
    case 0:
      if (v.size() < 5) return Status::kIeBadLength;
      out.kind = NodeId::Kind::kIpv4;
      out.ip = IpAddr::v4_from_wire(v.data() + 1);
      return Status::kOk;
    case 1:
      if (v.size() < 17) return Status::kIeBadLength;
      out.kind = NodeId::Kind::kIpv6;
      out.ip = IpAddr::v6_from_wire(v.data() + 1);
      return Status::kOk;
    case 2:
      out.kind = NodeId::Kind::kFqdn;
      return labels_to_dotted(v.subspan(1), out.fqdn);
    default:
      return Status::kBadIeValue;
  }
}

Status decode_value(Bytes v, FSeid& out) {
  if (v.size() < 9) return Status::kIeBadLength;
  out = FSeid{};
  const bool v6 = (v[0] & 0x01) != 0;
  const bool v4 = (v[0] & 0x02) != 0;
  out.seid = load_be64(v.data() + 1);
  size_t p = 9;
  if (v4) {
    if (v.size() < p + 4) return Status::kIeBadLength;
    out.ipv4 = IpAddr::v4_from_wire(v.data() + p);
    p += 4;
  }
  if (v6) {
    if (v.size() < p + 16) return Status::kIeBadLength;
    out.ipv6 = IpAddr::v6_from_wire(v.data() + p);
  }
  return Status::kOk;
}

Status decode_value(Bytes v, FTeid& out) {
  if (v.empty()) return Status::kIeBadLength;
  out = FTeid{};
  out.v4 = (v[0] & 0x01) != 0;
  out.v6 = (v[0] & 0x02) != 0;
  out.ch = (v[0] & 0x04) != 0;
  out.chid = (v[0] & 0x08) != 0;
  if (out.chid && !out.ch) return Status::kBadIeValue;
  if (out.ch) {
    if (out.chid) {
      if (v.size() < 2) return Status::kIeBadLength;
      out.choose_id = v[1];
    }
    return Status::kOk;
  }
  if (v.size() < 5) return Status::kIeBadLength;
  out.teid = load_be32(v.data() + 1);
  size_t p = 5;
  if (out.v4) {
    if (v.size() < p + 4) return Status::kIeBadLength;
    out.ipv4 = IpAddr::v4_from_wire(v.data() + p);
    p += 4;
  }
  if (out.v6) {
    if (v.size() < p + 16) return Status::kIeBadLength;
    out.ipv6 = IpAddr::v6_from_wire(v.data() + p);
  }
  return Status::kOk;
}

Status decode_value(Bytes v, UeIpAddress& out) {
  if (v.empty()) return Status::kIeBadLength;
  out = UeIpAddress{};
  const uint8_t f = v[0];
  const bool v6 = (f & 0x01) != 0, v4 = (f & 0x02) != 0, ipv6d = (f & 0x08) != 0,
             ip6pl = (f & 0x40) != 0;
  out.destination = (f & 0x04) != 0;
  out.chv4 = (f & 0x10) != 0;
  out.chv6 = (f & 0x20) != 0;
  size_t p = 1;
  auto need = [&](size_t n) { return v.size() >= p + n; };
  if (v4) {
    if (!need(4)) return Status::kIeBadLength;
    out.ipv4 = IpAddr::v4_from_wire(v.data() + p);
    p += 4;
  }
  if (v6) {
    if (!need(16)) return Status::kIeBadLength;
    out.ipv6 = IpAddr::v6_from_wire(v.data() + p);
    p += 16;
  }
  if (ipv6d) {
    if (!need(1)) return Status::kIeBadLength;
    out.ipv6_prefix_delegation_bits = v[p++];
  }
  if (ip6pl) {
    if (!need(1)) return Status::kIeBadLength;
    out.ipv6_prefix_length = v[p++];
  }
  return Status::kOk;
}

Status decode_value(Bytes v, SdfFilter& out) {
  if (v.size() < 2) return Status::kIeBadLength;
  out = SdfFilter{};
  const uint8_t f = v[0];  // octet 6 is spare
  size_t p = 2;
  auto need = [&](size_t n) { return v.size() >= p + n; };
  if (f & 0x01) {  // FD
    if (!need(2)) return Status::kIeBadLength;
    const size_t n = load_be16(v.data() + p);
    p += 2;
    if (!need(n)) return Status::kIeBadLength;
    out.flow_description.emplace(reinterpret_cast<const char*>(v.data() + p), n);
    p += n;
  }
  if (f & 0x02) {  // TTC
    if (!need(2)) return Status::kIeBadLength;
    out.tos_traffic_class = load_be16(v.data() + p);
    p += 2;
  }
  if (f & 0x04) {  // SPI
    if (!need(4)) return Status::kIeBadLength;
    out.security_parameter_index = load_be32(v.data() + p);
    p += 4;
  }
  if (f & 0x08) {  // FL
    if (!need(3)) return Status::kIeBadLength;
    out.flow_label = load_be24(v.data() + p);
    p += 3;
  }
  if (f & 0x10) {  // BID
    if (!need(4)) return Status::kIeBadLength;
    out.sdf_filter_id = load_be32(v.data() + p);
  }
  return Status::kOk;
}

Status decode_value(Bytes v, OuterHeaderRemoval& out) {
  if (v.empty()) return Status::kIeBadLength;
  out = OuterHeaderRemoval{};
  out.description = v[0];
  if (v.size() >= 2) out.gtpu_extension_header_deletion = v[1];
  return Status::kOk;
}

Status decode_value(Bytes v, ApplyAction& out) {
  if (v.empty()) return Status::kIeBadLength;
  out.flags = v[0];
  if (v.size() >= 2) out.flags = static_cast<uint16_t>(out.flags | (v[1] << 8));
  return Status::kOk;
}

Status decode_value(Bytes v, OuterHeaderCreation& out) {
  using O = OuterHeaderCreation;
  if (v.size() < 2) return Status::kIeBadLength;
  out = O{};
  out.description = load_be16(v.data());
  const uint16_t d = out.description;
  size_t p = 2;
  auto need = [&](size_t n) { return v.size() >= p + n; };
  if (d & (O::kGtpuUdpIpv4 | O::kGtpuUdpIpv6)) {
    if (!need(4)) return Status::kIeBadLength;
    out.teid = load_be32(v.data() + p);
    p += 4;
  }
  if (d & (O::kGtpuUdpIpv4 | O::kUdpIpv4 | O::kIpv4)) {
    if (!need(4)) return Status::kIeBadLength;
    out.ipv4 = IpAddr::v4_from_wire(v.data() + p);
    p += 4;
  }
  if (d & (O::kGtpuUdpIpv6 | O::kUdpIpv6 | O::kIpv6)) {
    if (!need(16)) return Status::kIeBadLength;
    out.ipv6 = IpAddr::v6_from_wire(v.data() + p);
    p += 16;
  }
  if (d & (O::kUdpIpv4 | O::kUdpIpv6)) {
    if (!need(2)) return Status::kIeBadLength;
    out.port = load_be16(v.data() + p);
    p += 2;
  }
  if (d & O::kCTag) {
    if (!need(3)) return Status::kIeBadLength;
    out.c_tag = load_be24(v.data() + p);
    p += 3;
  }
  if (d & O::kSTag) {
    if (!need(3)) return Status::kIeBadLength;
    out.s_tag = load_be24(v.data() + p);
  }
  return Status::kOk;
}

Status decode_value(Bytes v, Bitrate& out) {
  if (v.size() < 10) return Status::kIeBadLength;
  auto be40 = [](const uint8_t* p) { return (uint64_t{p[0]} << 32) | load_be32(p + 1); };
  out.ul_kbps = be40(v.data());
  out.dl_kbps = be40(v.data() + 5);
  return Status::kOk;
}

Status decode_value(Bytes v, GateStatus& out) {
  if (v.empty()) return Status::kIeBadLength;
  out.ul = static_cast<uint8_t>((v[0] >> 2) & 0x03);
  out.dl = static_cast<uint8_t>(v[0] & 0x03);
  return Status::kOk;
}

Status decode_value(Bytes v, OffendingIe& out) {
  if (v.size() < 2) return Status::kIeBadLength;
  out.type = load_be16(v.data());
  return Status::kOk;
}

Status decode_value(Bytes v, SourceInterface& out) {
  if (v.empty()) return Status::kIeBadLength;
  out = static_cast<SourceInterface>(v[0] & 0x0F);
  return Status::kOk;
}

Status decode_value(Bytes v, DestinationInterface& out) {
  if (v.empty()) return Status::kIeBadLength;
  out = static_cast<DestinationInterface>(v[0] & 0x0F);
  return Status::kOk;
}

Status decode_value(Bytes v, Cause& out) {
  if (v.empty()) return Status::kIeBadLength;
  out = static_cast<Cause>(v[0]);
  return Status::kOk;
}

Status decode_value(Bytes v, uint8_t& out) {
  if (v.empty()) return Status::kIeBadLength;
  out = v[0];
  return Status::kOk;
}
Status decode_value(Bytes v, uint16_t& out) {
  if (v.size() < 2) return Status::kIeBadLength;
  out = load_be16(v.data());
  return Status::kOk;
}
Status decode_value(Bytes v, uint32_t& out) {
  if (v.size() < 4) return Status::kIeBadLength;
  out = load_be32(v.data());
  return Status::kOk;
}
Status decode_value(Bytes v, std::string& out) {
  out.assign(reinterpret_cast<const char*>(v.data()), v.size());
  return Status::kOk;
}

// --- encoders ------------------------------------------------------------------------

void encode_ie(ByteWriter& w, uint16_t type, const NodeId& x) {
  const size_t at = open_ie(w, type);
  w.u8(static_cast<uint8_t>(x.kind));
  if (x.kind == NodeId::Kind::kFqdn) {
    // Labels are capped so the value always fits; dnn_to_labels drops empty labels.
    auto labels = dnn_to_labels(x.fqdn);
    if (labels.size() > kMaxIeValue - 1) labels.resize(0);
    w.append(labels);
  } else {
    const IpFamily fam = x.kind == NodeId::Kind::kIpv6 ? IpFamily::kV6 : IpFamily::kV4;
    if (x.ip.family == fam) put_addr(w, x.ip); else w.zeros(fam == IpFamily::kV4 ? 4 : 16);
  }
  close_ie(w, at);
}

void encode_ie(ByteWriter& w, uint16_t type, const FSeid& x) {
  const size_t at = open_ie(w, type);
  w.u8(static_cast<uint8_t>((x.ipv4.is_v4() ? 0x02 : 0) | (x.ipv6.is_v6() ? 0x01 : 0)));
  w.be64(x.seid);
  if (x.ipv4.is_v4()) put_addr(w, x.ipv4);
  if (x.ipv6.is_v6()) put_addr(w, x.ipv6);
  close_ie(w, at);
}

void encode_ie(ByteWriter& w, uint16_t type, const FTeid& x) {
  const size_t at = open_ie(w, type);
  const bool chid = x.ch && x.chid;
  w.u8(static_cast<uint8_t>((x.v4 ? 0x01 : 0) | (x.v6 ? 0x02 : 0) | (x.ch ? 0x04 : 0) |
                            (chid ? 0x08 : 0)));
  if (x.ch) {
    if (chid) w.u8(x.choose_id);
  } else {
    w.be32(x.teid);
    if (x.v4) {
      if (x.ipv4.is_v4()) put_addr(w, x.ipv4); else w.zeros(4);
    }
    if (x.v6) {
      if (x.ipv6.is_v6()) put_addr(w, x.ipv6); else w.zeros(16);
    }
  }
  close_ie(w, at);
}

void encode_ie(ByteWriter& w, uint16_t type, const UeIpAddress& x) {
  const size_t at = open_ie(w, type);
  const bool v4 = x.ipv4.is_v4(), v6 = x.ipv6.is_v6();
  w.u8(static_cast<uint8_t>((v6 ? 0x01 : 0) | (v4 ? 0x02 : 0) | (x.destination ? 0x04 : 0) |
                            (x.ipv6_prefix_delegation_bits ? 0x08 : 0) | (x.chv4 ? 0x10 : 0) |
                            (x.chv6 ? 0x20 : 0) | (x.ipv6_prefix_length ? 0x40 : 0)));
  if (v4) put_addr(w, x.ipv4);
  if (v6) put_addr(w, x.ipv6);
  if (x.ipv6_prefix_delegation_bits) w.u8(*x.ipv6_prefix_delegation_bits);
  if (x.ipv6_prefix_length) w.u8(*x.ipv6_prefix_length);
  close_ie(w, at);
}

void encode_ie(ByteWriter& w, uint16_t type, const SdfFilter& x) {
  const size_t at = open_ie(w, type);
  // A flow description is capped so the IE value stays within 65535 octets.
  const size_t fd_len = x.flow_description ? std::min(x.flow_description->size(), kMaxIeValue - 32) : 0;
  w.u8(static_cast<uint8_t>((x.flow_description ? 0x01 : 0) | (x.tos_traffic_class ? 0x02 : 0) |
                            (x.security_parameter_index ? 0x04 : 0) | (x.flow_label ? 0x08 : 0) |
                            (x.sdf_filter_id ? 0x10 : 0)));
  w.u8(0);
  if (x.flow_description) {
    w.be16(static_cast<uint16_t>(fd_len));
    w.append(Bytes(reinterpret_cast<const uint8_t*>(x.flow_description->data()), fd_len));
  }
  if (x.tos_traffic_class) w.be16(*x.tos_traffic_class);
  if (x.security_parameter_index) w.be32(*x.security_parameter_index);
  if (x.flow_label) w.be24(*x.flow_label & 0xFFFFFF);
  if (x.sdf_filter_id) w.be32(*x.sdf_filter_id);
  close_ie(w, at);
}

void encode_ie(ByteWriter& w, uint16_t type, const OuterHeaderRemoval& x) {
  const size_t at = open_ie(w, type);
  w.u8(x.description);
  if (x.gtpu_extension_header_deletion) w.u8(*x.gtpu_extension_header_deletion);
  close_ie(w, at);
}

void encode_ie(ByteWriter& w, uint16_t type, const ApplyAction& x) {
  const size_t at = open_ie(w, type);
  w.u8(static_cast<uint8_t>(x.flags));
  if ((x.flags >> 8) != 0) w.u8(static_cast<uint8_t>(x.flags >> 8));
  close_ie(w, at);
}

void encode_ie(ByteWriter& w, uint16_t type, const OuterHeaderCreation& x) {
  using O = OuterHeaderCreation;
  const uint16_t d = x.description;
  const size_t at = open_ie(w, type);
  w.be16(d);
  auto addr = [&](const IpAddr& a, IpFamily fam) {
    if (a.family == fam) put_addr(w, a); else w.zeros(fam == IpFamily::kV4 ? 4 : 16);
  };
  if (d & (O::kGtpuUdpIpv4 | O::kGtpuUdpIpv6)) w.be32(x.teid);
  if (d & (O::kGtpuUdpIpv4 | O::kUdpIpv4 | O::kIpv4)) addr(x.ipv4, IpFamily::kV4);
  if (d & (O::kGtpuUdpIpv6 | O::kUdpIpv6 | O::kIpv6)) addr(x.ipv6, IpFamily::kV6);
  if (d & (O::kUdpIpv4 | O::kUdpIpv6)) w.be16(x.port);
  if (d & O::kCTag) w.be24(x.c_tag & 0xFFFFFF);
  if (d & O::kSTag) w.be24(x.s_tag & 0xFFFFFF);
  close_ie(w, at);
}

void encode_ie(ByteWriter& w, uint16_t type, const Bitrate& x) {
  const size_t at = open_ie(w, type);
  for (uint64_t r : {x.ul_kbps, x.dl_kbps}) {
    r = std::min(r, kMaxBitrateKbps);
    w.u8(static_cast<uint8_t>(r >> 32));
    w.be32(static_cast<uint32_t>(r));
  }
  close_ie(w, at);
}

void encode_ie(ByteWriter& w, uint16_t type, const GateStatus& x) {
  const size_t at = open_ie(w, type);
  w.u8(static_cast<uint8_t>(((x.ul & 0x03) << 2) | (x.dl & 0x03)));
  close_ie(w, at);
}

void encode_ie(ByteWriter& w, uint16_t type, const OffendingIe& x) { encode_ie(w, type, x.type); }
void encode_ie(ByteWriter& w, uint16_t type, SourceInterface x) {
  encode_ie(w, type, static_cast<uint8_t>(static_cast<uint8_t>(x) & 0x0F));
}
void encode_ie(ByteWriter& w, uint16_t type, DestinationInterface x) {
  encode_ie(w, type, static_cast<uint8_t>(static_cast<uint8_t>(x) & 0x0F));
}
void encode_ie(ByteWriter& w, uint16_t type, Cause x) {
  encode_ie(w, type, static_cast<uint8_t>(x));
}
void encode_ie(ByteWriter& w, uint16_t type, uint8_t x) {
  w.be16(type);
  w.be16(1);
  w.u8(x);
}
void encode_ie(ByteWriter& w, uint16_t type, uint16_t x) {
  w.be16(type);
  w.be16(2);
  w.be16(x);
}
void encode_ie(ByteWriter& w, uint16_t type, uint32_t x) {
  w.be16(type);
  w.be16(4);
  w.be32(x);
}
bool encode_ie(ByteWriter& w, uint16_t type, std::string_view octets) {
  return encode_raw_ie(w, type, std::nullopt,
                       Bytes(reinterpret_cast<const uint8_t*>(octets.data()), octets.size()));
}

bool encode_raw_ie(ByteWriter& w, uint16_t type, std::optional<uint16_t> enterprise_id, Bytes value) {
  const size_t extra = enterprise_id ? 2 : 0;
  if (value.size() + extra > kMaxIeValue) return false;
  w.be16(enterprise_id ? static_cast<uint16_t>(type | kEnterpriseBit) : type);
  w.be16(static_cast<uint16_t>(value.size() + extra));
  if (enterprise_id) w.be16(*enterprise_id);
  w.append(value);
  return true;
}

size_t begin_grouped(ByteWriter& w, uint16_t type) { return open_ie(w, type); }

bool end_grouped(ByteWriter& w, size_t at) {
  const size_t len = w.size() - at - 2;
  if (len > kMaxIeValue) {
    w.patch_be16(at, static_cast<uint16_t>(kMaxIeValue));
    return false;
  }
  w.patch_be16(at, static_cast<uint16_t>(len));
  return true;
}

}  // namespace mecguard::pfcp
