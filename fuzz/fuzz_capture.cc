// libFuzzer target: the capture reader (pcap/pcapng through libpcap) over arbitrary bytes,
// reading every batch and decoding every frame. A bad file must end in an error, never a
// crash, a hang or unbounded memory.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "capture/reader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto r = mecguard::capture::Reader::open_memory(mecguard::Bytes(data, size), "fuzz");
  if (!r) return 0;
  std::vector<mecguard::capture::Frame> frames(16);
  mecguard::decode::DecodedPacket pkt;
  while (size_t n = r->read_batch(frames)) {
    for (size_t i = 0; i < n; ++i) {
      if (frames[i].data.size() > mecguard::capture::kMaxFrameBytes) __builtin_trap();
      mecguard::decode::decode_frame(frames[i].data, r->link_type(), pkt);
    }
  }
  return 0;
}
