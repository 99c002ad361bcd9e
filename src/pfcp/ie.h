// Typed PFCP IE values (TS 29.244 clause 8.2) with their value decoders and encoders.
// Callers: the message decoder/encoder (message.cc), the scenario generator (to fill a
// pfcp::Message) and tests. decode_value() sees only the IE value (after type, length and
// enterprise ID); encode_ie() writes the whole TLV. Decoders never throw and never read past
// the span; trailing octets beyond the fields a release defines are ignored (8.1.1).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/bytes.h"
#include "common/ip.h"
#include "pfcp/types.h"

namespace mecguard::pfcp {

// Node ID (60): IPv4, IPv6 or FQDN (DNS label encoding on the wire, dotted text here).
struct NodeId {
  enum class Kind : uint8_t { kIpv4 = 0, kIpv6 = 1, kFqdn = 2 };
  Kind kind = Kind::kIpv4;
  IpAddr ip;          // kIpv4 / kIpv6
  std::string fqdn;   // kFqdn, e.g. "smf1.example.org"

  static NodeId from_ip(const IpAddr& a);
  static NodeId from_fqdn(std::string name);
  friend bool operator==(const NodeId&, const NodeId&) = default;
};

// F-SEID (57): SEID plus at least one of IPv4/IPv6 (flags follow address presence).
struct FSeid {
  uint64_t seid = 0;
  IpAddr ipv4;  // family kNone when absent
  IpAddr ipv6;
  friend bool operator==(const FSeid&, const FSeid&) = default;
};

// F-TEID (21). ch=false: teid and the flagged addresses are present. ch=true: the UP
// function allocates; v4/v6 say which address families to choose, choose_id (with CHID)
// correlates PDRs that must share the allocation.
struct FTeid {
  bool v4 = false;
  bool v6 = false;
  bool ch = false;
  bool chid = false;
  uint32_t teid = 0;
  IpAddr ipv4;
  IpAddr ipv6;
  uint8_t choose_id = 0;

  static FTeid make(uint32_t teid, const IpAddr& addr);  // v4 or v6 from addr
  static FTeid choose(bool want_v4, bool want_v6, std::optional<uint8_t> choose_id = {});
  friend bool operator==(const FTeid&, const FTeid&) = default;
};

// UE IP Address (93).
struct UeIpAddress {
  IpAddr ipv4;               // V4 flag
  IpAddr ipv6;               // V6 flag
  bool destination = false;  // S/D: 1 = destination address (DL PDI), 0 = source
  bool chv4 = false;         // UP function chooses an IPv4 address
  bool chv6 = false;
  std::optional<uint8_t> ipv6_prefix_delegation_bits;  // IPv6D flag
  std::optional<uint8_t> ipv6_prefix_length;           // IP6PL flag

  static UeIpAddress source(const IpAddr& a) { UeIpAddress u; u.set(a); return u; }
  static UeIpAddress dest(const IpAddr& a) { UeIpAddress u; u.set(a); u.destination = true; return u; }
  void set(const IpAddr& a) { (a.is_v4() ? ipv4 : ipv6) = a; }
  friend bool operator==(const UeIpAddress&, const UeIpAddress&) = default;
};

// SDF Filter (23): each field present iff its flag (FD, TTC, SPI, FL, BID) is set.
struct SdfFilter {
  std::optional<std::string> flow_description;  // IPFilterRule text, e.g. "permit out ip from any to assigned"
  std::optional<uint16_t> tos_traffic_class;
  std::optional<uint32_t> security_parameter_index;
  std::optional<uint32_t> flow_label;  // 24 bits on the wire
  std::optional<uint32_t> sdf_filter_id;
  friend bool operator==(const SdfFilter&, const SdfFilter&) = default;
};

enum class SourceInterface : uint8_t { kAccess = 0, kCore = 1, kSgiLanN6Lan = 2, kCpFunction = 3, k5gVnInternal = 4 };
enum class DestinationInterface : uint8_t {
  kAccess = 0, kCore = 1, kSgiLanN6Lan = 2, kCpFunction = 3, kLiFunction = 4, k5gVnInternal = 5
};

// Outer Header Removal (95): description 0 = GTP-U/UDP/IPv4 ... 6 = GTP-U/UDP/IP.
struct OuterHeaderRemoval {
  static constexpr uint8_t kGtpuUdpIpv4 = 0, kGtpuUdpIpv6 = 1, kUdpIpv4 = 2, kUdpIpv6 = 3,
                           kIpv4 = 4, kIpv6 = 5, kGtpuUdpIp = 6, kVlanSTag = 7, kSTagCTag = 8;
  uint8_t description = kGtpuUdpIpv4;
  std::optional<uint8_t> gtpu_extension_header_deletion;  // octet 6 when present
  friend bool operator==(const OuterHeaderRemoval&, const OuterHeaderRemoval&) = default;
};

// Apply Action (44): octet 5 in bits 0-7, octet 6 in bits 8-15.
struct ApplyAction {
  static constexpr uint16_t kDrop = 0x0001, kForw = 0x0002, kBuff = 0x0004, kNocp = 0x0008,
                            kDupl = 0x0010, kIpma = 0x0020, kIpmd = 0x0040, kDfrt = 0x0080,
                            kEdrt = 0x0100, kBdpn = 0x0200, kDdpn = 0x0400, kFssm = 0x0800,
                            kMbsu = 0x1000;
  uint16_t flags = 0;
  bool has(uint16_t f) const { return (flags & f) != 0; }
  friend bool operator==(const ApplyAction&, const ApplyAction&) = default;
};

// Outer Header Creation (84). description: octet 5 in the high byte, octet 6 in the low.
struct OuterHeaderCreation {
  static constexpr uint16_t kGtpuUdpIpv4 = 0x0100, kGtpuUdpIpv6 = 0x0200, kUdpIpv4 = 0x0400,
                            kUdpIpv6 = 0x0800, kIpv4 = 0x1000, kIpv6 = 0x2000, kCTag = 0x4000,
                            kSTag = 0x8000, kN19 = 0x0001, kN6 = 0x0002;
  uint16_t description = 0;
  uint32_t teid = 0;        // GTP-U kinds
  IpAddr ipv4;              // *Ipv4 kinds
  IpAddr ipv6;              // *Ipv6 kinds
  uint16_t port = 0;        // UDP kinds
  uint32_t c_tag = 0;       // 3 octets when kCTag
  uint32_t s_tag = 0;       // 3 octets when kSTag

