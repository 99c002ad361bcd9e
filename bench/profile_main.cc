// mecguard_profile: the whole-pipeline workload of BM_Pipeline without Google Benchmark's
// repetitions, for instruction counts under callgrind (which the benchmark's trial runs would
// blur) and for perf. Establishes the sessions, warms every UE's state with one pass, then
// runs PASSES more passes inside timed_passes() and prints what it did. Per-packet cost of
// each function = its instructions inside timed_passes / packets:
//
//   valgrind --tool=callgrind --toggle-collect='mecguard::bench::timed_passes*'
//            build/bench/mecguard_profile SESSIONS RULES FRAMES PASSES
#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "workload.h"

namespace mecguard::bench {

// Not inlined, so that callgrind can toggle collection on it.
[[gnu::noinline]] uint64_t timed_passes(guard::Pipeline& pipe, ShiftedBatches& feed, uint32_t passes) {
  std::vector<guard::Verdict> verdicts(guard::Pipeline::kMaxBatch);
  uint64_t packets = 0;
  for (size_t b = 0; b < passes * feed.batches_per_pass(); ++b) {
    pipe.process(feed.next(), verdicts);
    pipe.worker().events().clear();
    packets += guard::Pipeline::kMaxBatch;
  }
  return packets;
}

// The core's clock in GHz while it is busy: a chain of dependent adds retires one a cycle on
// any out-of-order core, so adds per ns is cycles per ns. The median of three 50 ms runs, on
// the core the passes ran on, right after them (the boost clock they ran at). No hardware
// counters needed: this VM has none.
double core_ghz() {
  std::array<double, 3> ghz{};
  for (double& g : ghz) {
    constexpr uint64_t kAdds = 8;
    uint64_t x = 0, iterations = 0;
    const auto t0 = std::chrono::steady_clock::now();
    double ns = 0;
    while (ns < 50e6) {
      for (int i = 0; i < 100'000; ++i) {
        // Each add needs the one before; the empty asm keeps the compiler from folding them,
        // and unrolling keeps the loop's branch from being the bound.
#pragma GCC unroll 8
        for (uint64_t k = 0; k < kAdds; ++k) {
          x += 1;
          asm volatile("" : "+r"(x));
        }
      }
      iterations += 100'000;
      ns = std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - t0).count();
    }
    g = static_cast<double>(iterations * kAdds) / ns;
    if (x == 0) g = 0;  // keeps x live
  }
  std::sort(ghz.begin(), ghz.end());
  return ghz[1];
}

}  // namespace mecguard::bench

int main(int argc, char** argv) {
  using namespace mecguard;
  if (argc != 5) {
    std::fprintf(stderr, "usage: %s SESSIONS RULES FRAMES PASSES\n", argv[0]);
    return 2;
  }
  const auto sessions = static_cast<uint32_t>(std::strtoul(argv[1], nullptr, 10));
  const auto rules = static_cast<uint32_t>(std::strtoul(argv[2], nullptr, 10));
  const auto frames = static_cast<uint32_t>(std::strtoul(argv[3], nullptr, 10));
  const auto passes = static_cast<uint32_t>(std::strtoul(argv[4], nullptr, 10));
  if (sessions == 0 || frames < guard::Pipeline::kMaxBatch || passes == 0) {
    std::fprintf(stderr, "SESSIONS, PASSES > 0 and FRAMES >= %zu\n", guard::Pipeline::kMaxBatch);
    return 2;
  }
  auto pipe = bench::make_primed_pipeline(bench::make_policy(sessions, rules), sessions);
  if (!pipe) return 1;
  const auto traffic = bench::make_uplink_traffic(sessions, frames);
  bench::ShiftedBatches feed(*traffic, guard::Pipeline::kMaxBatch);
  bench::timed_passes(*pipe, feed, 1);  // warm: every UE's buckets and detector state
  const guard::Counters before = pipe->worker().counters();
  const uint64_t k0 = guard::ticks();
  const auto t0 = std::chrono::steady_clock::now();
  const uint64_t packets = bench::timed_passes(*pipe, feed, passes);
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const double ticks_per_ns = static_cast<double>(guard::ticks() - k0) / (secs * 1e9);
  const auto& c = pipe->worker().counters();
  uint64_t alerts = 0;
  for (auto a : c.alerts) alerts += a;
  std::printf("packets=%llu seconds=%.3f mpps=%.2f sessions=%zu alerts=%llu\n", static_cast<unsigned long long>(packets),
              secs, static_cast<double>(packets) / secs / 1e6, pipe->worker().sessions().size(),
              static_cast<unsigned long long>(alerts));
  // Where the time went: ns per packet in decode + classify and in each stage (Counters ticks).
  const auto per_packet = [&](uint64_t ticks) {
    return static_cast<double>(ticks) / ticks_per_ns / static_cast<double>(packets);
  };
  std::printf("ns_per_packet decode_classify=%.1f", per_packet(c.decode_ticks - before.decode_ticks));
  for (size_t s = 0; s < guard::kStageCount; ++s) {
    const uint64_t t = c.stage_ticks[s] - before.stage_ticks[s];
    if (t != 0) std::printf(" %s=%.1f", std::string(guard::stage_name(static_cast<guard::StageId>(s))).c_str(), per_packet(t));
  }
  std::printf("\n");
  // The same in core cycles (as VPP's clocks per packet), and the whole packet's.
  const double ghz = bench::core_ghz();
  std::printf("core_ghz=%.2f cycles_per_packet=%.0f\n", ghz, secs * 1e9 / static_cast<double>(packets) * ghz);
  return 0;
}
