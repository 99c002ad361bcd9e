// Seeded pseudo-random numbers for the scenario generator. The generator's output must be a
// pure function of (scenario, seed) on every platform, so this avoids std:: distributions
// (their algorithms differ between standard libraries) and uses xoshiro256** seeded through
// splitmix64, with integer-only bounded draws.
//
// Each part of a scenario (benign traffic, each attack, PFCP identifiers) draws from its own
// stream, derived from the seed and a stream name: toggling one attack leaves the frames of
// the others unchanged.
#pragma once

#include <cstdint>
#include <string_view>

namespace mecguard::gen {

inline uint64_t splitmix64(uint64_t& state) {
  uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

// FNV-1a over the stream name; mixed with the seed to select a stream.
inline uint64_t stream_id(std::string_view name) {
  uint64_t h = 0xCBF29CE484222325ULL;
  for (char c : name) {
    h ^= static_cast<uint8_t>(c);
    h *= 0x100000001B3ULL;
  }
  return h;
}

class Prng {
 public:
  explicit Prng(uint64_t seed, std::string_view stream = {}) {
    uint64_t sm = seed ^ stream_id(stream);
    for (auto& w : s_) w = splitmix64(sm);
  }

  uint64_t next() {
    const uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }
  uint32_t next32() { return static_cast<uint32_t>(next() >> 32); }

  // Uniform in [0, n); n == 0 yields 0. Rejection keeps it unbiased.
  uint64_t below(uint64_t n) {
    if (n == 0) return 0;
    const uint64_t threshold = (0 - n) % n;
    for (;;) {
      const uint64_t r = next();
      if (r >= threshold) return r % n;
    }
  }
  // Uniform in [lo, hi] (inclusive); hi < lo yields lo.
  uint64_t range(uint64_t lo, uint64_t hi) { return hi <= lo ? lo : lo + below(hi - lo + 1); }
  // True with probability permille/1000.
  bool chance_permille(uint32_t permille) { return below(1000) < permille; }

 private:
  static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  uint64_t s_[4];
};

}  // namespace mecguard::gen