  static OuterHeaderCreation gtpu(uint32_t teid, const IpAddr& peer);
  friend bool operator==(const OuterHeaderCreation&, const OuterHeaderCreation&) = default;
};

// MBR (26) / GBR (27): 40-bit kilobits per second each.
struct Bitrate {
  uint64_t ul_kbps = 0;
  uint64_t dl_kbps = 0;
  friend bool operator==(const Bitrate&, const Bitrate&) = default;
};
inline constexpr uint64_t kMaxBitrateKbps = (uint64_t{1} << 40) - 1;

// Gate Status (25): 0 = OPEN, 1 = CLOSED (2 and 3 spare, kept as read).
struct GateStatus {
  static constexpr uint8_t kOpen = 0, kClosed = 1;
  uint8_t ul = kOpen;
  uint8_t dl = kOpen;
  friend bool operator==(const GateStatus&, const GateStatus&) = default;
};

// Offending IE (40): the type of the IE that caused a rejection.
struct OffendingIe {
  uint16_t type = 0;
  friend bool operator==(const OffendingIe&, const OffendingIe&) = default;
};

// Network instance labels: "internet.mnc001" <-> DNS labels. Network Instance (22) values
// are kept as raw octets in the model because both encodings occur in the field.
std::string dnn_from_labels(std::string_view wire);   // falls back to the raw text
std::vector<uint8_t> dnn_to_labels(std::string_view dotted);

// --- value codecs ---------------------------------------------------------------------
// decode_value(v, out): kOk, kIeBadLength (too short for what the flags announce) or
// kBadIeValue. encode_ie(w, x) appends type, length and value.
Status decode_value(Bytes v, NodeId& out);
Status decode_value(Bytes v, FSeid& out);
Status decode_value(Bytes v, FTeid& out);
Status decode_value(Bytes v, UeIpAddress& out);
Status decode_value(Bytes v, SdfFilter& out);
Status decode_value(Bytes v, OuterHeaderRemoval& out);
Status decode_value(Bytes v, ApplyAction& out);
Status decode_value(Bytes v, OuterHeaderCreation& out);
Status decode_value(Bytes v, Bitrate& out);
Status decode_value(Bytes v, GateStatus& out);
Status decode_value(Bytes v, OffendingIe& out);
Status decode_value(Bytes v, SourceInterface& out);
Status decode_value(Bytes v, DestinationInterface& out);
Status decode_value(Bytes v, Cause& out);
// Fixed-width unsigned integers (PDR ID: uint16_t; FAR/QER/URR ID, Precedence, Recovery
// Time Stamp, QER Correlation ID: uint32_t; Report Type, QFI, BAR ID: uint8_t).
Status decode_value(Bytes v, uint8_t& out);
Status decode_value(Bytes v, uint16_t& out);
Status decode_value(Bytes v, uint32_t& out);
// Octet strings (Network Instance, Application ID, Framed-Route, ...).
Status decode_value(Bytes v, std::string& out);

void encode_ie(ByteWriter& w, uint16_t type, const NodeId& x);
void encode_ie(ByteWriter& w, uint16_t type, const FSeid& x);
void encode_ie(ByteWriter& w, uint16_t type, const FTeid& x);
void encode_ie(ByteWriter& w, uint16_t type, const UeIpAddress& x);
void encode_ie(ByteWriter& w, uint16_t type, const SdfFilter& x);
void encode_ie(ByteWriter& w, uint16_t type, const OuterHeaderRemoval& x);
void encode_ie(ByteWriter& w, uint16_t type, const ApplyAction& x);
void encode_ie(ByteWriter& w, uint16_t type, const OuterHeaderCreation& x);
void encode_ie(ByteWriter& w, uint16_t type, const Bitrate& x);
void encode_ie(ByteWriter& w, uint16_t type, const GateStatus& x);
void encode_ie(ByteWriter& w, uint16_t type, const OffendingIe& x);
void encode_ie(ByteWriter& w, uint16_t type, SourceInterface x);
void encode_ie(ByteWriter& w, uint16_t type, DestinationInterface x);
void encode_ie(ByteWriter& w, uint16_t type, Cause x);
void encode_ie(ByteWriter& w, uint16_t type, uint8_t x);
void encode_ie(ByteWriter& w, uint16_t type, uint16_t x);
void encode_ie(ByteWriter& w, uint16_t type, uint32_t x);
bool encode_ie(ByteWriter& w, uint16_t type, std::string_view octets);  // false: > 65535, nothing written
// Raw TLV: enterprise_id is written (and 0x8000 must be set in type) when present.
bool encode_raw_ie(ByteWriter& w, uint16_t type, std::optional<uint16_t> enterprise_id,
                   Bytes value);  // false: too long, nothing written

// Grouped IE framing: begin writes type and a length placeholder, end patches the length
// (a value over 65535 octets is clamped and reported by the message encoder).
size_t begin_grouped(ByteWriter& w, uint16_t type);
bool end_grouped(ByteWriter& w, size_t at);  // false when the group overflowed 65535

}  // namespace mecguard::pfcp
