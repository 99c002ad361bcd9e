// `mecguard gen SCENARIO -o OUT.pcap [--labels OUT.jsonl] [--seed N] [--frames N]`: the
// deterministic scenario generator (src/gen). Exit 0 with a one-line summary; 2 when the
// scenario is invalid (every error printed with file:line path) or the arguments are;
// 1 when an output file cannot be written.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <system_error>

#include "cli/commands.h"
#include "gen/generator.h"
#include "gen/scenario.h"

namespace mecguard::cli {

namespace {
struct GenArgs {
  std::string scenario;
  std::string out;
  std::string labels;
  uint64_t seed = 0;
  uint64_t frames = 0;
};
}  // namespace

void register_gen(CLI::App& app) {
  auto args = std::make_shared<GenArgs>();
  auto* sub = app.add_subcommand(
      "gen", "Generate N4/N3/N6 traffic around one UPF (benign and attacks) from a scenario file");
  sub->add_option("scenario", args->scenario, "scenario YAML file (docs/scenarios.md)")->required();
  sub->add_option("-o,--out", args->out, "output pcap file")->required();
  sub->add_option("--labels", args->labels, "output labels file (JSON lines, one per frame)");
  auto* seed = sub->add_option("--seed", args->seed, "PRNG seed (overrides the scenario's seed)");
  auto* frames = sub->add_option("--frames", args->frames,
                                 "keep at most N frames (the first N in time order)");
  sub->callback([args, seed, frames] {
    auto sc = gen::load_scenario(args->scenario);
    if (!sc) {
      for (const auto& e : sc.error()) std::fprintf(stderr, "error: %s\n", e.to_string().c_str());
      std::fprintf(stderr, "mecguard gen: %zu error(s) in %s\n", sc.error().size(),
                   args->scenario.c_str());
      exit_status() = sc.error().size() == 1 && sc.error()[0].code == ErrorCode::kIo ? 1 : 2;
      return;
    }
    // Output folders are created as needed (`-o out/default.pcap` works in a fresh tree).
    for (const std::string& path : {args->out, args->labels}) {
      if (path.empty() || path == "-") continue;
      const auto parent = std::filesystem::path(path).parent_path();
      std::error_code ec;
      if (!parent.empty()) std::filesystem::create_directories(parent, ec);
      if (ec) {
        std::fprintf(stderr, "mecguard gen: %s: cannot create folder: %s\n", path.c_str(),
                     ec.message().c_str());
        exit_status() = 1;
        return;
      }
    }
    if (seed->count() > 0) sc->seed = args->seed;
    if (frames->count() > 0) sc->max_frames = args->frames;
    const auto t0 = std::chrono::steady_clock::now();
    auto sum = gen::generate(*sc, args->out, args->labels);
    const double secs =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (!sum) {
      std::fprintf(stderr, "mecguard gen: %s\n", sum.error().to_string().c_str());
      exit_status() = 1;
      return;
    }
    // With the capture on standard output the summary goes to standard error.
    std::fprintf(args->out == "-" ? stderr : stdout, "gen %s (seed %llu): %s [%.2fs]\n",
                 sc->name.c_str(), static_cast<unsigned long long>(sc->seed),
                 sum->to_string().c_str(), secs);
    exit_status() = 0;
  });
}

}  // namespace mecguard::cli
