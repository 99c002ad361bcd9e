// N4Tracker: learns PDU sessions from PFCP (G2) into a SessionTable. Requests from the SMF
// are remembered until the UPF's response (correlated by peer pair and sequence number);
// an accepted response applies the change: establishment (SMF- or UPF-chosen F-TEIDs, the
// latter from Created PDR), modification (PDR/FAR create/update/remove, a new gNB tunnel
// after handover, new UE addresses), deletion; association release and a peer's changed
// Recovery Time Stamp flush that peer's sessions. Callers: the guard pipeline's N4 stage
// (offline and inline alike), tests. Per worker; each worker keeps its own replica.
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <optional>
#include <string_view>

#include "common/ip.h"
#include "guard/flat_map.h"
#include "guard/sessions.h"
#include "pfcp/message.h"

namespace mecguard::guard {

// Every outcome of one N4 message, declared once: X(enumerator, counter name, description).
#define MG_N4_OUTCOMES(X)                                                                       \
  X(kIgnored, "ignored", "no effect on sessions (heartbeat, report, PFD management)")           \
  X(kRequestPending, "request_pending", "request recorded until the UPF answers")               \
  X(kSessionCreated, "session_created", "session established")                                 \
  X(kSessionModified, "session_modified", "session modified")                                   \
  X(kSessionDeleted, "session_deleted", "session deleted")                                      \
  X(kAssociationSetup, "association_setup", "association set up")                              \
  X(kAssociationReleased, "association_released", "association released, peer's sessions flushed") \
  X(kPeerRestarted, "peer_restarted", "peer's Recovery Time Stamp changed, its sessions flushed") \
  X(kRejectedByUpf, "rejected_by_upf", "the UPF answered with a rejection cause")               \
  X(kUnmatchedResponse, "unmatched_response", "response with no pending request")               \
  X(kUnknownSeid, "unknown_seid", "session request for a SEID no tracked session has")          \
  X(kForeignPeer, "foreign_peer", "session request from a peer that does not own the session")  \
  X(kCollision, "collision", "UE address or F-TEID already belongs to another live session")    \
  X(kTableFull, "session_table_full", "session table or an index is full")                     \
  X(kMissingIe, "missing_ie", "response lacks an IE the session needs (F-SEID, F-TEID)")

enum class N4Outcome : uint8_t {
#define MG_X(e, name, text) e,
  MG_N4_OUTCOMES(MG_X)
#undef MG_X
      kCount_
};
inline constexpr size_t kN4OutcomeCount = static_cast<size_t>(N4Outcome::kCount_);
std::string_view outcome_name(N4Outcome o);
std::string_view outcome_text(N4Outcome o);

struct N4Result {
  N4Outcome outcome = N4Outcome::kIgnored;
  SessionId session = kNoSession;
  uint32_t flushed = 0;     // sessions removed by a release or restart
  uint32_t collisions = 0;  // index entries refused while applying
  uint8_t msg_type = 0;     // the PFCP message type this result answers
  // The session the message created, modified or deleted, as it stood after the change
  // (before it, for a deletion): the churn detector keys on its UE address and peer.
  bool has_subject = false;
  Session subject{};
};

class N4Tracker {
 public:
  struct Limits {
    size_t max_pending = 65536;  // requests awaiting a response; the oldest is forgotten
  };
  N4Tracker(SessionTable& table, const Limits& limits);

  // One PFCP message sent from src to dst at ts_ns. `record` false: the caller drops the
  // message (it never reaches its destination), so it must not change any state.
  N4Result process(const pfcp::Message& m, const IpAddr& src, const IpAddr& dst, uint64_t ts_ns,
                   bool record = true);

  // Read-only pre-check the N4 protection stage uses before deciding to drop: who owns the
  // SEID a session request names (kUnknownSeid / kForeignPeer / kIgnored = fine).
  N4Outcome check_owner(const pfcp::Message& m, const IpAddr& src, const IpAddr& dst) const;

  const std::array<uint64_t, kN4OutcomeCount>& counters() const { return counters_; }
  size_t pending() const { return pending_index_.size(); }  // requests awaiting a response
  uint64_t pending_evicted() const { return pending_evicted_; }
  // The result of the most recent process() call, and how many calls there were: the detect
  // stage (session churn) reads the result of the message it sees, after the N4 stage.
  const N4Result& last_result() const { return last_; }
  uint64_t processed() const { return processed_; }

 private:
  struct Pending {
    uint64_t key = 0;
    uint64_t ts_ns = 0;
    pfcp::Message request;
  };
  struct U64Hash {
    size_t operator()(uint64_t k) const { return static_cast<size_t>(mix64(k)); }
  };

  N4Result on_request(const pfcp::Message& m, uint16_t src, uint16_t dst, uint64_t ts, bool record);
  N4Result on_response(const pfcp::Message& m, uint16_t src, uint16_t dst);
  N4Result establish(const pfcp::Message& req, const pfcp::Message& resp, uint16_t smf, uint16_t upf);
  N4Result modify(SessionId id, const pfcp::Message& req, const pfcp::Message& resp);
  uint32_t apply_pdr(SessionId id, uint16_t pdr_id, const pfcp::Pdi& pdi, const pfcp::Message& resp);
  uint32_t apply_far(SessionId id, const pfcp::ForwardingParameters& fp);
  uint32_t flush(uint16_t node, std::optional<uint16_t> upf);
  bool note_recovery(uint16_t node, uint32_t ts);
  N4Result count(N4Result r);

  SessionTable& table_;
  Limits limits_;
  FlatMap<uint64_t, uint64_t, U64Hash> pending_index_;  // key -> serial of the Pending
  std::deque<Pending> pending_;                         // oldest first
  uint64_t pending_serial_base_ = 0;                    // serial of pending_.front()
  uint64_t pending_evicted_ = 0;
  FlatMap<uint64_t, uint32_t, U64Hash> recovery_;       // node id -> Recovery Time Stamp
  std::array<uint64_t, kN4OutcomeCount> counters_{};
  N4Result last_;
  uint64_t processed_ = 0;
};

}  // namespace mecguard::guard
