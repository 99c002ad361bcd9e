#include "pfcp/walker.h"

namespace mecguard::pfcp {

bool IeReader::next(IeView& out) {
  if (status_ != Status::kOk || pos_ >= buf_.size()) return false;
  const size_t left = buf_.size() - pos_;
  if (left < 4) {
    status_ = Status::kIeTruncated;
    return false;
  }
  const uint8_t* p = buf_.data() + pos_;
  const uint16_t type = load_be16(p);
  const uint16_t len = load_be16(p + 2);
  if (len > left - 4) {
    status_ = Status::kIeTruncated;
    return false;
  }
  out.type = type;
  out.offset = base_ + static_cast<uint32_t>(pos_);
  out.enterprise_id.reset();
  Bytes value = buf_.subspan(pos_ + 4, len);
  if ((type & kEnterpriseBit) != 0) {
    // The length covers the enterprise ID, so an enterprise IE is at least 2 octets long.
    if (len < 2) {
      status_ = Status::kIeBadLength;
      return false;
    }
    out.enterprise_id = load_be16(value.data());
    value = value.subspan(2);
  }
  out.value = value;
  pos_ += 4 + size_t{len};
  return true;
}

}  // namespace mecguard::pfcp
