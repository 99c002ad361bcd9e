#include "guard/flat_map.h"

#include <gtest/gtest.h>

#include <random>
#include <unordered_map>

namespace mecguard::guard {
namespace {

struct Mix {
  size_t operator()(uint64_t k) const { return static_cast<size_t>(mix64(k)); }
};
// A deliberately bad hash that puts every key in a few buckets, to exercise wrap-around
// probe runs and backward-shift deletion.
struct Clump {
  // With 128 slots these homes are 126, 127 and 0: probe runs wrap past the end.
  size_t operator()(uint64_t k) const { return static_cast<size_t>((k % 3) + 126); }
};

TEST(FlatMap, InsertFindEraseAndBound) {
  FlatMap<uint64_t, uint32_t, Mix> m(100);
  for (uint64_t k = 1; k <= 100; ++k) {
    EXPECT_EQ(m.insert_or_assign(k, static_cast<uint32_t>(k * 2)), InsertResult::kInserted);
  }
  EXPECT_EQ(m.insert_or_assign(101, 1), InsertResult::kFull);
  EXPECT_EQ(m.insert_or_assign(50, 7), InsertResult::kUpdated);
  EXPECT_EQ(m.size(), 100u);
  ASSERT_NE(m.find(50), nullptr);
  EXPECT_EQ(*m.find(50), 7u);
  EXPECT_EQ(m.find(101), nullptr);
  EXPECT_TRUE(m.erase(50));
  EXPECT_FALSE(m.erase(50));
  EXPECT_EQ(m.find(50), nullptr);
  EXPECT_EQ(m.insert_or_assign(101, 1), InsertResult::kInserted);
}

template <class H>
void random_ops_match_reference(uint32_t seed) {
  FlatMap<uint64_t, uint64_t, H> m(64);
  std::unordered_map<uint64_t, uint64_t> ref;
  std::mt19937_64 rng(seed);
  for (int step = 0; step < 20000; ++step) {
    const uint64_t k = rng() % 96;
    switch (rng() % 3) {
      case 0: {
        const auto r = m.insert_or_assign(k, step);
        if (ref.count(k)) {
          ASSERT_EQ(r, InsertResult::kUpdated);
          ref[k] = static_cast<uint64_t>(step);
        } else if (ref.size() < 64) {
          ASSERT_EQ(r, InsertResult::kInserted);
          ref[k] = static_cast<uint64_t>(step);
        } else {
          ASSERT_EQ(r, InsertResult::kFull);
        }
        break;
      }
      case 1:
        ASSERT_EQ(m.erase(k), ref.erase(k) == 1);
        break;
      default: {
        const auto* v = m.find(k);
        auto it = ref.find(k);
        ASSERT_EQ(v != nullptr, it != ref.end()) << "key " << k << " step " << step;
        if (v) {
          ASSERT_EQ(*v, it->second);
        }
      }
    }
    ASSERT_EQ(m.size(), ref.size());
  }
}

TEST(FlatMap, RandomOpsMatchReference) { random_ops_match_reference<Mix>(1); }
TEST(FlatMap, RandomOpsMatchReferenceUnderCollisions) { random_ops_match_reference<Clump>(2); }

}  // namespace
}  // namespace mecguard::guard

namespace mecguard::guard {
namespace {

// Starts with room for 16 and grows by doubling to the bound, with erases interleaved.
TEST(FlatMap, GrowsToTheBoundAndKeepsEveryEntry) {
  FlatMap<uint64_t, uint64_t, Mix> m(5000, 16);
  const size_t initial_slots = m.slot_count();
  std::unordered_map<uint64_t, uint64_t> ref;
  std::mt19937_64 rng(3);
  for (int step = 0; step < 60000; ++step) {
    const uint64_t k = rng() % 8000;
    if (rng() % 4 == 0) {
      ASSERT_EQ(m.erase(k), ref.erase(k) == 1);
    } else {
      const auto r = m.insert_or_assign(k, k * 3);
      if (ref.count(k) || ref.size() < 5000) {
        ASSERT_NE(r, InsertResult::kFull);
        ref[k] = k * 3;
      } else {
        ASSERT_EQ(r, InsertResult::kFull);
      }
    }
  }
  EXPECT_EQ(m.size(), ref.size());
  for (const auto& [k, v] : ref) {
    ASSERT_NE(m.find(k), nullptr) << k;
    EXPECT_EQ(*m.find(k), v);
  }
  EXPECT_GT(m.slot_count(), initial_slots);
  EXPECT_LE(m.slot_count(), 8192u);  // the power of two that holds 5000 at load 0.7
}

}  // namespace
}  // namespace mecguard::guard
