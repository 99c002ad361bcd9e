// The guard pipeline: a batch of frames is decoded once, classified by flow (N4, N3/N9
// uplink/downlink, N6), then passed through the stages of the current policy snapshot, each
// writing verdicts into a parallel array. Callers: `mecguard inspect` (offline), the inline
// gateway (issue 4), tests and benchmarks; all use this same object.
//
// Policy is immutable and shared (CompiledPolicy, swapped whole); state is per worker
// (Worker: sessions, N4 tracker, counters, event buffer) and survives a swap.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "common/bytes.h"
#include "common/expected.h"
#include "decode/packet.h"
#include "guard/acl_classifier.h"
#include "guard/n4_tracker.h"
#include "guard/prefix_table.h"
#include "guard/quarantine.h"
#include "guard/reasons.h"
#include "guard/sessions.h"
#include "guard/token_bucket.h"
#include "guard/ue_state.h"
#include "policy/policy.h"

namespace mecguard::guard {

enum class Flow : uint8_t {
  kOther,        // not GTP-U, not PFCP, not from/to a UE pool
  kN4,           // PFCP
  kUplink,       // G-PDU (or GTP-U signalling) toward the UPF on N3/N9
  kDownlink,     // GTP-U from the UPF toward the gNB / peer UPF
  kGtpUnknown,   // GTP-U between addresses the topology does not name
  kN6Uplink,     // plain IP from a UE address (N6, after decapsulation)
  kN6Downlink,   // plain IP toward a UE address (N6)
};
std::string_view flow_name(Flow f);

enum class Action : uint8_t { kPass, kDrop, kAlert, kRedirect };
std::string_view action_name(Action a);

struct Verdict {
  Action action = Action::kPass;
  Reason reason = Reason::kNone;
  bool monitored = false;  // set when a monitor-only stage would have dropped
  uint16_t gateway = 0;    // kRedirect: index into CompiledPolicy::gateways
  uint32_t rule_id = 0;    // ACL rule id, when an ACL rule decided
};

struct PacketCtx {
  decode::DecodedPacket pkt;
  uint64_t frame = 0;  // 1-based frame number (offline) or receive sequence (inline)
  uint64_t ts_ns = 0;
  Flow flow = Flow::kOther;
  bool inner = false;  // policy stages look at the inner packet (G-PDU) or the outer one
  bool on_n9 = false;  // the tunnel is on N9 (peer UPF) rather than N3
  SessionId session = kNoSession;
  uint16_t ni = 0;     // policy network instance id (index + 1); 0: none
  // Worked out once after classification, asked by most stages of every packet.
  bool user = false;   // user_traffic()
  bool up = false;     // uplink()

