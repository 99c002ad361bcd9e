// mecguard benchmarks (Google Benchmark). Every case reports frames/s as items_per_second;
// the decode-only cases over the same frames are the baseline the pipeline is compared with
// (bench/run.sh prints the ratios). Workloads are built once per configuration and cached.
//   build/bench/mecguard_bench                     # default (small) configurations
//   bench/run.sh                                   # full table + CSV (scaling runs)
#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdlib>
#include <map>
#include <memory>
#include <tuple>

#include "decode/packet.h"
#include "gen/generator.h"
#include "gen/scenario.h"
#include "guard/pipeline.h"
#include "workload.h"

namespace mecguard::bench {
namespace {

// Frames per workload; MECGUARD_BENCH_FRAMES overrides (the CI smoke run uses a few).
uint32_t frames_per_workload() {
  const char* env = std::getenv("MECGUARD_BENCH_FRAMES");
  const long n = env ? std::atol(env) : 0;
  return n > 0 ? static_cast<uint32_t>(n) : 1'000'000u;
}

const Workload& workload(uint32_t sessions, uint32_t rules) {
  static std::map<std::pair<uint32_t, uint32_t>, std::unique_ptr<Workload>> cache;
  auto& w = cache[{sessions, rules}];
  if (!w) w = make_uplink_workload(sessions, frames_per_workload(), rules);
  return *w;
}

// Decode only, in batches of `batch`: the baseline.
void BM_Decode(benchmark::State& state) {
  const auto& w = workload(static_cast<uint32_t>(state.range(0)), 0);
  const size_t batch = static_cast<size_t>(state.range(1));
  std::vector<decode::DecodedPacket> pkts(batch);
  size_t i = 0;
  for (auto _ : state) {
    for (size_t b = 0; b < batch; ++b) {
      decode::decode_frame(w.frames[i].data, decode::LinkType::kEthernet, pkts[b]);
      if (++i == w.frames.size()) i = 0;
    }
    benchmark::DoNotOptimize(pkts.data());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * batch));
}

// The whole pipeline (decode, classify, every stage) over uplink G-PDUs of primed sessions.
void BM_Pipeline(benchmark::State& state) {
  const auto sessions = static_cast<uint32_t>(state.range(0));
  const auto rules = static_cast<uint32_t>(state.range(1));
  const size_t batch = static_cast<size_t>(state.range(2));
  const auto& w = workload(sessions, rules);
  auto pipe = make_primed_pipeline(w);
  if (!pipe || pipe->worker().sessions().size() != sessions) {
    state.SkipWithError("sessions were not learned");
    return;
  }
  std::vector<guard::Verdict> verdicts(batch);
  size_t i = 0;
  if (w.frames.size() < batch) {
    state.SkipWithError("fewer frames than a batch");
    return;
  }
  for (auto _ : state) {
    if (i + batch > w.frames.size()) i = 0;
    pipe->process(std::span(w.frames.data() + i, batch), verdicts);
    i += batch;
    pipe->worker().events().clear();
  }
  const auto& c = pipe->worker().counters();
  if (c.actions[static_cast<size_t>(guard::Action::kDrop)] != 0) state.SkipWithError("benign frames dropped");
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * batch));
  state.counters["session_bytes"] = static_cast<double>(pipe->worker().sessions().memory_bytes()) / sessions;
}

// parse-free compile of a policy with N ACL rules and the swap into a running pipeline.
void BM_CompileAndSwap(benchmark::State& state) {
  const auto rules = static_cast<uint32_t>(state.range(0));
  const auto& w = workload(1000, rules);
  auto pipe = make_primed_pipeline(w);
  for (auto _ : state) {
    auto compiled = guard::compile_policy(w.policy);
    if (!compiled) {
      state.SkipWithError("compile failed");
      return;
    }
    pipe->set_policy(std::move(*compiled));
  }
}

// Decode of the bundled 100k-frame scenario (examples/large-100k.yaml), held in memory.
void BM_DecodeScenario(benchmark::State& state) {
  static const auto generated = [] {
    auto sc = gen::load_scenario(MECGUARD_SOURCE_DIR "/examples/large-100k.yaml");
    return sc ? std::make_unique<gen::Generated>(gen::generate_frames(*sc)) : nullptr;
  }();
  if (!generated) {
    state.SkipWithError("cannot load examples/large-100k.yaml");
    return;
  }
  const auto& fs = generated->frames;
  decode::DecodedPacket pkt;
  for (auto _ : state) {
    for (size_t i = 0; i < fs.size(); ++i) {
      decode::decode_frame(fs.bytes(fs[i]), decode::LinkType::kEthernet, pkt);
      benchmark::DoNotOptimize(pkt.status);
    }
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * fs.size()));
}

BENCHMARK(BM_Decode)->ArgNames({"sessions", "batch"})->Args({10000, 1})->Args({10000, 32})->Args({10000, 256});
BENCHMARK(BM_Pipeline)
    ->ArgNames({"sessions", "rules", "batch"})
    ->Args({10000, 100, 1})
    ->Args({10000, 100, 32})
    ->Args({10000, 100, 256})
    ->Args({10000, 1000, 256});
BENCHMARK(BM_CompileAndSwap)->ArgNames({"rules"})->Arg(100)->Arg(1000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_DecodeScenario)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace mecguard::bench

BENCHMARK_MAIN();
