// mecguard_memprobe: what a random access to per-UE state costs on this machine, the question
// behind the per-session layout (docs/decisions/004). For N records it times a loop that, per
// item, reads one word from each of K arrays at a random index (each read's address depends on
// the previous read, as a packet's stage depends on its session lookup) and does a little
// arithmetic; K separate arrays of R-byte records against one array of K*R-byte records, with
// and without prefetching D items ahead. Prints ns per item.
//
//   build/bench/mecguard_memprobe [N=100000] [R=128] [K=4] [D=8]
#include <sys/mman.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "gen/prng.h"

namespace {

char* map(size_t bytes) {
  void* p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) {
    std::perror("mmap");
    std::exit(1);
  }
  madvise(p, bytes, MADV_HUGEPAGE);
  std::memset(p, 1, bytes);
  return static_cast<char*>(p);
}

// ns per item over `idx`, reading one word of each array at idx[i] * stride (+ offset k * rec
// within a fused record).
double run(const std::vector<char*>& arrays, size_t stride, size_t rec, const std::vector<uint32_t>& idx, size_t ahead) {
  const size_t k_count = arrays.size() == 1 ? stride / rec : 1;  // fused: K parts in one record
  const auto t0 = std::chrono::steady_clock::now();
  uint64_t s = 0;
  for (size_t i = 0; i < idx.size(); ++i) {
    if (ahead && i + ahead < idx.size()) {
      for (size_t a = 0; a < arrays.size(); ++a) {
        for (size_t k = 0; k < k_count; ++k) __builtin_prefetch(arrays[a] + size_t{idx[i + ahead]} * stride + k * rec);
      }
    }
    for (size_t a = 0; a < arrays.size(); ++a) {
      for (size_t k = 0; k < k_count; ++k) {
        uint64_t v;
        std::memcpy(&v, arrays[a] + size_t{idx[i]} * stride + k * rec + (s & 8), sizeof v);  // depends on s
        s += v;
      }
    }
    for (int w = 0; w < 10; ++w) s = s * 3 + 1;
  }
  const double ns = std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - t0).count();
  if (s == 42) std::puts("");  // keep s live
  return ns / static_cast<double>(idx.size());
}

}  // namespace

int main(int argc, char** argv) {
  const size_t n = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 100000;
  const size_t rec = argc > 2 ? std::strtoul(argv[2], nullptr, 10) : 128;
  const size_t k = argc > 3 ? std::strtoul(argv[3], nullptr, 10) : 4;
  const size_t ahead = argc > 4 ? std::strtoul(argv[4], nullptr, 10) : 8;
  if (n == 0 || rec < 16 || k == 0) {
    std::fprintf(stderr, "usage: %s [N>0] [R>=16] [K>0] [D]\n", argv[0]);
    return 2;
  }
  std::vector<uint32_t> idx(size_t{1} << 21);
  uint64_t seed = 1;
  for (auto& x : idx) x = static_cast<uint32_t>(mecguard::gen::splitmix64(seed) % n);
  std::vector<char*> separate;
  for (size_t a = 0; a < k; ++a) separate.push_back(map(n * rec));
  const std::vector<char*> fused{map(n * rec * k)};
  std::printf("records=%zu record_bytes=%zu parts=%zu prefetch_ahead=%zu\n", n, rec, k, ahead);
  for (int rep = 0; rep < 2; ++rep) {
    std::printf("separate arrays: %6.1f ns/item  prefetched: %6.1f ns/item\n", run(separate, rec, rec, idx, 0),
                run(separate, rec, rec, idx, ahead));
    std::printf("one record:      %6.1f ns/item  prefetched: %6.1f ns/item\n", run(fused, rec * k, rec, idx, 0),
                run(fused, rec * k, rec, idx, ahead));
  }
  return 0;
}
