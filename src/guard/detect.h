// Detection of abnormal traffic from masses of UEs (G11): per-UE flood and scan counters over
// a window of packet time, an EWMA baseline of each UE's packet rate, and DDoS convergence
// (many UEs toward one destination) from a bounded per-window destination table. Memory is
// bounded: per-UE state only for sessions (spoofed sources never reach this stage), a fixed
// destination table, 64-byte HyperLogLog sketches. Callers: the detect stage; tests.
#pragma once

#include <cstdint>
#include <memory>

#include "guard/flat_map.h"
#include "guard/pipeline.h"
#include "guard/sketch.h"

namespace mecguard::guard {

struct UeDetect {
  uint32_t serial = 0;        // the session this state belongs to
  uint64_t window_start = 0;  // ns
  uint32_t pkts = 0, syn = 0, udp = 0, icmp = 0;
  uint32_t fired = 0;         // bit per Reason fired in this window
  Hll64 ports;                // distinct (host, port) probes
  Hll64 hosts;                // distinct destination hosts
  float mean = 0, var = 0;    // EWMA of packets per window
  uint32_t windows = 0;       // windows seen (the baseline needs a few)
};

struct DstDetect {
  uint32_t syn = 0, udp = 0;
  Hll64 sources;
  bool flagged = false;
};

struct DetectState {
  explicit DetectState(size_t max_sessions) : ue(max_sessions), dst(8192), flagged(4096) {}
  struct U32Hash {
    size_t operator()(uint32_t k) const { return static_cast<size_t>(mix64(k)); }
  };
  struct AddrHash {
    size_t operator()(const IpAddr& a) const { return IpAddrHash{}(a); }
  };
  FlatMap<uint32_t, UeDetect, U32Hash> ue;    // by SessionId
  FlatMap<IpAddr, DstDetect, AddrHash> dst;   // this window's destinations (bounded, reset)
  FlatMap<IpAddr, uint64_t, AddrHash> flagged;  // DDoS targets -> flagged until (ns)
  uint64_t dst_window_start = 0;
  uint64_t dst_overflow = 0;                  // destinations not tracked: table full
};

std::unique_ptr<Stage> make_detect_stage();

}  // namespace mecguard::guard
