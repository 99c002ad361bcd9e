// AF_PACKET port: the fallback I/O path of the inline gateway (see docs/io.md). RX through a
// TPACKET_V3 mmap'ed ring (the kernel fills whole blocks of variable-size frames and hands a
// block over when it is full or its retire timer fires); TX through sendmmsg() on the same
// socket with PACKET_QDISC_BYPASS. Written from the kernel's packet_mmap documentation.
#include <fcntl.h>
#include <net/if.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <vector>

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wpedantic"
#pragma GCC diagnostic ignored "-Wold-style-cast"
#pragma GCC diagnostic ignored "-Wcast-align"
#pragma GCC diagnostic ignored "-Wconversion"
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#pragma GCC diagnostic pop

#include "gateway/port.h"

namespace mecguard::gateway {
namespace {

constexpr uint32_t kFramesPerBlock = 64;  // block = 64 frame slots (128 KiB at 2048)
constexpr uint32_t kRetireTimeoutMs = 1;  // a partly filled block is handed over after 1 ms
constexpr uint32_t kVlanHeadroom = 4;     // PACKET_RESERVE: room to put a stripped tag back
constexpr size_t kTxBatch = 64;           // frames per sendmmsg() call

std::string errno_text(int e) { return std::string(std::strerror(e)); }

Error sys_error(const std::string& ifname, const char* what, int e) {
  std::string msg = "af_packet on " + ifname + ": " + what + ": " + errno_text(e);
  if (e == EPERM || e == EACCES) msg += " (needs root or CAP_NET_RAW)";
  return Error(e == EPERM || e == EACCES ? ErrorCode::kUnsupported : ErrorCode::kIo, msg);
}

uint32_t round_up_pow2(uint32_t v) {
  uint32_t p = 1;
  while (p < v) p <<= 1;
  return p;
}

// Owns the socket and the ring mapping; frees them on every path.
class AfPacketPort final : public Port {
 public:
  AfPacketPort(std::string name, int fd) : name_(std::move(name)), fd_(fd) {}
  ~AfPacketPort() override {
    if (ring_ != nullptr) munmap(ring_, ring_bytes_);
    if (fd_ >= 0) close(fd_);
  }
  AfPacketPort(const AfPacketPort&) = delete;
  AfPacketPort& operator=(const AfPacketPort&) = delete;

  Expected<void> setup(const PortOptions& opts);

  IoMode mode() const override { return IoMode::kAfPacket; }
  const std::string& name() const override { return name_; }
  int fd() const override { return fd_; }
  size_t receive(std::span<RxFrame> out) override;
  void release() override;
  size_t send(std::span<const Bytes> frames) override;
  PortStats stats() const override;

 private:
  tpacket_block_desc* block(uint32_t i) const {
    return reinterpret_cast<tpacket_block_desc*>(ring_ + static_cast<size_t>(i) * block_size_);
  }
  static std::atomic_ref<uint32_t> status_of(tpacket_block_desc* b) {
    return std::atomic_ref<uint32_t>(b->hdr.bh1.block_status);
  }
  // Turns a frame whose VLAN tag the kernel moved into the header back into the tagged frame
  // that was on the wire; uses the PACKET_RESERVE headroom in front of the MAC header.
  static RxFrame frame_of(tpacket3_hdr* h);

  std::string name_;
  int fd_ = -1;
  uint8_t* ring_ = nullptr;
  size_t ring_bytes_ = 0;
  uint32_t block_size_ = 0;
  uint32_t block_nr_ = 0;

  // Read position: block cur_ (owned by us once started_), next packet pkt_, left_ to go.
  uint32_t cur_ = 0;
  bool started_ = false;
  uint32_t left_ = 0;
  uint8_t* pkt_ = nullptr;
  // Blocks read to the end but not yet released, starting at done_first_.
  uint32_t done_first_ = 0;
  uint32_t done_count_ = 0;

