// FrameRing: the hand-off between the I/O thread and one worker, in stream order. One ring of
// fixed-size slots with three positions, each written by one thread:
//   produced  (I/O thread)  frames copied in from a port
//   processed (worker)      verdicts written into the slots
//   sent      (I/O thread)  passed frames transmitted on the other port, slots free again
// so a frame is copied once (port ring -> slot) and transmitted from its slot; order within a
// worker is kept end to end. Full ring: the I/O thread waits (back-pressure into the kernel
// ring, whose drops are counted), never overwrites.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <new>
#include <vector>

namespace mecguard::gateway {

struct SlotMeta {
  uint64_t ts_ns = 0;
  uint64_t seq = 0;       // receive sequence over both ports (1-based): the frame number
  uint32_t len = 0;
  uint8_t port = 0;       // ingress port index
  uint8_t shadow = 0;     // N4 copy for this worker's state only: never forwarded, not counted
  uint8_t forward = 0;    // set by the worker: transmit on the other port
};

class FrameRing {
 public:
  FrameRing(size_t capacity_pow2, size_t slot_bytes)
      : mask_(capacity_pow2 - 1), slot_bytes_(slot_bytes), meta_(capacity_pow2),
        data_(new uint8_t[capacity_pow2 * slot_bytes]) {}

  size_t capacity() const { return mask_ + 1; }
  size_t slot_bytes() const { return slot_bytes_; }
  SlotMeta& meta(uint64_t pos) { return meta_[pos & mask_]; }
  uint8_t* data(uint64_t pos) { return data_.get() + (pos & mask_) * slot_bytes_; }

  std::atomic<uint64_t>& produced() { return produced_; }
  std::atomic<uint64_t>& processed() { return processed_; }
  std::atomic<uint64_t>& sent() { return sent_; }

 private:
  size_t mask_;
  size_t slot_bytes_;
  std::vector<SlotMeta> meta_;
  std::unique_ptr<uint8_t[]> data_;
  alignas(64) std::atomic<uint64_t> produced_{0};
  alignas(64) std::atomic<uint64_t> processed_{0};
  alignas(64) std::atomic<uint64_t> sent_{0};
  alignas(64) char pad_[64] = {};
};

}  // namespace mecguard::gateway
