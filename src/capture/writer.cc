#include "capture/writer.h"

#include <cerrno>
#include <cstring>
#include <utility>

namespace mecguard::capture {
namespace {

void put_le16(uint8_t* p, uint16_t v) {
  p[0] = static_cast<uint8_t>(v);
  p[1] = static_cast<uint8_t>(v >> 8);
}
void put_le32(uint8_t* p, uint32_t v) {
  put_le16(p, static_cast<uint16_t>(v));
  put_le16(p + 2, static_cast<uint16_t>(v >> 16));
}

constexpr size_t kFileHeaderBytes = 24;
constexpr size_t kRecordHeaderBytes = 16;
constexpr size_t kStdioBuffer = size_t{1} << 20;

}  // namespace

Writer::Writer(std::FILE* f, std::string path, decode::LinkType link, uint32_t snaplen)
    : f_(f), path_(std::move(path)), link_(link), snaplen_(snaplen) {}

Writer::Writer(Writer&& other) noexcept
    : f_(std::exchange(other.f_, nullptr)),
      path_(std::move(other.path_)),
      link_(other.link_),
      snaplen_(other.snaplen_),
      frames_(other.frames_) {}

Writer& Writer::operator=(Writer&& other) noexcept {
  if (this != &other) {
    (void)close();
    f_ = std::exchange(other.f_, nullptr);
    path_ = std::move(other.path_);
    link_ = other.link_;
    snaplen_ = other.snaplen_;
    frames_ = other.frames_;
  }
  return *this;
}

Writer::~Writer() {
  (void)close();
}

Expected<Writer> Writer::open(const std::string& path, decode::LinkType link, uint32_t snaplen) {
  if (path.empty()) return Unexpected(Error(ErrorCode::kInvalidArgument, "empty output path"));
  if (snaplen == 0 || snaplen > kMaxFrameBytes) {
    return Unexpected(
        Error(ErrorCode::kInvalidArgument,
              "snaplen " + std::to_string(snaplen) + " not in 1.." + std::to_string(kMaxFrameBytes),
              path));
  }
  std::FILE* f = path == "-" ? stdout : std::fopen(path.c_str(), "wb");
  if (f == nullptr) {
    return Unexpected(
        Error(ErrorCode::kIo, std::string("cannot create: ") + std::strerror(errno), path));
  }
  if (f != stdout) std::setvbuf(f, nullptr, _IOFBF, kStdioBuffer);
  Writer w(f, path, link, snaplen);
  uint8_t h[kFileHeaderBytes] = {};
  put_le32(h, kPcapNanoMagic);
  put_le16(h + 4, 2);  // version 2.4
  put_le16(h + 6, 4);
  // h[8..16): thiszone and sigfigs, always 0
  put_le32(h + 16, snaplen);
  put_le32(h + 20, static_cast<uint32_t>(link));  // LinkType values are LINKTYPE_* values
  if (auto r = w.put(h, sizeof h); !r) return Unexpected(r.error());
  return w;
}

Expected<void> Writer::put(const void* p, size_t n) {
  if (f_ == nullptr) return Unexpected(Error(ErrorCode::kIo, "writer is closed", path_));
  if (std::fwrite(p, 1, n, f_) != n) {
    return Unexpected(
        Error(ErrorCode::kIo, std::string("write failed: ") + std::strerror(errno), path_));
  }
  return {};
}

Expected<void> Writer::write(Bytes data, uint64_t ts_ns, uint32_t orig_len) {
  const uint64_t sec = ts_ns / 1000000000ULL;
  if (sec > UINT32_MAX) {
    return Unexpected(Error(ErrorCode::kInvalidArgument,
                            "timestamp " + std::to_string(ts_ns) + " ns does not fit pcap",
                            path_ + ": frame " + std::to_string(frames_ + 1)));
  }
  if (data.size() > UINT32_MAX) {
    return Unexpected(Error(ErrorCode::kInvalidArgument, "frame too large",
                            path_ + ": frame " + std::to_string(frames_ + 1)));
  }
  const auto size = static_cast<uint32_t>(data.size());
  const uint32_t caplen = size < snaplen_ ? size : snaplen_;
  uint32_t wire = orig_len == 0 ? size : orig_len;
  if (wire < caplen) wire = caplen;
  uint8_t h[kRecordHeaderBytes];
  put_le32(h, static_cast<uint32_t>(sec));
  put_le32(h + 4, static_cast<uint32_t>(ts_ns % 1000000000ULL));
  put_le32(h + 8, caplen);
  put_le32(h + 12, wire);
  if (auto r = put(h, sizeof h); !r) return r;
  if (caplen > 0) {
    if (auto r = put(data.data(), caplen); !r) return r;
  }
  ++frames_;
  return {};
}

Expected<void> Writer::write_batch(std::span<const Frame> frames) {
  for (const Frame& f : frames) {
    if (auto r = write(f); !r) return r;
  }
  return {};
}

Expected<void> Writer::close() {
  if (f_ == nullptr) return {};
  std::FILE* f = std::exchange(f_, nullptr);
  const bool flush_failed = std::fflush(f) != 0 || std::ferror(f) != 0;
  const int saved = errno;
  const bool close_failed = f != stdout && std::fclose(f) != 0;
  if (flush_failed || close_failed) {
    return Unexpected(
        Error(ErrorCode::kIo,
              std::string("write failed: ") + std::strerror(saved != 0 ? saved : errno), path_));
  }
  return {};
}

}  // namespace mecguard::capture
