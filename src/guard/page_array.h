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

#include <cstddef>
#include <cstdint>
#include <new>
#include <type_traits>
#include <utility>

namespace mecguard::guard {

// Reads one byte of every cache line of [p, p + n) with plain loads, which do not depend on one
// another, so the out-of-order core overlaps their misses. The data path's batch passes use this
// where one would use a software prefetch: on the machines this project is measured on, lines
// prefetched by a batch pass were not in cache when the next stage read them, while lines
// loaded this way were (docs/decisions/004: the rate stage's first read of a UE's buckets went
// from 113 to 18 ns per packet).
inline void fetch_lines(const void* p, size_t n) {
  const auto* c = static_cast<const volatile unsigned char*>(p);
  unsigned acc = 0;
  for (size_t off = 0; off < n; off += 64) acc |= c[off];
  if (n > 64 && n % 64 != 0) acc |= c[n - 1];  // an element that straddles one more line
  asm volatile("" : : "r"(acc));
}

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
  // Loads the lines of element i (fetch_lines), for a batch that reads it a little later.
  void fetch(size_t i) const { fetch_lines(data() + i, sizeof(T)); }

 private:
  PageMemory mem_;
  size_t capacity_ = 0;
};

}  // namespace mecguard::guard
