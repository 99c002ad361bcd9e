// mecguard benchmarks (Google Benchmark). Every case reports frames/s as items_per_second;
// the decode-only cases over the same frames are the baseline the pipeline is compared with
// (bench/run.sh and bench/scaling.sh print the ratios). Workloads are built once per
// configuration and cached. The pipeline cases use bench/workload.h's policy: every stage on,
// rate limits on every bucket kind (never reached), detection with its default thresholds.
//   build/bench/mecguard_bench                          # every case
//   build/bench/mecguard_bench --session-memory=N       # resident bytes per session (one size
//                                                       # per process; bench/scaling.sh runs it)
//   bench/scaling.sh                                    # the scaling table + CSV
#include <benchmark/benchmark.h>

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <tuple>

#include "decode/packet.h"
#include "gen/generator.h"
#include "gen/scenario.h"
#include "guard/pipeline.h"
#include "pfcp/message.h"
#include "workload.h"

namespace mecguard::bench {
namespace {

// Frames per workload; MECGUARD_BENCH_FRAMES overrides (the CI smoke run uses a few).
uint32_t frames_per_workload() {
  const char* env = std::getenv("MECGUARD_BENCH_FRAMES");
  const long n = env ? std::atol(env) : 0;
  return n > 0 ? static_cast<uint32_t>(n) : 1'000'000u;
}

// A smoke run (MECGUARD_BENCH_FRAMES below 100k, as CI's) skips the largest configurations,
// whose setup (learning 1M sessions, compiling 10k rules) would take most of its time.
bool too_big_for_smoke(uint32_t sessions, uint32_t rules) {
  return frames_per_workload() < 100'000 && (sessions > 100'000 || rules > 1000);
}

// Traffic by (sessions, attack percent); shared by the decode baseline and the pipeline cases.
const Traffic& traffic(uint32_t sessions, uint32_t attack_pct = 0) {
  static std::map<std::pair<uint32_t, uint32_t>, std::unique_ptr<Traffic>> cache;
  auto& t = cache[{sessions, attack_pct}];
  if (!t) t = make_uplink_traffic(sessions, frames_per_workload(), attack_pct / 100.0);
  return *t;
}

// Decode only (link layer to the inner L4 header), in batches of `batch`: the baseline.
void BM_Decode(benchmark::State& state) {
  const auto& t = traffic(static_cast<uint32_t>(state.range(0)));
  const size_t batch = static_cast<size_t>(state.range(1));
  std::vector<decode::DecodedPacket> pkts(batch);
  size_t i = 0;
  for (auto _ : state) {
    for (size_t b = 0; b < batch; ++b) {
      decode::decode_frame(t.frames[i].data, decode::LinkType::kEthernet, pkts[b]);
      if (++i == t.frames.size()) i = 0;
    }
    benchmark::DoNotOptimize(pkts.data());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * batch));
}

// The GTP-U decoder alone (header, extension chain, inner IP/L4) on the UDP payload.
void BM_DecodeGtpu(benchmark::State& state) {
  const auto& t = traffic(10000);
  const size_t batch = static_cast<size_t>(state.range(0));
  constexpr uint16_t kGtpuOffset = 14 + 20 + 8;  // Ethernet, IPv4, UDP
  std::vector<decode::DecodedPacket> pkts(batch);
  size_t i = 0;
  for (auto _ : state) {
    for (size_t b = 0; b < batch; ++b) {
      const Bytes f = t.frames[i].data;
      decode::decode_gtpu(f, kGtpuOffset, static_cast<uint16_t>(f.size() - kGtpuOffset), pkts[b]);
      if (++i == t.frames.size()) i = 0;
    }
    benchmark::DoNotOptimize(pkts.data());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * batch));
}

// The PFCP message decoder (header, IE walk, typed IEs) on establishment requests and responses.
void BM_DecodePfcp(benchmark::State& state) {
  static const auto messages = [] {
    std::vector<std::vector<uint8_t>> out;
    for (uint32_t i = 0; i < 512; ++i) {
      auto [req, resp] = establishment_frames(i);
      out.emplace_back(req.begin() + 42, req.end());
      out.emplace_back(resp.begin() + 42, resp.end());
    }
    return out;
  }();
  const size_t batch = static_cast<size_t>(state.range(0));
  size_t i = 0;
  for (auto _ : state) {
    for (size_t b = 0; b < batch; ++b) {
      auto m = pfcp::decode_message(Bytes(messages[i].data(), messages[i].size()));
      benchmark::DoNotOptimize(m);
      if (++i == messages.size()) i = 0;
    }
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * batch));
}

