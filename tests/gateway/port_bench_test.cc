// Port micro benchmark over a veth pair in a private namespace (disabled by default; run with
// --gtest_also_run_disabled_tests --gtest_filter='*PortBench*'). Prints packets/s for RX and
// TX of each port, and compares AF_PACKET TX by sendmmsg() with a TPACKET_V3 TX ring, the
// measurement behind af_packet_port.cc's choice. Reports numbers only; asserts no times.
#include <gtest/gtest.h>
#include <sys/mman.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <thread>
#include <vector>

#include "gateway/port.h"
#include "port_test_util.h"

namespace mecguard::gateway {
namespace {

using testing::kPeerIf;
using testing::kPortIf;
using testing::test_frame;
using testing::VethNamespace;
using Clock = std::chrono::steady_clock;

constexpr size_t kBatch = 64;
constexpr uint32_t kTxFrames = 1000000;
constexpr auto kRxTime = std::chrono::seconds(2);

double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

std::unique_ptr<Port> open_mode(IoMode m, const char* ifname) {
  PortOptions opts;
  auto p = m == IoMode::kAfXdp ? open_af_xdp(ifname, opts) : open_af_packet(ifname, opts);
  EXPECT_TRUE(p.has_value()) << p.error().to_string();
  return p ? std::move(p).value() : nullptr;
}

// Frames/s the port's send()+flush() push through the veth (nobody listens on the peer).
double tx_rate(Port& port, size_t frame_len) {
  const auto f = test_frame(0, frame_len);
  std::vector<Bytes> batch(kBatch, Bytes(f));
  uint64_t sent = 0;
  const auto t0 = Clock::now();
  while (sent < kTxFrames && seconds_since(t0) < 10) {
    sent += port.send(batch);
    port.flush();
  }
  return static_cast<double>(sent) / seconds_since(t0);
}

// The same through a TPACKET_V3 TX ring on a bare socket: fill frames, one send() per batch.
double tx_ring_rate(const char* ifname, size_t frame_len) {
  const int fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
  if (fd < 0) return 0;
  const int v = TPACKET_V3;
  const int one = 1;
  tpacket_req3 req{};
  req.tp_block_size = 1 << 17;
  req.tp_block_nr = 64;
  req.tp_frame_size = 2048;
  req.tp_frame_nr = req.tp_block_size / req.tp_frame_size * req.tp_block_nr;
  sockaddr_ll sll{};
  sll.sll_family = AF_PACKET;
  sll.sll_protocol = htons(ETH_P_ALL);
  sll.sll_ifindex = static_cast<int>(if_nametoindex(ifname));
  if (setsockopt(fd, SOL_PACKET, PACKET_VERSION, &v, sizeof v) != 0 ||
      setsockopt(fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof one) != 0 ||
      setsockopt(fd, SOL_PACKET, PACKET_TX_RING, &req, sizeof req) != 0 ||
      bind(fd, reinterpret_cast<sockaddr*>(&sll), sizeof sll) != 0) {
    close(fd);
    return 0;
  }
  const size_t bytes = static_cast<size_t>(req.tp_block_size) * req.tp_block_nr;
  void* m = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (m == MAP_FAILED) {
    close(fd);
    return 0;
  }
  auto* ring = static_cast<uint8_t*>(m);
  const auto f = test_frame(0, frame_len);
  const size_t data_off = (sizeof(tpacket3_hdr) + TPACKET_ALIGNMENT - 1) & ~size_t{TPACKET_ALIGNMENT - 1};
  uint32_t slot = 0;
  uint64_t sent = 0;
  const auto t0 = Clock::now();
  while (sent < kTxFrames && seconds_since(t0) < 10) {
    uint32_t queued = 0;
    for (; queued < kBatch; ++queued) {
      auto* h = reinterpret_cast<tpacket3_hdr*>(ring + static_cast<size_t>(slot) * req.tp_frame_size);
      std::atomic_ref<uint32_t> status(h->tp_status);
      if (status.load(std::memory_order_acquire) != TP_STATUS_AVAILABLE) break;
      std::memcpy(reinterpret_cast<uint8_t*>(h) + data_off, f.data(), f.size());
      h->tp_len = static_cast<uint32_t>(f.size());
      h->tp_next_offset = 0;
      status.store(TP_STATUS_SEND_REQUEST, std::memory_order_release);
      slot = (slot + 1) % req.tp_frame_nr;
    }
    if (send(fd, nullptr, 0, 0) < 0 && errno != EAGAIN && errno != ENOBUFS) break;
    sent += queued;
  }
  const double rate = static_cast<double>(sent) / seconds_since(t0);
  munmap(m, bytes);
  close(fd);
  return rate;
}

// Frames/s the port receives while an AF_PACKET port on the peer sends as fast as it can.
void rx_rate(Port& port, Port& sender, size_t frame_len, double* rate, uint64_t* drops) {
  std::atomic<bool> stop{false};
  std::thread tx([&] {
    const auto f = test_frame(0, frame_len);
    std::vector<Bytes> batch(kBatch, Bytes(f));
    while (!stop.load(std::memory_order_relaxed)) {
      sender.send(batch);
      sender.flush();
    }
  });
  std::vector<RxFrame> buf(256);
  uint64_t got = 0;
  const auto t0 = Clock::now();
  while (Clock::now() - t0 < kRxTime) {
    const size_t n = port.receive(buf);
    got += n;
    if (n > 0) port.release();
  }
  const double secs = seconds_since(t0);
  stop = true;
  tx.join();
  *rate = static_cast<double>(got) / secs;
  *drops = port.stats().rx_kernel_drops;
}

TEST(PortBench, DISABLED_PacketsPerSecondOverVeth) {
  VethNamespace ns;
  ASSERT_TRUE(ns.ok()) << ns.error();
  ASSERT_TRUE(ns.enter()) << ns.error();
  for (size_t len : {size_t{64}, size_t{1514}}) {
    {
      auto p = open_mode(IoMode::kAfPacket, kPortIf);
      ASSERT_TRUE(p);
      std::printf("[ bench    ] %4zu B  af_packet TX sendmmsg      %10.0f pps\n", len, tx_rate(*p, len));
    }
    std::printf("[ bench    ] %4zu B  af_packet TX TPACKET_V3 ring %8.0f pps\n", len, tx_ring_rate(kPortIf, len));
    {
      auto p = open_mode(IoMode::kAfXdp, kPortIf);
      ASSERT_TRUE(p);
      std::printf("[ bench    ] %4zu B  af_xdp    TX                %10.0f pps\n", len, tx_rate(*p, len));
    }
    for (IoMode m : {IoMode::kAfPacket, IoMode::kAfXdp}) {
      auto p = open_mode(m, kPortIf);
      auto sender = open_mode(IoMode::kAfPacket, kPeerIf);
      ASSERT_TRUE(p && sender);
      double rate = 0;
      uint64_t drops = 0;
      rx_rate(*p, *sender, len, &rate, &drops);
      std::printf("[ bench    ] %4zu B  %-9s RX                %10.0f pps (kernel drops %llu)\n", len,
                  std::string(io_mode_name(m)).c_str(), rate, static_cast<unsigned long long>(drops));
    }
  }
}

}  // namespace
}  // namespace mecguard::gateway
