// libFuzzer target: decode_gtpu over the whole input as one UDP payload (a GTP-U message),
// trapping when a decoded field points outside the input.
#include <cstddef>
#include <cstdint>

#include "decode/packet.h"

using mecguard::Bytes;
using namespace mecguard::decode;

namespace {
void check(bool ok) {
  if (!ok) __builtin_trap();
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 65535) return 0;
  DecodedPacket d;
  const DecodeStatus st = decode_gtpu(Bytes(data, size), 0, static_cast<uint16_t>(size), d);
  check(st == d.status && static_cast<size_t>(st) < kDecodeStatusCount);
  check(!d.gtpu.present() || size_t{d.gtpu.payload_offset} + d.gtpu.payload_len <= size);
  check(d.gtpu.supported_ext_count == 0 ||
        size_t{d.gtpu.supported_ext_offset} + d.gtpu.supported_ext_count <= size);
  check(!d.inner_ip.present() || size_t{d.inner_ip.offset} + d.inner_ip.total_len <= size);
  check(!d.inner_l4.present() ||
        size_t{d.inner_l4.payload_offset} + d.inner_l4.payload_len <= size);
  return 0;
}
