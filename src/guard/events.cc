#include "guard/events.h"

#include <algorithm>

#include <nlohmann/json.hpp>

namespace mecguard::guard {

EventSink::EventSink(std::FILE* out, const Options& opts) : out_(out), opts_(opts) {}

std::string EventSink::to_json(const Event& e, uint64_t count, uint64_t first_frame, uint64_t last_frame,
                               uint64_t first_ts, uint64_t last_ts) {
  nlohmann::json j;
  j["ts_ns"] = e.ts_ns;
  j["frame"] = e.frame;
  j["severity"] = severity_name(reason_severity(e.reason));
  j["stage"] = stage_name(reason_stage(e.reason));
  j["reason"] = reason_name(e.reason);
  j["text"] = reason_text(e.reason);
  j["action"] = action_name(e.action);
  j["monitored"] = e.monitored;
  j["flow"] = flow_name(e.flow);
  j["ue"] = e.ue.empty() ? nlohmann::json(nullptr) : nlohmann::json(e.ue.to_string());
  if (e.up_seid != 0) {
    char buf[24];
    std::snprintf(buf, sizeof buf, "0x%016llx", static_cast<unsigned long long>(e.up_seid));
    j["session"] = buf;
  } else {
    j["session"] = nullptr;
  }
  j["src"] = e.src.empty() ? nlohmann::json(nullptr) : nlohmann::json(e.src.to_string());
  j["dst"] = e.dst.empty() ? nlohmann::json(nullptr) : nlohmann::json(e.dst.to_string());
  j["proto"] = e.proto;
  j["sport"] = e.sport;
  j["dport"] = e.dport;
  if (e.teid != 0) j["teid"] = e.teid;
  if (e.rule_id != 0) j["rule_id"] = e.rule_id;
  if (!e.gateway.empty()) j["gateway"] = e.gateway.to_string();
  if (!e.detail.empty()) j["detail"] = std::string(e.detail);
  if (!e.measure.empty()) {
    j["measure"] = std::string(e.measure);
    j["value"] = e.value;
    j["threshold"] = e.threshold;
    j["window_ns"] = e.window_ns;
  }
  j["count"] = count;
  if (count > 1) {
    j["first_frame"] = first_frame;
    j["last_frame"] = last_frame;
    j["first_ts_ns"] = first_ts;
    j["last_ts_ns"] = last_ts;
  }
  return j.dump();
}

void EventSink::write(const Event& e, const std::string& line) {
  ++written_;
  if (listener_) listener_(e, line);
  if (!out_) return;
  std::fwrite(line.data(), 1, line.size(), out_);
  std::fputc('\n', out_);
}

void EventSink::close_window(Window& w) {
  if (w.suppressed == 0) return;
  write(w.last, to_json(w.last, w.suppressed, w.first_frame, w.last.frame, w.first_ts, w.last.ts_ns));
  w.suppressed = 0;
}

void EventSink::consume(std::vector<Event>& events) {
  for (const Event& e : events) {
    if (e.reason == Reason::kQuarantineChanged) {  // state changes are never aggregated
      write(e, to_json(e, 1, e.frame, e.frame, e.ts_ns, e.ts_ns));
      continue;
    }
    Key k{e.reason, e.ue.empty() ? e.src : e.ue};
    auto it = windows_.find(k);
    // Findings may fill max_keys; detections (at most one per UE, reason and detector
    // window, and only for sessions) may use max_keys more, so that a flood of distinct
    // spoofed sources never merges the detections of different UEs into one record.
    const size_t bound = reason_stage(e.reason) == StageId::kDetect ? 2 * opts_.max_keys : opts_.max_keys;
    if (it == windows_.end() && windows_.size() >= bound) {
      k.who = IpAddr{};  // table full: aggregate per reason
      it = windows_.find(k);
    }
    if (it == windows_.end()) {
      Window w;
      w.start_ts = e.ts_ns;
      windows_.emplace(k, w);
      write(e, to_json(e, 1, e.frame, e.frame, e.ts_ns, e.ts_ns));
      continue;
    }
    Window& w = it->second;
    if (e.ts_ns >= w.start_ts + opts_.window_ns) {
      close_window(w);
      w.start_ts = e.ts_ns;
      write(e, to_json(e, 1, e.frame, e.frame, e.ts_ns, e.ts_ns));
      continue;
    }
    if (w.suppressed == 0) {
      w.first_frame = e.frame;
      w.first_ts = e.ts_ns;
    }
    ++w.suppressed;
    ++suppressed_;
    w.last = e;
  }
  events.clear();
}

void EventSink::flush() {
  // In frame order, so that the same input always gives the same file.
  std::vector<Window*> open;
  for (auto& [k, w] : windows_) {
    if (w.suppressed > 0) open.push_back(&w);
  }
  std::sort(open.begin(), open.end(), [](const Window* a, const Window* b) { return a->first_frame < b->first_frame; });
  for (Window* w : open) close_window(*w);
  if (out_) std::fflush(out_);
}

}  // namespace mecguard::guard