  const decode::IpLayer& ip() const { return inner ? pkt.inner_ip : pkt.outer_ip; }
  const decode::L4Layer& l4() const { return inner ? pkt.inner_l4 : pkt.outer_l4; }
  // The UE end of the packet: source uplink, destination downlink (nullptr for other flows or
  // without an IP layer). Inline: several stages ask it of every packet.
  const IpAddr* ue_addr() const {
    const auto& l3 = ip();
    if (!l3.present()) return nullptr;
    if (flow == Flow::kUplink || flow == Flow::kN6Uplink) return &l3.src;
    if (flow == Flow::kDownlink || flow == Flow::kN6Downlink) return &l3.dst;
    return nullptr;
  }
  // UE traffic the policy stages judge: the inner packet of a G-PDU, or N6 plain IP.
  bool user_traffic() const { return user; }
  bool uplink() const { return up; }
  // Sets `user` and `up` from the flow and the decoded layers (the pipeline, after classify).
  void settle() {
    up = flow == Flow::kUplink || flow == Flow::kN6Uplink;
    if (flow == Flow::kN6Uplink || flow == Flow::kN6Downlink) user = pkt.outer_ip.present();
    else user = (flow == Flow::kUplink || flow == Flow::kDownlink) && inner && pkt.inner_ip.present();
  }
};

// What a stage or the sink reports; stages append, the sink drains after each batch.
struct Event {
  uint64_t ts_ns = 0;
  uint64_t frame = 0;
  Reason reason = Reason::kNone;
  Action action = Action::kPass;
  bool monitored = false;
  Flow flow = Flow::kOther;
  uint64_t up_seid = 0;  // 0: no session
  IpAddr ue;
  IpAddr src;
  IpAddr dst;
  uint8_t proto = 0;
  uint16_t sport = 0;
  uint16_t dport = 0;
  uint32_t teid = 0;
  uint32_t rule_id = 0;
  IpAddr gateway;
  std::string_view detail;  // static text: the quarantine change ("added", "expired", ...)
  // Detections explain themselves: the measure, its value, the threshold, the window.
  std::string_view measure;
  double value = 0;
  double threshold = 0;
  uint64_t window_ns = 0;
};

struct Counters {
  uint64_t frames = 0;
  uint64_t bytes = 0;
  std::array<uint64_t, 4> actions{};                   // by Action
  std::array<uint64_t, kReasonCount> drops{};          // enforced (dropped or redirected) by reason
  std::array<uint64_t, kReasonCount> alerts{};         // alerts (log actions, monitor mode)
  std::array<uint64_t, kStageCount> stage_packets{};   // packets each stage examined
  std::array<uint64_t, decode::kDecodeStatusCount> decode_status{};
  std::array<uint64_t, 7> flows{};                     // by Flow
  uint64_t rate_table_full = 0;                        // buckets shared because a table was full
  uint64_t events_dropped = 0;                         // event buffer overflow
  // Where the time goes (profiling, benchmarks; not compared between runs): clock ticks spent
  // in each stage (both zone passes under kZone) and in decode + classify, read once per stage
  // and batch segment. Ticks are the TSC on x86-64, nanoseconds elsewhere (ticks()).
  std::array<uint64_t, kStageCount> stage_ticks{};
  uint64_t decode_ticks = 0;
};

// The clock of Counters::stage_ticks: the time-stamp counter on x86-64 (constant rate on the
// CPUs this runs on), else a steady clock in nanoseconds.
uint64_t ticks() noexcept;

class Worker;

constexpr uint32_t flow_bit(Flow f) { return uint32_t{1} << static_cast<unsigned>(f); }

// What one segment of a batch holds, worked out while the pipeline splits the batch: the flows
// present. A stage that can act on none of them is not run (a batch of uplink G-PDUs skips
// the N4 stage; an N4 frame's segment skips the user-traffic stages).
struct SegmentSummary {
  uint32_t flows = 0;  // bit per Flow present
  void add(const PacketCtx& p) { flows |= flow_bit(p.flow); }
  bool any(uint32_t mask) const { return (flows & mask) != 0; }
  static constexpr uint32_t kGtpu = flow_bit(Flow::kUplink) | flow_bit(Flow::kDownlink) | flow_bit(Flow::kGtpUnknown);
  static constexpr uint32_t kUser = flow_bit(Flow::kUplink) | flow_bit(Flow::kDownlink) |
                                    flow_bit(Flow::kN6Uplink) | flow_bit(Flow::kN6Downlink);
  static constexpr uint32_t kUserUplink = flow_bit(Flow::kUplink) | flow_bit(Flow::kN6Uplink);
};

class Stage {
 public:
  virtual ~Stage() = default;
  virtual StageId id() const = 0;
  // Whether the stage may act on a segment like `s`. A stage says no only where its run()
  // would change no verdict, counter, event or state; the pipeline then skips it.
  virtual bool wants(const SegmentSummary& /*s*/) const noexcept { return true; }
  virtual void run(std::span<PacketCtx> pkts, std::span<Verdict> verdicts, Worker& w) noexcept = 0;
};

struct DetectState;

// Per-UE detection thresholds (per second, or per window for distinct counts).
struct DetectThresholds {
  double syn_rate = 100;            // TCP SYNs without ACK per second
  double udp_rate = 2000;           // UDP packets per second
  double icmp_rate = 50;            // ICMP packets per second
  double scan_distinct_ports = 48;  // distinct (host, port) probes per window
  double scan_distinct_hosts = 48;  // distinct destination hosts per window
  double anomaly_sigma = 8;         // packets per window above mean + sigma * stddev
  double session_churn = 8;         // session establishments/modifications/deletions of one UE
                                    // address per churn window
  double behaviour_change = 12;     // new profile buckets (ports, hosts, protocols) in a window
};

// The compiled, immutable form of a policy::Policy.
struct CompiledPolicy {
  policy::Policy source;
  std::array<policy::StageMode, kStageCount> modes{};
  std::vector<IpAddr> upf_tunnel_addrs;  // N3 and N9 (uplink destination)
  std::vector<IpAddr> upf_n9_addrs;
  std::vector<IpAddr> n4_peers;          // SMF allow-list + UPF N4; empty list of SMFs: no allow-list
  std::vector<IpAddr> infrastructure;    // UPF (all interfaces) and SMF addresses
  PrefixTable<policy::Zone> zones;       // UE pools as kUe, infrastructure as kCore
  PrefixTable<uint16_t> ue_pools;        // -> network instance id (index + 1)
  PrefixTable<uint16_t> ue_groups;       // -> group id (index + 1)
  std::vector<int> group_class;          // group id -> class index, -1: none
  std::vector<policy::SecurityClass> classes;
  std::vector<std::string> ni_names;     // id -> name ("" at 0)
  std::vector<policy::InterUePolicy> ni_inter_ue;  // id -> policy (0: allow)
  std::vector<IpAddr> gateways;          // redirect targets
  // Rate limits (G9): per class (index as classes; then the policy's UE default), per
  // network instance id (uplink, downlink).
  std::vector<std::pair<RateLimit, RateLimit>> class_rates;
  std::pair<RateLimit, RateLimit> ue_rate;
  std::vector<std::pair<RateLimit, RateLimit>> ni_rates;
  double burst_seconds = 1.0;
  // Detection: thresholds per class (index as classes) and the default.
  std::vector<DetectThresholds> class_detect;
  DetectThresholds detect_default;
  const DetectThresholds& detect_thresholds(uint16_t group) const {
    if (group == 0 || group >= group_class.size() || group_class[group] < 0) return detect_default;
    return class_detect[static_cast<size_t>(group_class[group])];
  }
  // The zone firewall's answer for every (source zone, destination zone, tunnel) triple,
  // worked out at compile time from the zone rules and defaults (kPass: no finding).
  struct ZoneVerdict {
    Reason reason = Reason::kNone;
    Action action = Action::kPass;
  };
  std::array<ZoneVerdict, policy::kZoneCount * policy::kZoneCount * 2> zone_matrix{};
  const ZoneVerdict& zone_verdict(policy::Zone src, policy::Zone dst, bool tunnel) const {
    return zone_matrix[(static_cast<size_t>(src) * policy::kZoneCount + static_cast<size_t>(dst)) * 2 + (tunnel ? 1 : 0)];
  }
  AclClassifier acl;
  // Per-ACL-rule rate limits (G9): rule index -> slot in acl_rates (-1: no rate).
  std::vector<int32_t> acl_rate_slot;
  std::vector<RateLimit> acl_rates;
  uint64_t id = 0;  // distinct per compiled policy: per-rule buckets reset when it changes
  bool has_zone_prefixes = false;
  std::vector<std::unique_ptr<Stage>> stages;

