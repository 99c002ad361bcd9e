// TokenBucket: rate limiting by packet time (G9). Time is the packet timestamp offline and the
// clock inline, so `inspect` and `run` agree. The bucket holds at most `burst` units and
// refills at `rate` units per second; take() spends `cost` units when they are there.
// Callers: the rate-limit checks of the N4, GTP-U sanity and rate stages.
#pragma once

#include <algorithm>
#include <cstdint>

#include "policy/policy.h"

namespace mecguard::guard {

struct TokenBucket {
  double tokens = 0;
  uint64_t last_ns = 0;
  bool primed = false;

  // Whether `cost` units may pass at now_ns. A bucket starts full; time going backwards (a
  // reordered capture) refills nothing.
  bool take(uint64_t now_ns, double rate, double burst, double cost) {
    refill(now_ns, rate, burst);
    if (tokens < cost) return false;
    tokens -= cost;
    return true;
  }
  // Adds what accrued since the last packet (a fresh bucket starts full).
  void refill(uint64_t now_ns, double rate, double burst) {
    if (!primed) {
      tokens = burst;
      last_ns = now_ns;
      primed = true;
    } else if (now_ns > last_ns) {
      tokens = std::min(burst, tokens + rate * static_cast<double>(now_ns - last_ns) * 1e-9);
      last_ns = now_ns;
    }
  }
};

using policy::RateLimit;

// A packet-rate and a bit-rate bucket side by side (RateLimit: 0 means no limit), in 24 bytes:
// one timestamp for both (both refill at every packet), and a negative token count for a
// bucket that is not in use (fresh, or its limit is 0), which starts full when its limit is
// set. The per-UE buckets live in UeState, whose uplink half must fit two cache lines.
struct DualBucket {
  double packets = -1;
  double bits = -1;
  uint64_t last_ns = 0;

  // Both buckets must have room; neither is charged when one refuses.
  bool take(uint64_t now_ns, const RateLimit& limit, double burst_seconds, uint32_t bytes) {
    const double bits_cost = 8.0 * bytes;
    const bool by_packets = limit.pps > 0, by_bits = limit.bps > 0;
    // Time going backwards (a reordered capture) refills nothing.
    const double elapsed = now_ns > last_ns ? static_cast<double>(now_ns - last_ns) * 1e-9 : 0.0;
    if (now_ns > last_ns) last_ns = now_ns;
    packets = by_packets ? refill(packets, limit.pps, std::max(1.0, limit.pps * burst_seconds), elapsed) : -1;
    bits = by_bits ? refill(bits, limit.bps, std::max(bits_cost, limit.bps * burst_seconds), elapsed) : -1;
    // Keep the refill, not the charge, when either refuses.
    if ((by_packets && packets < 1.0) || (by_bits && bits < bits_cost)) return false;
    if (by_packets) packets -= 1.0;
    if (by_bits) bits -= bits_cost;
    return true;
  }

 private:
  static double refill(double tokens, double rate, double burst, double elapsed) {
    return tokens < 0 ? burst : std::min(burst, tokens + rate * elapsed);
  }
};
static_assert(sizeof(DualBucket) == 24);

}  // namespace mecguard::guard
