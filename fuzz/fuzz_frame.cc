// libFuzzer target: decode_frame over every supported link type. The first input byte
// picks the link type (low 3 bits, modulo 6) and whether the T-PDU is decoded (bit 7);
// the rest is the frame. Besides crashes, it traps when a decoded layer points outside
// the frame or a status is out of range.
#include <cstddef>
#include <cstdint>

#include "decode/packet.h"

using mecguard::Bytes;
using namespace mecguard::decode;

namespace {
constexpr LinkType kLinks[] = {LinkType::kEthernet, LinkType::kRaw,  LinkType::kLinuxSll,
                               LinkType::kIpv4,     LinkType::kIpv6, LinkType::kLinuxSll2};

void check(bool ok) {
  if (!ok) __builtin_trap();
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  DecodeOptions opts;
  opts.decode_inner = (data[0] & 0x80) == 0;
  const LinkType link = kLinks[(data[0] & 0x07) % 6];
  const Bytes frame(data + 1, size - 1);
  DecodedPacket d;
  const DecodeStatus st = decode_frame(frame, link, d, opts);
  const size_t n = frame.size();
  check(st == d.status && static_cast<size_t>(st) < kDecodeStatusCount);
  check(!d.outer_ip.present() || size_t{d.outer_ip.offset} + d.outer_ip.total_len <= n);
  check(!d.outer_l4.present() ||
        size_t{d.outer_l4.payload_offset} + d.outer_l4.payload_len <= n);
  check(!d.gtpu.present() || size_t{d.gtpu.payload_offset} + d.gtpu.payload_len <= n);
  check(!d.inner_ip.present() || size_t{d.inner_ip.offset} + d.inner_ip.total_len <= n);
  check(!d.inner_l4.present() ||
        size_t{d.inner_l4.payload_offset} + d.inner_l4.payload_len <= n);
  check(d.app != AppKind::kPfcp || size_t{d.pfcp_offset} + d.pfcp_len <= n);
  (void)status_name(st);
  return 0;
}
