// AF_XDP port: the fast I/O path of the inline gateway (see docs/io.md). One xsk socket on
// queue 0 with its own UMEM: the first half of the UMEM frames circulate between the fill and
// RX rings, the second half between the TX and completion rings. libxdp loads its default
// program, which redirects queue 0 into the socket. Written from the kernel's af_xdp docs.
#include <net/if.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wpedantic"
#pragma GCC diagnostic ignored "-Wold-style-cast"
#pragma GCC diagnostic ignored "-Wcast-align"
#pragma GCC diagnostic ignored "-Wconversion"
#pragma GCC diagnostic ignored "-Wsign-conversion"
#include <bpf/libbpf.h>
#include <linux/if_link.h>
#include <linux/if_xdp.h>
#include <xdp/libxdp.h>
#include <xdp/xsk.h>
#pragma GCC diagnostic pop

#include "gateway/port.h"

namespace mecguard::gateway {
namespace {

constexpr int kBusyRetries = 20;        // EBUSY retries while a closed socket's queue frees up
constexpr useconds_t kBusyRetryUs = 25000;
constexpr uint32_t kTxKickRounds = 64;  // sendto() rounds per flush(); the kernel sends 32 per call

std::string errno_text(int e) { return std::string(std::strerror(e < 0 ? -e : e)); }

uint32_t round_up_pow2(uint32_t v) {
  uint32_t p = 1;
  while (p < v) p <<= 1;
  return p;
}

// libxdp and libbpf print their reasons for a failure; keep them to put in the Error.
thread_local std::string* g_log = nullptr;

int capture_log(const char* fmt, va_list ap) {
  if (g_log == nullptr) return 0;
  char buf[512];
  const int n = std::vsnprintf(buf, sizeof buf, fmt, ap);
  if (n > 0) {
    std::string line(buf, std::min<size_t>(static_cast<size_t>(n), sizeof buf - 1));
    while (!line.empty() && (line.back() == '\n' || line.back() == ' ')) line.pop_back();
    if (!line.empty()) {
      if (!g_log->empty()) *g_log += "; ";
      *g_log += line;
    }
  }
  return 0;
}
int xdp_log(enum libxdp_print_level level, const char* fmt, va_list ap) {
  return level == LIBXDP_WARN ? capture_log(fmt, ap) : 0;
}
int bpf_log(enum libbpf_print_level level, const char* fmt, va_list ap) {
  return level == LIBBPF_WARN ? capture_log(fmt, ap) : 0;
}

// Routes the libraries' messages into `log` while it lives; restores their printers after.
class LogCapture {
 public:
  explicit LogCapture(std::string* log) {
    g_log = log;
    old_xdp_ = libxdp_set_print(xdp_log);
    old_bpf_ = libbpf_set_print(bpf_log);
  }
  ~LogCapture() {
    libxdp_set_print(old_xdp_);
    libbpf_set_print(old_bpf_);
    g_log = nullptr;
  }
  LogCapture(const LogCapture&) = delete;
  LogCapture& operator=(const LogCapture&) = delete;

 private:
  libxdp_print_fn_t old_xdp_ = nullptr;
  libbpf_print_fn_t old_bpf_ = nullptr;
};

class AfXdpPort final : public Port {
 public:
  AfXdpPort(std::string name, int ifindex) : name_(std::move(name)), ifindex_(ifindex) {}
  ~AfXdpPort() override { teardown(); }
  AfXdpPort(const AfXdpPort&) = delete;
  AfXdpPort& operator=(const AfXdpPort&) = delete;

  Expected<void> setup(const PortOptions& opts);
  const std::string& mode_text() const { return mode_text_; }

  IoMode mode() const override { return IoMode::kAfXdp; }
  const std::string& name() const override { return name_; }
  int fd() const override { return xsk_socket__fd(xsk_); }
  size_t receive(std::span<RxFrame> out) override;
  void release() override;
  size_t send(std::span<const Bytes> frames) override;
  void flush() override;
  PortStats stats() const override;