  uint16_t ni_id(std::string_view name) const;
  uint16_t group_of(const IpAddr& ue) const {
    if (ue_groups.size() == 0) return 0;  // no groups: skip the search
    const auto& g = ue_groups.lookup(ue);
    return g ? *g : 0;
  }
  // The rate limits of a UE: its class's, or the policy's UE default.
  const std::pair<RateLimit, RateLimit>& ue_rates(uint16_t group) const {
    if (group == 0 || group >= group_class.size() || group_class[group] < 0) return ue_rate;
    return class_rates[static_cast<size_t>(group_class[group])];
  }
  const policy::SecurityClass* class_of_group(uint16_t group) const {
    if (group == 0 || group >= group_class.size() || group_class[group] < 0) return nullptr;
    return &classes[static_cast<size_t>(group_class[group])];
  }
};

// parse -> validate (done by policy::load_*) -> compile. Errors name the rule's location.
Expected<std::shared_ptr<const CompiledPolicy>> compile_policy(const policy::Policy& p);

// Token buckets of one worker; they survive policy swaps.
struct RateState {
  struct AddrHash {
    size_t operator()(const IpAddr& a) const { return IpAddrHash{}(a); }
  };
  explicit RateState(UeStateTable& states) : ue(&states), pfcp_peers(4096), echo_peers(65536) {}
  // By SessionId: each session's UeState (ue_state.h), which holds the UE's uplink buckets;
  // the downlink buckets are in the session record (Session::downlink_rate).
  UeStateTable* ue;
  // The state holding session `id`'s uplink buckets, or nullptr past the bound.
  UeState* ue_slot(uint32_t id) { return ue->get(id); }
  void fetch_ue(uint32_t id, LineBatch& lines) const { ue->fetch(id, lines); }
  FlatMap<IpAddr, TokenBucket, AddrHash> pfcp_peers;  // by source address
  FlatMap<IpAddr, TokenBucket, AddrHash> echo_peers;
  TokenBucket pfcp_overflow;  // shared by peers past the table's bound
  TokenBucket echo_overflow;
  std::vector<std::pair<DualBucket, DualBucket>> ni;  // by policy network instance id
  // Per ACL rule with a rate (slot as CompiledPolicy::acl_rate_slot), for the policy `acl_policy`.
  std::vector<DualBucket> acl_rule;
  uint64_t acl_policy = 0;
};

class Worker {
 public:
  struct Limits {
    SessionTable::Limits sessions;
    N4Tracker::Limits n4;
    size_t max_events_per_batch = 4096;
  };
  explicit Worker(const Limits& limits);
  ~Worker();
  Worker(Worker&&) = delete;

