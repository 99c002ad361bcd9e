// `mecguard replay CAPTURE --net IF --upf IF --policy FILE`: the lab's traffic source. Sends a
// capture's frames into the wire on the side each frame comes from: frames whose outer
// source is a UPF address (the policy's topology) leave from the UPF-side interface, all
// others from the network side; each interface may live in its own network namespace. The
// original timing is kept (scaled by --speed) unless --topspeed; when consecutive frames
// leave from different sides, --switch-gap-us separates them so that a bump in the wire
// between the two sides receives them in capture order. --loop repeats the capture
// (forwarding-rate measurements).
#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "capture/reader.h"
#include "cli/commands.h"
#include "decode/packet.h"
#include "gateway/port.h"
#include "policy/policy.h"

namespace mecguard::cli {

namespace {

struct ReplayArgs {
  std::string capture, net_if, net_ns, upf_if, upf_ns, policy;
  double speed = 1.0;
  bool topspeed = false;
  uint64_t loop = 1;
  uint32_t switch_gap_us = 200;
};

// Opens an AF_PACKET port on `ifname` inside network namespace `ns` ("" = the current one).
Expected<std::unique_ptr<gateway::Port>> open_in_netns(const std::string& ifname, const std::string& ns) {
  gateway::PortOptions o;
  o.mode = gateway::IoMode::kAfPacket;
  o.ring_frames = 256;
  if (ns.empty()) return gateway::open_af_packet(ifname, o);
  const int self = ::open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
  const std::string path = "/var/run/netns/" + ns;
  const int target = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (self < 0 || target < 0 || setns(target, CLONE_NEWNET) != 0) {
    if (self >= 0) ::close(self);
    if (target >= 0) ::close(target);
    return Unexpected(Error(ErrorCode::kIo, "cannot enter network namespace " + ns));
  }
  auto port = gateway::open_af_packet(ifname, o);
  const bool back = setns(self, CLONE_NEWNET) == 0;
  ::close(self);
  ::close(target);
  if (!back) return Unexpected(Error(ErrorCode::kInternal, "cannot return to the original network namespace"));
  return port;
}

struct Held {
  std::vector<uint8_t> data;
  uint64_t ts_ns;
  uint8_t side;  // 0 network, 1 UPF
};

int run_replay(const ReplayArgs& a) {
  std::vector<IpAddr> upf;
  if (!a.policy.empty()) {
    auto pol = policy::load_policy_file(a.policy);
    if (!pol) {
      for (const auto& e : pol.error()) std::fprintf(stderr, "%s\n", e.to_string().c_str());
      return 2;
    }
    const auto& t = pol->topology;
    for (const auto* list : {&t.upf_n3, &t.upf_n4, &t.upf_n6, &t.upf_n9}) upf.insert(upf.end(), list->begin(), list->end());
  }
  auto reader = capture::Reader::open(a.capture);
  if (!reader) {
    std::fprintf(stderr, "mecguard replay: %s\n", reader.error().to_string().c_str());
    return 1;
  }
  // The capture is held in memory: replay must not wait on the disk.
  std::vector<Held> frames;
  std::vector<capture::Frame> batch(256);
  decode::DecodedPacket pkt;
  while (size_t n = reader->read_batch(batch)) {
    for (size_t i = 0; i < n; ++i) {
      decode::decode_frame(batch[i].data, reader->link_type(), pkt);
      const bool from_upf = pkt.outer_ip.present() && std::find(upf.begin(), upf.end(), pkt.outer_ip.src) != upf.end();
      frames.push_back({std::vector<uint8_t>(batch[i].data.begin(), batch[i].data.end()), batch[i].ts_ns,
                        static_cast<uint8_t>(from_upf && !a.upf_if.empty() ? 1 : 0)});
    }
  }
  if (reader->error()) {
    std::fprintf(stderr, "mecguard replay: %s\n", reader->error()->to_string().c_str());
    return 1;
  }
  if (reader->link_type() != decode::LinkType::kEthernet) {
    std::fprintf(stderr, "mecguard replay: %s: only Ethernet captures can be replayed\n", a.capture.c_str());
    return 2;
  }
  std::unique_ptr<gateway::Port> ports[2];
  for (int side = 0; side < 2; ++side) {
    const std::string& ifname = side == 0 ? a.net_if : a.upf_if;
    if (ifname.empty()) continue;
    auto p = open_in_netns(ifname, side == 0 ? a.net_ns : a.upf_ns);
    if (!p) {
      std::fprintf(stderr, "mecguard replay: %s: %s\n", ifname.c_str(), p.error().to_string().c_str());
      return 1;
    }
    ports[side] = std::move(*p);
  }

  uint64_t sent[2] = {0, 0}, failed = 0;
  const auto t0 = std::chrono::steady_clock::now();
  auto send_run = [&](size_t begin, size_t end) {
    std::vector<Bytes> out;
    for (size_t i = begin; i < end; ++i) out.emplace_back(frames[i].data);
    const uint8_t side = frames[begin].side;
    std::span<const Bytes> rest(out);
    for (int tries = 0; !rest.empty() && tries < 100000; ++tries) {
      const size_t k = ports[side]->send(rest);
      rest = rest.subspan(k);
      sent[side] += k;
      if (k == 0) std::this_thread::sleep_for(std::chrono::microseconds(20));
    }
    failed += rest.size();
  };
  for (uint64_t round = 0; round < a.loop && !frames.empty(); ++round) {
    const uint64_t first_ts = frames.front().ts_ns;
    const auto round_start = std::chrono::steady_clock::now();
    size_t i = 0;
    while (i < frames.size()) {
      if (!a.topspeed) {
        const double due_ns = static_cast<double>(frames[i].ts_ns - std::min(first_ts, frames[i].ts_ns)) / a.speed;
        const auto due = round_start + std::chrono::nanoseconds(static_cast<int64_t>(due_ns));
        if (due > std::chrono::steady_clock::now()) std::this_thread::sleep_until(due);
      }
      // A run of frames leaving from one side, up to the next due time (or 64 at top speed).
      size_t j = i + 1;
      while (j < frames.size() && j - i < 64 && frames[j].side == frames[i].side &&
             (a.topspeed || frames[j].ts_ns == frames[i].ts_ns)) {
        ++j;
      }
      send_run(i, j);
      if (j < frames.size() && frames[j].side != frames[i].side && a.switch_gap_us) {
        std::this_thread::sleep_for(std::chrono::microseconds(a.switch_gap_us));
      }
      i = j;
    }
  }
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const uint64_t total = sent[0] + sent[1];
  std::printf("replayed %" PRIu64 " frames (network side %" PRIu64 ", UPF side %" PRIu64 ") in %.3f s (%.0f frames/s)",
              total, sent[0], sent[1], secs, secs > 0 ? static_cast<double>(total) / secs : 0.0);
  if (failed) std::printf("; %" PRIu64 " not sent", failed);
  std::printf("\n");
  return failed ? 1 : 0;
}

}  // namespace

void register_replay(CLI::App& app) {
  static ReplayArgs args;
  auto* sub = app.add_subcommand("replay", "Send a capture into the lab's wire, each frame from its side");
  sub->add_option("CAPTURE", args.capture, "pcap or pcapng file (Ethernet)")->required();
  sub->add_option("--net", args.net_if, "network-side interface (gNB, SMF, data network)")->required();
  sub->add_option("--net-netns", args.net_ns, "network namespace of --net");
  sub->add_option("--upf", args.upf_if, "UPF-side interface (frames from UPF addresses); none: all from --net");
  sub->add_option("--upf-netns", args.upf_ns, "network namespace of --upf");
  sub->add_option("--policy", args.policy, "policy naming the UPF addresses (topology)");
  sub->add_option("--speed", args.speed, "timing multiplier (2: twice as fast)")->check(CLI::PositiveNumber);
  sub->add_flag("--topspeed", args.topspeed, "send as fast as possible");
  sub->add_option("--loop", args.loop, "send the capture this many times")->check(CLI::Range(1, 1000000));
  sub->add_option("--switch-gap-us", args.switch_gap_us, "pause when the sending side changes (microseconds)")
      ->check(CLI::Range(0, 1000000));
  sub->callback([] { exit_status() = run_replay(args); });
}

}  // namespace mecguard::cli
