// IdTable: a compact hash index from a key to a 32-bit record id, for tables whose records
// hold their own keys (the session table's indexes). A slot is 8 bytes: the key's 32-bit hash
// and the id + 1 (0: empty, so calloc'd memory is an empty table). The table does not store
// keys: find() takes a predicate that checks a candidate id's record, called only for slots
// whose full 32-bit hash equals the key's, so a hit costs one record read that the caller
// makes anyway and a miss almost never reads a record.
//
// Layout: ordered linear probing without wrap-around. The home slot is the hash scaled to the
// slot count ((hash * n) >> 32), so homes are monotone in the hash, and the table is kept
// sorted by hash (each entry sits at max(home, previous entry + 1)). A lookup starts at the
// home slot, skips smaller hashes and stops at the first larger hash or empty slot: misses are
// as short as hits even at high load. A tail of spare slots after the last home takes the end
// of the last run; the very last slot stays empty, so scans end without bounds checks. Slot counts need not be powers of two, so the table grows by 1.5x and runs
// at load 0.53-0.8 (10-15 bytes per entry). Insert shifts the run right, erase shifts it back
// (no tombstones); growth re-places the sorted entries in one pass (control path only).
// Not thread-safe: state is per worker.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>

#include "guard/page_array.h"

namespace mecguard::guard {

class IdTable {
 public:
  static constexpr uint32_t kNone = 0xFFFFFFFFu;

  // Holds up to max_entries ids; starts with room for initial_entries and grows as they come.
  explicit IdTable(size_t max_entries, size_t initial_entries = 1024) : max_entries_(max_entries) {
    reallocate(homes_for(std::min(max_entries, initial_entries)));
  }

  size_t size() const { return size_; }
  size_t capacity() const { return max_entries_; }
  size_t slot_count() const { return total_; }
  size_t memory_bytes() const { return total_ * sizeof(Slot); }

  // Adds the home slot of `hash` to `lines`, for a batch that looks it up a little later.
  void fetch(uint32_t hash, LineBatch& lines) const { lines.add(&slots_[home(hash)], sizeof(Slot)); }

  // The id in the first slot holding this hash, unchecked (kNone if none): what a caller
  // fetches the record of before the find() that checks it.
  uint32_t first_candidate(uint32_t hash) const {
    const Slot* s = &slots_[home(hash)];
    while (s->id1 != 0 && s->hash < hash) ++s;
    return s->id1 != 0 && s->hash == hash ? s->id1 - 1 : kNone;
  }

  // The id of the first entry with this hash for which match(id) holds; kNone if none.
  template <class Match>
  uint32_t find(uint32_t hash, Match&& match) const {
    const Slot* s = &slots_[home(hash)];
    while (s->id1 != 0 && s->hash < hash) ++s;
    for (; s->id1 != 0 && s->hash == hash; ++s) {
      if (match(s->id1 - 1)) return s->id1 - 1;
    }
    return kNone;
  }

  // Adds (hash, id); the caller has checked that the key is absent. false at the bound.
  bool insert(uint32_t hash, uint32_t id) {
    if (size_ >= max_entries_) return false;
    if ((size_ + 1) * 5 > homes_ * 4 && homes_ < max_homes()) reallocate(std::min(max_homes(), homes_ + homes_ / 2));
    for (;;) {
      size_t p = home(hash);
      while (slots_[p].id1 != 0 && slots_[p].hash <= hash) ++p;
      size_t e = p;
      while (e + 1 < total_ && slots_[e].id1 != 0) ++e;
      if (e + 1 == total_) {  // the run would fill the last slot (kept empty to end scans)
        reallocate(homes_, tail_ * 2);
        continue;
      }
      std::memmove(&slots_[p + 1], &slots_[p], (e - p) * sizeof(Slot));
      slots_[p] = Slot{hash, id + 1};
      ++size_;
      return true;
    }
  }

  // Removes the entry (hash, id); false if there is none. Entries with the same hash and id
  // are interchangeable (same home), so either may go.
  bool erase(uint32_t hash, uint32_t id) {
    size_t p = home(hash);
    while (slots_[p].id1 != 0 && slots_[p].hash < hash) ++p;
    for (;; ++p) {
      if (slots_[p].id1 == 0 || slots_[p].hash != hash) return false;
      if (slots_[p].id1 == id + 1) break;
    }
    // Shift the rest of the run back while its entries are past their home slots.
    size_t q = p + 1;
    while (q < total_ && slots_[q].id1 != 0 && home(slots_[q].hash) < q) {
      slots_[q - 1] = slots_[q];
      ++q;
    }
    slots_[q - 1] = Slot{};
    --size_;
    return true;
  }

  void clear() {
    std::memset(slots_, 0, total_ * sizeof(Slot));
    size_ = 0;
  }

 private:
  struct Slot {
    uint32_t hash;
    uint32_t id1;  // id + 1; 0 marks an empty slot
  };
  static constexpr size_t kMaxLoadNum = 4, kMaxLoadDen = 5;  // 0.8

  size_t home(uint32_t hash) const { return static_cast<size_t>((uint64_t{hash} * homes_) >> 32); }
  static size_t homes_for(size_t entries) {
    return std::max<size_t>(16, (entries * kMaxLoadDen + kMaxLoadNum - 1) / kMaxLoadNum);
  }
  size_t max_homes() const { return homes_for(max_entries_); }
  static size_t default_tail(size_t homes) { return 64 + homes / 64; }

  // Moves to `homes` home slots (and a tail of at least `tail`), re-placing the entries in
  // hash order: each at max(its home, previous + 1).
  void reallocate(size_t homes, size_t tail = 0) {
    tail = std::max(tail, default_tail(homes));
    for (;;) {
      const size_t total = homes + tail;
      PageMemory mem(total * sizeof(Slot));  // zeroed: every slot empty
      Slot* fresh = static_cast<Slot*>(mem.data());
      const auto new_home = [homes](uint32_t h) { return static_cast<size_t>((uint64_t{h} * homes) >> 32); };
      size_t next = 0;
      bool fits = true;
      for (size_t j = 0; j < total_ && fits; ++j) {
        if (slots_[j].id1 == 0) continue;
        const size_t p = std::max(next, new_home(slots_[j].hash));
        if (p + 1 >= total) {
          fits = false;
          break;
        }
        fresh[p] = slots_[j];
        next = p + 1;
      }
      if (!fits) {
        tail *= 2;
        continue;
      }
      mem_ = std::move(mem);
      slots_ = fresh;
      homes_ = homes;
      tail_ = tail;
      total_ = total;
      return;
    }
  }

  PageMemory mem_;  // its own mapping: a grown table's old slots go back to the system
  Slot* slots_ = nullptr;
  size_t homes_ = 0;  // slots that are some hash's home
  size_t tail_ = 0;   // spare slots after them
  size_t total_ = 0;
  size_t size_ = 0;
  size_t max_entries_ = 0;
};

}  // namespace mecguard::guard
