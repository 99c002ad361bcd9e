// FlatMap and IdTable tests: behaviour against reference maps, bounds, growth, deletion.
#include "guard/flat_map.h"
#include "guard/id_table.h"

#include <gtest/gtest.h>

#include <random>
#include <unordered_map>
#include <vector>

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
    switch (rng() % 4) {
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
      case 2: {  // the value there, or the new one; nothing past the bound
        uint64_t* v = m.find_or_insert(k, static_cast<uint64_t>(step));
        if (ref.count(k)) {
          ASSERT_NE(v, nullptr);
          ASSERT_EQ(*v, ref[k]);
        } else if (ref.size() < 64) {
          ASSERT_NE(v, nullptr);
          ASSERT_EQ(*v, static_cast<uint64_t>(step));
          ref[k] = static_cast<uint64_t>(step);
        } else {
          ASSERT_EQ(v, nullptr);
        }
        break;
      }
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


// IdTable against a reference map, with records holding the keys (as the session table's),
// for a good hash and for one that puts many keys on the same 32-bit hash and at the end of
// the table (equal-hash runs, runs into the tail, growth with long runs).
void id_table_vs_reference(uint32_t (*hash)(uint64_t), size_t max_entries, int ops, uint32_t seed) {
  IdTable t(max_entries, 16);
  std::unordered_map<uint64_t, uint32_t> ref;
  std::vector<uint64_t> record_key(max_entries + 1, 0);
  std::vector<uint32_t> free_ids;
  uint32_t next_id = 0;
  std::mt19937_64 rng(seed);
  const auto lookup = [&](uint64_t k) {
    return t.find(hash(k), [&](uint32_t id) { return record_key[id] == k; });
  };
  for (int op = 0; op < ops; ++op) {
    const uint64_t k = rng() % (max_entries * 2) + 1;
    const auto it = ref.find(k);
    if (rng() % 3 != 0) {
      if (it != ref.end()) {
        ASSERT_EQ(lookup(k), it->second);
        continue;
      }
      ASSERT_EQ(lookup(k), IdTable::kNone);
      if (ref.size() >= max_entries) {
        ASSERT_FALSE(t.insert(hash(k), 0));
        continue;
      }
      uint32_t id = next_id;
      if (!free_ids.empty()) {
        id = free_ids.back();
        free_ids.pop_back();
      } else {
        ++next_id;
      }
      record_key[id] = k;
      ASSERT_TRUE(t.insert(hash(k), id));
      ref[k] = id;
    } else if (it != ref.end()) {
      ASSERT_TRUE(t.erase(hash(k), it->second));
      ASSERT_FALSE(t.erase(hash(k), it->second));
      record_key[it->second] = 0;
      free_ids.push_back(it->second);
      ref.erase(it);
      ASSERT_EQ(lookup(k), IdTable::kNone);
    }
    ASSERT_EQ(t.size(), ref.size());
  }
  for (const auto& [k, id] : ref) ASSERT_EQ(lookup(k), id);
  // Load stays at or under 0.8 of the home slots.
  EXPECT_LE(t.size() * 5, t.slot_count() * 4);
}

TEST(IdTable, MatchesReferenceMap) {
  id_table_vs_reference([](uint64_t k) { return static_cast<uint32_t>(mix64(k) >> 32); }, 5000, 200000, 1);
}

TEST(IdTable, EqualHashesAndRunsIntoTheTail) {
  // Eight distinct hashes, all near the top: every key's home is among the last slots.
  id_table_vs_reference([](uint64_t k) { return 0xFFFFFFF0u + static_cast<uint32_t>(k % 8); }, 300, 50000, 2);
  // Hashes spread over a few clumps.
  id_table_vs_reference([](uint64_t k) { return static_cast<uint32_t>(k % 4) << 30; }, 300, 50000, 3);
}

TEST(IdTable, BoundAndClear) {
  IdTable t(3);
  EXPECT_TRUE(t.insert(7, 0));
  EXPECT_TRUE(t.insert(7, 1));
  EXPECT_TRUE(t.insert(9, 2));
  EXPECT_FALSE(t.insert(11, 3));
  EXPECT_EQ(t.find(7, [](uint32_t id) { return id == 1; }), 1u);
  EXPECT_EQ(t.find(9, [](uint32_t id) { return id == 1; }), IdTable::kNone);
  t.clear();
  EXPECT_EQ(t.size(), 0u);
  EXPECT_EQ(t.find(7, [](uint32_t) { return true; }), IdTable::kNone);
}

}  // namespace
}  // namespace mecguard::guard
