#include "gen/prng.h"

#include <gtest/gtest.h>

#include <set>

namespace mecguard::gen {
namespace {

TEST(Prng, SameSeedAndStreamGiveSameSequence) {
  Prng a(42, "traffic"), b(42, "traffic");
  for (int i = 0; i < 1000; ++i) ASSERT_EQ(a.next(), b.next());
}

TEST(Prng, StreamsAndSeedsDiffer) {
  Prng a(42, "traffic"), b(42, "topology"), c(43, "traffic");
  const uint64_t x = a.next();
  EXPECT_NE(x, b.next());
  EXPECT_NE(x, c.next());
}

// Pinned values: a change to the generator algorithm changes every scenario's output, so it
// must be deliberate (update these and say so in the commit).
TEST(Prng, PinnedOutput) {
  uint64_t s = 0;
  EXPECT_EQ(splitmix64(s), 0xE220A8397B1DCDAFULL);
  Prng p(1, "");
  const uint64_t first = p.next();
  Prng q(1, "");
  EXPECT_EQ(first, q.next());
  EXPECT_EQ(stream_id(""), 0xCBF29CE484222325ULL);
  EXPECT_EQ(stream_id("a"), 0xAF63DC4C8601EC8CULL);
}

TEST(Prng, BelowStaysInRangeAndCoversIt) {
  Prng p(7, "x");
  std::set<uint64_t> seen;
  for (int i = 0; i < 10000; ++i) {
    const uint64_t v = p.below(10);
    ASSERT_LT(v, 10u);
    seen.insert(v);
  }
  EXPECT_EQ(seen.size(), 10u);
  EXPECT_EQ(p.below(0), 0u);
  EXPECT_EQ(p.below(1), 0u);
  for (int i = 0; i < 1000; ++i) {
    const uint64_t v = p.range(5, 7);
    ASSERT_GE(v, 5u);
    ASSERT_LE(v, 7u);
  }
  EXPECT_EQ(p.range(9, 3), 9u);
}

TEST(Prng, ChancePermilleExtremes) {
  Prng p(3, "c");
  for (int i = 0; i < 1000; ++i) {
    ASSERT_FALSE(p.chance_permille(0));
    ASSERT_TRUE(p.chance_permille(1000));
  }
}

}  // namespace
}  // namespace mecguard::gen
