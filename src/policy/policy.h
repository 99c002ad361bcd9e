// The guard's policy model (G6, G7, G8, G13, G14): topology, network instances with UE
// pools, zones, UE groups with a terminal security class, ACL rules, inter-UE policy and
// per-stage modes. Loaded from YAML by load_policy_*; compiled by the guard pipeline into
// its immutable snapshot. Callers: `mecguard check-config`, `inspect`, `run`.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/expected.h"
#include "common/ip.h"

namespace mecguard::policy {

enum class StageMode : uint8_t { kEnforce, kMonitor, kOff };
enum class Action : uint8_t { kAllow, kDeny, kLog, kRedirect };
enum class Direction : uint8_t { kAny, kUplink, kDownlink };
enum class Interface : uint8_t { kAny, kN3, kN6, kN9 };

// Zones are a fixed vocabulary (white paper 4.2.1.1); "ue" is implicit: every UE pool.
enum class Zone : uint8_t { kUnknown, kUe, kRan, kCore, kDn, kMec, kMgmt, kDmz, kCount_ };
inline constexpr size_t kZoneCount = static_cast<size_t>(Zone::kCount_);

std::string_view to_string(StageMode m);
std::string_view to_string(Action a);
std::string_view to_string(Direction d);
std::string_view to_string(Interface i);
std::string_view to_string(Zone z);

struct PortRange {
  uint16_t lo = 0;
  uint16_t hi = 65535;
  bool any() const { return lo == 0 && hi == 65535; }
  bool contains(uint16_t p) const { return p >= lo && p <= hi; }
  friend bool operator==(const PortRange&, const PortRange&) = default;
};

// A packet-rate and a bit-rate limit; 0 means none.
struct RateLimit {
  double pps = 0;
  double bps = 0;
  bool any() const { return pps > 0 || bps > 0; }
  friend bool operator==(const RateLimit&, const RateLimit&) = default;
};

struct AclRule {
  uint32_t id = 0;
  Action action = Action::kDeny;  // allow, deny or log
  Direction direction = Direction::kAny;
  Interface interface = Interface::kAny;
  std::string network_instance;  // empty: any
  std::string ue_group;          // empty: any
  std::vector<IpPrefix> src;     // empty: any
  std::vector<IpPrefix> dst;     // empty: any
  uint8_t proto = 0;             // 0: any
  PortRange sport;
  PortRange dport;
  int16_t icmp_type = -1;  // -1: any
  int16_t icmp_code = -1;
  RateLimit rate;          // per-rule rate limit (G9) for allow/log rules; 0: none
  std::string where;       // "policy.yaml:42 acl.rules[5]" for events
};

struct InterUePolicy {
  Action action = Action::kAllow;  // allow, deny or redirect
  IpAddr gateway;                  // redirect target
  friend bool operator==(const InterUePolicy&, const InterUePolicy&) = default;
};

struct NetworkInstance {
  std::string name;
  std::vector<IpPrefix> ue_pools;
  InterUePolicy inter_ue;
};

// A terminal security class (G13): baseline actions and thresholds for its UEs.
struct SecurityClass {
  std::string name;
  Action acl_default = Action::kAllow;        // when no ACL rule matches
  std::optional<InterUePolicy> inter_ue;      // overrides the network instance's
  std::map<std::string, double> thresholds;   // detector thresholds, keys in kThresholdKeys
};

struct UeGroup {
  std::string name;
  std::string security_class;  // a key of Policy::classes
  std::vector<IpPrefix> members;
};

struct ZoneRule {
  Zone from = Zone::kUnknown;
  Zone to = Zone::kUnknown;
  Action action = Action::kAllow;
};

struct Topology {
  std::vector<IpAddr> upf_n3;
  std::vector<IpAddr> upf_n4;
  std::vector<IpAddr> upf_n6;
  std::vector<IpAddr> upf_n9;
  std::vector<IpAddr> smf_peers;  // N4 allow-list
};

struct StageModes {
  StageMode n4 = StageMode::kEnforce;  // N4 protection (G10); session tracking always runs
  StageMode gtpu_sanity = StageMode::kEnforce;
  StageMode teid = StageMode::kEnforce;
  StageMode anti_spoof = StageMode::kEnforce;
  StageMode acl = StageMode::kEnforce;
  StageMode inter_ue = StageMode::kEnforce;
  StageMode zone = StageMode::kEnforce;
  StageMode rate = StageMode::kEnforce;  // per-UE and per-network-instance rate limits
  StageMode quarantine = StageMode::kEnforce;
  StageMode detect = StageMode::kEnforce;  // detections alert; `quarantine: true` isolates
};

// Rate limits (G9). Per-UE limits come from `ue`, overridden per security class by the
// class thresholds ul_pps/ul_bps/dl_pps/dl_bps.
struct RateLimits {
  double burst_seconds = 1.0;  // bucket depth, as seconds of the rate
  RateLimit ue_uplink;
  RateLimit ue_downlink;
  std::map<std::string, std::pair<RateLimit, RateLimit>> network_instances;  // uplink, downlink
  double pfcp_per_peer_pps = 0;
  double gtpu_echo_per_peer_pps = 0;
};

// Detection of abnormal traffic from masses of UEs (G11). Thresholds are per UE and come
// from the UE's security class (classes.*.thresholds), else from `thresholds` here.
struct Detection {
  bool enabled = true;
  double window_seconds = 1.0;
  std::map<std::string, double> thresholds;  // keys in kThresholdKeys; absent: built-in defaults
  double ddos_sources = 10;                  // distinct UEs converging on one destination
  double ddos_pps = 200;                     // SYNs or UDP packets per second to that destination
  double churn_window_seconds = 10;          // window of the per-UE session churn count
  double peer_session_rate = 5;              // re-establishments per second from one N4 peer
  bool quarantine = false;                   // quarantine a UE on detection
  double quarantine_seconds = 300;
};

struct Limits {
  uint32_t max_sessions = 1'000'000;
  uint32_t max_sessions_per_peer = 1'000'000;
  uint32_t max_ies_per_message = 4096;
};

struct Policy {
  std::string source;  // file name the policy came from
  Topology topology;
  std::vector<NetworkInstance> network_instances;
  std::map<Zone, std::vector<IpPrefix>> zones;
  std::vector<ZoneRule> zone_rules;  // evaluated in order; then zone_default
  Action zone_default = Action::kDeny;
  std::map<std::string, SecurityClass> classes;
  std::vector<UeGroup> ue_groups;
  std::vector<AclRule> acl;
  Action acl_default = Action::kAllow;
  StageModes stages;
  Limits limits;
  RateLimits rate_limits;
  Detection detection;
};

// Detector threshold names a security class may set (validated; issue 5 adds users).
extern const std::vector<std::string> kThresholdKeys;

// Every problem found, each with location "file:line path". Empty only on success.
using Errors = std::vector<Error>;

Expected<Policy, Errors> load_policy_file(const std::string& path);
Expected<Policy, Errors> load_policy_string(const std::string& yaml, const std::string& name);

}  // namespace mecguard::policy
