// `mecguard inspect CAPTURE [--policy FILE]`: runs the guard pipeline over a capture, in
// batches, with the same Pipeline object the inline gateway uses, and writes per-frame
// verdicts, aggregated events, passed/dropped captures, counters and a summary.
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "capture/reader.h"
#include "capture/writer.h"
#include "cli/commands.h"
#include "guard/events.h"
#include "guard/pipeline.h"
#include "guard/stats_json.h"
#include "policy/policy.h"

#ifndef MECGUARD_DEFAULT_POLICY
#define MECGUARD_DEFAULT_POLICY "config/default-policy.yaml"
#endif

namespace mecguard::cli {

namespace {

struct InspectArgs {
  std::string capture;
  std::string policy = MECGUARD_DEFAULT_POLICY;
  std::string verdicts, events, passed, dropped, stats, quarantine;
  size_t batch = 256;
  bool quiet = false;
};

struct FileCloser {
  void operator()(std::FILE* f) const {
    if (f && f != stdout) std::fclose(f);
  }
};
using File = std::unique_ptr<std::FILE, FileCloser>;

File open_out(const std::string& path) {
  if (path.empty()) return nullptr;
  if (path == "-") return File(stdout);
  return File(std::fopen(path.c_str(), "w"));
}

// One verdict line, formatted by hand: this runs once per frame.
void write_verdict(std::FILE* f, const guard::PacketCtx& p, const guard::Verdict& v, const guard::Worker& w) {
  char buf[512];
  int n = std::snprintf(buf, sizeof buf, "{\"frame\":%" PRIu64 ",\"action\":\"%s\"", p.frame,
                        std::string(guard::action_name(v.action)).c_str());
  if (v.reason != guard::Reason::kNone) {
    n += std::snprintf(buf + n, sizeof buf - static_cast<size_t>(n), ",\"stage\":\"%s\",\"reason\":\"%s\"%s",
                       std::string(guard::stage_name(guard::reason_stage(v.reason))).c_str(),
                       std::string(guard::reason_name(v.reason)).c_str(), v.monitored ? ",\"monitored\":true" : "");
  }
  if (v.rule_id != 0) n += std::snprintf(buf + n, sizeof buf - static_cast<size_t>(n), ",\"rule_id\":%u", v.rule_id);
  const IpAddr* ue = p.ue_addr();
  if (ue) n += std::snprintf(buf + n, sizeof buf - static_cast<size_t>(n), ",\"ue\":\"%s\"", ue->to_string().c_str());
  if (const auto* s = w.sessions().get(p.session)) {
    n += std::snprintf(buf + n, sizeof buf - static_cast<size_t>(n), ",\"session\":\"0x%016" PRIx64 "\"", s->up_seid);
  }
  n += std::snprintf(buf + n, sizeof buf - static_cast<size_t>(n), ",\"flow\":\"%s\"}\n",
                     std::string(guard::flow_name(p.flow)).c_str());
  std::fwrite(buf, 1, static_cast<size_t>(n), f);
}

nlohmann::json stats_json(const guard::Worker& w, uint64_t events_written, uint64_t events_suppressed) {
  guard::StatsView v;
  v.counters = &w.counters();
  v.policy = &w.policy();
  v.n4 = w.n4().counters();
  v.sessions_live = w.sessions().size();
  v.sessions_capacity = w.sessions().capacity();
  v.events_written = events_written;
  v.events_suppressed = events_suppressed;
  return guard::stats_json(v);
}

int run_inspect(const InspectArgs& a) {
  auto pol = policy::load_policy_file(a.policy);
  if (!pol) {
    for (const auto& e : pol.error()) std::fprintf(stderr, "%s\n", e.to_string().c_str());
    return 2;
  }
  auto compiled = guard::compile_policy(*pol);
  if (!compiled) {
    std::fprintf(stderr, "%s\n", compiled.error().to_string().c_str());
    return 2;
  }
  auto reader = capture::Reader::open(a.capture);
  if (!reader) {
    std::fprintf(stderr, "mecguard inspect: %s\n", reader.error().to_string().c_str());
    return 1;
  }
  guard::Worker::Limits limits;
  limits.sessions.max_sessions = pol->limits.max_sessions;
  guard::Pipeline pipeline(*compiled, limits, reader->link_type());

  File verdicts = open_out(a.verdicts), events = open_out(a.events), stats = open_out(a.stats);
  for (const auto& [path, f] : {std::pair{&a.verdicts, verdicts.get()}, std::pair{&a.events, events.get()},
                                std::pair{&a.stats, stats.get()}}) {
    if (!path->empty() && !f) {
      std::fprintf(stderr, "mecguard inspect: cannot write %s\n", path->c_str());
      return 1;
    }
  }
  std::optional<capture::Writer> passed, dropped;
  for (const auto& [path, w] : {std::pair{&a.passed, &passed}, std::pair{&a.dropped, &dropped}}) {
    if (path->empty()) continue;
    auto opened = capture::Writer::open(*path, reader->link_type());
    if (!opened) {
      std::fprintf(stderr, "mecguard inspect: %s\n", opened.error().to_string().c_str());
      return 1;
    }
    w->emplace(std::move(*opened));
  }

  if (!a.quarantine.empty()) {
    auto entries = guard::QuarantineTable::load_file(a.quarantine);
    if (!entries) {
      std::fprintf(stderr, "mecguard inspect: %s\n", entries.error().to_string().c_str());
      return 2;
    }
    for (const auto& e : *entries) pipeline.worker().quarantine_add(e, e.since_ns);
  }
  guard::EventSink sink(events.get());
  const size_t batch = std::clamp<size_t>(a.batch, 1, guard::Pipeline::kMaxBatch);
  std::vector<capture::Frame> frames(batch);
  std::vector<guard::RawFrame> raw(batch);
  std::vector<guard::Verdict> out(batch);
  const auto t0 = std::chrono::steady_clock::now();
  bool write_failed = false;
  while (size_t n = reader->read_batch(frames)) {
    for (size_t i = 0; i < n; ++i) raw[i] = {frames[i].data, frames[i].ts_ns, frames[i].number};
    pipeline.process(std::span(raw.data(), n), std::span(out.data(), n));
    const auto ctx = pipeline.last_batch();
    for (size_t i = 0; i < n; ++i) {
      if (verdicts) write_verdict(verdicts.get(), ctx[i], out[i], pipeline.worker());
      const bool pass = out[i].action == guard::Action::kPass || out[i].action == guard::Action::kAlert;
      auto& w = pass ? passed : dropped;
      if (w && !w->write(frames[i])) write_failed = true;
    }
    sink.consume(pipeline.worker().events());
  }
  sink.flush();
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  for (auto* w : {&passed, &dropped}) {
    if (*w && !(*w)->close()) write_failed = true;
  }
  const auto& c = pipeline.worker().counters();
  if (stats) {
    const auto j = stats_json(pipeline.worker(), sink.written(), sink.suppressed());
    std::fprintf(stats.get(), "%s\n", j.dump(2).c_str());
  }
  if (!a.quiet) {
    const auto act = [&](guard::Action x) { return c.actions[static_cast<size_t>(x)]; };
    std::printf("%s: %" PRIu64 " frames in %.3f s (%.0f frames/s)\n", a.capture.c_str(), c.frames, secs,
                secs > 0 ? static_cast<double>(c.frames) / secs : 0.0);
    std::printf("  pass %" PRIu64 "  drop %" PRIu64 "  alert %" PRIu64 "  redirect %" PRIu64 "\n",
                act(guard::Action::kPass), act(guard::Action::kDrop), act(guard::Action::kAlert),
                act(guard::Action::kRedirect));
    std::printf("  sessions live %zu; events written %" PRIu64 " (%" PRIu64 " aggregated)\n",
                pipeline.worker().sessions().size(), sink.written(), sink.suppressed());
    for (size_t r = 1; r < guard::kReasonCount; ++r) {
      if (c.drops[r] == 0 && c.alerts[r] == 0) continue;
      const auto reason = static_cast<guard::Reason>(r);
      std::printf("  %-12s %-28s drop %8" PRIu64 "  alert %8" PRIu64 "\n",
                  std::string(guard::stage_name(guard::reason_stage(reason))).c_str(),
                  std::string(guard::reason_name(reason)).c_str(), c.drops[r], c.alerts[r]);
    }
  }
  if (write_failed) {
    std::fprintf(stderr, "mecguard inspect: writing a capture failed\n");
    return 1;
  }
  if (reader->error()) {
    std::fprintf(stderr, "mecguard inspect: %s (results cover the %" PRIu64 " frames before it)\n",
                 reader->error()->to_string().c_str(), c.frames);
    return 1;
  }
  return 0;
}

}  // namespace

void register_inspect(CLI::App& app) {
  static InspectArgs args;
  auto* sub = app.add_subcommand("inspect", "Run the guard pipeline over a capture");
  sub->add_option("CAPTURE", args.capture, "pcap or pcapng file ('-' for stdin)")->required();
  sub->add_option("--policy", args.policy, "guard policy YAML")->capture_default_str();
  sub->add_option("--verdicts", args.verdicts, "write one JSON line per frame");
  sub->add_option("--events", args.events, "write security events (JSON lines)");
  sub->add_option("--passed", args.passed, "write passed (and alerted) frames to this pcap");
  sub->add_option("--dropped", args.dropped, "write dropped and redirected frames to this pcap");
  sub->add_option("--stats", args.stats, "write counters per stage and reason (JSON)");
  sub->add_option("--quarantine", args.quarantine, "quarantine state file (see `mecguard quarantine`)");
  sub->add_option("--batch", args.batch, "frames per batch (1-256)")->check(CLI::Range(1, 256));
  sub->add_flag("--quiet", args.quiet, "no summary on stdout");
  sub->callback([] { exit_status() = run_inspect(args); });
}

}  // namespace mecguard::cli
