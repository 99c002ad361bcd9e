// Helpers for the Port tests and the port benchmark: a private network namespace holding a
// veth pair (entered by the calling thread, always left and deleted again), numbered test
// frames, a plain AF_PACKET peer socket, and a bounded receive loop.
#pragma once

#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "gateway/port.h"

namespace mecguard::gateway::testing {

inline constexpr const char* kPortIf = "mgta";  // the Port's end of the pair
inline constexpr const char* kPeerIf = "mgtb";  // the plain socket's end
inline constexpr uint16_t kTestEtherType = 0x88b5;  // IEEE local experimental
inline constexpr uint32_t kMagic = 0x4d475431;     // "MGT1"

inline int run(const std::string& cmd) {
  const int rc = std::system((cmd + " >/dev/null 2>&1").c_str());
  return rc;
}

// A namespace "mgt-<pid>-<n>" with the veth pair mgta <-> mgtb, both up and without IPv6 (so
// the kernel sends no router solicitations or MLD reports of its own). enter() moves the
// calling thread into it; the destructor moves the thread back and deletes the namespace.
class VethNamespace {
 public:
  VethNamespace() {
    static std::atomic<int> counter{0};
    name_ = "mgt-" + std::to_string(getpid()) + "-" + std::to_string(counter++);
    const std::string ns = "ip -n " + name_ + " ";
    ok_ = run("ip netns add " + name_) == 0;
    if (!ok_) {
      error_ = "ip netns add " + name_ + " failed";
      return;
    }
    created_ = true;
    ok_ = run("ip netns exec " + name_ +
              " sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1") == 0 &&
          run(ns + "link add " + kPortIf + " type veth peer name " + kPeerIf) == 0 &&
          run(ns + "link set " + kPortIf + " up") == 0 && run(ns + "link set " + kPeerIf + " up") == 0;
    if (!ok_) error_ = "creating the veth pair in " + name_ + " failed";
  }
  ~VethNamespace() {
    leave();
    if (created_) run("ip netns del " + name_);
  }
  VethNamespace(const VethNamespace&) = delete;
  VethNamespace& operator=(const VethNamespace&) = delete;

  bool ok() const { return ok_; }
  const std::string& error() const { return error_; }
  const std::string& name() const { return name_; }

  // Moves the calling thread into the namespace (threads it starts afterwards follow it).
  bool enter() {
    if (!ok_) return false;
    orig_ = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
    const int target = open(("/run/netns/" + name_).c_str(), O_RDONLY | O_CLOEXEC);
    const bool entered = orig_ >= 0 && target >= 0 && setns(target, CLONE_NEWNET) == 0;
    if (target >= 0) close(target);
    if (!entered) {
      error_ = "setns into " + name_ + ": " + std::strerror(errno);
      return false;
    }
    return true;
  }
  void leave() {
    if (orig_ < 0) return;
    if (setns(orig_, CLONE_NEWNET) != 0) std::abort();  // the rest of the tests would run inside
    close(orig_);
    orig_ = -1;
  }

