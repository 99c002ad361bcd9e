// PageArray<T>: a fixed-capacity array in an anonymous mapping of its own, for the per-session
// tables of a worker (session records, UeState, index slots). Address
// space for every element is reserved up front (MAP_NORESERVE), a page becomes resident when an
// element on it is first written, and the whole mapping returns to the system when the array
// goes. So an array sized for the session bound costs memory only for the sessions in use,
// never moves (no doubling, no copy, no second buffer while it grows), needs no chunk pointer
// to reach an element, and its freed memory does not linger in the heap (glibc serves large
// blocks from the heap once its mmap threshold has risen, and keeps what they leave behind).
//
// Elements start as all-zero bytes, so T must be trivially copyable and valid when zeroed.
// Mappings of kHugeBytes or more ask for transparent huge pages (madvise): the data path
// touches these arrays at random, and 2 MB pages keep their translations in the TLB.
// Not thread-safe; per worker like the tables that hold it.
#pragma once

#include <sys/mman.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <new>
#include <type_traits>
#include <utility>

namespace mecguard::guard {

// The cache lines a batch pass is about to need, gathered while their addresses are worked out
// and then read in one tight loop of plain loads (load()). The data path uses this where one
// would use software prefetches: on the machines this project is measured on, lines prefetched
// by a batch pass were not in cache when the next stage read them, while lines loaded were
// (docs/decisions/004: the rate stage's first read of a UE's buckets went from 113 to 18 ns
// per packet). A load that misses holds up retirement, so how many misses overlap is bounded
// by how many loads fit in the reorder window: a loop that does nothing else between its loads
// keeps several times more in flight than loads spread through a pass's other work. load()
// first prefetches every line and then loads them: the prefetches retire at once, so all the
// misses are started before the loads fill the reorder window, and the loads then wait on
// lines already on their way (docs/decisions/010: the TEID stage at 100k sessions 48 -> 41 ns
// per packet). Prefetches alone were not enough; prefetches followed by the loads are.
class LineBatch {
 public:
  static constexpr size_t kCapacity = 2048;  // lines; a full batch is loaded before it takes more

  // Adds the lines of [p, p + n), n > 0.
  void add(const void* p, size_t n) {
    const auto first = reinterpret_cast<uintptr_t>(p) >> 6;
    const auto last = (reinterpret_cast<uintptr_t>(p) + n - 1) >> 6;
    const auto count = std::min<size_t>(last - first + 1, kCapacity);
    if (size_ + count > kCapacity) load();
    for (uintptr_t l = first; l < first + count; ++l) lines_[size_++] = reinterpret_cast<const volatile unsigned char*>(l << 6);
  }
  // Reads one byte of every line added since the last load, and forgets them.
  void load() {
    for (size_t i = 0; i < size_; ++i) __builtin_prefetch(const_cast<const unsigned char*>(lines_[i]), 0, 3);
    unsigned acc = 0;
    for (size_t i = 0; i < size_; ++i) acc |= *lines_[i];
    asm volatile("" : : "r"(acc));
    size_ = 0;
  }
  size_t size() const { return size_; }

 private:
  size_t size_ = 0;
  const volatile unsigned char* lines_[kCapacity];
};

class PageMemory {
 public:
  static constexpr size_t kHugeBytes = size_t{2} << 20;  // one huge page

  PageMemory() = default;
  // Reserves `bytes` of zeroed memory; throws std::bad_alloc when the mapping fails.
  explicit PageMemory(size_t bytes) : bytes_(bytes) {
    if (bytes_ == 0) return;
    void* p = mmap(nullptr, bytes_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED) throw std::bad_alloc();
    data_ = p;
#ifdef MADV_HUGEPAGE
    if (bytes_ >= kHugeBytes) madvise(data_, bytes_, MADV_HUGEPAGE);  // advisory: failure is fine
#endif
  }
  ~PageMemory() { release(); }
  PageMemory(PageMemory&& o) noexcept : data_(std::exchange(o.data_, nullptr)), bytes_(std::exchange(o.bytes_, 0)) {}
  PageMemory& operator=(PageMemory&& o) noexcept {
    if (this != &o) {
      release();
      data_ = std::exchange(o.data_, nullptr);
      bytes_ = std::exchange(o.bytes_, 0);
    }
    return *this;
  }
  PageMemory(const PageMemory&) = delete;
  PageMemory& operator=(const PageMemory&) = delete;

  void* data() const { return data_; }

 private:
  void release() {
    if (data_) munmap(data_, bytes_);
    data_ = nullptr;
    bytes_ = 0;
  }
  void* data_ = nullptr;
  size_t bytes_ = 0;
};

template <class T>
class PageArray {
  static_assert(std::is_trivially_copyable_v<T>, "PageArray elements start as zero bytes");

 public:
  PageArray() = default;
  explicit PageArray(size_t capacity) : mem_(capacity * sizeof(T)), capacity_(capacity) {}

  size_t capacity() const { return capacity_; }
  T* data() { return static_cast<T*>(mem_.data()); }
  const T* data() const { return static_cast<const T*>(mem_.data()); }
  T& operator[](size_t i) { return data()[i]; }
  const T& operator[](size_t i) const { return data()[i]; }

 private:
  PageMemory mem_;
  size_t capacity_ = 0;
};

}  // namespace mecguard::guard
