// UeState: what a worker keeps per UE session beyond the session record itself, in one
// 192-byte record (three cache lines) indexed by SessionId: the UE's rate buckets (G9) and its
// detector state (G11). The rate and detect stages of a packet read the same record, which the
// TEID stage loads for the batch in one place; on the machines measured here a random read of a
// further array costs about a miss of its own (docs/decisions/004-per-ue-state.md), and every
// line an uplink packet reads is one more miss once the sessions outgrow the cache
// (docs/decisions/005-lines-by-use.md). Each half carries the serial of the session it belongs
// to, so a reused slot starts afresh. Per worker, not thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>

#include "guard/page_array.h"
#include "guard/sketch.h"
#include "guard/token_bucket.h"

namespace mecguard::guard {

// Packed to 4-byte alignment (no padding around the 64-bit fields), with four-bit registers
// in 32-register sketches: the detector's per-packet state in 92 bytes. The learned profile's
// bitmaps (read at a window's end and when a packet adds a bucket) sit apart, in UeProfile.
#pragma pack(push, 4)
struct UeDetect {
  uint64_t window_start = 0;  // ns (when kLive)
  uint32_t pkts = 0, syn = 0, udp = 0, icmp = 0;
  uint32_t fired = 0;         // bit per Reason fired in this window
  float mean = 0, var = 0;    // EWMA of packets per window
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
static_assert(sizeof(UeDetect) == 92);

// The learned behaviour profile's port and host bitmaps (reset with UeDetect).
struct UeProfile {
  uint64_t ports = 0, hosts = 0;
};

// Laid out by use, three cache lines: an uplink packet reads lines 0-1 (the uplink half's
// serial, detector state and uplink buckets), a downlink packet line 2 (its own serial and the
// downlink buckets); the profile shares the downlink's line because the detector reads it
// rarely (a window's end, a new bucket, a new session).
struct alignas(64) UeState {
  uint32_t serial = 0;              // line 0: the session the uplink half belongs to (slots are reused)
  uint8_t claimed = 0;              //   serial is meaningful
  UeDetect detect;                  //   lines 0-1
  DualBucket uplink;                //   packets and bits
  alignas(64) uint32_t dl_serial = 0;  // line 2: the session the downlink buckets belong to
  uint8_t dl_claimed = 0;
  DualBucket downlink;
  UeProfile profile;

  // The uplink half (detector, uplink buckets, learned profile) starts afresh for a new
  // session in the slot; whichever stage sees the session's first uplink packet claims it.
  void claim_uplink(uint32_t session_serial) {
    if (claimed && serial == session_serial) return;
    serial = session_serial;
    claimed = 1;
    detect = UeDetect{};
    uplink = DualBucket{};
    profile = UeProfile{};
  }
  void claim_downlink(uint32_t session_serial) {
    if (dl_claimed && dl_serial == session_serial) return;
    dl_serial = session_serial;
    dl_claimed = 1;
    downlink = DualBucket{};
  }
  // Byte ranges a packet of each direction reads (for UeStateTable::fetch).
  static constexpr size_t kUplinkBytes = 128;
  static constexpr size_t kDownlinkOffset = 128;
};
static_assert(sizeof(UeState) == 192);
static_assert(offsetof(UeState, uplink) + sizeof(DualBucket) <= UeState::kUplinkBytes);
static_assert(offsetof(UeState, dl_serial) >= UeState::kDownlinkOffset);

// The UeState of each session id, where its owner keeps it: beside each session's record in
// the SessionTable's slots (SessionTable::ue_states), `stride` bytes apart. A view: the
// storage belongs to the session table and outlives the view.
class UeStateTable {
 public:
  UeStateTable(UeState* first, size_t stride, size_t capacity)
      : base_(reinterpret_cast<unsigned char*>(first)), stride_(stride), capacity_(first ? capacity : 0) {}
  // The state of session `id`; nullptr past the bound.
  UeState* get(uint32_t id) { return id < capacity_ ? reinterpret_cast<UeState*>(at(id)) : nullptr; }
  // Adds the lines a packet of this direction reads to `lines`.
  void fetch(uint32_t id, bool uplink, LineBatch& lines) const {
    if (id >= capacity_) return;
    const unsigned char* base = at(id);
    if (uplink) {
      lines.add(base, UeState::kUplinkBytes);
    } else {
      lines.add(base + UeState::kDownlinkOffset, sizeof(UeState) - UeState::kDownlinkOffset);
    }
  }

 private:
  unsigned char* at(uint32_t id) const { return base_ + size_t{id} * stride_; }
  unsigned char* base_;
  size_t stride_;
  size_t capacity_;
};

}  // namespace mecguard::guard
