// Deterministic mutation sweep (a small in-tree fuzzer that also runs under ASan/UBSan):
// mutated messages either fail with a table status or round-trip to an equal model.
#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "pfcp/message.h"
#include "samples.h"

namespace mecguard::pfcp {
namespace {

TEST(PfcpRobustness, MutationsFailCleanlyOrRoundTrip) {
  std::mt19937 rng(20240229);
  size_t decoded = 0, rejected = 0;
  for (const Message& seed : testing::sample_messages()) {
    const auto base = encode(seed);
    for (int i = 0; i < 400; ++i) {
      auto b = base;
      const int edits = 1 + static_cast<int>(rng() % 4);
      for (int k = 0; k < edits; ++k) {
        const size_t at = rng() % b.size();
        switch (rng() % 3) {
          case 0: b[at] = static_cast<uint8_t>(b[at] ^ (1u << (rng() % 8))); break;
          case 1: b[at] = static_cast<uint8_t>(rng()); break;
          default: b.resize(std::max<size_t>(at, 1)); break;
        }
      }
      auto r = decode_message(b);
      if (!r) {
        ++rejected;
        EXPECT_NE(r.error().status, Status::kOk);
        EXPECT_LT(static_cast<size_t>(r.error().status), kStatusCount);
        continue;
      }
      ++decoded;
      auto wire = try_encode(*r);
      ASSERT_TRUE(wire) << wire.error().to_string();
      auto again = decode_message(*wire);
      ASSERT_TRUE(again) << again.error().to_string();
      EXPECT_EQ(*again, *r);
    }
  }
  EXPECT_GT(decoded, 100u);
  EXPECT_GT(rejected, 100u);
}

}  // namespace
}  // namespace mecguard::pfcp
