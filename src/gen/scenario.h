// The scenario model: what `mecguard gen` reads from SCENARIO.yaml (format in
// docs/scenarios.md). load_scenario() parses and validates a file and reports every problem
// with "file:line path"; the generator (generator.h) consumes the validated Scenario.
//
// Fractions are held as permille and times as nanoseconds so that generation never depends
// on floating-point rounding after parsing.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/expected.h"
#include "common/ip.h"

namespace mecguard::gen {

using Mac = std::array<uint8_t, 6>;

// An addressed node: an IP address and the MAC its frames carry.
struct Node {
  IpAddr addr;
  Mac mac{};
};

struct Vlans {
  uint16_t n3 = 0;  // 0 = untagged
  uint16_t n4 = 0;
  uint16_t n6 = 0;
};

struct Dnn {
  std::string name;                 // network instance / DNN
  std::optional<IpPrefix> pool_v4;  // UE IPv4 addresses come from here
  std::optional<IpPrefix> pool_v6;  // one /64 per UE is carved from here
  std::vector<IpAddr> servers;      // data-network servers UEs talk to
  std::vector<IpAddr> dns;          // DNS resolvers (empty: no DNS traffic for this DNN)
  uint32_t weight = 1;              // share of UEs attached to this DNN
};

struct Network {
  Node upf_n4, upf_n3, upf_n6;
  bool has_n6 = false;
  Mac n6_router_mac{};    // next hop on N6 (frames from the data network carry it)
  std::vector<Node> smf;  // listed N4 peers; smf[0] owns the benign sessions
  std::vector<Node> gnb;
  std::vector<Dnn> dnns;
  std::vector<IpAddr> mec_hosts;   // MEC application hosts (on N6)
  std::vector<IpAddr> core_hosts;  // core-network addresses (default: SMF and UPF N4)
  Vlans vlan;
};

struct UeModel {
  uint32_t count = 10;
  uint32_t ipv6_permille = 500;       // share of UEs with an IPv6 /64 (when the DNN has a pool)
  uint32_t upf_fteid_permille = 500;  // share of sessions where the UPF allocates F-TEIDs (CH)
  uint32_t handover_permille = 200;   // share of sessions modified by a handover
  uint32_t release_permille = 200;    // share of sessions deleted before the end
  int64_t attach_window_ns = 0;       // establishments spread over [0, window)
  uint8_t qfi = 9;
};

struct TcpModel {
  uint32_t flows_per_ue = 2;
  uint32_t segments = 6;  // data segments per flow (request and response alternating)
  uint32_t payload_min = 200, payload_max = 1400;
  std::vector<uint16_t> ports{443, 80};
};
struct UdpModel {
  uint32_t flows_per_ue = 1;
  uint32_t packets = 8;
  uint32_t payload_min = 60, payload_max = 1200;
  std::vector<uint16_t> ports{4500, 5004};
};
struct IcmpModel {
  uint32_t pings_per_ue = 2;  // echo request/reply pairs
};
struct DnsModel {
  uint32_t queries_per_ue = 2;
};

struct Traffic {
  TcpModel tcp;
  UdpModel udp;
  IcmpModel icmp;
  DnsModel dns;
  bool n6 = true;               // also emit the N6 (plain IP) side of each packet
  int64_t rtt_ns = 20'000'000;  // UE <-> server round trip
  int64_t heartbeat_interval_ns = 10'000'000'000;
  uint32_t gtpu_echo_interval_s = 0;  // 0 = no benign GTP-U Echo
};

// Every attack class: X(enumerator, label name). The label name is also the YAML key under
// `attacks:` and the "class" value in the labels file.
#define MG_GEN_ATTACKS(X)                        \
  X(kUeSpoofing, "ue_spoofing")                  \
  X(kUnknownTeid, "unknown_teid")                \
  X(kStaleTeid, "stale_teid")                    \
  X(kMalformedGtpu, "malformed_gtpu")            \
  X(kGtpInGtp, "gtp_in_gtp")                     \
  X(kEchoFlood, "echo_flood")                    \
  X(kUeToUe, "ue_to_ue")                         \
  X(kMecToCore, "mec_to_core")                   \
  X(kPortScanHorizontal, "port_scan_horizontal") \
  X(kPortScanVertical, "port_scan_vertical")     \
  X(kSynFlood, "syn_flood")                      \
  X(kUdpFlood, "udp_flood")                      \
  X(kPfcpUnlistedPeer, "pfcp_unlisted_peer")     \
  X(kPfcpSessionHijack, "pfcp_session_hijack")   \
  X(kSessionChurn, "session_churn")              \
  X(kHijackedUe, "hijacked_ue")

enum class Attack : uint8_t {
#define MG_X(e, name) e,
  MG_GEN_ATTACKS(MG_X)
#undef MG_X
      kCount_
};
inline constexpr size_t kAttackCount = static_cast<size_t>(Attack::kCount_);
std::string_view attack_name(Attack a);

// Malformed GTP-U variants (attacks.malformed_gtpu.kinds).
enum class MalformedKind : uint8_t { kBadVersion, kLengthMismatch, kZeroLengthExt, kTruncated };
inline constexpr size_t kMalformedKindCount = 4;
std::string_view malformed_kind_name(MalformedKind k);

struct AttackSpec {
  bool enabled = false;
  uint32_t count = 0;                // frames (or events; see docs/scenarios.md per class)
  int64_t start_ns = 0;              // offset from the scenario start
  uint32_t rate = 0;                 // events per second
  uint32_t sources = 0;              // floods, hijacked_ue, session_churn: attacking UEs;
                                     // ue_spoofing: distinct spoofed addresses (0: the classic 250)
  uint32_t targets = 0;              // horizontal scan: hosts; vertical scan: ports
  std::optional<IpAddr> target;      // floods / scans: victim address
  std::optional<IpAddr> from;        // PFCP attacks: attacker address
  std::vector<MalformedKind> kinds;  // malformed_gtpu
};

struct Scenario {
  std::string file;  // path it was loaded from (for messages)
  std::string name;
  uint64_t seed = 1;
  int64_t start_ns = 0;     // Unix epoch nanoseconds of the first frame
  int64_t duration_ns = 0;  // timeline length
  uint64_t max_frames = 0;  // 0 = no cap
  Network net;
  UeModel ues;
  Traffic traffic;
  std::array<AttackSpec, kAttackCount> attacks{};

  const AttackSpec& attack(Attack a) const { return attacks[static_cast<size_t>(a)]; }
};

using Errors = std::vector<Error>;

// Upper bound on the frames a scenario is expected to produce (benign traffic per UE, N4,
// attacks), used to refuse scenarios that would not fit in memory.
uint64_t estimate_frames(const Scenario& sc);
inline constexpr uint64_t kMaxEstimatedFrames = 20'000'000;

// Parses and validates; on failure returns every error found (each "file:line path: msg").
Expected<Scenario, Errors> load_scenario(const std::string& path);
// Same, from text (`name` stands in for the file name in locations).
Expected<Scenario, Errors> parse_scenario(std::string_view text, const std::string& name);

// Parses "2026-01-01T00:00:00Z" (optional fraction, Z only) or a number of Unix seconds.
std::optional<int64_t> parse_start_time(std::string_view text);
// Parses "aa:bb:cc:dd:ee:ff".
std::optional<Mac> parse_mac(std::string_view text);

}  // namespace mecguard::gen
