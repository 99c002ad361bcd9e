// Benchmark workloads: PFCP session establishment fed through the pipeline, uplink G-PDU
// traffic (benign, or with a share of attack frames) and the all-stages-on policy.
#include "workload.h"

#include <algorithm>
#include <cstring>
#include <stdexcept>

#include "decode/build.h"
#include "gen/prng.h"
#include "pfcp/build.h"

namespace mecguard::bench {

namespace {
using gen::splitmix64;
const IpAddr kSmf = *IpAddr::parse("10.10.4.10");
const IpAddr kUpfN4 = *IpAddr::parse("10.10.4.1");
const IpAddr kUpfN3 = *IpAddr::parse("10.10.3.1");
const IpAddr kGnb = *IpAddr::parse("10.10.3.21");
constexpr uint32_t kServers = 1024;  // 198.51.96.0/22
// Packet time advances as at the rate the targets name (10 Mpps), so each UE's windows see the
// packets a UE would send at that aggregate rate (100 per second each with 100k UEs).
constexpr uint64_t kFrameGapNs = 100;
constexpr uint32_t kServersPerUe = 4;  // each UE talks to a few servers, as UEs do
// An uplink G-PDU's headers: Ethernet 14 + IPv4 20 + UDP 8 + GTP-U 8 + optional 4 + PDU Session
// Container 4 outside, IPv4 20 + UDP 8 inside; the shortest frame carries no payload.
constexpr uint32_t kOuterHeaders = 58, kInnerHeaders = 28, kShortestFrame = kOuterHeaders + kInnerHeaders;

IpAddr ue_addr(uint32_t i) { return IpAddr::v4(0x0A400000u + i + 1); }  // 10.64.0.1 upward
IpAddr server_addr(uint32_t i) { return IpAddr::v4(0xC6336000u + i % kServers); }

std::vector<uint8_t> pfcp_frame(const IpAddr& src, const IpAddr& dst, const pfcp::Message& m) {
  const auto payload = pfcp::encode(m);
  return decode::build::ethernet_ip(decode::build::udp_ip(src, dst, 8805, 8805, payload));
}

}  // namespace

std::pair<std::vector<uint8_t>, std::vector<uint8_t>> establishment_frames(uint32_t i) {
  pfcp::UeSessionSpec s;
  s.cp_seid = 0x1000000 + i;
  s.cp_addr = kSmf;
  s.cp_node = pfcp::NodeId::from_ip(kSmf);
  s.ue_addr = ue_addr(i);
  s.ul_teid = 0x100000 + i;
  s.upf_n3_addr = kUpfN3;
  s.gnb_teid = 0x800000 + i;
  s.gnb_addr = kGnb;
  const uint32_t seq = (i % 0xFFFFFF) + 1;
  return {pfcp_frame(kSmf, kUpfN4, pfcp::session_establishment_request(seq, s)),
          pfcp_frame(kUpfN4, kSmf,
                     pfcp::session_establishment_response(seq, s.cp_seid, pfcp::NodeId::from_ip(kUpfN4),
                                                          pfcp::Cause::kRequestAccepted, 0x2000000 + i, kUpfN4))};
}

std::vector<uint8_t> uplink_frame(uint32_t session, uint32_t f, uint32_t frame_len, uint32_t server,
                                  const IpAddr* spoofed_src, const uint32_t* teid) {
  const uint32_t inner_len = frame_len > kShortestFrame ? frame_len - kOuterHeaders : kInnerHeaders;
  const std::vector<uint8_t> payload(inner_len - kInnerHeaders, 0xAB);
  const auto inner = decode::build::udp_ip(spoofed_src ? *spoofed_src : ue_addr(session), server_addr(server),
                                           static_cast<uint16_t>(40000 + f % 20000), 443, payload);
  const auto spec = decode::build::gpdu_spec(teid ? *teid : 0x100000 + session, inner, 9, 1);
  return decode::build::ethernet_ip(decode::build::gtpu_ip(kGnb, kUpfN3, spec));
}

std::unique_ptr<Traffic> make_uplink_traffic(uint32_t sessions, uint32_t frames, double attack_share,
                                             uint32_t frame_len, uint64_t seed) {
  auto t = std::make_unique<Traffic>();
  t->sessions = sessions;
  uint64_t rng = seed;
  const auto attack_below = static_cast<uint64_t>(attack_share * 1e6);
  // Each frame is frame_len bytes, or the shortest G-PDU uplink_frame builds.
  const size_t arena_bytes = size_t{frames} * std::max<size_t>(frame_len, kShortestFrame);
  t->arena = guard::PageMemory(arena_bytes);
  auto* arena = static_cast<uint8_t*>(t->arena.data());
  size_t used = 0;
  t->attack.assign(frames, 0);
  t->frames.reserve(frames);
  for (uint32_t f = 0; f < frames; ++f) {
    const auto i = static_cast<uint32_t>(splitmix64(rng) % sessions);
    const auto server = i * kServersPerUe + static_cast<uint32_t>(splitmix64(rng) % kServersPerUe);
    std::vector<uint8_t> frame;
    if (splitmix64(rng) % 1'000'000 < attack_below) {
      t->attack[f] = 1;
      ++t->attack_frames;
      // Half unknown tunnels (TEIDs above every session's), half spoofed sources in the pool.
      if (f & 1) {
        const auto teid = 0x0F000000 + static_cast<uint32_t>(splitmix64(rng) % 0xFFFFFF);
        frame = uplink_frame(i, f, frame_len, server, nullptr, &teid);
      } else {
        const IpAddr src = IpAddr::v4(0x0A7E0000u + static_cast<uint32_t>(splitmix64(rng) % 0x10000));  // 10.126/16
        frame = uplink_frame(i, f, frame_len, server, &src, nullptr);
      }
    } else {
      frame = uplink_frame(i, f, frame_len, server);
    }
    if (frame.size() > arena_bytes - used) throw std::length_error("benchmark frame longer than its arena share");
    std::memcpy(arena + used, frame.data(), frame.size());
    t->frames.push_back({Bytes(arena + used, frame.size()), 1'000'000'000ull + f * kFrameGapNs, f + 1ull});
    used += frame.size();
  }
  return t;
}

ShiftedBatches::ShiftedBatches(const Traffic& t, size_t batch)
    : t_(&t),
      buf_(batch),
      pass_ns_(t.frames.back().ts_ns - t.frames.front().ts_ns + 10'000),
      shift_(pass_ns_) {}

std::span<const guard::RawFrame> ShiftedBatches::next() {
  const size_t batch = buf_.size();
  if (i_ + batch > t_->frames.size()) {
    i_ = 0;
    shift_ += pass_ns_;
  }
  for (size_t k = 0; k < batch; ++k) {
    buf_[k] = t_->frames[i_ + k];
    buf_[k].ts_ns += shift_;
  }
  i_ += batch;
  return buf_;
}

policy::Policy make_policy(uint32_t sessions, uint32_t acl_rules, uint64_t seed) {
  policy::Policy p;
  p.topology.upf_n3 = {kUpfN3};
  p.topology.upf_n4 = {kUpfN4};
  p.topology.smf_peers = {kSmf};
  policy::NetworkInstance ni;
  ni.name = "internet";
  ni.ue_pools = {*IpPrefix::parse("10.64.0.0/10")};
  ni.inter_ue.action = policy::Action::kDeny;
  p.network_instances.push_back(ni);
  p.zones[policy::Zone::kRan] = {*IpPrefix::parse("10.10.3.0/24")};
  p.zones[policy::Zone::kCore] = {*IpPrefix::parse("10.10.4.0/24")};
  p.zones[policy::Zone::kDn] = {*IpPrefix::parse("0.0.0.0/0")};
  p.zone_rules = {{policy::Zone::kUe, policy::Zone::kDn, policy::Action::kAllow},
                  {policy::Zone::kDn, policy::Zone::kUe, policy::Action::kAllow}};
  // Every bucket kind on, far above what the workload sends: the buckets are spent, never empty.
  const policy::RateLimit high{1e9, 1e13};
  p.rate_limits.ue_uplink = high;
  p.rate_limits.ue_downlink = high;
  p.rate_limits.network_instances["internet"] = {high, high};
  p.rate_limits.pfcp_per_peer_pps = 1e12;
  p.rate_limits.gtpu_echo_per_peer_pps = 1e9;
  p.detection.enabled = true;
  // At 10 Mpps over 1,024 servers each server sees ~10k packets per second from thousands of
  // UEs: a deployment in front of such servers sets the convergence threshold above that.
  p.detection.ddos_pps = 100'000;
  uint64_t rng = seed;
  for (uint32_t r = 0; r < acl_rules; ++r) {
    policy::AclRule rule;
    rule.id = r + 1;
    rule.action = policy::Action::kDeny;
    rule.proto = (splitmix64(rng) & 1) ? 6 : 17;
    // Destinations in 203.0.113.0/24 and ports the workload never uses.
    rule.dst = {IpPrefix::make(IpAddr::v4(0xCB007100u + static_cast<uint32_t>(splitmix64(rng) % 256)), 32)};
    const auto port = static_cast<uint16_t>(1000 + splitmix64(rng) % 30000);
    rule.dport = {port, static_cast<uint16_t>(port + splitmix64(rng) % 16)};
    if (r % 3 == 0) rule.src = {IpPrefix::make(ue_addr(static_cast<uint32_t>(splitmix64(rng) % sessions)), 32)};
    p.acl.push_back(rule);
  }
  return p;
}

guard::Worker::Limits limits_for(uint32_t sessions) {
  guard::Worker::Limits limits;
  limits.sessions.max_sessions = std::max<size_t>(size_t{sessions} + 16, 1024);
  return limits;
}

size_t prime_sessions(guard::Pipeline& pipe, uint32_t sessions) {
  constexpr size_t kBatch = guard::Pipeline::kMaxBatch;
  std::vector<std::vector<uint8_t>> bytes;
  std::vector<guard::RawFrame> batch;
  std::vector<guard::Verdict> verdicts(kBatch);
  bytes.reserve(kBatch);
  uint64_t n = 0;
  auto flush = [&] {
    batch.clear();
    for (const auto& b : bytes) {
      ++n;
      batch.push_back({Bytes(b.data(), b.size()), n * 100, n});  // before the traffic's first frame
    }
    pipe.process(batch, verdicts);
    pipe.worker().events().clear();
    bytes.clear();
  };
  for (uint32_t i = 0; i < sessions; ++i) {
    auto [req, resp] = establishment_frames(i);
    bytes.push_back(std::move(req));
    bytes.push_back(std::move(resp));
    if (bytes.size() >= kBatch) flush();
  }
  if (!bytes.empty()) flush();
  return pipe.worker().sessions().size();
}

std::unique_ptr<guard::Pipeline> make_primed_pipeline(const policy::Policy& policy, uint32_t sessions) {
  auto compiled = guard::compile_policy(policy);
  if (!compiled) return nullptr;
  auto pipe = std::make_unique<guard::Pipeline>(*compiled, limits_for(sessions), decode::LinkType::kEthernet);
  prime_sessions(*pipe, sessions);
  // A few quarantined UEs outside the workload, so the quarantine stage looks every packet up.
  for (uint32_t q = 0; q < 16; ++q) {
    guard::QuarantineEntry e;
    e.ue = IpAddr::v4(0x0A7F0000u + q);
    e.by = "bench";
    pipe->worker().quarantine_add(e, 0);
  }
  pipe->worker().events().clear();
  return pipe;
}

}  // namespace mecguard::bench
