// Small fixed-size sketches for the detectors (G11): memory stays bounded however many
// sources or destinations there are. Callers: the detect stage.
#pragma once

#include <array>
#include <cmath>
#include <cstdint>

#include "guard/flat_map.h"

namespace mecguard::guard {

// HyperLogLog with 64 one-byte registers: distinct-count estimates with ~13% standard error
// in 64 bytes (scan detection: distinct ports, distinct hosts; DDoS: distinct sources).
class Hll64 {
 public:
  void add(uint64_t item) {
    const uint64_t h = mix64(item ^ 0x5bd1e9955bd1e995ULL);
    const size_t idx = h & 63;
    const uint64_t rest = h >> 6;
    const uint8_t rank = static_cast<uint8_t>(rest == 0 ? 59 : __builtin_ctzll(rest) + 1);
    if (rank > reg_[idx]) reg_[idx] = rank;
  }
  double estimate() const {
    // Called per packet by the detectors, so no libm call and no chain of 64 dependent double
    // additions: 2^-r summed as integers scaled by 2^52 (independent lanes). While every rank is
    // at most 47 both sums are exact, hence equal; a higher rank (odds 2^-47 per item) takes the
    // plain loop.
    uint64_t scaled = 0;
    int zeros = 0;
    uint8_t top = 0;
    for (uint8_t r : reg_) {
      scaled += uint64_t{1} << (52 - (r < 52 ? r : 52));
      zeros += r == 0;
      top = r > top ? r : top;
    }
    double sum = static_cast<double>(scaled) * 0x1p-52;
    if (top > 47) {
      sum = 0;
      for (uint8_t r : reg_) sum += std::ldexp(1.0, -r);
    }
    constexpr double kM = 64, kAlpha = 0.709;
    const double e = kAlpha * kM * kM / sum;
    if (e <= 2.5 * kM && zeros > 0) return small_range(zeros);  // small-range correction
    return e;
  }
  void clear() { reg_.fill(0); }

  // Whether estimate() can exceed `threshold` after at most `adds` add() calls since clear(),
  // without reading the registers: with at most 45 items at least 19 registers are zero, so the
  // raw estimate stays below 2904/19 < 160 and the small-range correction applies, with at
  // least 64 - adds zeros. Lets a detector skip an estimate that cannot cross its threshold.
  static bool can_exceed(uint32_t adds, double threshold) {
    if (adds > 45) return true;
    return small_range(static_cast<int>(64 - adds)) > threshold - 1e-9;
  }

 private:
  // kM * log(kM / zeros), computed once per zero count.
  static double small_range(int zeros) {
    static const auto table = [] {
      std::array<double, 65> t{};
      for (int z = 1; z <= 64; ++z) t[static_cast<size_t>(z)] = 64.0 * std::log(64.0 / z);
      return t;
    }();
    return table[static_cast<size_t>(zeros)];
  }

  std::array<uint8_t, 64> reg_{};
};

}  // namespace mecguard::guard
