// EventSink: drains a worker's event buffer into JSON lines (docs/events.md), aggregating
// repeats so that a flood cannot flood the log: per (reason, UE or source address) the first
// event of a window is written at once, later ones in the same window are counted and
// written as one summary record when the window closes (or at flush). The key table is
// bounded; past it, events aggregate per reason. Time is packet time, so offline and inline
// runs aggregate alike. Callers: `inspect`, the inline gateway.
#pragma once

#include <cstdint>
#include <cstdio>
#include <functional>
#include <string>
#include <unordered_map>
#include <vector>

#include "guard/pipeline.h"

namespace mecguard::guard {

class EventSink {
 public:
  struct Options {
    uint64_t window_ns = 1'000'000'000;
    size_t max_keys = 65536;
  };
  // out may be null: events are then aggregated and counted but not written.
  EventSink(std::FILE* out, const Options& opts);
  EventSink(std::FILE* out) : EventSink(out, Options{}) {}

  // Called with every record written (first events and summaries), e.g. to forward it to
  // syslog; `line` is the JSON of docs/events.md. Runs on the thread that calls consume/flush.
  using Listener = std::function<void(const Event& e, const std::string& line)>;
  void set_listener(Listener l) { listener_ = std::move(l); }

  void consume(std::vector<Event>& events);  // takes and clears the worker's buffer
  void flush();                              // writes every pending summary

  uint64_t written() const { return written_; }
  uint64_t suppressed() const { return suppressed_; }

  // One event as a JSON object (no newline); `count` > 1 marks a summary.
  static std::string to_json(const Event& e, uint64_t count, uint64_t first_frame, uint64_t last_frame,
                             uint64_t first_ts, uint64_t last_ts);

 private:
  struct Key {
    Reason reason;
    IpAddr who;
    friend bool operator==(const Key&, const Key&) = default;
  };
  struct KeyHash {
    size_t operator()(const Key& k) const { return IpAddrHash{}(k.who) * 31 + static_cast<size_t>(k.reason); }
  };
  struct Window {
    uint64_t start_ts = 0;
    uint64_t suppressed = 0;  // events after the first in this window
    Event last;               // the most recent suppressed one
    uint64_t first_frame = 0;
    uint64_t first_ts = 0;
  };
  void write(const Event& e, const std::string& line);
  void close_window(Window& w);

  std::FILE* out_;
  Options opts_;
  Listener listener_;
  std::unordered_map<Key, Window, KeyHash> windows_;
  uint64_t written_ = 0;
  uint64_t suppressed_ = 0;
};

}  // namespace mecguard::guard
