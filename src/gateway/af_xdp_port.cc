// AF_XDP port (libxdp): the fast I/O path of the inline gateway; see docs/io.md.
#include "gateway/port.h"

namespace mecguard::gateway {

Expected<std::unique_ptr<Port>> open_af_xdp(const std::string& ifname, const PortOptions&) {
  return Unexpected(Error(ErrorCode::kUnsupported, "af_xdp on " + ifname + ": not built yet"));
}

}  // namespace mecguard::gateway
