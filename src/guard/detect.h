// Detection of abnormal traffic from masses of UEs (G11): per-UE flood and scan counters over
// a window of packet time, an EWMA baseline of each UE's packet rate, DDoS convergence
// (many UEs toward one destination) from a bounded per-window destination table, session
// churn per UE address and re-establishment storms per N4 peer (from the N4 tracker's
// results), and behaviour change against a learned per-UE profile sketch. Memory is
// bounded: per-UE state only for sessions (spoofed sources never reach this stage), churn
// tables bounded by the session limit and aged out by generation, a fixed destination
// table, HyperLogLog sketches of 16 bytes (per UE) and 32 (per destination). Callers: the
// detect stage; tests.
#pragma once

#include <cstdint>
#include <memory>

#include "guard/flat_map.h"
#include "guard/pipeline.h"
#include "guard/sketch.h"
#include "guard/ue_state.h"

namespace mecguard::guard {


// Per-UE detector state: the detect half of each session's UeState (ue_state.h), indexed by
// session id.
class UeTable {
 public:
  explicit UeTable(UeStateTable& states) : states_(&states) {}
  // The state of session `id`; nullptr past the bound.
  UeState* get(uint32_t id) { return states_->get(id); }

 private:
  UeStateTable* states_;
};

// Session churn of one UE address (network instance + IPv4 address or IPv6 /64), keyed by a
// 64-bit hash of that identity (ChurnKey below; a collision of two of a worker's UE addresses
// is a 2^-64 event per pair) and with times in milliseconds since the detector's churn epoch:
// 24-byte slots, because a burst of establishments puts every UE in the table at once.
struct ChurnKey {
  uint64_t hi = 0;  // family, session-table network instance id, IPv4 address
  uint64_t lo = 0;  // IPv6 upper 64 bits
  uint64_t hash() const { return mix64(hi ^ mix64(lo)) | 1; }  // never 0
};
struct UeChurn {
  uint32_t window_start_ms = 0;   // the UE's churn window
  uint32_t last_establish_ms = 0;  // 0: none yet (times are 1 ms or more after the epoch)
  uint16_t events = 0;             // establishments, modifications, deletions in the window (saturates)
  bool fired = false;
};
struct PeerChurn {
  uint64_t window_start = 0;  // ns; detection window
  uint32_t reestablish = 0;   // establishments for UE addresses with a session in the churn window
  bool fired = false;
};

struct DstDetect {
  uint32_t syn = 0, udp = 0;
  Hll64 sources;
  bool flagged = false;
};

struct DetectState {
  DetectState(UeStateTable& states, size_t max_sessions)
      : ue(states), dst(8192), flagged(4096), churn{ChurnMap(max_sessions), ChurnMap(max_sessions)},
        peers(4096) {}
  UeTable ue;                                 // by SessionId (in the worker's UeStateTable)
  struct KeyIsHash {  // keys that are already 64-bit hashes
    size_t operator()(uint64_t k) const { return static_cast<size_t>(k); }
  };
  // Destinations are keyed by the 64-bit IpAddrHash of the address, which the detector has
  // computed anyway (it is one-to-one on IPv4 addresses; two IPv6 addresses that collide would
  // share a counter).
  FlatMap<uint64_t, DstDetect, KeyIsHash> dst;   // this window's destinations (bounded, reset)
  FlatMap<uint64_t, uint64_t, KeyIsHash> flagged;  // DDoS targets -> flagged until (ns)
  uint64_t dst_window_start = 0;
  uint64_t dst_overflow = 0;                  // destinations not tracked: table full
  struct U16Hash {
    size_t operator()(uint16_t k) const { return static_cast<size_t>(mix64(k)); }
  };
  using ChurnMap = FlatMap<uint64_t, UeChurn, KeyIsHash>;  // by ChurnKey::hash()
  // Two generations: churn[cur] holds UEs seen in this churn window, the other the window
  // before; at each window the older is cleared, so the tables hold only recent UEs.
  ChurnMap churn[2];
  size_t churn_cur = 0;
  uint64_t churn_gen_start = 0;
  uint64_t churn_epoch_ns = 0;  // churn times count from here (the first N4 change seen, less 1 ms)
  // A UE address's first establishment in a churn window is noted in its session record
  // (Session::churn_ms), not in the tables: a burst of new UEs adds no entries
  // (docs/decisions/012). Stamps of another epoch are void; serial 0 is never used.
  uint8_t churn_epoch_serial = 1;
  uint32_t churn_last_ms = 0;    // the latest churn time seen
  uint32_t churn_window_ms = 0;  // the churn window at that time
  FlatMap<uint16_t, PeerChurn, U16Hash> peers;  // by session-table address id of the SMF
  uint64_t n4_seen = 0;                         // N4Tracker::processed() already examined
  uint64_t churn_overflow = 0;                  // UE addresses not tracked: table full
};

std::unique_ptr<Stage> make_detect_stage();

// SessionTable::RemoveHook of the worker's session table, ctx the worker's DetectState: a
// session leaving the table with a recent establishment stamp leaves an entry in its place, so
// that a re-establishment after a deletion or flush is still seen as one.
void keep_churn_history(void* detect_state, const Session& s);

}  // namespace mecguard::guard
