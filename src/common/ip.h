// IpAddr and IpPrefix: one value type for IPv4 and IPv6 addresses, used by decoders
// (host-order view of packet addresses), the session tracker and policy. IPv4 is held
// in the first 4 bytes of the array; the rest stays zero so that == and hashing work.
#pragma once

#include <array>
#include <cstdint>
#include <cstring>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace mecguard {

enum class IpFamily : uint8_t { kNone = 0, kV4 = 4, kV6 = 6 };

struct IpAddr {
  std::array<uint8_t, 16> bytes{};
  IpFamily family = IpFamily::kNone;

  static IpAddr v4(uint32_t host_order) {
    IpAddr a;
    a.family = IpFamily::kV4;
    a.bytes[0] = static_cast<uint8_t>(host_order >> 24);
    a.bytes[1] = static_cast<uint8_t>(host_order >> 16);
    a.bytes[2] = static_cast<uint8_t>(host_order >> 8);
    a.bytes[3] = static_cast<uint8_t>(host_order);
    return a;
  }
  static IpAddr v4_from_wire(const uint8_t* p) {
    IpAddr a;
    a.family = IpFamily::kV4;
    std::memcpy(a.bytes.data(), p, 4);
    return a;
  }
  static IpAddr v6_from_wire(const uint8_t* p) {
    IpAddr a;
    a.family = IpFamily::kV6;
    std::memcpy(a.bytes.data(), p, 16);
    return a;
  }
  // Parses dotted-quad or RFC 4291 text; nullopt when it is neither.
  static std::optional<IpAddr> parse(std::string_view text);

  bool is_v4() const { return family == IpFamily::kV4; }
  bool is_v6() const { return family == IpFamily::kV6; }
  bool empty() const { return family == IpFamily::kNone; }
  uint32_t v4_host() const {
    return (uint32_t{bytes[0]} << 24) | (uint32_t{bytes[1]} << 16) | (uint32_t{bytes[2]} << 8) |
           uint32_t{bytes[3]};
  }
  size_t wire_size() const { return is_v4() ? 4 : is_v6() ? 16 : 0; }
  std::string to_string() const;

  // Two 64-bit compares (the defaulted form calls memcmp): this runs for every packet.
  friend bool operator==(const IpAddr& a, const IpAddr& b) {
    uint64_t a0, a1, b0, b1;
    std::memcpy(&a0, a.bytes.data(), 8);
    std::memcpy(&a1, a.bytes.data() + 8, 8);
    std::memcpy(&b0, b.bytes.data(), 8);
    std::memcpy(&b1, b.bytes.data() + 8, 8);
    return ((a0 ^ b0) | (a1 ^ b1)) == 0 && a.family == b.family;
  }
  friend auto operator<=>(const IpAddr&, const IpAddr&) = default;
};

struct IpPrefix {
  IpAddr addr;  // host bits are zeroed by make()
  uint8_t len = 0;

  static IpPrefix make(const IpAddr& a, uint8_t len);
  // "10.0.0.0/8", "2001:db8::/32", or a bare address (full length).
  static std::optional<IpPrefix> parse(std::string_view text);
  bool contains(const IpAddr& a) const;
  std::string to_string() const;
  friend bool operator==(const IpPrefix&, const IpPrefix&) = default;
};

struct IpAddrHash {
  size_t operator()(const IpAddr& a) const noexcept {
    uint64_t lo, hi;
    std::memcpy(&lo, a.bytes.data(), 8);
    std::memcpy(&hi, a.bytes.data() + 8, 8);
    uint64_t h = lo * 0x9E3779B97F4A7C15ULL ^ (hi + 0x632BE59BD9B4E019ULL + static_cast<uint64_t>(a.family));
    h ^= h >> 31;
    return static_cast<size_t>(h * 0xBF58476D1CE4E5B9ULL);
  }
};

}  // namespace mecguard
