// UeState: what a worker keeps per UE session beyond the session record itself, in one
// 256-byte record (four cache lines, sixteen to a page) indexed by SessionId: the UE's rate
// buckets (G9) and its detector state (G11). The rate and detect stages of a packet read the
// same record, which the TEID stage loads for the batch in one place; on the machines measured
// here a random read of a further array costs about a miss of its own
// (docs/decisions/004-per-ue-state.md). Each half carries the serial of the session it
// belongs to, so a reused slot starts afresh. Per worker, not thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>

#include "guard/page_array.h"
#include "guard/sketch.h"
#include "guard/token_bucket.h"

namespace mecguard::guard {

// A UE's token buckets, uplink and downlink (packets and bits each).
struct UeBuckets {
  uint32_t serial = 0;  // the session the buckets belong to (slots are reused)
  DualBucket uplink;
  DualBucket downlink;
};

// Packed to 4-byte alignment (no padding around the 64-bit fields) and with four-bit sketch
// registers: 144 bytes, held in an array by session id (was a 232-byte hash-table slot).
#pragma pack(push, 4)
struct UeDetect {
  uint32_t serial = 0;        // the session this state belongs to (when `live`)
  uint64_t window_start = 0;  // ns
  uint32_t pkts = 0, syn = 0, udp = 0, icmp = 0;
  uint32_t fired = 0;         // bit per Reason fired in this window
  float mean = 0, var = 0;    // EWMA of packets per window
  uint8_t windows = 0;        // windows seen, saturating at kBaselineWindows (the baseline needs a few)
  // Behaviour profile: 64-bit bitmaps of (protocol, destination port) buckets and of
  // destination host buckets, and a protocol set, learned over the first active windows and
  // then widened by every window that did not fire; `cur_*` is this window's.
  uint8_t prof_protos = 0, cur_protos = 0;
  uint8_t active_windows = 0;  // windows with traffic that went into the profile (saturates)
  uint8_t live = 0;            // bit 0 (kLive): in use (else serial means nothing yet);
                               // bit 1 (kSketchDirty): a sketch grew since the scan checks last estimated
  uint64_t prof_ports = 0, prof_hosts = 0, cur_ports = 0, cur_hosts = 0;
  Hll64 ports;                // distinct (host, port) probes
  Hll64 hosts;                // distinct destination hosts

  static constexpr uint8_t kBaselineWindows = 10;
  static constexpr uint8_t kLive = 1, kSketchDirty = 2;
};
#pragma pack(pop)
static_assert(sizeof(UeDetect) == 144);

struct alignas(64) UeState {
  UeBuckets rate;
  UeDetect detect;
};
static_assert(sizeof(UeState) == 256);

// Page-backed array of UeState by session id, sized for the session bound: resident only where
// sessions send.
class UeStateTable {
 public:
  explicit UeStateTable(size_t max_sessions) : states_(max_sessions) {}
  // The state of session `id`; nullptr past the bound.
  UeState* get(uint32_t id) { return id < states_.capacity() ? &states_[id] : nullptr; }
  void fetch(uint32_t id) const {
    if (id < states_.capacity()) states_.fetch(id);
  }

 private:
  PageArray<UeState> states_;
};

}  // namespace mecguard::guard