  PortStats stats_;
  mutable uint64_t kernel_drops_ = 0;  // PACKET_STATISTICS resets on read: accumulated here
};

Expected<void> AfPacketPort::setup(const PortOptions& opts) {
  if (opts.frame_size < 256 || opts.frame_size > 65536 || opts.frame_size % TPACKET_ALIGNMENT != 0) {
    return Unexpected(Error(ErrorCode::kInvalidArgument,
                            "af_packet on " + name_ + ": frame_size " + std::to_string(opts.frame_size) +
                                " must be 256..65536 and a multiple of 16"));
  }
  const unsigned ifindex = if_nametoindex(name_.c_str());
  if (ifindex == 0) {
    return Unexpected(Error(ErrorCode::kInvalidArgument,
                            "af_packet: no such interface '" + name_ + "': " + errno_text(errno)));
  }
  const int version = TPACKET_V3;
  if (setsockopt(fd_, SOL_PACKET, PACKET_VERSION, &version, sizeof version) != 0) {
    return Unexpected(sys_error(name_, "PACKET_VERSION TPACKET_V3", errno));
  }
  const int reserve = kVlanHeadroom;
  if (setsockopt(fd_, SOL_PACKET, PACKET_RESERVE, &reserve, sizeof reserve) != 0) {
    return Unexpected(sys_error(name_, "PACKET_RESERVE", errno));
  }
  const long page = sysconf(_SC_PAGESIZE);
  block_size_ = round_up_pow2(std::max(opts.frame_size * kFramesPerBlock, static_cast<uint32_t>(page)));
  const uint32_t frames_per_block = block_size_ / opts.frame_size;
  block_nr_ = std::max<uint32_t>(2, (std::max<uint32_t>(opts.ring_frames, 1) + frames_per_block - 1) /
                                         frames_per_block);
  tpacket_req3 req{};
  req.tp_block_size = block_size_;
  req.tp_block_nr = block_nr_;
  req.tp_frame_size = opts.frame_size;
  req.tp_frame_nr = frames_per_block * block_nr_;
  req.tp_retire_blk_tov = kRetireTimeoutMs;
  if (setsockopt(fd_, SOL_PACKET, PACKET_RX_RING, &req, sizeof req) != 0) {
    return Unexpected(sys_error(name_, "PACKET_RX_RING", errno));
  }
  ring_bytes_ = static_cast<size_t>(block_size_) * block_nr_;
  void* m = mmap(nullptr, ring_bytes_, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_LOCKED, fd_, 0);
  if (m == MAP_FAILED) {  // MAP_LOCKED may exceed RLIMIT_MEMLOCK; locking is only a nicety
    m = mmap(nullptr, ring_bytes_, PROT_READ | PROT_WRITE, MAP_SHARED, fd_, 0);
  }
  if (m == MAP_FAILED) {
    ring_bytes_ = 0;
    return Unexpected(sys_error(name_, "mmap of the RX ring", errno));
  }
  ring_ = static_cast<uint8_t*>(m);

  const int one = 1;
  // Frames this host transmits on the interface (ours or another port's) are not input.
  if (setsockopt(fd_, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof one) != 0) {
    return Unexpected(sys_error(name_, "PACKET_IGNORE_OUTGOING (kernel >= 4.20)", errno));
  }
  if (setsockopt(fd_, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof one) != 0) {
    return Unexpected(sys_error(name_, "PACKET_QDISC_BYPASS", errno));
  }
  // The socket was created with protocol 0 so that nothing arrives before the ring and
  // options are in place; binding with ETH_P_ALL starts reception on this interface only.
  sockaddr_ll sll{};
  sll.sll_family = AF_PACKET;
  sll.sll_protocol = htons(ETH_P_ALL);
  sll.sll_ifindex = static_cast<int>(ifindex);
  if (bind(fd_, reinterpret_cast<const sockaddr*>(&sll), sizeof sll) != 0) {
    return Unexpected(sys_error(name_, "bind", errno));
  }
  packet_mreq mr{};
  mr.mr_ifindex = static_cast<int>(ifindex);
  mr.mr_type = PACKET_MR_PROMISC;
  if (setsockopt(fd_, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &mr, sizeof mr) != 0) {
    return Unexpected(sys_error(name_, "PACKET_ADD_MEMBERSHIP promiscuous", errno));
  }
  // Start the drop counter at zero for this port.
  tpacket_stats_v3 st{};
  socklen_t len = sizeof st;
  (void)getsockopt(fd_, SOL_PACKET, PACKET_STATISTICS, &st, &len);
  return {};
}

RxFrame AfPacketPort::frame_of(tpacket3_hdr* h) {
  uint8_t* mac = reinterpret_cast<uint8_t*>(h) + h->tp_mac;
  uint32_t len = h->tp_snaplen;
  // sockaddr_ll follows the aligned header; the tag must fit between it and the MAC header.
  constexpr size_t kAddrEnd = ((sizeof(tpacket3_hdr) + TPACKET_ALIGNMENT - 1) & ~size_t{TPACKET_ALIGNMENT - 1}) +
                              sizeof(sockaddr_ll);
  const bool tagged = (h->tp_status & TP_STATUS_VLAN_VALID) != 0;
  if (tagged && len >= 12 && h->tp_mac >= kAddrEnd + kVlanHeadroom) {
    const uint16_t tpid =
        (h->tp_status & TP_STATUS_VLAN_TPID_VALID) != 0 ? h->hv1.tp_vlan_tpid : uint16_t{ETH_P_8021Q};
    const uint16_t tci = static_cast<uint16_t>(h->hv1.tp_vlan_tci);
    std::memmove(mac - kVlanHeadroom, mac, 12);  // destination and source MAC
    mac -= kVlanHeadroom;
    mac[12] = static_cast<uint8_t>(tpid >> 8);
    mac[13] = static_cast<uint8_t>(tpid);
    mac[14] = static_cast<uint8_t>(tci >> 8);
    mac[15] = static_cast<uint8_t>(tci);
    len += kVlanHeadroom;
    // Rewrite the header so that a second look at this frame does not insert the tag again.
    h->tp_mac = static_cast<uint16_t>(h->tp_mac - kVlanHeadroom);
    h->tp_snaplen = len;
    h->tp_status &= ~static_cast<uint32_t>(TP_STATUS_VLAN_VALID | TP_STATUS_VLAN_TPID_VALID);
    h->hv1.tp_vlan_tci = 0;
  }
  RxFrame f;
  f.data = mac;
  f.len = len;
  f.ts_ns = static_cast<uint64_t>(h->tp_sec) * 1000000000ULL + h->tp_nsec;
  return f;
}

size_t AfPacketPort::receive(std::span<RxFrame> out) {
  size_t n = 0;
  while (n < out.size()) {
    if (!started_) {
      if (done_count_ == block_nr_) break;  // every block is waiting for release()
      tpacket_block_desc* b = block(cur_);
      if ((status_of(b).load(std::memory_order_acquire) & TP_STATUS_USER) == 0) break;
      started_ = true;
      left_ = b->hdr.bh1.num_pkts;
      pkt_ = reinterpret_cast<uint8_t*>(b) + b->hdr.bh1.offset_to_first_pkt;
    }
    while (left_ > 0 && n < out.size()) {
      auto* h = reinterpret_cast<tpacket3_hdr*>(pkt_);
      out[n] = frame_of(h);
      stats_.rx_packets++;
      stats_.rx_bytes += out[n].len;
      ++n;
      pkt_ += h->tp_next_offset;
      --left_;
    }
    if (left_ == 0) {  // block read to the end: keep it until release()
      if (done_count_ == 0) done_first_ = cur_;
      ++done_count_;
      cur_ = (cur_ + 1) % block_nr_;
      started_ = false;
    }
  }
  return n;
}

void AfPacketPort::release() {
  // Blocks read to the end go back to the kernel; a partly read block stays ours (its unread
  // frames come with the next receive()) and goes back once read to the end.
  for (uint32_t i = 0; i < done_count_; ++i) {
    status_of(block((done_first_ + i) % block_nr_)).store(TP_STATUS_KERNEL, std::memory_order_release);
  }
  done_count_ = 0;
}

size_t AfPacketPort::send(std::span<const Bytes> frames) {
  size_t sent = 0;
  size_t i = 0;
  iovec iov[kTxBatch];
  mmsghdr msgs[kTxBatch];
  while (i < frames.size()) {
    const size_t batch = std::min(kTxBatch, frames.size() - i);
    for (size_t k = 0; k < batch; ++k) {
      iov[k].iov_base = const_cast<uint8_t*>(frames[i + k].data());
      iov[k].iov_len = frames[i + k].size();
      msgs[k] = mmsghdr{};
      msgs[k].msg_hdr.msg_iov = &iov[k];
      msgs[k].msg_hdr.msg_iovlen = 1;
    }
    const int r = sendmmsg(fd_, msgs, static_cast<unsigned>(batch), MSG_DONTWAIT);
    if (r > 0) {
      for (int k = 0; k < r; ++k) stats_.tx_bytes += frames[i + static_cast<size_t>(k)].size();
      stats_.tx_packets += static_cast<uint64_t>(r);
      sent += static_cast<size_t>(r);
      i += static_cast<size_t>(r);
      continue;
    }
    if (r < 0 && errno == EINTR) continue;
    if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;  // socket buffer full: not taken
    // The kernel refused frame i (too long, device down, driver dropped it): count and skip it.
    stats_.tx_errors++;
    ++i;
  }
  return sent;
}

PortStats AfPacketPort::stats() const {
  tpacket_stats_v3 st{};
  socklen_t len = sizeof st;
  if (getsockopt(fd_, SOL_PACKET, PACKET_STATISTICS, &st, &len) == 0) kernel_drops_ += st.tp_drops;
  PortStats s = stats_;
  s.rx_kernel_drops = kernel_drops_;
  return s;
}

}  // namespace

Expected<std::unique_ptr<Port>> open_af_packet(const std::string& ifname, const PortOptions& opts) {
  if (ifname.empty() || ifname.size() >= IFNAMSIZ) {
    return Unexpected(Error(ErrorCode::kInvalidArgument, "af_packet: bad interface name '" + ifname + "'"));
  }
  const int fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) return Unexpected(sys_error(ifname, "socket(AF_PACKET)", errno));
  auto port = std::make_unique<AfPacketPort>(ifname, fd);
  if (auto r = port->setup(opts); !r) return Unexpected(r.error());
  return std::unique_ptr<Port>(std::move(port));
}

}  // namespace mecguard::gateway