 private:
  // One attempt at binding the socket in one XDP attach mode; a fresh UMEM each time, since
  // a failed attempt may have consumed the UMEM's rings.
  Expected<void> try_mode(uint32_t xdp_flags, uint16_t bind_flags, const char* label);
  void close_socket();
  void teardown();
  void reclaim_completions();
  uint8_t* data(uint64_t addr) const { return static_cast<uint8_t*>(area_) + addr; }

  std::string name_;
  int ifindex_ = 0;
  std::string mode_text_;  // "generic mode" / "native mode"
  int last_errno_ = 0;      // of the last failed xsk socket creation
  bool attached_ = false;  // our socket (and so libxdp's program) was set up on the interface
  bool zero_copy_ = false;
  uint32_t max_tx_len_ = 0;  // MTU + Ethernet header + one VLAN tag
  uint32_t frame_size_ = 0;
  uint32_t rx_frames_ = 0;  // UMEM frames [0, rx_frames_) feed RX
  uint32_t tx_frames_ = 0;  // UMEM frames [rx_frames_, rx_frames_ + tx_frames_) carry TX
  void* area_ = nullptr;
  size_t area_bytes_ = 0;
  xsk_umem* umem_ = nullptr;
  xsk_socket* xsk_ = nullptr;
  xsk_ring_prod fill_{};
  xsk_ring_cons comp_{};
  xsk_ring_cons rx_{};
  xsk_ring_prod tx_{};

