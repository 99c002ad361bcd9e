// libFuzzer target: decode + the whole guard pipeline. The input is a sequence of frames,
// each a 2-byte big-endian length and that many bytes, judged in batches by a pipeline with
// a fixed policy, so PFCP frames can build session state that later frames hit.
#include <cstddef>
#include <cstdint>
#include <algorithm>
#include <memory>
#include <vector>

#include "guard/pipeline.h"
#include "policy/policy.h"

namespace {
constexpr const char* kPolicy = R"(version: 1
topology: {upf_n3: [10.10.3.1], upf_n4: [10.10.4.1], smf_peers: [10.10.4.10]}
network_instances:
  - {name: internet, ue_pools: [10.45.0.0/16, 2001:db8:45::/48], inter_ue: deny}
  - {name: factory, ue_pools: [10.46.0.0/16], inter_ue: {action: redirect, gateway: 10.99.0.1}}
zones:
  ran: [10.10.3.0/24]
  core: [10.10.4.0/24]
  mec: [10.20.0.0/24]
  dn: [0.0.0.0/0]
  rules: [{from: ue, to: dn, action: allow}, {from: dn, to: ue, action: allow}]
classes: {locked: {acl_default: deny}}
ue_groups: [{name: g, class: locked, members: [10.45.9.0/24]}]
acl:
  rules:
    - {action: deny, proto: tcp, dport: 23}
    - {action: log, proto: udp, dport: 514}
)";

std::shared_ptr<const mecguard::guard::CompiledPolicy> policy() {
  static auto compiled = [] {
    auto p = mecguard::policy::load_policy_string(kPolicy, "fuzz-policy.yaml");
    if (!p) __builtin_trap();
    auto c = mecguard::guard::compile_policy(*p);
    if (!c) __builtin_trap();
    return *c;
  }();
  return compiled;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace mecguard::guard;
  Worker::Limits limits;
  limits.sessions.max_sessions = 64;
  limits.sessions.max_addresses = 64;
  limits.sessions.max_routes = 64;
  limits.sessions.recently_deleted = 64;
  limits.n4.max_pending = 16;
  limits.max_events_per_batch = 64;
  Pipeline pipe(policy(), limits, mecguard::decode::LinkType::kEthernet);
  std::vector<RawFrame> frames;
  size_t off = 0;
  uint64_t n = 0;
  while (off + 2 <= size && frames.size() < 1024) {
    const size_t len = (size_t{data[off]} << 8) | data[off + 1];
    off += 2;
    if (len > size - off) break;
    frames.push_back({mecguard::Bytes(data + off, len), 1'000'000'000ull * ++n, n});
    off += len;
  }
  std::vector<Verdict> verdicts(Pipeline::kMaxBatch);
  for (size_t i = 0; i < frames.size(); i += Pipeline::kMaxBatch) {
    const size_t k = std::min(Pipeline::kMaxBatch, frames.size() - i);
    pipe.process(std::span(frames.data() + i, k), std::span(verdicts.data(), k));
    for (size_t j = 0; j < k; ++j) {
      if (static_cast<size_t>(verdicts[j].reason) >= kReasonCount) __builtin_trap();
    }
    pipe.worker().events().clear();
  }
  if (pipe.worker().sessions().size() > 64) __builtin_trap();
  return 0;
}
