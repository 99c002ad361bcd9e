// FlatMap: an open-addressing hash map with linear probing and backward-shift deletion,
// sized once for a bounded number of entries. Used for per-worker tables keyed by value (routes,
// recently deleted tunnels, rate and detector tables, quarantine, the interner; the session
// indexes are IdTables): the slot array doubles as entries arrive, up to the bound (then insert
// says kFull); lookups touch one or two cache lines. Not thread-safe: state is per worker.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <new>
#include <type_traits>
#include <utility>

namespace mecguard::guard {

enum class InsertResult : uint8_t { kInserted, kUpdated, kFull };

template <class K, class V, class Hash>
class FlatMap {
 public:
  // Holds up to max_entries; the slot array is the next power of two >= max_entries / 0.7.
  // Holds up to max_entries. The slot array starts small and doubles (load factor 0.7) as
  // entries arrive, up to the power of two that holds max_entries: lookups stay in a table
  // sized for what is live, and memory follows use. Slots come zeroed from calloc.
  explicit FlatMap(size_t max_entries, size_t initial_entries = 1024) : max_entries_(max_entries) {
    static_assert(std::is_trivially_copyable_v<Slot> && std::is_trivially_destructible_v<Slot>,
                  "slots are created by calloc (implicit-lifetime types only)");
    allocate(slots_for(std::min(max_entries, initial_entries)));
  }

  size_t size() const { return size_; }
  size_t capacity() const { return max_entries_; }  // the bound, not the current slot count
  size_t slot_count() const { return mask_ + 1; }
  size_t memory_bytes() const { return slot_count() * sizeof(Slot); }

  V* find(const K& key) {
    Slot& s = slots_[probe(key)];
    return s.used ? &s.value : nullptr;
  }
  const V* find(const K& key) const { return const_cast<FlatMap*>(this)->find(key); }

  InsertResult insert_or_assign(const K& key, const V& value) {
    size_t i = probe(key);
    if (slots_[i].used) {
      slots_[i].value = value;
      return InsertResult::kUpdated;
    }
    return place(key, value, i) ? InsertResult::kInserted : InsertResult::kFull;
  }

  // The value of `key`, inserted as `init` when absent (one probe either way); nullptr when
  // absent and the map is at its bound.
  V* find_or_insert(const K& key, const V& init = V{}) {
    size_t i = probe(key);
    if (slots_[i].used) return &slots_[i].value;
    return place(key, init, i) ? &slots_[i].value : nullptr;
  }

  // Removes key; later entries of the probe run move back so no tombstones are needed.
  bool erase(const K& key) {
    size_t i = Hash{}(key) & mask_;
    for (;; i = (i + 1) & mask_) {
      if (!slots_[i].used) return false;
      if (slots_[i].key == key) break;
    }
    size_t hole = i;
    for (size_t j = (hole + 1) & mask_; slots_[j].used; j = (j + 1) & mask_) {
      const size_t home = Hash{}(slots_[j].key) & mask_;
      // Move j into the hole if its home is not in the cyclic range (hole, j].
      const bool home_after_hole = ((j - home) & mask_) >= ((j - hole) & mask_);
      if (home_after_hole) {
        slots_[hole] = std::move(slots_[j]);
        hole = j;
      }
    }
    slots_[hole] = Slot{};
    --size_;
    return true;
  }

  template <class F>
  void for_each(F&& f) const {
    for (size_t i = 0; i <= mask_; ++i) {
      if (slots_[i].used) f(slots_[i].key, slots_[i].value);
    }
  }

  void clear() {
    for (size_t i = 0; i <= mask_; ++i) slots_[i] = Slot{};
    size_ = 0;
  }

 private:
  // The slot holding `key`, or the free slot that ends its probe run.
  size_t probe(const K& key) const {
    size_t i = Hash{}(key) & mask_;
    while (slots_[i].used && !(slots_[i].key == key)) i = (i + 1) & mask_;
    return i;
  }
  // Puts a new key in free slot `i` (moved when the table grows); false at the bound.
  bool place(const K& key, const V& value, size_t& i) {
    if (size_ >= max_entries_) return false;
    if ((size_ + 1) * 10 > slot_count() * 7) {
      grow();
      i = probe(key);
    }
    slots_[i].used = true;
    slots_[i].key = key;
    slots_[i].value = value;
    ++size_;
    return true;
  }

  static size_t slots_for(size_t entries) {
    size_t slots = 16;
    while (slots * 7 < entries * 10) slots <<= 1;
    return slots;
  }
  void allocate(size_t slots) {
    mem_.reset(static_cast<Slot*>(std::calloc(slots, sizeof(Slot))));
    if (!mem_) throw std::bad_alloc();
    slots_ = mem_.get();
    mask_ = slots - 1;
  }
  // Doubles the slot array and re-inserts every entry (control path: inserts only).
  void grow() {
    auto old = std::move(mem_);
    const size_t old_slots = mask_ + 1;
    allocate(old_slots * 2);
    for (size_t j = 0; j < old_slots; ++j) {
      const Slot& s = old.get()[j];
      if (!s.used) continue;
      size_t i = Hash{}(s.key) & mask_;
      while (slots_[i].used) i = (i + 1) & mask_;
      slots_[i] = s;
    }
  }

  struct Slot {
    K key{};
    V value{};
    bool used = false;
  };
  struct Free {
    void operator()(Slot* p) const { std::free(p); }
  };
  std::unique_ptr<Slot, Free> mem_;
  Slot* slots_ = nullptr;  // mem_.get(); stays valid across moves
  size_t mask_ = 0;
  size_t size_ = 0;
  size_t max_entries_ = 0;
};

// A fast 64-bit mixer (splitmix64 finalizer) for integer keys.
inline uint64_t mix64(uint64_t x) {
  x ^= x >> 30;
  x *= 0xBF58476D1CE4E5B9ULL;
  x ^= x >> 27;
  x *= 0x94D049BB133111EBULL;
  x ^= x >> 31;
  return x;
}

}  // namespace mecguard::guard
