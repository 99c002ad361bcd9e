// TokenBucket and DualBucket (token_bucket.h).
#include "guard/token_bucket.h"

#include <gtest/gtest.h>

namespace mecguard::guard {
namespace {

constexpr uint64_t kSecond = 1'000'000'000;

int passes(DualBucket& b, uint64_t now, const RateLimit& limit, int n, uint32_t bytes = 100) {
  int passed = 0;
  for (int i = 0; i < n; ++i) passed += b.take(now, limit, 1.0, bytes) ? 1 : 0;
  return passed;
}

TEST(DualBucket, StartsFullAndRefillsAtTheRate) {
  DualBucket b;
  const RateLimit pps{10, 0};
  EXPECT_EQ(passes(b, 5 * kSecond, pps, 15), 10);
  EXPECT_EQ(passes(b, 5 * kSecond + kSecond / 2, pps, 15), 5);  // half a second: 5 tokens
  EXPECT_EQ(passes(b, 100 * kSecond, pps, 15), 10);              // never above the burst
}

TEST(DualBucket, BothLimitsMustHaveRoomAndARefusalChargesNeither) {
  DualBucket b;
  const RateLimit both{100, 8000};  // 100 packets, or 10 packets of 100 bytes, per second
  EXPECT_EQ(passes(b, kSecond, both, 20), 10);
  EXPECT_GE(b.packets, 89.0);  // the refused packets spent no packet tokens
  EXPECT_LT(b.bits, 800.0);
}

TEST(DualBucket, TimeGoingBackwardsRefillsNothing) {
  DualBucket b;
  const RateLimit pps{2, 0};
  EXPECT_EQ(passes(b, 10 * kSecond, pps, 3), 2);
  EXPECT_EQ(passes(b, 9 * kSecond, pps, 3), 0);
  EXPECT_EQ(passes(b, 10 * kSecond, pps, 3), 0);               // the clock had reached 10 s already
  EXPECT_EQ(passes(b, 10 * kSecond + kSecond / 2, pps, 3), 1);  // half a second past it: 1 token
}

// A limit set after a time without one starts full, as a fresh bucket does; the other bucket
// keeps its tokens.
TEST(DualBucket, ALimitTurnedOnStartsFull) {
  DualBucket b;
  EXPECT_EQ(passes(b, kSecond, RateLimit{3, 0}, 5), 3);
  EXPECT_LT(b.bits, 0.0);  // not in use
  EXPECT_EQ(passes(b, kSecond, RateLimit{3, 1600}, 5), 0);  // packets still empty
  EXPECT_DOUBLE_EQ(b.bits, 1600.0);
  EXPECT_EQ(passes(b, kSecond, RateLimit{0, 1600}, 5), 2);  // packet limit off: bits decide
  EXPECT_EQ(passes(b, kSecond, RateLimit{3, 1600}, 1), 0);  // bits spent
  EXPECT_EQ(passes(b, kSecond, RateLimit{3, 0}, 5), 3);     // packet bucket was off: full again
}

// TokenBucket keeps the same rules with one rate: fresh starts full, backwards time refills
// nothing, refill never passes the burst.
TEST(TokenBucket, StartsFullRefillsAndIgnoresTimeGoingBackwards) {
  TokenBucket b;
  int passed = 0;
  for (int i = 0; i < 5; ++i) passed += b.take(3 * kSecond, 2, 3, 1) ? 1 : 0;
  EXPECT_EQ(passed, 3);
  EXPECT_FALSE(b.take(2 * kSecond, 2, 3, 1));
  EXPECT_TRUE(b.take(3 * kSecond + kSecond / 2, 2, 3, 1));  // 0.5 s at 2/s: one token
  EXPECT_FALSE(b.take(3 * kSecond + kSecond / 2, 2, 3, 1));
  EXPECT_TRUE(b.take(100 * kSecond, 2, 3, 3));
  EXPECT_FALSE(b.take(100 * kSecond, 2, 3, 0.5));  // capped at the burst of 3, all spent
}

}  // namespace
}  // namespace mecguard::guard
