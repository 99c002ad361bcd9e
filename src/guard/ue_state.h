// UeState: what a worker keeps per UE session beyond the session record itself, in one
// 128-byte record (two cache lines) beside the record in the session table's slot: the UE's
// uplink rate buckets (G9), its detector state and its learned behaviour profile (G11). The
// rate and detect stages of an uplink packet read it, and the TEID stage loads it for the batch
// in one place; on the machines measured here every line an uplink packet reads is one more
// miss once the sessions outgrow the cache (docs/decisions/005-lines-by-use.md). The downlink
// buckets sit in the session record's second line, which a downlink packet reads anyway
// (Session::downlink_rate). A new session's state is reset when the session is created
// (SessionTable::create), so a reused slot starts afresh (docs/decisions/009). Per worker, not
// thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>

#include "guard/page_array.h"
#include "guard/sketch.h"
#include "guard/token_bucket.h"

namespace mecguard::guard {

// Packed to 4-byte alignment (no padding around the 64-bit fields), with four-bit registers
// in 32-register sketches: the detector's per-packet state in 88 bytes. The learned profile's
// bitmaps (read at a window's end and when a packet adds a bucket) are UeProfile's.
#pragma pack(push, 4)
struct UeDetect {
  uint64_t window_start = 0;  // ns (when kLive)
  uint32_t pkts = 0, syn = 0, udp = 0, icmp = 0;
  float mean = 0, var = 0;    // EWMA of packets per window
  uint16_t fired = 0;         // bit per per-UE detection fired in this window (fired_bit)
  uint8_t windows = 0;        // windows seen, saturating at kBaselineWindows (the baseline needs a few)
  // Behaviour profile: 64-bit bitmaps of (protocol, destination port) buckets and of
  // destination host buckets (UeProfile), and a protocol set, learned over the first active
  // windows and then widened by every window that did not fire; `cur_*` is this window's.
  uint8_t prof_protos = 0, cur_protos = 0;
  uint8_t active_windows = 0;  // windows with traffic that went into the profile (saturates)
  uint8_t live = 0;            // bit 0 (kLive): the first window started;
                               // bit 1 (kSketchDirty): a sketch grew since the scan checks last estimated
  uint64_t cur_ports = 0, cur_hosts = 0;
  Hll32 ports;                // distinct (host, port) probes
  Hll32 hosts;                // distinct destination hosts

  static constexpr uint8_t kBaselineWindows = 10;
  static constexpr uint8_t kLive = 1, kSketchDirty = 2;
};
#pragma pack(pop)
static_assert(sizeof(UeDetect) == 88);

// The learned behaviour profile's port and host bitmaps (reset with UeDetect).
struct UeProfile {
  uint64_t ports = 0, hosts = 0;
};

// Two cache lines, all of them read by an uplink packet (the TEID stage loads both).
struct alignas(64) UeState {
  UeDetect detect;
  DualBucket uplink;  // packets and bits
  UeProfile profile;
};
static_assert(sizeof(UeState) == 128);

// The UeState of each session id, where its owner keeps it: beside each session's record in
// the SessionTable's slots (SessionTable::ue_states), `stride` bytes apart. A view: the
// storage belongs to the session table and outlives the view.
class UeStateTable {
 public:
  UeStateTable(UeState* first, size_t stride, size_t capacity)
      : base_(reinterpret_cast<unsigned char*>(first)), stride_(stride), capacity_(first ? capacity : 0) {}
  // The state of session `id`; nullptr past the bound.
  UeState* get(uint32_t id) { return id < capacity_ ? reinterpret_cast<UeState*>(at(id)) : nullptr; }
  // Adds the lines an uplink packet reads (the whole state) to `lines`.
  void fetch(uint32_t id, LineBatch& lines) const {
    if (id < capacity_) lines.add(at(id), sizeof(UeState));
  }

 private:
  unsigned char* at(uint32_t id) const { return base_ + size_t{id} * stride_; }
  unsigned char* base_;
  size_t stride_;
  size_t capacity_;
};

}  // namespace mecguard::guard
