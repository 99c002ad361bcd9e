#include "gen/frame_store.h"

#include <algorithm>

namespace mecguard::gen {

std::string_view iface_name(Iface i) {
  switch (i) {
    case Iface::kN3:
      return "n3";
    case Iface::kN4:
      return "n4";
    case Iface::kN6:
      return "n6";
  }
  return "?";
}

std::string_view dir_name(Dir d) {
  switch (d) {
    case Dir::kUl:
      return "ul";
    case Dir::kDl:
      return "dl";
    case Dir::kToUpf:
      return "to_upf";
    case Dir::kFromUpf:
      return "from_upf";
    case Dir::kLateral:
      return "lateral";
  }
  return "?";
}

void FrameStore::finish(uint64_t max_frames) {
  // Records are appended in generation order, so a stable sort by time alone is
  // deterministic.
  std::stable_sort(recs_.begin(), recs_.end(),
                   [](const Record& a, const Record& b) { return a.t_ns < b.t_ns; });
  for (size_t i = 1; i < recs_.size(); ++i) {
    if (recs_[i].t_ns <= recs_[i - 1].t_ns) recs_[i].t_ns = recs_[i - 1].t_ns + 1;
  }
  if (max_frames != 0 && recs_.size() > max_frames) recs_.resize(max_frames);
}

}  // namespace mecguard::gen
