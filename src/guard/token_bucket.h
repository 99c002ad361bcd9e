// Token buckets: rate limiting by packet time (G9). Time is the packet timestamp offline and the
// clock inline, so `inspect` and `run` agree. A bucket holds at most `burst` units and refills
// at `rate` units per second; take() spends `cost` units when they are there. A negative token
// count marks a bucket not in use (fresh), which starts full. TokenBucket: the per-peer PFCP and
// GTP-U Echo limits of the N4 and GTP-U sanity stages; DualBucket: the rate stage's packet and
// bit limits per UE, network instance and ACL rule.
#pragma once

#include <algorithm>
#include <cstdint>

#include "policy/policy.h"

namespace mecguard::guard {

namespace bucket {
// Seconds since `last_ns`, which moves on to now_ns; time going backwards (a reordered capture)
// gives 0 and leaves it.
inline double advance(uint64_t& last_ns, uint64_t now_ns) {
  if (now_ns <= last_ns) return 0.0;
  const double elapsed = static_cast<double>(now_ns - last_ns) * 1e-9;
  last_ns = now_ns;
  return elapsed;
}
// The tokens after `elapsed` seconds: a bucket not in use (negative) starts full.
inline double refill(double tokens, double rate, double burst, double elapsed) {
  return tokens < 0 ? burst : std::min(burst, tokens + rate * elapsed);
}
}  // namespace bucket

struct TokenBucket {
  double tokens = -1;
  uint64_t last_ns = 0;

  // Whether `cost` units may pass at now_ns.
  bool take(uint64_t now_ns, double rate, double burst, double cost) {
    tokens = bucket::refill(tokens, rate, burst, bucket::advance(last_ns, now_ns));
    if (tokens < cost) return false;
    tokens -= cost;
    return true;
  }
};

using policy::RateLimit;

// A packet-rate and a bit-rate bucket side by side (RateLimit: 0 means no limit), in 24 bytes:
// one timestamp for both (both refill at every packet); a bucket whose limit is 0 is not in
// use and starts full when its limit is set. A UE's uplink buckets live in its UeState (two
// cache lines with the detector state), its downlink buckets in the session record's second
// line (Session::downlink_rate).
struct DualBucket {
  double packets = -1;
  double bits = -1;
  uint64_t last_ns = 0;

  // Both buckets must have room; neither is charged when one refuses.
  bool take(uint64_t now_ns, const RateLimit& limit, double burst_seconds, uint32_t bytes) {
    const double bits_cost = 8.0 * bytes;
    const bool by_packets = limit.pps > 0, by_bits = limit.bps > 0;
    const double elapsed = bucket::advance(last_ns, now_ns);
    packets = by_packets ? bucket::refill(packets, limit.pps, std::max(1.0, limit.pps * burst_seconds), elapsed) : -1;
    bits = by_bits ? bucket::refill(bits, limit.bps, std::max(bits_cost, limit.bps * burst_seconds), elapsed) : -1;
    // Keep the refill, not the charge, when either refuses.
    if ((by_packets && packets < 1.0) || (by_bits && bits < bits_cost)) return false;
    if (by_packets) packets -= 1.0;
    if (by_bits) bits -= bits_cost;
    return true;
  }
};
static_assert(sizeof(DualBucket) == 24);

}  // namespace mecguard::guard
