// Port: one network interface of the inline gateway, owned by a single I/O thread (never
// shared between threads). Two implementations: AF_XDP (af_xdp_port.cc, libxdp) and AF_PACKET
// with TPACKET_V3 rings (af_packet_port.cc). open_port() picks AF_XDP where the kernel and
// driver allow it and falls back to AF_PACKET, saying why.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "common/bytes.h"
#include "common/expected.h"

namespace mecguard::gateway {

enum class IoMode : uint8_t { kAuto, kAfXdp, kAfPacket };
std::string_view io_mode_name(IoMode m);

// A received frame; valid until the next receive() or release() on the same port.
struct RxFrame {
  const uint8_t* data = nullptr;
  uint32_t len = 0;      // bytes captured (whole frame: the rings are sized for the MTU)
  uint64_t ts_ns = 0;    // kernel receive time (CLOCK_REALTIME), 0 if unknown
};

struct PortStats {
  uint64_t rx_packets = 0;
  uint64_t rx_bytes = 0;
  uint64_t tx_packets = 0;
  uint64_t tx_bytes = 0;
  uint64_t rx_kernel_drops = 0;  // ring full in the kernel (PACKET_STATISTICS / XDP stats)
  uint64_t tx_errors = 0;        // frames the kernel refused
};

class Port {
 public:
  virtual ~Port() = default;
  virtual IoMode mode() const = 0;
  virtual const std::string& name() const = 0;
  // A file descriptor that polls readable when frames wait (for poll() over several ports).
  virtual int fd() const = 0;
  // Returns up to out.size() frames without blocking. They stay valid until release().
  virtual size_t receive(std::span<RxFrame> out) = 0;
  // Hands the frames of the last receive() back to the kernel.
  virtual void release() = 0;
  // Transmits frames (copied); returns how many the kernel took. Does not block for long.
  virtual size_t send(std::span<const Bytes> frames) = 0;
  // Pushes queued transmissions out (for ring-based TX); a no-op where send() is direct.
  virtual void flush() {}
  virtual PortStats stats() const = 0;
};

struct PortOptions {
  IoMode mode = IoMode::kAuto;
  uint32_t frame_size = 2048;   // ring slot size (>= MTU + headers)
  uint32_t ring_frames = 4096;  // slots per ring
};

// Opens `ifname` (promiscuous; the gateway is a bridge). With IoMode::kAuto, tries AF_XDP and
// falls back to AF_PACKET; `note` receives a one-line explanation of the choice.
Expected<std::unique_ptr<Port>> open_port(const std::string& ifname, const PortOptions& opts, std::string* note);

// The two implementations, for open_port and tests.
Expected<std::unique_ptr<Port>> open_af_packet(const std::string& ifname, const PortOptions& opts);
Expected<std::unique_ptr<Port>> open_af_xdp(const std::string& ifname, const PortOptions& opts);

}  // namespace mecguard::gateway
