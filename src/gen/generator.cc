#include "gen/generator.h"

#include <cinttypes>
#include <memory>

#include "capture/writer.h"
#include "gen/emit.h"
#include "gen/flows.h"

namespace mecguard::gen {

std::string_view class_name(uint8_t cls) {
  if (cls == kBenign) return "benign";
  const size_t a = cls - 1u;
  return a < kAttackCount ? attack_name(static_cast<Attack>(a)) : std::string_view("?");
}

Generated generate_frames(const Scenario& sc) {
  Generated g;
  g.topo = build_topology(sc);
  // A rough size guess keeps the arena from reallocating many times on large scenarios.
  const uint64_t guess = std::min<uint64_t>(estimate_frames(sc) + 1000, kMaxEstimatedFrames);
  g.frames.reserve(guess, guess * 200);
  Emitter em(sc, g.topo, g.frames);
  emit_pfcp(em);
  emit_user_plane(em);
  emit_user_plane_attacks(em);
  g.frames.finish(sc.max_frames);
  return g;
}

std::string Summary::to_string() const {
  std::string s = std::to_string(frames) + " frames, " + std::to_string(ues) + " UEs, " +
                  std::to_string(sessions) + " sessions:";
  for (size_t c = 0; c < per_class.size(); ++c) {
    if (per_class[c] == 0) continue;
    s += ' ';
    s += class_name(static_cast<uint8_t>(c));
    s += '=';
    s += std::to_string(per_class[c]);
  }
  return s;
}

void write_label_line(std::FILE* out, uint64_t number, const FrameStore::Record& r,
                      const Topology& topo) {
  const Label& l = r.label;
  const int64_t sec = r.t_ns / 1'000'000'000, frac = r.t_ns % 1'000'000'000;
  std::fprintf(out, "{\"frame\":%" PRIu64 ",\"t\":%" PRId64 ".%09" PRId64 ",\"class\":\"%.*s\",",
               number, sec, frac, static_cast<int>(class_name(l.cls).size()),
               class_name(l.cls).data());
  if (l.ue >= 0) {
    const auto& label = topo.ues[static_cast<size_t>(l.ue)].label;
    std::fprintf(out, "\"ue\":\"%s\",", label.c_str());
  } else {
    std::fputs("\"ue\":null,", out);
  }
  const auto iface = iface_name(l.iface);
  const auto dir = dir_name(l.dir);
  std::fprintf(out, "\"iface\":\"%.*s\",\"dir\":\"%.*s\"", static_cast<int>(iface.size()),
               iface.data(), static_cast<int>(dir.size()), dir.data());
  if (!l.detail.empty()) {
    std::fprintf(out, ",\"detail\":\"%.*s\"", static_cast<int>(l.detail.size()), l.detail.data());
  }
  if (l.iface == Iface::kN4) std::fprintf(out, ",\"pfcp_seq\":%" PRIu32, l.pfcp_seq);
  if (l.has_seid) std::fprintf(out, ",\"seid\":\"0x%016" PRIx64 "\"", l.seid);
  if (l.has_teid) std::fprintf(out, ",\"teid\":\"0x%08" PRIx32 "\"", l.teid);
  if (l.expect != decode::DecodeStatus::kOk) {
    const auto st = decode::status_name(l.expect);
    std::fprintf(out, ",\"expect_status\":\"%.*s\"", static_cast<int>(st.size()), st.data());
  }
  std::fputs("}\n", out);
}

namespace {
struct FileCloser {
  void operator()(std::FILE* f) const {
    if (f != nullptr) std::fclose(f);
  }
};
}  // namespace

Expected<Summary> generate(const Scenario& sc, const std::string& pcap_path,
                           const std::string& labels_path) {
  const Generated g = generate_frames(sc);
  Summary sum;
  sum.frames = g.frames.size();
  sum.ues = g.topo.benign_count;
  for (const auto& ue : g.topo.ues) sum.sessions += ue.establish_ns < sc.duration_ns ? 1 : 0;

  auto writer = capture::Writer::open(pcap_path, decode::LinkType::kEthernet);
  if (!writer) return Unexpected(writer.error());
  std::vector<char> labels_buf;  // outlives the FILE that uses it
  std::unique_ptr<std::FILE, FileCloser> labels;
  if (!labels_path.empty()) {
    labels.reset(std::fopen(labels_path.c_str(), "wb"));
    if (!labels) return Unexpected(Error(ErrorCode::kIo, "cannot create labels file", labels_path));
    labels_buf.resize(1 << 20);
    std::setvbuf(labels.get(), labels_buf.data(), _IOFBF, labels_buf.size());
  }
  for (size_t i = 0; i < g.frames.size(); ++i) {
    const auto& r = g.frames[i];
    const auto ts = static_cast<uint64_t>(sc.start_ns + r.t_ns);
    if (auto w = writer->write(g.frames.bytes(r), ts); !w) return Unexpected(w.error());
    ++sum.per_class[r.label.cls];
    if (labels) write_label_line(labels.get(), i + 1, r, g.topo);
  }
  if (auto c = writer->close(); !c) return Unexpected(c.error());
  if (labels) {
    const bool bad = std::ferror(labels.get()) != 0;
    if (std::fclose(labels.release()) != 0 || bad) {
      return Unexpected(Error(ErrorCode::kIo, "error writing labels file", labels_path));
    }
  }
  return sum;
}

}  // namespace mecguard::gen
