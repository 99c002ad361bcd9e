// Small fixed-size sketches for the detectors (G11): memory stays bounded however many
// sources or destinations there are. Callers: the detect stage.
#pragma once

#include <array>
#include <cmath>
#include <cstdint>
#include <cstring>

#include "guard/flat_map.h"

namespace mecguard::guard {

// HyperLogLog with 64 four-bit registers: distinct-count estimates with ~13% standard error
// in 32 bytes (scan detection: distinct ports, distinct hosts; DDoS: distinct sources).
// A rank saturates at 15: a higher one needs 15 trailing zero bits of a hash (odds 2^-15 per
// distinct item) and would lower 2^-r by less than 2^-15, so estimates stay those of one-byte
// registers in every case the detectors meet (thresholds of tens to hundreds of items).
class Hll64 {
 public:
  static constexpr uint8_t kMaxRank = 15;

  // Returns whether a register grew (the estimate may have changed).
  bool add(uint64_t item) {
    const uint64_t h = mix64(item ^ 0x5bd1e9955bd1e995ULL);
    const size_t idx = h & 63;
    const uint64_t rest = h >> 6;
    const unsigned ctz = rest == 0 ? 58u : static_cast<unsigned>(__builtin_ctzll(rest));
    const unsigned rank = ctz + 1 < kMaxRank ? ctz + 1 : kMaxRank;
    uint8_t& b = reg_[idx >> 1];
    const unsigned shift = (idx & 1) * 4;
    const unsigned cur = (b >> shift) & 15u;
    if (rank <= cur) return false;
    b = static_cast<uint8_t>((b & ~(15u << shift)) | (rank << shift));
    return true;
  }
  double estimate() const {
    // Called per packet by the detectors, so no libm call and no chain of 64 dependent double
    // additions: 2^-r summed as integers scaled by 2^15 (exact, so equal to the plain sum),
    // two registers per table entry.
    uint64_t scaled = 0;
    for (uint8_t b : reg_) scaled += kPairSum[b];
    const double sum = static_cast<double>(scaled) * 0x1p-15;
    constexpr double kM = 64, kAlpha = 0.709;
    const double e = kAlpha * kM * kM / sum;
    if (e <= 2.5 * kM) {
      const int zeros = zero_registers();
      if (zeros > 0) return small_range(zeros);  // small-range correction
    }
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
  int zero_registers() const {
    int nonzero = 0;
    for (size_t i = 0; i < reg_.size(); i += 8) {
      uint64_t x;
      std::memcpy(&x, reg_.data() + i, 8);
      x |= x >> 1;
      x |= x >> 2;
      nonzero += __builtin_popcountll(x & 0x1111111111111111ULL);
    }
    return 64 - nonzero;
  }
  // 2^(15 - low nibble) + 2^(15 - high nibble) for every register byte.
  static constexpr std::array<uint32_t, 256> kPairSum = [] {
    std::array<uint32_t, 256> t{};
    for (unsigned b = 0; b < 256; ++b) t[b] = (1u << (15 - (b & 15))) + (1u << (15 - (b >> 4)));
    return t;
  }();
  // kM * log(kM / zeros), computed once.
  static double small_range(int zeros) {
    static const auto table = [] {
      std::array<double, 65> t{};
      for (int z = 1; z <= 64; ++z) t[static_cast<size_t>(z)] = 64.0 * std::log(64.0 / z);
      return t;
    }();
    return table[static_cast<size_t>(zeros)];
  }

  std::array<uint8_t, 32> reg_{};  // register 2k in the low nibble of byte k, 2k+1 in the high
};

}  // namespace mecguard::guard
