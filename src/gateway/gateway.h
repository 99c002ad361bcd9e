// Gateway: the inline bump-in-the-wire (`mecguard run`). One I/O thread owns both ports: it
// receives, merges the two ports' frames by kernel timestamp, and hands each frame to the
// worker of its PDU session (hash of the UE address; IPv6 by /64) through that worker's
// FrameRing; PFCP frames go to every worker, so every worker's N4 state sees every message
// (worker 0 judges and counts them, the others only learn). Workers run the same
// guard::Pipeline as `inspect` and mark each slot forward or not; the I/O thread transmits
// the forwarded frames on the other port from the same slot.
//
// Control (any thread): reload (parse -> validate -> compile -> swap at each worker's next
// batch), quarantine commands (applied by the workers between batches), snapshots (copies the
// workers publish), events (drained by the caller into the sinks). stop() drains: the kernel
// rings are read empty, every queued frame is judged and transmitted, then threads exit.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "common/expected.h"
#include "gateway/config.h"
#include "gateway/frame_ring.h"
#include "gateway/port.h"
#include "guard/pipeline.h"
#include "guard/quarantine.h"
#include "manage/snapshot.h"

namespace mecguard::gateway {

struct ReloadResult {
  bool ok = false;
  std::string message;
};

class Gateway {
 public:
  // Opens the ports and starts the threads. `policy` is the compiled policy loaded from
  // cfg.policy; `limits` sizes the workers' tables (from the policy's limits).
  static Expected<std::unique_ptr<Gateway>> start(const GatewayConfig& cfg,
                                                  std::shared_ptr<const guard::CompiledPolicy> policy,
                                                  const guard::Worker::Limits& limits,
                                                  const std::vector<guard::QuarantineEntry>& quarantine);
  ~Gateway();
  Gateway(const Gateway&) = delete;
  Gateway& operator=(const Gateway&) = delete;

  // One line per port: the I/O path chosen and why.
  const std::vector<std::string>& io_notes() const { return io_notes_; }

  // Re-reads cfg.policy; on success every worker swaps at its next batch. A failure leaves
  // the running policy untouched; the message says why.
  ReloadResult reload();
  // Operator quarantine (every worker holds the entry; the UE's home worker reports it).
  guard::QuarantineChange quarantine_add(const guard::QuarantineEntry& e);
  bool quarantine_release(const IpAddr& ue);
  std::vector<guard::QuarantineEntry> quarantine_list();

  manage::GatewaySnapshot snapshot();
  // Moves the events the workers published since the last call into `out`.
  void drain_events(std::vector<guard::Event>& out);
  // Graceful stop: drains rings and queues; returns when every thread has ended.
  void stop();
  // Counters of all workers summed; N4 outcomes and sessions from worker 0 (which sees every
  // PFCP message). Valid after stop(); before it, as last published.
  guard::Counters total_counters();
  std::array<uint64_t, guard::kN4OutcomeCount> n4_outcomes();
  size_t sessions_live();
  size_t sessions_capacity() const { return limits_.sessions.max_sessions; }
  std::shared_ptr<const guard::CompiledPolicy> policy();

 private:
  struct WorkerCtx;
  Gateway(const GatewayConfig& cfg, const guard::Worker::Limits& limits);
  void io_loop();
  // Frames copied out of the port rings, waiting for the cross-port merge (see io_loop).
  struct Stage {
    std::vector<uint8_t> buf;
    std::vector<RxFrame> meta;  // data points into buf
    size_t head = 0, count = 0;
    uint64_t watermark = 0;  // latest receive time delivered by this port
  };
  void stage_frame(Stage& s, const RxFrame& f);
  size_t merge(bool flush_all);
  void worker_loop(WorkerCtx& w);
  void dispatch(const RxFrame& f, uint8_t port);
  void push(WorkerCtx& w, const RxFrame& f, uint8_t port, bool shadow);
  bool transmit(WorkerCtx& w);  // returns whether anything was sent
  size_t home_worker(const IpAddr& ue) const;
  void post(WorkerCtx& w, std::function<void(guard::Worker&)> cmd);

  GatewayConfig cfg_;
  guard::Worker::Limits limits_;
  std::vector<std::unique_ptr<Port>> ports_;
  std::vector<std::string> io_notes_;
  std::vector<std::unique_ptr<WorkerCtx>> workers_;
  std::thread io_thread_;
  std::atomic<bool> stopping_{false};      // stop receiving once the kernel rings are empty
  std::atomic<bool> workers_exit_{false};  // every ring drained: workers may end
  bool stopped_ = false;
  std::mutex control_m_;                   // reloads and quarantine commands, one at a time
  std::mutex policy_m_;
  std::shared_ptr<const guard::CompiledPolicy> policy_;
  std::atomic<uint64_t> policy_gen_{0};
  // The I/O thread's view of the policy (dispatch needs the UPF addresses and UE pools).
  std::shared_ptr<const guard::CompiledPolicy> io_policy_;
  uint64_t io_policy_gen_ = 0;
  decode::DecodedPacket scratch_;
  std::array<Stage, 2> stages_;
  uint64_t reorder_ns_ = 0;
  uint64_t seq_ = 0;
  uint64_t oversize_ = 0;
  uint64_t tx_dropped_ = 0;
  uint64_t reloads_ok_ = 0, reloads_failed_ = 0;
  double last_reload_unix_ = 0;
  bool last_reload_ok_ = true;
  std::chrono::steady_clock::time_point started_;
};

}  // namespace mecguard::gateway
