#include "workload.h"

#include "decode/build.h"
#include "pfcp/build.h"

namespace mecguard::bench {

namespace {
uint64_t splitmix(uint64_t& s) {
  uint64_t z = (s += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}
const IpAddr kSmf = *IpAddr::parse("10.10.4.10");
const IpAddr kUpfN4 = *IpAddr::parse("10.10.4.1");
const IpAddr kUpfN3 = *IpAddr::parse("10.10.3.1");
const IpAddr kGnb = *IpAddr::parse("10.10.3.21");
const IpAddr kServer = *IpAddr::parse("198.51.100.10");

IpAddr ue_addr(uint32_t i) { return IpAddr::v4(0x0A400000u + i + 1); }  // 10.64.0.1 upward

std::vector<uint8_t> pfcp_frame(const IpAddr& src, const IpAddr& dst, const pfcp::Message& m) {
  const auto payload = pfcp::encode(m);
  return decode::build::ethernet_ip(decode::build::udp_ip(src, dst, 8805, 8805, payload));
}
}  // namespace

std::unique_ptr<Workload> make_uplink_workload(uint32_t sessions, uint32_t frames, uint32_t acl_rules,
                                               uint32_t frame_len, uint64_t seed) {
  auto w = std::make_unique<Workload>();
  w->n4.reserve(size_t{sessions} * 2);
  for (uint32_t i = 0; i < sessions; ++i) {
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
    w->n4.push_back(pfcp_frame(kSmf, kUpfN4, pfcp::session_establishment_request(seq, s)));
    w->n4.push_back(pfcp_frame(kUpfN4, kSmf,
                               pfcp::session_establishment_response(seq, s.cp_seid, pfcp::NodeId::from_ip(kUpfN4),
                                                                    pfcp::Cause::kRequestAccepted, 0x2000000 + i,
                                                                    kUpfN4)));
  }
  // Ethernet 14 + IPv4 20 + UDP 8 + GTP-U 8 + optional 4 + PDU Session Container 4 = 58.
  const uint32_t inner_len = frame_len > 58 + 28 ? frame_len - 58 : 28;
  const std::vector<uint8_t> payload(inner_len - 28, 0xAB);
  uint64_t rng = seed;
  w->arena.reserve(size_t{frames} * frame_len);
  std::vector<size_t> offsets;
  offsets.reserve(frames);
  for (uint32_t f = 0; f < frames; ++f) {
    const uint32_t i = static_cast<uint32_t>(splitmix(rng) % sessions);
    const auto inner = decode::build::udp_ip(ue_addr(i), kServer, static_cast<uint16_t>(40000 + f % 20000), 443, payload);
    const auto spec = decode::build::gpdu_spec(0x100000 + i, inner, 9, 1);
    const auto frame = decode::build::ethernet_ip(decode::build::gtpu_ip(kGnb, kUpfN3, spec));
    offsets.push_back(w->arena.size());
    w->arena.insert(w->arena.end(), frame.begin(), frame.end());
  }
  for (uint32_t f = 0; f < frames; ++f) {
    const size_t end = f + 1 < frames ? offsets[f + 1] : w->arena.size();
    w->frames.push_back({Bytes(w->arena.data() + offsets[f], end - offsets[f]), 1'000'000'000ull + f * 1000ull, f + 1ull});
  }

  policy::Policy& p = w->policy;
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
  for (uint32_t r = 0; r < acl_rules; ++r) {
    policy::AclRule rule;
    rule.id = r + 1;
    rule.action = policy::Action::kDeny;
    rule.proto = (splitmix(rng) & 1) ? 6 : 17;
    // Destinations in 203.0.113.0/24-ish space and ports the workload never uses.
    rule.dst = {IpPrefix::make(IpAddr::v4(0xCB007100u + static_cast<uint32_t>(splitmix(rng) % 256)), 32)};
    const auto port = static_cast<uint16_t>(1000 + splitmix(rng) % 30000);
    rule.dport = {port, static_cast<uint16_t>(port + splitmix(rng) % 16)};
    if (r % 3 == 0) rule.src = {IpPrefix::make(ue_addr(static_cast<uint32_t>(splitmix(rng) % sessions)), 32)};
    p.acl.push_back(rule);
  }
  return w;
}

std::unique_ptr<guard::Pipeline> make_primed_pipeline(const Workload& w) {
  auto compiled = guard::compile_policy(w.policy);
  if (!compiled) return nullptr;
  guard::Worker::Limits limits;
  limits.sessions.max_sessions = std::max<size_t>(w.n4.size() / 2 + 16, 1024);
  auto pipe = std::make_unique<guard::Pipeline>(*compiled, limits, decode::LinkType::kEthernet);
  std::vector<guard::RawFrame> batch;
  std::vector<guard::Verdict> verdicts(guard::Pipeline::kMaxBatch);
  uint64_t n = 0;
  for (const auto& f : w.n4) {
    batch.push_back({Bytes(f.data(), f.size()), ++n, n});
    if (batch.size() == guard::Pipeline::kMaxBatch) {
      pipe->process(batch, verdicts);
      batch.clear();
    }
  }
  if (!batch.empty()) pipe->process(batch, verdicts);
  pipe->worker().events().clear();
  return pipe;
}

}  // namespace mecguard::bench
