// Benchmark workloads built in memory: N PDU sessions established through real PFCP frames,
// uplink G-PDUs of a fixed size spread over them, and K random ACL rules. Shared by the
// Google Benchmark cases and the scaling runs.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "common/bytes.h"
#include "guard/pipeline.h"
#include "policy/policy.h"

namespace mecguard::bench {

struct Workload {
  std::vector<std::vector<uint8_t>> n4;       // PFCP frames establishing the sessions
  std::vector<uint8_t> arena;                 // user-plane frames back to back
  std::vector<guard::RawFrame> frames;        // views into arena
  policy::Policy policy;
};

// sessions: UEs 10.64.0.1 upward (pool 10.64.0.0/10); frame_len: Ethernet frame size of each G-PDU;
// acl_rules: rules that never match the workload's traffic (so every stage runs to its end).
std::unique_ptr<Workload> make_uplink_workload(uint32_t sessions, uint32_t frames, uint32_t acl_rules,
                                               uint32_t frame_len = 128, uint64_t seed = 1);

// A pipeline that has learned the workload's sessions (the N4 frames were fed through it).
std::unique_ptr<guard::Pipeline> make_primed_pipeline(const Workload& w);

}  // namespace mecguard::bench