 private:
  std::string name_;
  std::string error_;
  bool ok_ = false;
  bool created_ = false;
  int orig_ = -1;
};

// Frame number `seq`: Ethernet to 02:..:01 from 02:..:02, EtherType 0x88b5, magic, sequence
// number, then a pattern derived from both. Sizes cycle over 60..1514.
inline size_t test_frame_size(uint32_t seq) { return 60 + (seq * 7919u) % (1514 - 60 + 1); }

inline std::vector<uint8_t> test_frame(uint32_t seq, size_t size = 0, uint16_t vlan_tci = 0xffff) {
  if (size == 0) size = test_frame_size(seq);
  std::vector<uint8_t> f(size);
  const uint8_t dst[6] = {0x02, 0, 0, 0, 0, 0x01};
  const uint8_t src[6] = {0x02, 0, 0, 0, 0, 0x02};
  std::memcpy(f.data(), dst, 6);
  std::memcpy(f.data() + 6, src, 6);
  size_t o = 12;
  if (vlan_tci != 0xffff) {  // 802.1Q tag
    f[o++] = 0x81;
    f[o++] = 0x00;
    f[o++] = static_cast<uint8_t>(vlan_tci >> 8);
    f[o++] = static_cast<uint8_t>(vlan_tci);
  }
  f[o++] = static_cast<uint8_t>(kTestEtherType >> 8);
  f[o++] = static_cast<uint8_t>(kTestEtherType);
  for (int s = 24; s >= 0; s -= 8) f[o++] = static_cast<uint8_t>(kMagic >> s);
  for (int s = 24; s >= 0; s -= 8) f[o++] = static_cast<uint8_t>(seq >> s);
  for (size_t i = o; i < size; ++i) f[i] = static_cast<uint8_t>(seq * 31u + i);
  return f;
}

// The sequence number of a test frame (untagged or with one tag), or -1 for other traffic.
inline int64_t test_seq(const uint8_t* p, size_t len) {
  size_t o = 12;
  if (len >= 18 && p[12] == 0x81 && p[13] == 0x00) o = 16;
  if (len < o + 10 || p[o] != (kTestEtherType >> 8) || p[o + 1] != (kTestEtherType & 0xff)) return -1;
  const uint32_t magic = (uint32_t{p[o + 2]} << 24) | (uint32_t{p[o + 3]} << 16) | (uint32_t{p[o + 4]} << 8) | p[o + 5];
  if (magic != kMagic) return -1;
  return (int64_t{p[o + 6]} << 24) | (int64_t{p[o + 7]} << 16) | (int64_t{p[o + 8]} << 8) | p[o + 9];
}

// A plain AF_PACKET socket on `ifname` (in the calling thread's namespace): sends frames and
// receives everything but its own transmissions. Returns -1 on failure.
inline int open_peer_socket(const char* ifname) {
  const int fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_P_ALL));
  if (fd < 0) return -1;
  sockaddr_ll sll{};
  sll.sll_family = AF_PACKET;
  sll.sll_protocol = htons(ETH_P_ALL);
  sll.sll_ifindex = static_cast<int>(if_nametoindex(ifname));
  const int one = 1;
  const int buf = 32 << 20;
  if (sll.sll_ifindex == 0 || bind(fd, reinterpret_cast<sockaddr*>(&sll), sizeof sll) != 0 ||
      setsockopt(fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof one) != 0 ||
      setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &buf, sizeof buf) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

// Sends one frame from the peer socket, retrying while the socket buffer is full.
inline bool peer_send(int fd, const std::vector<uint8_t>& f) {
  for (int tries = 0; tries < 1000; ++tries) {
    if (send(fd, f.data(), f.size(), 0) == static_cast<ssize_t>(f.size())) return true;
    if (errno != ENOBUFS && errno != EAGAIN) return false;
    usleep(100);
  }
  return false;
}

struct Received {
  std::vector<std::vector<uint8_t>> frames;  // test frames, in arrival order
  std::vector<uint64_t> ts_ns;
  size_t others = 0;                          // frames that were not test frames
};

// Receives from the port until `want` test frames have arrived in total or `timeout_ms` passes
// without progress, polling the port's fd; copies the test frames out. `batch` bounds each
// receive(); release() follows every receive().
inline void collect(Port& port, size_t want, Received* r, int timeout_ms = 2000, size_t batch = 64) {
  std::vector<RxFrame> buf(batch);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (r->frames.size() < want && std::chrono::steady_clock::now() < deadline) {
    const size_t n = port.receive(buf);
    if (n == 0) {
      pollfd pfd{port.fd(), POLLIN, 0};
      (void)poll(&pfd, 1, 20);
      continue;
    }
    for (size_t i = 0; i < n; ++i) {
      if (test_seq(buf[i].data, buf[i].len) < 0) {
        r->others++;
        continue;
      }
      r->frames.emplace_back(buf[i].data, buf[i].data + buf[i].len);
      r->ts_ns.push_back(buf[i].ts_ns);
    }
    port.release();
    deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  }
}

// Reads test frames arriving at the peer socket until `want` or `timeout_ms` without one.
inline void peer_collect(int fd, size_t want, std::vector<std::vector<uint8_t>>* out, int timeout_ms = 2000) {
  std::vector<uint8_t> buf(65536);
  while (out->size() < want) {
    pollfd pfd{fd, POLLIN, 0};
    if (poll(&pfd, 1, timeout_ms) <= 0) return;
    const ssize_t n = recv(fd, buf.data(), buf.size(), MSG_DONTWAIT);
    if (n <= 0) continue;
    if (test_seq(buf.data(), static_cast<size_t>(n)) >= 0) out->emplace_back(buf.data(), buf.data() + n);
  }
}

}  // namespace mecguard::gateway::testing