// One stage of the all-stages policy (100k sessions, 1k rules) over packets the pipeline
// decoded and classified beforehand; verdicts reset to pass before each batch, so every stage
// sees every packet. Registered per stage in main().
void BM_Stage(benchmark::State& state, size_t stage_index) {
  constexpr uint32_t kSessions = 100'000, kRules = 1000;
  struct Prepared {
    std::unique_ptr<guard::Pipeline> pipe;
    std::vector<guard::PacketCtx> ctx;
  };
  static const auto prepared = [] {
    auto p = std::make_unique<Prepared>();
    p->pipe = make_primed_pipeline(make_policy(kSessions, kRules), kSessions);
    const auto& t = traffic(kSessions);
    const size_t n = std::min<size_t>(t.frames.size(), 65536) / guard::Pipeline::kMaxBatch * guard::Pipeline::kMaxBatch;
    std::vector<guard::Verdict> v(guard::Pipeline::kMaxBatch);
    for (size_t i = 0; i < n; i += guard::Pipeline::kMaxBatch) {
      p->pipe->process(std::span(t.frames.data() + i, guard::Pipeline::kMaxBatch), v);
      const auto last = p->pipe->last_batch();
      p->ctx.insert(p->ctx.end(), last.begin(), last.end());
      p->pipe->worker().events().clear();
    }
    return p;
  }();
  const size_t batch = static_cast<size_t>(state.range(0));
  auto& pipe = *prepared->pipe;
  auto& ctx = const_cast<std::vector<guard::PacketCtx>&>(prepared->ctx);
  const auto& stages = pipe.worker().policy().stages;
  if (stage_index >= stages.size() || ctx.size() < batch) {
    state.SkipWithError("no such stage or too few frames");
    return;
  }
  guard::Stage& stage = *stages[stage_index];
  std::vector<guard::Verdict> verdicts(batch);
  const uint64_t pass_ns = ctx.back().ts_ns - ctx.front().ts_ns + 10'000;
  size_t i = 0;
  for (auto _ : state) {
    if (i + batch > ctx.size()) {
      i = 0;
      for (auto& p : ctx) p.ts_ns += pass_ns;  // packet time moves on (windows, buckets)
    }
    std::fill(verdicts.begin(), verdicts.end(), guard::Verdict{});
    stage.run(std::span(ctx.data() + i, batch), verdicts, pipe.worker());
    i += batch;
    pipe.worker().events().clear();
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * batch));
}

// The whole pipeline (decode, classify, every stage) over uplink G-PDUs of primed sessions.
// A first untimed pass over every frame warms the per-UE state and checks the verdicts: the
// attack frames, and only they, are dropped.
// A pipeline that has learned its sessions and passed one checked pass over its traffic, with
// the feed that carries on from there. Google Benchmark calls a case's function several times
// (growing the iteration count, then once per repetition); building the pipeline once per case
// and keeping it measures what a gateway does, one set of tables built at start and used from
// then on. Rebuilding it per call measured memory the process had just freed and mapped again:
// at 1M sessions the timed run read 10-25% slower, and decode + classify (which touches none of
// the rebuilt tables) took twice as long (docs/decisions/008).
struct PrimedCase {
  const Traffic* traffic = nullptr;
  std::unique_ptr<guard::Pipeline> pipe;
  std::unique_ptr<ShiftedBatches> feed;
  std::string error;  // why the case cannot run, when it cannot
};

