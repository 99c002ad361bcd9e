// Small fixed-size sketches for the detectors (G11): memory stays bounded however many
// sources or destinations there are. Callers: the detect stage.
#pragma once

#include <array>
#include <cmath>
#include <cstdint>
#include <cstring>

#include "guard/flat_map.h"

namespace mecguard::guard {

// HyperLogLog with M four-bit registers (M = 32 or 64; M/2 bytes): distinct-count estimates
// with a standard error of about 1.04/sqrt(M) (18% at 32, 13% at 64), and in the small range
// the detectors meet (up to 2.5 M items) linear counting's, lower still. Per-UE scan sketches
// use 32 registers, so that a UE's per-packet state fits two cache lines (ue_state.h); the
// per-destination DDoS source count 64.
// A rank saturates at 15: a higher one needs 15 trailing zero bits of a hash (odds 2^-15 per
// distinct item) and would lower 2^-r by less than 2^-15, so estimates stay those of one-byte
// registers in every case the detectors meet (thresholds of tens to hundreds of items).
template <size_t M>
class Hll {
  static_assert(M == 32 || M == 64, "register index from the hash's low bits; 8 registers per 32-bit word");

 public:
  static constexpr uint8_t kMaxRank = 15;
  static constexpr unsigned kIndexBits = M == 64 ? 6 : 5;
  // The bias correction alpha(M) of Flajolet et al.
  static constexpr double kAlpha = M == 64 ? 0.709 : 0.697;

  // Returns whether a register grew (the estimate may have changed).
  bool add(uint64_t item) {
    const uint64_t h = mix64(item ^ 0x5bd1e9955bd1e995ULL);
    const size_t idx = h & (M - 1);
    const uint64_t rest = h >> kIndexBits;
    const unsigned ctz = rest == 0 ? 64u - kIndexBits : static_cast<unsigned>(__builtin_ctzll(rest));
    const unsigned rank = ctz + 1 < kMaxRank ? ctz + 1 : kMaxRank;
    uint8_t& b = reg_[idx >> 1];
    const unsigned shift = (idx & 1) * 4;
    const unsigned cur = (b >> shift) & 15u;
    if (rank <= cur) return false;
    b = static_cast<uint8_t>((b & ~(15u << shift)) | (rank << shift));
    return true;
  }
  double estimate() const {
    // Called per packet by the detectors, so no libm call and no chain of M dependent double
    // additions: 2^-r summed as integers scaled by 2^15 (exact, so equal to the plain sum),
    // two registers per table entry.
    uint64_t scaled = 0;
    for (uint8_t b : reg_) scaled += kPairSum[b];
    const double sum = static_cast<double>(scaled) * 0x1p-15;
    constexpr double kM = M;
    const double e = kAlpha * kM * kM / sum;
    if (e <= 2.5 * kM) {
      const int zeros = zero_registers();
      if (zeros > 0) return small_range(zeros);  // small-range correction
    }
    return e;
  }
  void clear() { reg_.fill(0); }

  // Whether estimate() can exceed `threshold` after at most `adds` add() calls since clear(),
  // without reading the registers. Every register contributes at least 1 to the sum when it is
  // zero, so with z >= M - adds zero registers the raw estimate is at most alpha M^2 / z; while
  // that is at most 2.5 M the small-range correction applies, and it grows as z falls. Lets a
  // detector skip an estimate that cannot cross its threshold.
  static bool can_exceed(uint32_t adds, double threshold) {
    if (adds > kMaxSmallAdds) return true;
    return small_range(static_cast<int>(M - adds)) > threshold - 1e-9;
  }

 private:
  // The most adds that leave enough zero registers for the small range: z >= alpha M / 2.5.
  static constexpr uint32_t kMaxSmallAdds = [] {
    uint32_t a = 0;
    while (a + 1 < M && kAlpha * M * M / static_cast<double>(M - (a + 1)) <= 2.5 * M) ++a;
    return a;
  }();
  static_assert(M != 64 || kMaxSmallAdds == 45);

  int zero_registers() const {
    int nonzero = 0;
    for (size_t i = 0; i < reg_.size(); i += 8) {
      uint64_t x;
      std::memcpy(&x, reg_.data() + i, 8);
      x |= x >> 1;
      x |= x >> 2;
      nonzero += __builtin_popcountll(x & 0x1111111111111111ULL);
    }
    return static_cast<int>(M) - nonzero;
  }
  // 2^(15 - low nibble) + 2^(15 - high nibble) for every register byte.
  static constexpr std::array<uint32_t, 256> kPairSum = [] {
    std::array<uint32_t, 256> t{};
    for (unsigned b = 0; b < 256; ++b) t[b] = (1u << (15 - (b & 15))) + (1u << (15 - (b >> 4)));
    return t;
  }();
  // M * log(M / zeros), computed once.
  static double small_range(int zeros) {
    static const auto table = [] {
      std::array<double, M + 1> t{};
      for (size_t z = 1; z <= M; ++z) t[z] = static_cast<double>(M) * std::log(static_cast<double>(M) / static_cast<double>(z));
      return t;
    }();
    return table[static_cast<size_t>(zeros)];
  }

  std::array<uint8_t, M / 2> reg_{};  // register 2k in the low nibble of byte k, 2k+1 in the high
};
using Hll32 = Hll<32>;
using Hll64 = Hll<64>;

}  // namespace mecguard::guard
