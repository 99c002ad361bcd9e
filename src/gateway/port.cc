// open_port(): chooses the I/O path of one gateway interface (AF_XDP first, AF_PACKET as the
// fallback) and explains the choice in one line; see docs/io.md.
#include "gateway/port.h"

namespace mecguard::gateway {

// af_xdp_port.cc: "native mode" / "generic mode" of an AF_XDP port (not part of the Port API).
std::string af_xdp_mode_text(const Port& port);

std::string_view io_mode_name(IoMode m) {
  switch (m) {
    case IoMode::kAuto: return "auto";
    case IoMode::kAfXdp: return "af_xdp";
    case IoMode::kAfPacket: return "af_packet";
  }
  return "unknown";
}

Expected<std::unique_ptr<Port>> open_port(const std::string& ifname, const PortOptions& opts, std::string* note) {
  std::string why;
  switch (opts.mode) {
    case IoMode::kAfPacket: {
      auto p = open_af_packet(ifname, opts);
      if (p && note != nullptr) *note = "af_packet (TPACKET_V3) on " + ifname + ": forced";
      return p;
    }
    case IoMode::kAfXdp: {
      auto p = open_af_xdp(ifname, opts);
      if (p && note != nullptr) *note = "af_xdp on " + ifname + " (" + af_xdp_mode_text(**p) + "): forced";
      return p;
    }
    case IoMode::kAuto: break;
  }
  auto x = open_af_xdp(ifname, opts);
  if (x) {
    if (note != nullptr) *note = "af_xdp on " + ifname + " (" + af_xdp_mode_text(**x) + ")";
    return x;
  }
  auto p = open_af_packet(ifname, opts);
  if (!p) {
    return Unexpected(Error(p.error().code, p.error().message + " (af_xdp unavailable too: " +
                                                x.error().message + ")"));
  }
  if (note != nullptr) *note = "af_packet (TPACKET_V3): af_xdp unavailable: " + x.error().message;
  return p;
}

}  // namespace mecguard::gateway
