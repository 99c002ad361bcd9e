#include "guard/prefix_table.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <vector>

namespace mecguard::guard {
namespace {

IpPrefix P(const char* s) { return *IpPrefix::parse(s); }
IpAddr A(const char* s) { return *IpAddr::parse(s); }

TEST(PrefixTable, LongestPrefixWinsBothFamilies) {
  PrefixTable<int> t;
  t.add(P("0.0.0.0/0"), 1);
  t.add(P("10.0.0.0/8"), 2);
  t.add(P("10.45.0.0/16"), 3);
  t.add(P("10.45.7.9/32"), 4);
  t.add(P("255.255.255.255/32"), 5);
  t.add(P("2001:db8::/32"), 6);
  t.add(P("2001:db8:1::/48"), 7);
  t.build();
  EXPECT_EQ(t.lookup(A("192.0.2.1")), 1);
  EXPECT_EQ(t.lookup(A("10.1.1.1")), 2);
  EXPECT_EQ(t.lookup(A("10.45.7.8")), 3);
  EXPECT_EQ(t.lookup(A("10.45.7.9")), 4);
  EXPECT_EQ(t.lookup(A("10.45.7.10")), 3);
  EXPECT_EQ(t.lookup(A("10.46.0.0")), 2);
  EXPECT_EQ(t.lookup(A("11.0.0.0")), 1);
  EXPECT_EQ(t.lookup(A("255.255.255.255")), 5);
  EXPECT_EQ(t.lookup(A("255.255.255.254")), 1);
  EXPECT_EQ(t.lookup(A("0.0.0.0")), 1);
  EXPECT_EQ(t.lookup(A("2001:db8:1:ffff::1")), 7);
  EXPECT_EQ(t.lookup(A("2001:db8:2::1")), 6);
  EXPECT_FALSE(t.lookup(A("2001:db9::1")).has_value());
  EXPECT_FALSE(t.lookup(IpAddr{}).has_value());
}

TEST(PrefixTable, EmptyTableMatchesNothing) {
  PrefixTable<int> t;
  t.build();
  EXPECT_FALSE(t.lookup(A("1.2.3.4")).has_value());
  EXPECT_FALSE(t.lookup(A("::1")).has_value());
}

// Random laminar-or-not prefix sets (prefixes always are laminar) against brute force.
TEST(PrefixTable, MatchesBruteForceOnRandomSets) {
  std::mt19937 rng(7);
  for (int round = 0; round < 50; ++round) {
    PrefixTable<int> t;
    std::vector<std::pair<IpPrefix, int>> all;
    const int n = 1 + static_cast<int>(rng() % 60);
    for (int i = 0; i < n; ++i) {
      // Addresses inside 10.0.0.0/12 so prefixes overlap often.
      const uint32_t addr = 0x0A000000u | (rng() & 0x000FFFFFu);
      const auto len = static_cast<uint8_t>(12 + rng() % 21);
      const auto p = IpPrefix::make(IpAddr::v4(addr), len);
      bool dup = false;
      for (const auto& e : all) dup |= e.first == p;
      if (dup) continue;  // identical prefixes are a policy error, not a table case
      all.emplace_back(p, i);
      t.add(p, i);
    }
    t.build();
    for (int q = 0; q < 2000; ++q) {
      const auto a = IpAddr::v4(0x0A000000u | (rng() & 0x001FFFFFu));
      int best = -1, best_len = -1;
      for (const auto& [p, v] : all) {
        if (p.contains(a) && p.len > best_len) {
          best = v;
          best_len = p.len;
        }
      }
      const auto& got = t.lookup(a);
      if (best < 0) {
        ASSERT_FALSE(got.has_value()) << a.to_string();
      } else {
        ASSERT_TRUE(got.has_value()) << a.to_string();
        ASSERT_EQ(*got, best) << a.to_string() << " round " << round;
      }
    }
  }
}

// StartBuckets narrows the binary search to a bucket's intervals: it must give the same index
// as the plain search for every key, including each start, its neighbours and the bucket
// edges, whatever the array's size and how its starts cluster.
template <class Key>
void check_buckets(std::mt19937_64& rng, size_t n, Key spread_mask) {
  std::vector<Key> starts{Key{0}};
  auto random_key = [&rng] { return static_cast<Key>((static_cast<U128>(rng()) << 64) | rng()); };
  while (starts.size() < n) starts.push_back(static_cast<Key>(random_key() & spread_mask));
  std::sort(starts.begin(), starts.end());
  starts.erase(std::unique(starts.begin(), starts.end()), starts.end());
  StartBuckets<Key> b;
  b.build(starts);
  std::vector<Key> keys;
  for (Key s : starts) {
    keys.push_back(s);
    keys.push_back(static_cast<Key>(s - 1));
    keys.push_back(static_cast<Key>(s + 1));
  }
  for (int i = 0; i < 2000; ++i) keys.push_back(random_key());
  for (unsigned bit = 0; bit < sizeof(Key) * 8; ++bit) {
    keys.push_back(static_cast<Key>(Key{1} << bit));
    keys.push_back(static_cast<Key>((Key{1} << bit) - 1));
  }
  keys.push_back(static_cast<Key>(~Key{0}));
  for (Key k : keys) ASSERT_EQ(b.find(starts, k), last_not_above(starts, k)) << "n=" << starts.size();
}

TEST(StartBuckets, AgreesWithBinarySearch) {
  std::mt19937_64 rng(7);
  for (size_t n : {1, 2, 3, 17, 300, 5000, 40000}) {
    check_buckets<uint16_t>(rng, std::min<size_t>(n, 30000), 0xFFFF);
    check_buckets<uint16_t>(rng, std::min<size_t>(n, 200), 0x00FF);  // clustered in one bucket
    check_buckets<uint32_t>(rng, n, 0xFFFFFFFFu);
    check_buckets<uint32_t>(rng, n, 0x0000FFFFu);  // all in the lowest /16
    check_buckets<U128>(rng, n, ~U128{0});
  }
}

}  // namespace
}  // namespace mecguard::guard
