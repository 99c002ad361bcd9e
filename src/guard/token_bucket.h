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
    if (!primed) {
      tokens = burst;
      last_ns = now_ns;
      primed = true;
    } else if (now_ns > last_ns) {
      tokens = std::min(burst, tokens + rate * static_cast<double>(now_ns - last_ns) * 1e-9);
      last_ns = now_ns;
    }
    if (tokens < cost) return false;
    tokens -= cost;
    return true;
  }
};

using policy::RateLimit;

// A packet-rate and a bit-rate bucket side by side (RateLimit: 0 means no limit).
struct DualBucket {
  TokenBucket packets;
  TokenBucket bits;
  // Both buckets must have room; neither is charged when one refuses.
  bool take(uint64_t now_ns, const RateLimit& limit, double burst_seconds, uint32_t bytes) {
    const double bits_cost = 8.0 * bytes;
    TokenBucket p = packets, b = bits;
    const bool ok_p = limit.pps <= 0 || p.take(now_ns, limit.pps, std::max(1.0, limit.pps * burst_seconds), 1.0);
    const bool ok_b = limit.bps <= 0 || b.take(now_ns, limit.bps, std::max(bits_cost, limit.bps * burst_seconds), bits_cost);
    if (!ok_p || !ok_b) {
      // Keep the refill, not the charge.
      if (limit.pps > 0) packets.take(now_ns, limit.pps, std::max(1.0, limit.pps * burst_seconds), 0.0);
      if (limit.bps > 0) bits.take(now_ns, limit.bps, std::max(bits_cost, limit.bps * burst_seconds), 0.0);
      return false;
    }
    packets = p;
    bits = b;
    return true;
  }
};

}  // namespace mecguard::guard
