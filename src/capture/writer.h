// Capture writer: classic pcap with nanosecond timestamps (magic 0xa1b23c4d, written
// little-endian so output is byte-identical across hosts). Callers: the scenario generator,
// `inspect --passed/--dropped`, tests. Timestamps, original lengths and the link type are
// preserved as given.
#pragma once

#include <cstdint>
#include <cstdio>
#include <span>
#include <string>

#include "capture/reader.h"
#include "common/bytes.h"
#include "common/expected.h"
#include "decode/packet.h"

namespace mecguard::capture {

inline constexpr uint32_t kPcapNanoMagic = 0xa1b23c4d;

class Writer {
 public:
  // Creates or truncates `path` ("-" writes standard output). `snaplen` goes in the file
  // header; frames longer than it are cut to it (their original length is kept).
  static Expected<Writer> open(const std::string& path, decode::LinkType link,
                               uint32_t snaplen = kMaxFrameBytes);

  Writer(Writer&& other) noexcept;
  Writer& operator=(Writer&& other) noexcept;
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;
  ~Writer();  // closes without reporting errors; call close() to see them

  // orig_len 0 means data.size(). A timestamp past 2106 (32-bit seconds) is kInvalidArgument.
  Expected<void> write(Bytes data, uint64_t ts_ns, uint32_t orig_len = 0);
  Expected<void> write(const Frame& f) { return write(f.data, f.ts_ns, f.orig_len); }
  Expected<void> write_batch(std::span<const Frame> frames);

  // Flushes and closes; reports any write error seen so far. Idempotent.
  Expected<void> close();

  uint64_t frames_written() const { return frames_; }
  decode::LinkType link_type() const { return link_; }
  const std::string& path() const { return path_; }

 private:
  Writer(std::FILE* f, std::string path, decode::LinkType link, uint32_t snaplen);
  Expected<void> put(const void* p, size_t n);

  std::FILE* f_ = nullptr;
  std::string path_;
  decode::LinkType link_ = decode::LinkType::kEthernet;
  uint32_t snaplen_ = kMaxFrameBytes;
  uint64_t frames_ = 0;
};

}  // namespace mecguard::capture
