// Capture reader: pcap and pcapng files (or stdin) through libpcap, delivered in batches of
// Frames. Callers: `mecguard decode`, `inspect`, the scenario generator's self-checks, tests.
//
// A batch's frame bytes live in an arena owned by the Reader and reused by the next
// read_batch(), so there is no allocation per frame and memory stays bounded whatever the
// capture claims. A truncated or corrupt record ends the stream: every frame before it has
// been delivered, and error() names the file and the frame number where reading stopped.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/bytes.h"
#include "common/error.h"
#include "common/expected.h"
#include "decode/packet.h"

namespace mecguard::capture {

// One captured frame. `data` points into the Reader's batch arena: valid until the next
// read_batch() on the same Reader (copy what must outlive the batch).
struct Frame {
  Bytes data;
  uint64_t ts_ns = 0;     // capture time, ns since the Unix epoch
  uint32_t orig_len = 0;  // length on the wire; > data.size() when cut by the snaplen
  uint64_t number = 0;    // 1-based position in the capture

  bool truncated() const { return data.size() < orig_len; }
};

// Largest record we accept. libpcap itself refuses records over 256 KiB for the link types
// we support; this bound also sizes the arena.
inline constexpr uint32_t kMaxFrameBytes = 262144;

// Maps a libpcap DLT_* value to the decoder's link type; kUnsupported with the link type's
// name otherwise.
Expected<decode::LinkType> link_type_from_dlt(int dlt);
std::string_view link_type_name(decode::LinkType link);  // "ethernet", "raw", "sll", ...

class Reader {
 public:
  // Opens `path` ("-" reads standard input). Errors: kIo (cannot open), kParse (not a pcap
  // or pcapng capture), kUnsupported (link type). The error's location is the path.
  static Expected<Reader> open(const std::string& path);
  // Reads a capture held in memory (tests, fuzzers); `name` is used in error messages.
  static Expected<Reader> open_memory(Bytes bytes, std::string name = "<memory>");

  Reader(Reader&&) noexcept;
  Reader& operator=(Reader&&) noexcept;
  Reader(const Reader&) = delete;
  Reader& operator=(const Reader&) = delete;
  ~Reader();

  // Fills out[0, n) and returns n. 0 means the stream has ended: check error() to tell
  // a clean end from a truncated/corrupt record. A batch may hold fewer frames than
  // out.size() before the end (the arena is full, or the next record is bad); the frames
  // returned are always good. Invalidates the previous batch's Frame::data.
  size_t read_batch(std::span<Frame> out);

  // Set once reading stopped on a bad record: location "PATH: frame N", message
  // "truncated record (...)" or "corrupt record (...)".
  const std::optional<Error>& error() const { return error_; }
  bool at_end() const { return ended_; }

  decode::LinkType link_type() const { return link_; }
  int dlt() const { return dlt_; }
  uint32_t snaplen() const { return snaplen_; }
  const std::string& name() const { return name_; }
  uint64_t frames_read() const { return frames_read_; }
  uint64_t truncated_frames() const { return truncated_frames_; }  // caplen < orig_len

 private:
  struct Handle;
  Reader(std::unique_ptr<Handle> h, std::string name, decode::LinkType link, int dlt,
         uint32_t snaplen);
  static Expected<Reader> from_handle(std::unique_ptr<Handle> h, std::string name);

  std::unique_ptr<Handle> h_;
  std::string name_;
  decode::LinkType link_ = decode::LinkType::kEthernet;
  int dlt_ = 0;
  uint32_t snaplen_ = 0;
  std::vector<uint8_t> arena_;
  uint64_t frames_read_ = 0;
  uint64_t truncated_frames_ = 0;
  bool ended_ = false;
  std::optional<Error> error_;
};

// Reads the whole capture and calls fn(const Frame&) per frame, in batches of `batch`.
// Returns the number of frames, or the reader's error (after fn saw every good frame).
template <class Fn>
Expected<uint64_t> for_each_frame(Reader& reader, Fn&& fn, size_t batch = 256) {
  std::vector<Frame> frames(batch == 0 ? 1 : batch);
  while (size_t n = reader.read_batch(frames)) {
    for (size_t i = 0; i < n; ++i) fn(static_cast<const Frame&>(frames[i]));
  }
  if (reader.error()) return Unexpected(*reader.error());
  return reader.frames_read();
}

}  // namespace mecguard::capture
