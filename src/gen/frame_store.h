// FrameStore: where the generator's flows put finished frames. Flows are generated one after
// another, each with its own timestamps, so frames arrive out of time order; the store keeps
// their bytes in one arena (no allocation per frame) with a small record each, and
// finish() orders them by (time, insertion order) and makes the timestamps strictly
// increasing. Internal to src/gen (generator.cc drains it into the pcap and labels files).
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "common/bytes.h"
#include "decode/packet.h"

namespace mecguard::gen {

enum class Iface : uint8_t { kN3, kN4, kN6 };
// ul/dl: relative to a UE's traffic. to_upf/from_upf: signalling with the UPF (PFCP, GTP-U
// Echo). lateral: N6-side traffic that does not involve the UPF (MEC host -> core).
enum class Dir : uint8_t { kUl, kDl, kToUpf, kFromUpf, kLateral };

std::string_view iface_name(Iface i);
std::string_view dir_name(Dir d);

inline constexpr uint8_t kBenign = 0;  // Label::cls; attacks are 1 + Attack
inline constexpr int32_t kNoUe = -1;

struct Label {
  uint8_t cls = kBenign;
  Iface iface = Iface::kN3;
  Dir dir = Dir::kUl;
  bool has_seid = false;
  bool has_teid = false;
  decode::DecodeStatus expect = decode::DecodeStatus::kOk;  // deliberately malformed frames
  int32_t ue = kNoUe;                                       // index into Topology::ues
  uint32_t teid = 0;                                        // GTP-U TEID in the frame
  uint32_t pfcp_seq = 0;                                    // PFCP sequence number (N4 frames)
  uint64_t seid = 0;        // UP SEID of the session concerned (N4 and session frames)
  std::string_view detail;  // static text: "tcp", "session_establishment_request", ...
};

class FrameStore {
 public:
  struct Record {
    int64_t t_ns;  // relative to the scenario start
    uint64_t off;  // into the arena
    uint32_t len;
    Label label;
  };

  void reserve(size_t frames, size_t bytes) {
    recs_.reserve(frames);
    arena_.reserve(bytes);
  }
  void add(int64_t t_ns, Bytes frame, const Label& label) {
    recs_.push_back(Record{t_ns, arena_.size(), static_cast<uint32_t>(frame.size()), label});
    arena_.insert(arena_.end(), frame.begin(), frame.end());
  }
  // Orders the records by time (ties keep insertion order), bumps equal timestamps by 1 ns
  // so time strictly increases, and keeps at most `max_frames` (0 = all).
  void finish(uint64_t max_frames);

  size_t size() const { return recs_.size(); }
  const Record& operator[](size_t i) const { return recs_[i]; }
  Bytes bytes(const Record& r) const { return Bytes(arena_.data() + r.off, r.len); }

 private:
  std::vector<uint8_t> arena_;
  std::vector<Record> recs_;
};

}  // namespace mecguard::gen