  std::vector<uint64_t> held_;     // RX frames handed out by receive(), back to fill on release()
  std::vector<uint64_t> tx_free_;  // TX frames neither in the TX ring nor awaiting completion
  uint32_t tx_pending_ = 0;        // submitted to the TX ring and not yet kicked out
  PortStats stats_;
};

Expected<void> AfXdpPort::try_mode(uint32_t xdp_flags, uint16_t bind_flags, const char* label) {
  xsk_umem_config uc{};
  uc.fill_size = rx_frames_;
  uc.comp_size = tx_frames_;
  uc.frame_size = frame_size_;
  uc.frame_headroom = 0;
  uc.flags = 0;
  std::string log;
  LogCapture capture(&log);
  int r = xsk_umem__create(&umem_, area_, area_bytes_, &fill_, &comp_, &uc);
  if (r != 0) {
    umem_ = nullptr;
    last_errno_ = -r;
    std::string why = errno_text(r);
    if (r == -EPERM || r == -EACCES) why += " (AF_XDP needs root or CAP_NET_RAW)";
    if (r == -EAFNOSUPPORT) why += " (kernel built without AF_XDP)";
    return Unexpected(Error(ErrorCode::kUnsupported, std::string(label) + ": UMEM registration: " + why +
                                                         (log.empty() ? "" : " (" + log + ")")));
  }
  xsk_socket_config sc{};
  sc.rx_size = rx_frames_;
  sc.tx_size = tx_frames_;
  sc.libxdp_flags = 0;  // libxdp loads its default redirect program
  sc.xdp_flags = xdp_flags;
  sc.bind_flags = bind_flags;
  r = xsk_socket__create(&xsk_, name_.c_str(), 0, umem_, &rx_, &tx_, &sc);
  if (r != 0) {
    xsk_ = nullptr;
    xsk_umem__delete(umem_);
    umem_ = nullptr;
    last_errno_ = -r;
    std::string why = errno_text(r);
    if (r == -EPERM || r == -EACCES) why += " (BPF and AF_XDP need root or CAP_NET_ADMIN+CAP_BPF)";
    if (r == -EOPNOTSUPP) why += " (the driver does not support this XDP mode)";
    if (r == -EBUSY) why += " (queue 0 already has an AF_XDP socket or another XDP program)";
    return Unexpected(Error(ErrorCode::kUnsupported,
                            std::string(label) + ": xsk socket: " + why + (log.empty() ? "" : " (" + log + ")")));
  }
  return {};
}

Expected<void> AfXdpPort::setup(const PortOptions& opts) {
  frame_size_ = opts.frame_size;
  const long page = sysconf(_SC_PAGESIZE);
  if (frame_size_ < 2048 || frame_size_ > static_cast<uint32_t>(page) || (frame_size_ & (frame_size_ - 1)) != 0) {
    return Unexpected(Error(ErrorCode::kInvalidArgument,
                            "af_xdp on " + name_ + ": frame_size " + std::to_string(frame_size_) +
                                " must be a power of two from 2048 to the page size"));
  }
  rx_frames_ = round_up_pow2(std::max<uint32_t>(opts.ring_frames, 64));
  tx_frames_ = rx_frames_;
  area_bytes_ = static_cast<size_t>(rx_frames_ + tx_frames_) * frame_size_;
  void* m = mmap(nullptr, area_bytes_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (m == MAP_FAILED) {
    area_bytes_ = 0;
    return Unexpected(Error(ErrorCode::kIo, "af_xdp on " + name_ + ": UMEM mmap: " + errno_text(errno)));
  }
  area_ = m;
  // Huge pages where the kernel has them (advisory; before the first touch and the UMEM
  // registration that pins the pages): the worker reads every frame from this area, and with
  // 4 KB pages every two 2 KB frames need a translation of their own (docs/decisions/008).
#ifdef MADV_HUGEPAGE
  if (area_bytes_ >= (size_t{2} << 20)) madvise(m, area_bytes_, MADV_HUGEPAGE);
#endif

  // Native (driver) mode first; the kernel picks zero-copy where the driver has it and copy
  // otherwise. Then generic (SKB) mode in copy, which every interface has.
  // A socket closed just before (a restart) frees its queue from a kernel work item a little
  // later; until then binding fails with EBUSY, so that case is retried for a bounded time.
  for (int attempt = 0;; ++attempt) {
    auto native = try_mode(XDP_FLAGS_DRV_MODE, XDP_USE_NEED_WAKEUP, "native mode");
    if (native) {
      mode_text_ = "native mode";
      break;
    }
    auto generic = try_mode(XDP_FLAGS_SKB_MODE, XDP_COPY | XDP_USE_NEED_WAKEUP, "generic mode");
    if (generic) {
      mode_text_ = "generic mode";
      break;
    }
    if (last_errno_ != EBUSY || attempt >= kBusyRetries) {
      return Unexpected(Error(generic.error().code, "af_xdp on " + name_ + ": " + native.error().message +
                                                        "; " + generic.error().message));
    }
    usleep(kBusyRetryUs);
  }
  attached_ = true;
  xdp_options xo{};
  socklen_t xo_len = sizeof xo;
  if (getsockopt(fd(), SOL_XDP, XDP_OPTIONS, &xo, &xo_len) == 0 && (xo.flags & XDP_OPTIONS_ZEROCOPY) != 0) {
    zero_copy_ = true;
    mode_text_ += ", zero-copy";
  }
  ifreq ifr{};
  std::memcpy(ifr.ifr_name, name_.c_str(), name_.size() + 1);
  max_tx_len_ = frame_size_;
  if (ioctl(fd(), SIOCGIFMTU, &ifr) == 0 && ifr.ifr_mtu > 0) {
    max_tx_len_ = std::min<uint32_t>(frame_size_, static_cast<uint32_t>(ifr.ifr_mtu) + 18);
  }

  // Every RX frame starts in the fill ring.
  uint32_t idx = 0;
  if (xsk_ring_prod__reserve(&fill_, rx_frames_, &idx) != rx_frames_) {
    return Unexpected(Error(ErrorCode::kInternal, "af_xdp on " + name_ + ": fill ring smaller than requested"));
  }
  for (uint32_t i = 0; i < rx_frames_; ++i) {
    *xsk_ring_prod__fill_addr(&fill_, idx + i) = static_cast<uint64_t>(i) * frame_size_;
  }
  xsk_ring_prod__submit(&fill_, rx_frames_);
  tx_free_.reserve(tx_frames_);
  for (uint32_t i = 0; i < tx_frames_; ++i) {
    tx_free_.push_back(static_cast<uint64_t>(rx_frames_ + i) * frame_size_);
  }
  held_.reserve(rx_frames_);
  return {};
}

void AfXdpPort::close_socket() {
  if (xsk_ != nullptr) xsk_socket__delete(xsk_);
  xsk_ = nullptr;
  if (umem_ != nullptr) xsk_umem__delete(umem_);
  umem_ = nullptr;
}

void AfXdpPort::teardown() {
  std::string log;
  LogCapture capture(&log);  // libxdp's notes on the way out are of no use to anyone
  close_socket();
  // libxdp removes its program when the last socket on the interface goes; make sure that no
  // program of ours stays attached whatever the library version does.
  if (attached_) {
    attached_ = false;
    xdp_multiprog* mp = xdp_multiprog__get_from_ifindex(ifindex_);
    if (libxdp_get_error(mp) == 0 && mp != nullptr) {
      // Only when the attached program is libxdp's AF_XDP one (another tool's program stays).
      xdp_program* main = xdp_multiprog__main_prog(mp);
      const bool ours = main != nullptr && std::strcmp(xdp_program__name(main), "xsk_def_prog") == 0;
      if (ours) (void)xdp_multiprog__detach(mp);
      xdp_multiprog__close(mp);
    }
  }
  if (area_ != nullptr) munmap(area_, area_bytes_);
  area_ = nullptr;
}

size_t AfXdpPort::receive(std::span<RxFrame> out) {
  if (out.empty()) return 0;
  uint32_t idx = 0;
  const uint32_t n = xsk_ring_cons__peek(&rx_, static_cast<uint32_t>(out.size()), &idx);
  if (n == 0) {
    // The kernel asks to be woken when it ran out of fill buffers (driver mode).
    if (xsk_ring_prod__needs_wakeup(&fill_)) (void)recvfrom(fd(), nullptr, 0, MSG_DONTWAIT, nullptr, nullptr);
    return 0;
  }
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  const uint64_t now = static_cast<uint64_t>(ts.tv_sec) * 1000000000ULL + static_cast<uint64_t>(ts.tv_nsec);
  for (uint32_t i = 0; i < n; ++i) {
    const xdp_desc* d = xsk_ring_cons__rx_desc(&rx_, idx + i);
    out[i].data = data(d->addr);
    out[i].len = d->len;
    out[i].ts_ns = now;
    held_.push_back(d->addr);
    stats_.rx_bytes += d->len;
  }
  stats_.rx_packets += n;
  return n;
}

void AfXdpPort::release() {
  const auto n = static_cast<uint32_t>(held_.size());
  if (n == 0) return;
  xsk_ring_cons__release(&rx_, n);
  // The fill ring holds every RX frame, so there is always room for the ones coming back.
  uint32_t idx = 0;
  if (xsk_ring_prod__reserve(&fill_, n, &idx) == n) {
    const uint64_t mask = ~static_cast<uint64_t>(frame_size_ - 1);
    for (uint32_t i = 0; i < n; ++i) *xsk_ring_prod__fill_addr(&fill_, idx + i) = held_[i] & mask;
    xsk_ring_prod__submit(&fill_, n);
  }
  held_.clear();
}

void AfXdpPort::reclaim_completions() {
  uint32_t idx = 0;
  const uint32_t n = xsk_ring_cons__peek(&comp_, tx_frames_, &idx);
  for (uint32_t i = 0; i < n; ++i) tx_free_.push_back(*xsk_ring_cons__comp_addr(&comp_, idx + i));
  if (n > 0) xsk_ring_cons__release(&comp_, n);
}

size_t AfXdpPort::send(std::span<const Bytes> frames) {
  reclaim_completions();
  // Longer frames would be dropped by the device after the kernel took them; refuse them here.
  const uint32_t max_len = max_tx_len_;
  size_t sent = 0;
  for (const Bytes& f : frames) {
    if (f.empty() || f.size() > max_len) {  // cannot be carried by a UMEM frame
      stats_.tx_errors++;
      continue;
    }
    if (tx_free_.empty()) {
      flush();  // push what is queued so that completions can come back
      reclaim_completions();
      if (tx_free_.empty()) break;
    }
    uint32_t idx = 0;
    if (xsk_ring_prod__reserve(&tx_, 1, &idx) != 1) break;
    const uint64_t addr = tx_free_.back();
    tx_free_.pop_back();
    std::memcpy(data(addr), f.data(), f.size());
    xdp_desc* d = xsk_ring_prod__tx_desc(&tx_, idx);
    d->addr = addr;
    d->len = static_cast<uint32_t>(f.size());
    d->options = 0;
    xsk_ring_prod__submit(&tx_, 1);
    ++tx_pending_;
    stats_.tx_packets++;
    stats_.tx_bytes += f.size();
    ++sent;
  }
  return sent;
}

void AfXdpPort::flush() {
  // In copy mode every transmission is done by sendto(), at most 32 frames per call.
  for (uint32_t round = 0; round < kTxKickRounds && tx_pending_ > 0; ++round) {
    if (zero_copy_ && !xsk_ring_prod__needs_wakeup(&tx_)) break;  // the driver is already on it
    const ssize_t r = sendto(fd(), nullptr, 0, MSG_DONTWAIT, nullptr, 0);
    if (r < 0 && errno == EBUSY) stats_.tx_errors++;  // the device dropped one frame
    if (r < 0 && errno != EAGAIN && errno != EBUSY && errno != ENOBUFS && errno != ENETDOWN) break;
    // The TX ring's consumer shows how far the kernel got.
    const uint32_t queued = *tx_.producer - __atomic_load_n(tx_.consumer, __ATOMIC_ACQUIRE);
    tx_pending_ = queued;
    if (r >= 0 && queued == 0) break;
  }
  reclaim_completions();
}

PortStats AfXdpPort::stats() const {
  PortStats s = stats_;
  xdp_statistics xs{};
  socklen_t len = sizeof xs;
  if (getsockopt(fd(), SOL_XDP, XDP_STATISTICS, &xs, &len) == 0) {
    s.rx_kernel_drops = xs.rx_dropped + xs.rx_ring_full;  // cumulative in the kernel
    s.tx_errors += xs.tx_invalid_descs;
  }
  return s;
}

}  // namespace

// For open_port()'s note: "generic mode" / "native mode" of an AF_XDP port, empty otherwise.
std::string af_xdp_mode_text(const Port& port) {
  const auto* x = dynamic_cast<const AfXdpPort*>(&port);
  return x == nullptr ? std::string() : x->mode_text();
}

Expected<std::unique_ptr<Port>> open_af_xdp(const std::string& ifname, const PortOptions& opts) {
  if (ifname.empty() || ifname.size() >= IFNAMSIZ) {
    return Unexpected(Error(ErrorCode::kInvalidArgument, "af_xdp: bad interface name '" + ifname + "'"));
  }
  const unsigned ifindex = if_nametoindex(ifname.c_str());
  if (ifindex == 0) {
    return Unexpected(
        Error(ErrorCode::kInvalidArgument, "af_xdp: no such interface '" + ifname + "': " + errno_text(errno)));
  }
  auto port = std::make_unique<AfXdpPort>(ifname, static_cast<int>(ifindex));
  if (auto r = port->setup(opts); !r) return Unexpected(r.error());
  return std::unique_ptr<Port>(std::move(port));
}

}  // namespace mecguard::gateway