PrimedCase build_case(uint32_t sessions, uint32_t rules, uint32_t attack_pct, size_t batch) {
  PrimedCase pc;
  const auto& t = traffic(sessions, attack_pct);
  pc.traffic = &t;
  pc.pipe = make_primed_pipeline(make_policy(sessions, rules), sessions);
  if (!pc.pipe || pc.pipe->worker().sessions().size() != sessions) {
    pc.error = "sessions were not learned";
    return pc;
  }
  if (t.frames.size() < batch) {
    pc.error = "fewer frames than a batch";
    return pc;
  }
  std::vector<guard::Verdict> verdicts(batch);
  for (size_t i = 0; i + batch <= t.frames.size(); i += batch) {
    pc.pipe->process(std::span(t.frames.data() + i, batch), verdicts);
    for (size_t k = 0; k < batch; ++k) {
      const bool dropped = verdicts[k].action == guard::Action::kDrop;
      if (dropped != (t.attack[i + k] != 0)) {
        pc.error = dropped ? "a benign frame was dropped" : "an attack frame passed";
        return pc;
      }
    }
    pc.pipe->worker().events().clear();
  }
  // Packet time moves on from pass to pass (copying the batch's descriptors is part of the
  // loop, as an I/O ring's would be).
  pc.feed = std::make_unique<ShiftedBatches>(t, batch);
  return pc;
}

PrimedCase& primed_case(uint32_t sessions, uint32_t rules, uint32_t attack_pct, size_t batch) {
  static std::map<std::tuple<uint32_t, uint32_t, uint32_t, size_t>, PrimedCase> cache;
  const auto key = std::make_tuple(sessions, rules, attack_pct, batch);
  auto it = cache.find(key);
  if (it == cache.end()) it = cache.emplace(key, build_case(sessions, rules, attack_pct, batch)).first;
  return it->second;
}

void BM_Pipeline(benchmark::State& state) {
  const auto sessions = static_cast<uint32_t>(state.range(0));
  const auto rules = static_cast<uint32_t>(state.range(1));
  const auto attack_pct = static_cast<uint32_t>(state.range(2));
  const size_t batch = static_cast<size_t>(state.range(3));
  if (too_big_for_smoke(sessions, rules)) {
    state.SkipWithError("skipped in a smoke run");
    return;
  }
  auto& pc = primed_case(sessions, rules, attack_pct, batch);
  if (!pc.error.empty()) {
    state.SkipWithError(pc.error.c_str());
    return;
  }
  guard::Pipeline& pipe = *pc.pipe;
  const Traffic& t = *pc.traffic;
  std::vector<guard::Verdict> verdicts(batch);
  const auto& c = pipe.worker().counters();
  const auto alerts_before = c.actions[static_cast<size_t>(guard::Action::kAlert)];
  for (auto _ : state) {
    pipe.process(pc.feed->next(), verdicts);
    pipe.worker().events().clear();
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * batch));
  state.counters["alerts"] = static_cast<double>(c.actions[static_cast<size_t>(guard::Action::kAlert)] - alerts_before);
  state.counters["attack_share"] = static_cast<double>(t.attack_frames) / static_cast<double>(t.frames.size());
  state.counters["table_bytes_per_session"] = static_cast<double>(pipe.worker().sessions().memory_bytes()) / sessions;
}

