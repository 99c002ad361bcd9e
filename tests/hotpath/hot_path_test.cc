// The hot path allocates nothing and takes no lock (issue 6: "no allocation or locks on the hot
// path"). This binary replaces the global operator new/delete and pthread_mutex_lock with
// counting versions, so it is its own test executable: it runs the benchmark's workload (PDU
// sessions learned from real PFCP frames, uplink G-PDUs, a policy with every stage on) through
// Pipeline::process after a warm-up pass and counts what the passes after it allocate and lock.
// Attack traffic (unknown TEIDs, spoofed sources) takes the drop paths and the event log, whose
// storage is reserved ahead: it too must allocate nothing once the log is cleared between
// batches as a gateway's event drain does.
#include <dlfcn.h>
#include <pthread.h>

#include <atomic>
#include <cstdlib>
#include <new>
#include <vector>

#include <gtest/gtest.h>

#include "workload.h"

namespace {
std::atomic<bool> g_counting{false};
std::atomic<uint64_t> g_allocs{0};
std::atomic<uint64_t> g_locks{0};

void* counted_alloc(std::size_t n) {
  if (g_counting.load(std::memory_order_relaxed)) g_allocs.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void* counted_aligned_alloc(std::size_t n, std::align_val_t al) {
  if (g_counting.load(std::memory_order_relaxed)) g_allocs.fetch_add(1, std::memory_order_relaxed);
  const auto a = static_cast<std::size_t>(al);
  if (void* p = std::aligned_alloc(a, (n + a - 1) / a * a)) return p;
  throw std::bad_alloc();
}
}  // namespace

void* operator new(std::size_t n) { return counted_alloc(n); }
void* operator new[](std::size_t n) { return counted_alloc(n); }
void* operator new(std::size_t n, std::align_val_t a) { return counted_aligned_alloc(n, a); }
void* operator new[](std::size_t n, std::align_val_t a) { return counted_aligned_alloc(n, a); }
// The nothrow forms too (std::stable_sort's temporary buffer uses them): every form must come
// from the same allocator as the deletes below.
void* operator new(std::size_t n, const std::nothrow_t&) noexcept {
  try {
    return counted_alloc(n);
  } catch (...) {
    return nullptr;
  }
}
void* operator new[](std::size_t n, const std::nothrow_t& t) noexcept { return operator new(n, t); }
void* operator new(std::size_t n, std::align_val_t a, const std::nothrow_t&) noexcept {
  try {
    return counted_aligned_alloc(n, a);
  } catch (...) {
    return nullptr;
  }
}
void* operator new[](std::size_t n, std::align_val_t a, const std::nothrow_t& t) noexcept {
  return operator new(n, a, t);
}

void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, std::align_val_t, const std::nothrow_t&) noexcept { std::free(p); }

// Every mutex lock in the process (std::mutex locks through it), counted, then passed on.
extern "C" int pthread_mutex_lock(pthread_mutex_t* m) {
  using Lock = int (*)(pthread_mutex_t*);
  static const auto real = reinterpret_cast<Lock>(dlsym(RTLD_NEXT, "pthread_mutex_lock"));
  if (g_counting.load(std::memory_order_relaxed)) g_locks.fetch_add(1, std::memory_order_relaxed);
  return real(m);
}

namespace mecguard::bench {
namespace {

struct Counts {
  uint64_t allocs = 0, locks = 0, packets = 0, dropped = 0;
};

// `passes` passes over the traffic after a warm-up pass, counting allocations and locks.
Counts run_passes(uint32_t sessions, uint32_t rules, double attack_share, uint32_t passes) {
  auto pipe = make_primed_pipeline(make_policy(sessions, rules), sessions);
  EXPECT_NE(pipe, nullptr);
  if (!pipe) return {};
  EXPECT_EQ(pipe->worker().sessions().size(), sessions);
  const auto traffic = make_uplink_traffic(sessions, 8 * guard::Pipeline::kMaxBatch, attack_share);
  ShiftedBatches feed(*traffic, guard::Pipeline::kMaxBatch);
  std::vector<guard::Verdict> verdicts(guard::Pipeline::kMaxBatch);
  const auto pass = [&] {
    Counts c;
    for (size_t b = 0; b < feed.batches_per_pass(); ++b) {
      pipe->process(feed.next(), verdicts);
      for (const auto& v : verdicts) c.dropped += v.action == guard::Action::kDrop;
      pipe->worker().events().clear();
      c.packets += guard::Pipeline::kMaxBatch;
    }
    return c;
  };
  pass();  // warm: first packets of each UE, event log and batch buffers at their size
  Counts total;
  g_allocs = 0;
  g_locks = 0;
  g_counting = true;
  for (uint32_t i = 0; i < passes; ++i) {
    const Counts c = pass();
    total.packets += c.packets;
    total.dropped += c.dropped;
  }
  g_counting = false;
  total.allocs = g_allocs;
  total.locks = g_locks;
  return total;
}

// The counters see what they are meant to: an allocation and a lock outside the pipeline.
TEST(HotPath, CountersSeeAllocationsAndLocks) {
  g_allocs = 0;
  g_locks = 0;
  g_counting = true;
  auto* v = new std::vector<int>(100);
  pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
  pthread_mutex_lock(&m);
  pthread_mutex_unlock(&m);
  g_counting = false;
  delete v;
  EXPECT_GE(g_allocs.load(), 2u);
  EXPECT_EQ(g_locks.load(), 1u);
}

TEST(HotPath, BenignUplinkTrafficAllocatesNothingAndLocksNothing) {
  const Counts c = run_passes(4096, 1000, 0.0, 4);
  EXPECT_EQ(c.packets, 4u * 8 * guard::Pipeline::kMaxBatch);
  EXPECT_EQ(c.dropped, 0u);  // every stage ran to its end
  EXPECT_EQ(c.allocs, 0u);
  EXPECT_EQ(c.locks, 0u);
}

TEST(HotPath, AttackTrafficDropsAllocateNothingAndLockNothing) {
  const Counts c = run_passes(4096, 1000, 0.5, 4);
  EXPECT_GT(c.dropped, c.packets / 4);  // half the frames are attacks (unknown TEID or spoofed)
  EXPECT_EQ(c.allocs, 0u);
  EXPECT_EQ(c.locks, 0u);
}

}  // namespace
}  // namespace mecguard::bench
