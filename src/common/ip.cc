#include "common/ip.h"

#include <arpa/inet.h>

namespace mecguard {

std::optional<IpAddr> IpAddr::parse(std::string_view text) {
  std::string s(text);
  IpAddr a;
  if (inet_pton(AF_INET, s.c_str(), a.bytes.data()) == 1) {
    a.family = IpFamily::kV4;
    return a;
  }
  if (inet_pton(AF_INET6, s.c_str(), a.bytes.data()) == 1) {
    a.family = IpFamily::kV6;
    return a;
  }
  return std::nullopt;
}

std::string IpAddr::to_string() const {
  char buf[INET6_ADDRSTRLEN] = {};
  if (is_v4()) inet_ntop(AF_INET, bytes.data(), buf, sizeof buf);
  else if (is_v6()) inet_ntop(AF_INET6, bytes.data(), buf, sizeof buf);
  else return "-";
  return buf;
}

IpPrefix IpPrefix::make(const IpAddr& a, uint8_t len) {
  IpPrefix p;
  p.addr = a;
  const uint8_t max = a.is_v4() ? 32 : 128;
  p.len = len > max ? max : len;
  for (unsigned bit = p.len; bit < 128; ++bit) {
    p.addr.bytes[bit / 8] &= static_cast<uint8_t>(~(0x80u >> (bit % 8)));
  }
  return p;
}

std::optional<IpPrefix> IpPrefix::parse(std::string_view text) {
  const auto slash = text.find('/');
  auto addr = IpAddr::parse(text.substr(0, slash));
  if (!addr) return std::nullopt;
  const unsigned max = addr->is_v4() ? 32 : 128;
  unsigned len = max;
  if (slash != std::string_view::npos) {
    const auto digits = text.substr(slash + 1);
    if (digits.empty() || digits.size() > 3) return std::nullopt;
    len = 0;
    for (char c : digits) {
      if (c < '0' || c > '9') return std::nullopt;
      len = len * 10 + static_cast<unsigned>(c - '0');
    }
    if (len > max) return std::nullopt;
  }
  return make(*addr, static_cast<uint8_t>(len));
}

bool IpPrefix::contains(const IpAddr& a) const {
  if (a.family != addr.family) return false;
  const unsigned full = len / 8;
  if (std::memcmp(a.bytes.data(), addr.bytes.data(), full) != 0) return false;
  const unsigned rem = len % 8;
  if (rem == 0) return true;
  const uint8_t mask = static_cast<uint8_t>(0xFF00u >> rem);
  return (a.bytes[full] & mask) == addr.bytes[full];
}

std::string IpPrefix::to_string() const { return addr.to_string() + "/" + std::to_string(len); }

}  // namespace mecguard