// Compile of a policy with N ACL rules (from the policy model: parse-free) and the swap into a
// running pipeline.
void BM_CompileAndSwap(benchmark::State& state) {
  const auto rules = static_cast<uint32_t>(state.range(0));
  if (too_big_for_smoke(0, rules)) {
    state.SkipWithError("skipped in a smoke run");
    return;
  }
  const auto policy = make_policy(1000, rules);
  auto pipe = make_primed_pipeline(policy, 1000);
  for (auto _ : state) {
    auto compiled = guard::compile_policy(policy);
    if (!compiled) {
      state.SkipWithError("compile failed");
      return;
    }
    pipe->set_policy(std::move(*compiled));
  }
  state.counters["rules"] = rules;
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

BENCHMARK(BM_Decode)
    ->ArgNames({"sessions", "batch"})
    ->Args({10000, 1})
    ->Args({10000, 32})
    ->Args({10000, 256})
    ->Args({100000, 256})
    ->Args({1000000, 256});
BENCHMARK(BM_DecodeGtpu)->ArgNames({"batch"})->Arg(1)->Arg(32)->Arg(256);
BENCHMARK(BM_DecodePfcp)->ArgNames({"batch"})->Arg(1)->Arg(32)->Arg(256);
// Batch sizes at 10k sessions; then the scaling axes around the target configuration
// (100k sessions, 1k rules): sessions, rules, attack share.
BENCHMARK(BM_Pipeline)
    ->ArgNames({"sessions", "rules", "attack_pct", "batch"})
    ->Args({10000, 100, 0, 1})
    ->Args({10000, 100, 0, 32})
    ->Args({10000, 100, 0, 256})
    ->Args({10000, 1000, 0, 256})
    ->Args({100000, 1000, 0, 256})
    ->Args({1000000, 1000, 0, 256})
    ->Args({100000, 100, 0, 256})
    ->Args({100000, 10000, 0, 256})
    ->Args({100000, 1000, 10, 256})
    ->Args({100000, 1000, 50, 256});
BENCHMARK(BM_CompileAndSwap)->ArgNames({"rules"})->Arg(100)->Arg(1000)->Arg(10000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_DecodeScenario)->Unit(benchmark::kMillisecond);

// Resident set size of this process, in bytes.
size_t rss_bytes() {
  std::ifstream statm("/proc/self/statm");
  size_t pages = 0, resident = 0;
  statm >> pages >> resident;
  return resident * static_cast<size_t>(sysconf(_SC_PAGESIZE));
}

// --session-memory=N: resident memory of a worker holding N sessions (1k-rule policy, every
// stage on), measured as RSS deltas within this process: after the pipeline is built and
// before any session, after N sessions were learned (the session table), and after one uplink
// G-PDU of every session went through (adds the per-UE rate and detection state). Frames are
// generated a batch at a time, so the workload itself adds nothing that stays resident.
int session_memory(uint32_t sessions) {
  auto compiled = guard::compile_policy(make_policy(sessions, 1000));
  if (!compiled) return 1;
  guard::Pipeline pipe(*compiled, limits_for(sessions), decode::LinkType::kEthernet);
  const size_t rss0 = rss_bytes();
  if (prime_sessions(pipe, sessions) != sessions) {
    std::fprintf(stderr, "session-memory: sessions were not learned\n");
    return 1;
  }
  const size_t rss1 = rss_bytes();
  std::vector<std::vector<uint8_t>> bytes;
  std::vector<guard::RawFrame> batch;
  std::vector<guard::Verdict> verdicts(guard::Pipeline::kMaxBatch);
  uint64_t dropped = 0;
  for (uint32_t s = 0; s < sessions;) {
    bytes.clear();
    batch.clear();
    for (; s < sessions && bytes.size() < guard::Pipeline::kMaxBatch; ++s) bytes.push_back(uplink_frame(s, s, 128, s));
    for (const auto& b : bytes) batch.push_back({Bytes(b.data(), b.size()), 1'000'000'000ull + s * 10ull, s});
    pipe.process(batch, verdicts);
    for (size_t k = 0; k < batch.size(); ++k) dropped += verdicts[k].action == guard::Action::kDrop;
    pipe.worker().events().clear();
  }
  const size_t rss2 = rss_bytes();
  const double n = sessions;
  std::printf("sessions,rss_before_kb,rss_sessions_kb,rss_traffic_kb,table_bytes_per_session,all_bytes_per_session,"
              "dropped\n%u,%zu,%zu,%zu,%.1f,%.1f,%llu\n",
              sessions, rss0 / 1024, rss1 / 1024, rss2 / 1024, static_cast<double>(rss1 - rss0) / n,
              static_cast<double>(rss2 - rss0) / n, static_cast<unsigned long long>(dropped));
  return dropped == 0 ? 0 : 1;
}

// Registers BM_Stage/<index>_<name>/batch:B for every stage of the all-stages policy.
void register_stage_benchmarks() {
  auto compiled = guard::compile_policy(make_policy(1000, 10));
  if (!compiled) return;
  const auto& stages = (*compiled)->stages;
  for (size_t s = 0; s < stages.size(); ++s) {
    const std::string name = "BM_Stage/" + std::to_string(s) + "_" + std::string(guard::stage_name(stages[s]->id()));
    benchmark::RegisterBenchmark(name.c_str(), BM_Stage, s)->ArgName("batch")->Arg(1)->Arg(32)->Arg(256);
  }
}

}  // namespace
}  // namespace mecguard::bench

int main(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    constexpr const char* kFlag = "--session-memory=";
    if (std::strncmp(argv[i], kFlag, std::strlen(kFlag)) == 0) {
      return mecguard::bench::session_memory(static_cast<uint32_t>(std::atol(argv[i] + std::strlen(kFlag))));
    }
  }
  mecguard::bench::register_stage_benchmarks();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
