#include "guard/n4_tracker.h"

#include <string>

#include "pfcp/ie.h"

namespace mecguard::guard {

namespace {

constexpr std::string_view kOutcomeNames[] = {
#define MG_X(e, name, text) name,
    MG_N4_OUTCOMES(MG_X)
#undef MG_X
};
constexpr std::string_view kOutcomeTexts[] = {
#define MG_X(e, name, text) text,
    MG_N4_OUTCOMES(MG_X)
#undef MG_X
};

using pfcp::MsgType;

uint64_t pending_key(uint16_t requester, uint16_t responder, uint32_t seq) {
  return (uint64_t{requester} << 40) | (uint64_t{responder} << 24) | (seq & 0xFFFFFFu);
}

bool accepted(const pfcp::Message& m) {
  return m.cause && *m.cause == pfcp::Cause::kRequestAccepted;
}

bool is_request(uint8_t t) {
  switch (static_cast<MsgType>(t)) {
    case MsgType::kHeartbeatRequest:
    case MsgType::kPfdManagementRequest:
    case MsgType::kAssociationSetupRequest:
    case MsgType::kAssociationUpdateRequest:
    case MsgType::kAssociationReleaseRequest:
    case MsgType::kNodeReportRequest:
    case MsgType::kSessionSetDeletionRequest:
    case MsgType::kSessionSetModificationRequest:
    case MsgType::kSessionEstablishmentRequest:
    case MsgType::kSessionModificationRequest:
    case MsgType::kSessionDeletionRequest:
    case MsgType::kSessionReportRequest:
      return true;
    default:
      return false;
  }
}

// Requests whose response changes the session table; others need no memory.
bool tracked_request(uint8_t t) {
  switch (static_cast<MsgType>(t)) {
    case MsgType::kAssociationSetupRequest:
    case MsgType::kAssociationReleaseRequest:
    case MsgType::kSessionEstablishmentRequest:
    case MsgType::kSessionModificationRequest:
    case MsgType::kSessionDeletionRequest:
      return true;
    default:
      return false;
  }
}

// The Created PDR of `resp` for pdr_id, if any.
const pfcp::CreatedPdr* created_for(const pfcp::Message& resp, uint16_t pdr_id) {
  for (const auto& c : resp.created_pdrs) {
    if (c.pdr_id == pdr_id) return &c;
  }
  return nullptr;
}

std::string ni_text(const std::optional<std::string>& raw) {
  return raw ? pfcp::dnn_from_labels(*raw) : std::string();
}

// The session's network instance: the core side's (the UE pool lives there).
std::string session_network_instance(const pfcp::Message& req) {
  for (const auto& p : req.create_pdrs) {
    if (p.pdi.source_interface == pfcp::SourceInterface::kCore && p.pdi.network_instance) {
      return ni_text(p.pdi.network_instance);
    }
  }
  for (const auto& f : req.create_fars) {
    if (f.forwarding && f.forwarding->destination_interface == pfcp::DestinationInterface::kCore &&
        f.forwarding->network_instance) {
      return ni_text(f.forwarding->network_instance);
    }
  }
  for (const auto& p : req.create_pdrs) {
    if (p.pdi.network_instance) return ni_text(p.pdi.network_instance);
  }
  return {};
}

}  // namespace

std::string_view outcome_name(N4Outcome o) { return kOutcomeNames[static_cast<size_t>(o)]; }
std::string_view outcome_text(N4Outcome o) { return kOutcomeTexts[static_cast<size_t>(o)]; }

N4Tracker::N4Tracker(SessionTable& table, const Limits& limits)
    : table_(table), limits_(limits), pending_index_(limits.max_pending), recovery_(4096) {}

N4Result N4Tracker::process(const pfcp::Message& m, const IpAddr& src, const IpAddr& dst,
                             uint64_t ts_ns, bool record) {
  ++processed_;
  last_ = N4Result{};
  last_.msg_type = m.header.type;
  auto s = table_.addresses().intern(src);
  auto d = table_.addresses().intern(dst);
  if (!s || !d) return count({N4Outcome::kTableFull});
  if (record && m.recovery_time_stamp && note_recovery(*s, *m.recovery_time_stamp)) {
    N4Result r{N4Outcome::kPeerRestarted};
    r.flushed = flush(*s, std::nullopt);
    // A restarted peer's request still goes on to be tracked below; report the restart.
    if (is_request(m.header.type)) on_request(m, *s, *d, ts_ns, record);
    return count(r);
  }
  if (is_request(m.header.type)) return count(on_request(m, *s, *d, ts_ns, record));
  if (!record) return count({N4Outcome::kIgnored});
  return count(on_response(m, *s, *d));
}

N4Result N4Tracker::count(N4Result r) {
  ++counters_[static_cast<size_t>(r.outcome)];
  const bool changed = r.outcome == N4Outcome::kSessionCreated || r.outcome == N4Outcome::kSessionModified ||
                       r.outcome == N4Outcome::kCollision;
  if (changed && !r.has_subject) {
    if (const Session* s = table_.get(r.session)) {
      r.has_subject = true;
      r.subject = *s;
    }
  }
  r.msg_type = last_.msg_type;
  last_ = r;
  return r;
}

N4Outcome N4Tracker::check_owner(const pfcp::Message& m, const IpAddr& src, const IpAddr& dst) const {
  const auto type = static_cast<MsgType>(m.header.type);
  if (type != MsgType::kSessionModificationRequest && type != MsgType::kSessionDeletionRequest) {
    return N4Outcome::kIgnored;
  }
  const auto upf = table_.addresses().find(dst);
  const SessionId id = upf ? table_.by_seid(*upf, m.header.seid) : kNoSession;
  const Session* s = table_.get(id);
  if (!s) return N4Outcome::kUnknownSeid;
  const auto peer = table_.addresses().find(src);
  return peer && *peer == s->peer ? N4Outcome::kIgnored : N4Outcome::kForeignPeer;
}

bool N4Tracker::note_recovery(uint16_t node, uint32_t ts) {
  if (auto* known = recovery_.find(node)) {
    if (*known == ts) return false;
    *known = ts;
    return true;
  }
  recovery_.insert_or_assign(node, ts);
  return false;
}

// Removes the sessions `node` owns (an SMF) or hosts (a UPF); with `upf`, only the ones
// `node` owns on that UPF (an association between the two is released).
uint32_t N4Tracker::flush(uint16_t node, std::optional<uint16_t> upf) {
  const auto ids = table_.select([&](const Session& s) {
    if (upf) return s.peer == node && s.upf == *upf;
    return s.peer == node || s.upf == node;
  });
  for (SessionId id : ids) table_.remove(id);
  return static_cast<uint32_t>(ids.size());
}

N4Result N4Tracker::on_request(const pfcp::Message& m, uint16_t src, uint16_t dst, uint64_t ts,
                               bool record) {
  const auto type = static_cast<MsgType>(m.header.type);
  N4Result r{N4Outcome::kIgnored};
  if (type == MsgType::kSessionModificationRequest || type == MsgType::kSessionDeletionRequest) {
    const SessionId id = table_.by_seid(dst, m.header.seid);
    const Session* s = table_.get(id);
    if (!s) return {N4Outcome::kUnknownSeid};
    r.session = id;
    if (s->peer != src) return {N4Outcome::kForeignPeer, id};
  }
  if (!record || !tracked_request(m.header.type)) return r;
  const uint64_t key = pending_key(src, dst, m.header.seq);
  // Forget consumed entries at the front, then the oldest live one if full.
  while (!pending_.empty() && pending_.front().key == 0) {
    pending_.pop_front();
    ++pending_serial_base_;
  }
  if (pending_.size() >= limits_.max_pending) {
    const auto& old = pending_.front();
    if (const auto* serial = pending_index_.find(old.key); serial && *serial == pending_serial_base_) {
      pending_index_.erase(old.key);
    }
    pending_.pop_front();
    ++pending_serial_base_;
    ++pending_evicted_;
  }
  const uint64_t serial = pending_serial_base_ + pending_.size();
  pending_.push_back(Pending{key, ts, m});
  pending_index_.insert_or_assign(key, serial);  // a retransmission replaces the older one
  r.outcome = N4Outcome::kRequestPending;
  return r;
}

N4Result N4Tracker::on_response(const pfcp::Message& m, uint16_t src, uint16_t dst) {
  const auto type = static_cast<MsgType>(m.header.type);
  switch (type) {
    case MsgType::kAssociationSetupResponse:
    case MsgType::kAssociationReleaseResponse:
    case MsgType::kSessionEstablishmentResponse:
    case MsgType::kSessionModificationResponse:
    case MsgType::kSessionDeletionResponse:
      break;
    default:
      return {N4Outcome::kIgnored};
  }
  const uint64_t key = pending_key(dst, src, m.header.seq);  // the requester is dst now
  const uint64_t* serial = pending_index_.find(key);
  if (!serial || *serial < pending_serial_base_ || *serial - pending_serial_base_ >= pending_.size()) {
    return {N4Outcome::kUnmatchedResponse};
  }
  Pending& p = pending_[*serial - pending_serial_base_];
  pending_index_.erase(key);
  const pfcp::Message req = std::move(p.request);
  p.key = 0;
  p.request = {};
  if (static_cast<uint8_t>(req.header.type) + 1 != m.header.type) return {N4Outcome::kUnmatchedResponse};
  if (!accepted(m)) return {N4Outcome::kRejectedByUpf};

  switch (type) {
    case MsgType::kAssociationSetupResponse:
      return {N4Outcome::kAssociationSetup};
    case MsgType::kAssociationReleaseResponse: {
      N4Result r{N4Outcome::kAssociationReleased};
      r.flushed = flush(dst, src);
      return r;
    }
    case MsgType::kSessionEstablishmentResponse:
      return establish(req, m, dst, src);
    case MsgType::kSessionModificationResponse: {
      const SessionId id = table_.by_seid(src, req.header.seid);
      if (!table_.get(id)) return {N4Outcome::kUnknownSeid};
      return modify(id, req, m);
    }
    case MsgType::kSessionDeletionResponse: {
      const SessionId id = table_.by_seid(src, req.header.seid);
      const Session* gone = table_.get(id);
      if (!gone) return {N4Outcome::kUnknownSeid};
      N4Result r{N4Outcome::kSessionDeleted, id};
      r.has_subject = true;
      r.subject = *gone;
      table_.remove(id);
      return r;
    }
    default:
      return {N4Outcome::kIgnored};
  }
}

N4Result N4Tracker::establish(const pfcp::Message& req, const pfcp::Message& resp, uint16_t smf,
                              uint16_t upf) {
  if (!resp.up_f_seid) return {N4Outcome::kMissingIe};
  Session s;
  s.up_seid = resp.up_f_seid->seid;
  s.cp_seid = req.cp_f_seid ? req.cp_f_seid->seid : 0;
  s.upf = upf;
  s.peer = smf;
  s.network_instance = table_.network_instance_id(session_network_instance(req));
  const auto [res, id] = table_.create(s);
  if (res == TableResult::kFull) return {N4Outcome::kTableFull};
  if (res == TableResult::kCollision) return {N4Outcome::kCollision};
  N4Result r{N4Outcome::kSessionCreated, id};
  for (const auto& pdr : req.create_pdrs) r.collisions += apply_pdr(id, pdr.pdr_id, pdr.pdi, resp);
  for (const auto& far : req.create_fars) {
    if (far.forwarding) r.collisions += apply_far(id, *far.forwarding);
  }
  if (r.collisions > 0) r.outcome = N4Outcome::kCollision;  // created, but something was refused
  return r;
}

N4Result N4Tracker::modify(SessionId id, const pfcp::Message& req, const pfcp::Message& resp) {
  N4Result r{N4Outcome::kSessionModified, id};
  Session* s = table_.get(id);
  if (req.cp_f_seid) s->cp_seid = req.cp_f_seid->seid;
  for (uint16_t pdr : req.remove_pdrs) table_.remove_local_tunnels_of_pdr(id, pdr);
  for (const auto& pdr : req.create_pdrs) r.collisions += apply_pdr(id, pdr.pdr_id, pdr.pdi, resp);
  for (const auto& upd : req.update_pdrs) {
    if (!upd.pdi) continue;
    if (upd.pdi->f_teid) table_.remove_local_tunnels_of_pdr(id, upd.pdr_id);
    r.collisions += apply_pdr(id, upd.pdr_id, *upd.pdi, resp);
  }
  for (const auto& far : req.create_fars) {
    if (far.forwarding) r.collisions += apply_far(id, *far.forwarding);
  }
  for (const auto& far : req.update_fars) {
    if (far.update_forwarding) r.collisions += apply_far(id, *far.update_forwarding);
  }
  if (r.collisions > 0) r.outcome = N4Outcome::kCollision;
  return r;
}

// Indexes one PDR's PDI: its local F-TEID (UPF-chosen ones from the response's Created
// PDR), UE addresses and Framed-Routes. Returns the number of refused index entries.
uint32_t N4Tracker::apply_pdr(SessionId id, uint16_t pdr_id, const pfcp::Pdi& pdi,
                              const pfcp::Message& resp) {
  uint32_t refused = 0;
  auto note = [&](TableResult r) { refused += r == TableResult::kOk ? 0 : 1; };
  const pfcp::CreatedPdr* created = created_for(resp, pdr_id);
  if (pdi.f_teid) {
    const pfcp::FTeid* ft = &*pdi.f_teid;
    if (ft->ch) ft = created && created->local_f_teid ? &*created->local_f_teid : nullptr;
    if (ft) {
      for (const IpAddr* a : {&ft->ipv4, &ft->ipv6}) {
        if (a->empty()) continue;
        const auto addr = table_.addresses().intern(*a);
        if (!addr) {
          ++refused;
          continue;
        }
        Tunnel t;
        t.teid = ft->teid;
        t.addr = *addr;
        t.pdr_id = pdr_id;
        t.core = pdi.source_interface == pfcp::SourceInterface::kCore;
        note(table_.add_local_tunnel(id, t));
      }
    }
  }
  auto apply_ue = [&](const pfcp::UeIpAddress& ue) {
    if (ue.ipv4.is_v4()) note(table_.set_ue_v4(id, ue.ipv4.v4_host()));
    if (ue.ipv6.is_v6()) {
      const uint8_t len = ue.ipv6_prefix_length.value_or(64);
      note(table_.set_ue_v6(id, ue.ipv6, len));
      if (ue.ipv6_prefix_delegation_bits && *ue.ipv6_prefix_delegation_bits > 0 &&
          *ue.ipv6_prefix_delegation_bits < 64) {
        // IPv6D: the UE also owns a delegated prefix of 64 - bits length.
        note(table_.add_route(id, IpPrefix::make(ue.ipv6, static_cast<uint8_t>(64 - *ue.ipv6_prefix_delegation_bits))));
      }
    }
  };
  for (const auto& ue : pdi.ue_ips) {
    if (ue.chv4 || ue.chv6) continue;  // chosen by the UPF: see Created PDR
    apply_ue(ue);
  }
  if (created) {
    for (const auto& ue : created->ue_ips) apply_ue(ue);
  }
  for (const auto* routes : {&pdi.framed_routes, &pdi.framed_ipv6_routes}) {
    for (const auto& text : *routes) {
      // "192.0.2.0/24 0.0.0.0 1": the prefix is the first token (RFC 2865 Framed-Route).
      const auto sp = text.find(' ');
      if (auto p = IpPrefix::parse(text.substr(0, sp))) note(table_.add_route(id, *p));
    }
  }
  return refused;
}

uint32_t N4Tracker::apply_far(SessionId id, const pfcp::ForwardingParameters& fp) {
  if (!fp.outer_header_creation) return 0;
  const auto& ohc = *fp.outer_header_creation;
  const bool gtpu = (ohc.description & (pfcp::OuterHeaderCreation::kGtpuUdpIpv4 |
                                        pfcp::OuterHeaderCreation::kGtpuUdpIpv6)) != 0;
  const bool to_access = !fp.destination_interface ||
                         *fp.destination_interface == pfcp::DestinationInterface::kAccess;
  if (!gtpu || !to_access) return 0;
  const IpAddr& peer = !ohc.ipv4.empty() ? ohc.ipv4 : ohc.ipv6;
  const auto addr = table_.addresses().intern(peer);
  if (!addr) return 1;
  Tunnel t;
  t.teid = ohc.teid;
  t.addr = *addr;
  return table_.set_dl_tunnel(id, t) == TableResult::kOk ? 0 : 1;
}

}  // namespace mecguard::guard
