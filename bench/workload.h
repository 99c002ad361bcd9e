// Benchmark workloads built in memory: N PDU sessions established through real PFCP frames
// (generated and fed in batches, never all held at once), uplink G-PDUs of a fixed size spread
// over them (optionally with a share of attack frames: unknown TEIDs and spoofed UE sources),
// and a policy with K ACL rules and every stage on (rate limits set high enough never to drop,
// detection with its defaults). Shared by the Google Benchmark cases, the per-session memory
// measurement and the scaling runs (bench/scaling.sh).
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <utility>
#include <vector>

#include "common/bytes.h"
#include "guard/page_array.h"
#include "guard/pipeline.h"
#include "policy/policy.h"

namespace mecguard::bench {

// Uplink user-plane frames over `sessions` sessions (UEs 10.64.0.1 upward, pool 10.64.0.0/10).
struct Traffic {
  uint32_t sessions = 0;
  // Frames back to back in a mapping that asks for transparent huge pages, as a gateway's
  // packet buffers are (an AF_XDP UMEM, DPDK's huge-page mempools): with 4 KB pages, reading
  // 1M frames in order walked the page tables every 32 frames, and once 1M sessions had pushed
  // the page tables out of the caches those walks cost decode + classify ~15 ns per packet
  // (docs/decisions/008).
  guard::PageMemory arena;
  std::vector<guard::RawFrame> frames;  // views into arena
  std::vector<uint8_t> attack;         // per frame: 1 when the pipeline must drop it
  size_t attack_frames = 0;
};

// The traffic's frames a batch at a time, pass after pass over them, each pass later in packet
// time than the one before (the first by one pass: callers have run one unshifted or warm-up
// pass already), so that time never runs backwards for the per-UE windows and buckets. Each
// batch's descriptors are copied with the shift applied, as from an I/O ring. Used by
// BM_Pipeline and mecguard_profile.
class ShiftedBatches {
 public:
  ShiftedBatches(const Traffic& t, size_t batch);
  // The next `batch` frames (a pass ends at the last whole batch).
  std::span<const guard::RawFrame> next();
  size_t batches_per_pass() const { return t_->frames.size() / buf_.size(); }

 private:
  const Traffic* t_;
  std::vector<guard::RawFrame> buf_;
  size_t i_ = 0;
  uint64_t pass_ns_;
  uint64_t shift_;
};

// frame_len: Ethernet frame size of each G-PDU. attack_share: fraction of frames that are
// attacks, half with a TEID no session has, half with an inner source the session does not own.
// Frames are 100 ns apart in packet time (10 Mpps) and each UE sends to 4 of 1,024 servers, so
// that benign traffic stays under the detection thresholds (no alerts) while every detector
// still runs.
std::unique_ptr<Traffic> make_uplink_traffic(uint32_t sessions, uint32_t frames, double attack_share = 0,
                                             uint32_t frame_len = 128, uint64_t seed = 1);

// One uplink G-PDU of session i (frame number f picks the source port; server: one of 1,024),
// with an optional spoofed inner source or foreign TEID.
std::vector<uint8_t> uplink_frame(uint32_t session, uint32_t f, uint32_t frame_len = 128, uint32_t server = 0,
                                  const IpAddr* spoofed_src = nullptr, const uint32_t* teid = nullptr);

// The PFCP session establishment request (SMF -> UPF) and accepting response of session i, as
// Ethernet frames (the PFCP message starts at byte 42).
std::pair<std::vector<uint8_t>, std::vector<uint8_t>> establishment_frames(uint32_t i);

// A policy for `sessions` sessions with `acl_rules` rules that never match the traffic (so every
// stage runs to its end), every stage in enforce mode, rate limits on every bucket kind and
// detection on.
policy::Policy make_policy(uint32_t sessions, uint32_t acl_rules, uint64_t seed = 7);

// Worker limits sized for `sessions` sessions.
guard::Worker::Limits limits_for(uint32_t sessions);

// Establishes `sessions` sessions by feeding PFCP request/response pairs through the pipeline.
// Returns the number of sessions the pipeline holds afterwards.
size_t prime_sessions(guard::Pipeline& pipe, uint32_t sessions);

// A pipeline under `policy` that has learned `sessions` sessions; nullptr when the policy does
// not compile.
std::unique_ptr<guard::Pipeline> make_primed_pipeline(const policy::Policy& policy, uint32_t sessions);

}  // namespace mecguard::bench
