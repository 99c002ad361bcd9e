// PrefixTable<V>: longest-prefix match for IPv4 and IPv6, compiled into flat sorted interval
// arrays searched by binary search. Built off the hot path (policy compile) from any set of
// prefixes; lookups never allocate. Callers: the zone stage (address -> zone), UE-group
// membership, and the ACL classifier's address dimensions.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <vector>

#include "common/ip.h"

namespace mecguard::guard {

__extension__ using U128 = unsigned __int128;

inline U128 v6_key(const IpAddr& a) {
  U128 k = 0;
  for (int i = 0; i < 16; ++i) k = (k << 8) | a.bytes[static_cast<size_t>(i)];
  return k;
}

// Index in `starts` of the last of the n elements from `first` that is <= k, given
// starts[first] <= k (sorted): a binary search whose steps are conditional moves, not branches
// (interval lookups sit on the data path of several stages, with keys the branch predictor
// cannot guess).
template <class Key>
inline size_t last_not_above(const std::vector<Key>& starts, size_t first, size_t n, Key k) {
  const Key* base = starts.data() + first;
  while (n > 1) {
    const size_t half = n / 2;
    base = base[half] <= k ? base + half : base;
    n -= half;
  }
  return static_cast<size_t>(base - starts.data());
}
// Over the whole of `starts` (non-empty, starts[0] <= k).
template <class Key>
inline size_t last_not_above(const std::vector<Key>& starts, Key k) {
  return last_not_above(starts, 0, starts.size(), k);
}

// For a sorted `starts` (starts[0] == 0): where each bucket of the key space, by its top bits,
// begins among the intervals, so that a lookup binary-searches only the intervals its bucket
// overlaps (a few steps instead of log2 of all of them). About one bucket per interval, at
// most 2^12 (16 KB). Built with the array.
template <class Key>
class StartBuckets {
 public:
  void build(const std::vector<Key>& starts) {
    unsigned bits = 1;
    while (bits < kMaxBits && (size_t{1} << bits) < starts.size()) ++bits;
    shift_ = kKeyBits - bits;
    const size_t n = size_t{1} << bits;
    first_.resize(n + 1);
    for (size_t b = 0; b < n; ++b) first_[b] = static_cast<uint32_t>(last_not_above(starts, static_cast<Key>(static_cast<Key>(b) << shift_)));
    first_[n] = static_cast<uint32_t>(starts.size() - 1);
  }
  // last_not_above(starts, k), for the `starts` this was built from.
  size_t find(const std::vector<Key>& starts, Key k) const {
    const auto b = static_cast<size_t>(k >> shift_);
    return last_not_above(starts, first_[b], first_[b + 1] - first_[b] + 1, k);
  }
  size_t memory_bytes() const { return first_.size() * sizeof(uint32_t); }

 private:
  static constexpr unsigned kKeyBits = sizeof(Key) * 8;
  static constexpr unsigned kMaxBits = 12;
  unsigned shift_ = kKeyBits - 1;
  std::vector<uint32_t> first_ = {0, 0, 0};  // before build(): two buckets over the first start
};

// Elementary intervals over an unsigned key space, each holding the value of the longest
// prefix that covers it (or none).
template <class Key, class V>
class IntervalLpm {
 public:
  struct Range {
    Key lo;
    Key hi;  // inclusive
    V value;
  };

  // Prefix ranges are laminar (two prefixes are disjoint or one contains the other). On
  // identical ranges the later one in `ranges` wins.
  void build(std::vector<Range> ranges) {
    starts_.clear();
    values_.clear();
    std::stable_sort(ranges.begin(), ranges.end(), [](const Range& a, const Range& b) {
      return a.lo != b.lo ? a.lo < b.lo : a.hi > b.hi;  // outer first
    });
    std::vector<const Range*> open;
    Key cursor = 0;
    bool exhausted = false;  // cursor passed the key space's end
    auto emit = [&](Key lo, const Range* owner) {
      std::optional<V> v;
      if (owner) v = owner->value;
      if (!starts_.empty() && values_.back() == v) return;  // merge with the previous interval
      starts_.push_back(lo);
      values_.push_back(v);
    };
    auto close_until = [&](Key limit_lo, bool all) {
      while (!open.empty() && (all || open.back()->hi < limit_lo)) {
        const Range* top = open.back();
        if (!exhausted) emit(cursor, top);
        if (top->hi == std::numeric_limits<Key>::max()) exhausted = true;
        else cursor = top->hi + 1;
        open.pop_back();
        // The interval after `top` belongs to its parent, emitted by the next close/emit.
      }
    };
    for (const Range& r : ranges) {
      close_until(r.lo, false);
      if (!exhausted && cursor < r.lo) emit(cursor, open.empty() ? nullptr : open.back());
      cursor = r.lo;
      exhausted = false;
      open.push_back(&r);
    }
    close_until(0, true);
    if (!exhausted) emit(cursor, nullptr);
    if (starts_.empty() || starts_.front() != 0) {
      starts_.insert(starts_.begin(), Key{0});
      values_.insert(values_.begin(), std::nullopt);
    }
    buckets_.build(starts_);
  }

  const std::optional<V>& lookup(Key k) const {
    // starts_[0] == 0, so the result index is always valid.
    return values_[buckets_.find(starts_, k)];
  }

  size_t interval_count() const { return starts_.size(); }

 private:
  std::vector<Key> starts_;
  std::vector<std::optional<V>> values_;
  StartBuckets<Key> buckets_;
};

template <class V>
class PrefixTable {
 public:
  void add(const IpPrefix& p, V value) { pending_.push_back({p, std::move(value)}); }

  // Compiles everything added so far; may be called again after more add()s.
  void build() {
    std::vector<typename IntervalLpm<uint32_t, V>::Range> r4;
    std::vector<typename IntervalLpm<U128, V>::Range> r6;
    for (const auto& [p, v] : pending_) {
      if (p.addr.is_v4()) {
        const uint32_t lo = p.addr.v4_host();
        const uint32_t span = p.len == 0 ? 0xFFFFFFFFu : (p.len >= 32 ? 0u : (0xFFFFFFFFu >> p.len));
        r4.push_back({lo, lo | span, v});
      } else if (p.addr.is_v6()) {
        const U128 lo = v6_key(p.addr);
        const U128 span = p.len == 0 ? ~U128{0} : (p.len >= 128 ? U128{0} : (~U128{0} >> p.len));
        r6.push_back({lo, lo | span, v});
      }
    }
    v4_.build(std::move(r4));
    v6_.build(std::move(r6));
  }

  const std::optional<V>& lookup(const IpAddr& a) const {
    if (a.is_v4()) return v4_.lookup(a.v4_host());
    if (a.is_v6()) return v6_.lookup(v6_key(a));
    return none_;
  }

  size_t size() const { return pending_.size(); }

 private:
  std::vector<std::pair<IpPrefix, V>> pending_;
  IntervalLpm<uint32_t, V> v4_;
  IntervalLpm<U128, V> v6_;
  std::optional<V> none_;
};

}  // namespace mecguard::guard
