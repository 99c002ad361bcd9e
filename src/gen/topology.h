// Topology and session plan: the UEs of a scenario with their addresses, tunnels, SEIDs and
// life times (attach, handover, release), decided up front from the seed so that the PFCP
// flows, the user-plane flows and the attacks all agree. Internal to src/gen.
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "common/ip.h"
#include "gen/scenario.h"

namespace mecguard::gen {

inline constexpr int64_t kNever = std::numeric_limits<int64_t>::max();

struct Ue {
  uint32_t index = 0;
  uint16_t dnn = 0;
  uint16_t smf = 0;        // owning N4 peer (index into Network::smf)
  uint16_t gnb = 0;        // serving gNB before any handover
  uint16_t gnb_after = 0;  // after the handover
  IpAddr v4;               // empty when the UE has no IPv4 address
  IpAddr v6;               // an address inside v6_prefix (empty when no IPv6)
  IpPrefix v6_prefix;      // the UE's /64
  uint32_t ul_teid = 0;    // UPF N3 F-TEID (chosen by the UPF when upf_fteid)
  uint32_t dl_teid = 0;    // gNB F-TEID before the handover
  uint32_t dl_teid_after = 0;
  uint64_t cp_seid = 0;          // SMF's SEID
  uint64_t up_seid = 0;          // UPF's SEID
  bool upf_fteid = false;        // CH flag in the request; the F-TEID arrives in Created PDR
  bool churn = false;            // a session_churn session (not a benign UE)
  int64_t establish_ns = 0;      // request time; the response follows
  int64_t active_ns = 0;         // user-plane traffic may start (after the response)
  int64_t handover_ns = kNever;  // modification request time
  int64_t switch_ns = kNever;    // traffic uses the new gNB from here (after the response)
  int64_t release_ns = kNever;   // deletion request time; no benign traffic from here on
  std::string label;             // the "ue" value in labels: IPv4 address, else IPv6 prefix

  bool has_v4() const { return !v4.empty(); }
  bool has_v6() const { return !v6.empty(); }
  const IpAddr& primary() const { return has_v4() ? v4 : v6; }
  uint16_t gnb_at(int64_t t) const { return t >= switch_ns ? gnb_after : gnb; }
  uint32_t dl_teid_at(int64_t t) const { return t >= switch_ns ? dl_teid_after : dl_teid; }
  bool active_at(int64_t t) const { return t >= active_ns && t < release_ns; }
};

struct Topology {
  std::vector<Ue> ues;  // benign UEs first, then churn sessions
  uint32_t benign_count = 0;
  std::vector<uint32_t> released;  // indexes of benign UEs whose session is deleted
  uint32_t recovery_ts_smf = 0;    // NTP seconds
  uint32_t recovery_ts_upf = 0;
};

// Plans every UE and session. Uses the "topology" PRNG stream.
Topology build_topology(const Scenario& sc);

// Address `index` (0-based, skipping the network address) in a prefix; for IPv6 prefixes the
// index selects a /64 when `subnet64` is set.
IpAddr nth_address(const IpPrefix& p, uint64_t index, bool subnet64 = false);

}  // namespace mecguard::gen