  SessionTable& sessions() { return sessions_; }
  const SessionTable& sessions() const { return sessions_; }
  N4Tracker& n4() { return n4_; }
  const N4Tracker& n4() const { return n4_; }
  Counters& counters() { return counters_; }
  const Counters& counters() const { return counters_; }
  std::vector<Event>& events() { return events_; }
  RateState& rates() { return rates_; }
  QuarantineTable& quarantine() { return quarantine_; }
  DetectState& detect() { return *detect_; }
  // Applies and reports a quarantine change (every change is an event).
  QuarantineChange quarantine_add(const QuarantineEntry& e, uint64_t now_ns);
  bool quarantine_release(const IpAddr& ue, uint64_t now_ns);
  void quarantine_report(const QuarantineEntry& e, std::string_view change, uint64_t now_ns);
  const CompiledPolicy& policy() const { return *policy_; }
  void set_policy(std::shared_ptr<const CompiledPolicy> p);

  // The policy network instance of a session (table ids are learned from N4 strings).
  uint16_t policy_ni_of(const Session& s) {
    return s.network_instance < ni_map_.size() ? ni_map_[s.network_instance] : learn_ni(s.network_instance);
  }

  // Records a finding for packet i: sets the verdict per the stage's mode, counts it and
  // appends an event. Returns whether the packet is now dropped.
  bool report(const PacketCtx& p, Verdict& v, Reason r, Action enforce_action, uint32_t rule_id = 0,
              uint16_t gateway = 0) noexcept;

 private:
  uint16_t learn_ni(uint16_t tid);  // maps session-table NI ids up to tid (a new name)

  SessionTable sessions_;
  UeStateTable ue_states_;  // a view of sessions_'s slots; before rates_ and detect_, which point into it
  N4Tracker n4_;
  Counters counters_;
  std::vector<Event> events_;
  size_t max_events_;
  std::shared_ptr<const CompiledPolicy> policy_;
  std::vector<uint16_t> ni_map_;  // session-table NI id -> policy NI id
  RateState rates_;
  QuarantineTable quarantine_;
  std::unique_ptr<DetectState> detect_;
};

struct RawFrame {
  Bytes data;
  uint64_t ts_ns = 0;
  uint64_t number = 0;
};

class Pipeline {
 public:
  Pipeline(std::shared_ptr<const CompiledPolicy> policy, const Worker::Limits& limits,
           decode::LinkType link);

  // Swaps the policy snapshot; sessions, counters and events carry over.
  void set_policy(std::shared_ptr<const CompiledPolicy> policy) { worker_.set_policy(std::move(policy)); }

  // Decodes and judges frames; verdicts[i] belongs to frames[i]. Capacity: kMaxBatch.
  static constexpr size_t kMaxBatch = 256;
  void process(std::span<const RawFrame> frames, std::span<Verdict> verdicts) noexcept;

  Worker& worker() { return worker_; }
  std::span<const PacketCtx> last_batch() const { return {ctx_.data(), last_n_}; }

 private:
  // The previous G-PDU's outer addresses and what they made of it: the tunnels of a batch run
  // between a few gNBs and the UPF, so most packets repeat the answer.
  struct TunnelMemo {
    IpAddr src, dst;
    Flow flow = Flow::kOther;
    bool on_n9 = false;
    bool valid = false;
  };
  void classify(PacketCtx& p, TunnelMemo& memo) const noexcept;

  Worker worker_;
  decode::LinkType link_;
  std::vector<PacketCtx> ctx_;
  size_t last_n_ = 0;
};

}  // namespace mecguard::guard
