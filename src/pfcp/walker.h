// PFCP IE walker: zero-copy iteration over type/length/value IEs and bounded descent into
// grouped IEs. Callers: the message decoder, the session tracker (for IEs the model does
// not carry), the CLI's dump command and fuzzers. Never allocates, never throws, never
// reads outside the span it is given.
#pragma once

#include <cstdint>
#include <optional>

#include "common/bytes.h"
#include "pfcp/types.h"

namespace mecguard::pfcp {

// One IE as found on the wire. value excludes the 4-byte header and the enterprise ID.
struct IeView {
  uint16_t type = 0;                       // including kEnterpriseBit when set
  std::optional<uint16_t> enterprise_id;   // present iff type & kEnterpriseBit
  Bytes value;
  uint32_t offset = 0;                     // of the IE header within the walked buffer
  bool enterprise() const { return enterprise_id.has_value(); }
  bool grouped() const { return !enterprise() && is_grouped_ie(type); }
};

// Reads consecutive IEs from a buffer (a message body or a grouped IE's value).
//   IeReader r(body, base_offset);
//   IeView ie; while (r.next(ie) == Status::kOk) { ... }   // r.status() tells why it stopped
class IeReader {
 public:
  explicit IeReader(Bytes buf, uint32_t base_offset = 0) : buf_(buf), base_(base_offset) {}
  // true with `out` filled; false at the end of the buffer or on a malformed IE, in which
  // case status() is kIeTruncated or kIeBadLength (sticky) and error_offset() points at it.
  bool next(IeView& out);
  Status status() const { return status_; }
  bool done() const { return pos_ >= buf_.size() || status_ != Status::kOk; }
  uint32_t error_offset() const { return base_ + static_cast<uint32_t>(pos_); }

 private:
  Bytes buf_;
  uint32_t base_;
  size_t pos_ = 0;
  Status status_ = Status::kOk;
};

struct WalkStats {
  uint32_t ie_count = 0;          // every IE, nested ones included
  uint32_t unknown_ie_count = 0;  // type not in MG_PFCP_IE_TYPES (enterprise IEs included)
  uint32_t enterprise_ie_count = 0;
  uint32_t grouped_ie_count = 0;
  uint8_t max_depth = 0;          // deepest level reached (top level = 0)
  friend bool operator==(const WalkStats&, const WalkStats&) = default;
};

struct WalkError {
  Status status = Status::kOk;
  uint32_t offset = 0;   // within the walked buffer (plus base_offset)
  uint16_t ie_type = 0;  // the IE being read, when known
};

// Visits every IE depth-first (a grouped IE before its children). visit(const IeView&,
// int depth) returns true to continue, false to stop early (the walk then returns kOk).
// Structure errors (truncation, depth > kMaxGroupedDepth, more than kMaxIes) stop the walk.
template <class Visit>
WalkError walk_ies(Bytes buf, Visit&& visit, WalkStats* stats = nullptr, uint32_t base_offset = 0);

namespace detail {
template <class Visit>
bool walk_level(Bytes buf, uint32_t base, int depth, Visit& visit, WalkStats& st, WalkError& err) {
  IeReader r(buf, base);
  IeView ie;
  while (r.next(ie)) {
    if (++st.ie_count > kMaxIes) {
      err = {Status::kTooManyIes, ie.offset, ie.type};
      return false;
    }
    if (ie.enterprise()) ++st.enterprise_ie_count;
    if (ie.enterprise() || !is_known_ie(ie.type)) ++st.unknown_ie_count;
    if (depth > st.max_depth) st.max_depth = static_cast<uint8_t>(depth);
    if (!visit(static_cast<const IeView&>(ie), depth)) return false;
    if (ie.grouped()) {
      ++st.grouped_ie_count;
      if (depth + 1 > kMaxGroupedDepth) {
        if (!ie.value.empty()) {
          err = {Status::kGroupedTooDeep, ie.offset, ie.type};
          return false;
        }
        continue;
      }
      const uint32_t child_base = ie.offset + 4;
      if (!walk_level(ie.value, child_base, depth + 1, visit, st, err)) return false;
    }
  }
  if (r.status() != Status::kOk) {
    err = {r.status(), r.error_offset(), 0};
    return false;
  }
  return true;
}
}  // namespace detail

template <class Visit>
WalkError walk_ies(Bytes buf, Visit&& visit, WalkStats* stats, uint32_t base_offset) {
  WalkStats local;
  WalkStats& st = stats ? *stats : local;
  WalkError err;
  detail::walk_level(buf, base_offset, 0, visit, st, err);
  return err;
}

}  // namespace mecguard::pfcp
