// Big-endian loads and a growable writer. Decoders call the load_* helpers only after
// a bounds check; encoders and the scenario generator use ByteWriter.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <vector>

namespace mecguard {

using Bytes = std::span<const uint8_t>;

inline uint16_t load_be16(const uint8_t* p) { return static_cast<uint16_t>((p[0] << 8) | p[1]); }
inline uint32_t load_be24(const uint8_t* p) {
  return (uint32_t{p[0]} << 16) | (uint32_t{p[1]} << 8) | uint32_t{p[2]};
}
inline uint32_t load_be32(const uint8_t* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | uint32_t{p[3]};
}
inline uint64_t load_be64(const uint8_t* p) {
  return (uint64_t{load_be32(p)} << 32) | uint64_t{load_be32(p + 4)};
}

// Appends big-endian fields to a byte vector; patch_be16 fills in lengths afterwards.
class ByteWriter {
 public:
  ByteWriter() = default;
  explicit ByteWriter(std::vector<uint8_t>& out) : out_(&out) {}
  ByteWriter(const ByteWriter&) = delete;  // out_ may point at own_
  ByteWriter& operator=(const ByteWriter&) = delete;

  std::vector<uint8_t>& bytes() { return *out_; }
  size_t size() const { return out_->size(); }

  void u8(uint8_t v) { out_->push_back(v); }
  void be16(uint16_t v) { u8(static_cast<uint8_t>(v >> 8)); u8(static_cast<uint8_t>(v)); }
  void be24(uint32_t v) { u8(static_cast<uint8_t>(v >> 16)); be16(static_cast<uint16_t>(v)); }
  void be32(uint32_t v) { be16(static_cast<uint16_t>(v >> 16)); be16(static_cast<uint16_t>(v)); }
  void be64(uint64_t v) { be32(static_cast<uint32_t>(v >> 32)); be32(static_cast<uint32_t>(v)); }
  void append(Bytes b) { out_->insert(out_->end(), b.begin(), b.end()); }
  void zeros(size_t n) { out_->insert(out_->end(), n, 0); }

  void patch_be16(size_t at, uint16_t v) {
    (*out_)[at] = static_cast<uint8_t>(v >> 8);
    (*out_)[at + 1] = static_cast<uint8_t>(v);
  }
  void patch_be32(size_t at, uint32_t v) {
    patch_be16(at, static_cast<uint16_t>(v >> 16));
    patch_be16(at + 2, static_cast<uint16_t>(v));
  }

 private:
  std::vector<uint8_t> own_;
  std::vector<uint8_t>* out_ = &own_;
};

}  // namespace mecguard
