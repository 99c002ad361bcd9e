// decode_header / decode_message: header checks, one structural walk of the IE tree
// (bounds, depth, IE count, statistics), then a typed pass that fills the model.
#include <string>

#include "pfcp/message.h"

namespace mecguard::pfcp {
namespace {

struct Ctx {
  DecodeError err;
  bool fail(Status s, const IeView& ie) {
    err = {s, ie.offset, ie.type};
    return false;
  }
  bool missing(uint16_t type, uint32_t offset) {
    err = {Status::kMissingMandatoryIe, offset, type};
    return false;
  }
};

template <class T>
bool get(Ctx& c, const IeView& ie, T& out) {
  const Status s = decode_value(ie.value, out);
  return s == Status::kOk ? true : c.fail(s, ie);
}

// Inside grouped IEs the first instance of a single-valued IE wins; later ones are skipped.
template <class T>
bool get_opt(Ctx& c, const IeView& ie, std::optional<T>& out) {
  if (out) return true;
  T v{};
  if (!get(c, ie, v)) return false;
  out = std::move(v);
  return true;
}

template <class T>
bool get_push(Ctx& c, const IeView& ie, std::vector<T>& out) {
  T v{};
  if (!get(c, ie, v)) return false;
  out.push_back(std::move(v));
  return true;
}

// Runs fn(child) over the children of grouped IE g; enterprise children are skipped.
template <class Fn>
bool for_children(Ctx& c, const IeView& g, Fn&& fn) {
  IeReader r(g.value, g.offset + 4);
  IeView ie;
  while (r.next(ie)) {
    if (ie.enterprise()) continue;
    if (!fn(static_cast<const IeView&>(ie))) return false;
  }
  if (r.status() != Status::kOk) {
    c.err = {r.status(), r.error_offset(), g.type};
    return false;
  }
  return true;
}

bool parse_pdi(Ctx& c, const IeView& g, Pdi& out) {
  bool have_si = false;
  const bool ok = for_children(c, g, [&](const IeView& ie) {
    switch (ie.type) {
      case ie::kSourceInterface:
        if (have_si) return true;
        have_si = true;
        return get(c, ie, out.source_interface);
      case ie::kFTeid: return get_opt(c, ie, out.f_teid);
      case ie::kNetworkInstance: return get_opt(c, ie, out.network_instance);
      case ie::kUeIpAddress: return get_push(c, ie, out.ue_ips);
      case ie::kSdfFilter: return get_push(c, ie, out.sdf_filters);
      case ie::kApplicationId: return get_opt(c, ie, out.application_id);
      case ie::kFramedRoute: return get_push(c, ie, out.framed_routes);
      case ie::kFramedIpv6Route: return get_push(c, ie, out.framed_ipv6_routes);
      case ie::kQfi: return get_opt(c, ie, out.qfi);
      default: return true;
    }
  });
  if (!ok) return false;
  return have_si ? true : c.missing(ie::kSourceInterface, g.offset);
}

bool parse_create_pdr(Ctx& c, const IeView& g, CreatePdr& out) {
  bool have_id = false, have_prec = false, have_pdi = false;
  const bool ok = for_children(c, g, [&](const IeView& ie) {
    switch (ie.type) {
      case ie::kPdrId:
        if (have_id) return true;
        have_id = true;
        return get(c, ie, out.pdr_id);
      case ie::kPrecedence:
        if (have_prec) return true;
        have_prec = true;
        return get(c, ie, out.precedence);
      case ie::kPdi:
        if (have_pdi) return true;
        have_pdi = true;
        return parse_pdi(c, ie, out.pdi);
      case ie::kOuterHeaderRemoval: return get_opt(c, ie, out.outer_header_removal);
      case ie::kFarId: return get_opt(c, ie, out.far_id);
      case ie::kUrrId: return get_push(c, ie, out.urr_ids);
      case ie::kQerId: return get_push(c, ie, out.qer_ids);
      default: return true;
    }
  });
  if (!ok) return false;
  if (!have_id) return c.missing(ie::kPdrId, g.offset);
  if (!have_prec) return c.missing(ie::kPrecedence, g.offset);
  if (!have_pdi) return c.missing(ie::kPdi, g.offset);
  return true;
}

bool parse_forwarding(Ctx& c, const IeView& g, ForwardingParameters& out, bool need_dest) {
  const bool ok = for_children(c, g, [&](const IeView& ie) {
    switch (ie.type) {
      case ie::kDestinationInterface: return get_opt(c, ie, out.destination_interface);
      case ie::kNetworkInstance: return get_opt(c, ie, out.network_instance);
      case ie::kOuterHeaderCreation: return get_opt(c, ie, out.outer_header_creation);
      default: return true;
    }
  });
  if (!ok) return false;
  if (need_dest && !out.destination_interface) return c.missing(ie::kDestinationInterface, g.offset);
  return true;
}

bool parse_create_far(Ctx& c, const IeView& g, CreateFar& out) {
  bool have_id = false;
  std::optional<ApplyAction> aa;
  const bool ok = for_children(c, g, [&](const IeView& ie) {
    switch (ie.type) {
      case ie::kFarId:
        if (have_id) return true;
        have_id = true;
        return get(c, ie, out.far_id);
      case ie::kApplyAction: return get_opt(c, ie, aa);
      case ie::kForwardingParameters:
        if (out.forwarding) return true;
        out.forwarding.emplace();
        return parse_forwarding(c, ie, *out.forwarding, true);
      case ie::kBarId: return get_opt(c, ie, out.bar_id);
      default: return true;
    }
  });
  if (!ok) return false;
  if (!have_id) return c.missing(ie::kFarId, g.offset);
  if (!aa) return c.missing(ie::kApplyAction, g.offset);
  out.apply_action = *aa;
  return true;
}

bool parse_create_qer(Ctx& c, const IeView& g, CreateQer& out) {
  bool have_id = false;
  std::optional<GateStatus> gate;
  const bool ok = for_children(c, g, [&](const IeView& ie) {
    switch (ie.type) {
      case ie::kQerId:
        if (have_id) return true;
        have_id = true;
        return get(c, ie, out.qer_id);
      case ie::kQerCorrelationId: return get_opt(c, ie, out.qer_correlation_id);
      case ie::kGateStatus: return get_opt(c, ie, gate);
      case ie::kMbr: return get_opt(c, ie, out.mbr);
      case ie::kGbr: return get_opt(c, ie, out.gbr);
      case ie::kQfi: return get_opt(c, ie, out.qfi);
      default: return true;
    }
  });
  if (!ok) return false;
  if (!have_id) return c.missing(ie::kQerId, g.offset);
  if (!gate) return c.missing(ie::kGateStatus, g.offset);
  out.gate_status = *gate;
  return true;
}

// Reporting Triggers: octet 5 -> bits 0-7, octet 6 -> 8-15, octet 7 -> 16-23.
Status decode_triggers(Bytes v, uint32_t& out) {
  if (v.size() < 2) return Status::kIeBadLength;
  out = uint32_t{v[0]} | (uint32_t{v[1]} << 8) | (v.size() >= 3 ? uint32_t{v[2]} << 16 : 0);
  return Status::kOk;
}

bool parse_create_urr(Ctx& c, const IeView& g, CreateUrr& out) {
  bool have_id = false, have_mm = false, have_rt = false;
  const bool ok = for_children(c, g, [&](const IeView& ie) {
    switch (ie.type) {
      case ie::kUrrId:
        if (have_id) return true;
        have_id = true;
        return get(c, ie, out.urr_id);
      case ie::kMeasurementMethod:
        if (have_mm) return true;
        have_mm = true;
        return get(c, ie, out.measurement_method);
      case ie::kReportingTriggers: {
        if (have_rt) return true;
        have_rt = true;
        const Status s = decode_triggers(ie.value, out.reporting_triggers);
        return s == Status::kOk ? true : c.fail(s, ie);
      }
      case 64: return get_opt(c, ie, out.measurement_period);  // Measurement Period
      default: return true;
    }
  });
  if (!ok) return false;
  if (!have_id) return c.missing(ie::kUrrId, g.offset);
  if (!have_mm) return c.missing(ie::kMeasurementMethod, g.offset);
  if (!have_rt) return c.missing(ie::kReportingTriggers, g.offset);
  return true;
}

bool parse_created_pdr(Ctx& c, const IeView& g, CreatedPdr& out) {
  bool have_id = false;
  const bool ok = for_children(c, g, [&](const IeView& ie) {
    switch (ie.type) {
      case ie::kPdrId:
        if (have_id) return true;
        have_id = true;
        return get(c, ie, out.pdr_id);
      case ie::kFTeid: return get_opt(c, ie, out.local_f_teid);
      case ie::kUeIpAddress: return get_push(c, ie, out.ue_ips);
      default: return true;
    }
  });
  if (!ok) return false;
  return have_id ? true : c.missing(ie::kPdrId, g.offset);
}

bool parse_update_pdr(Ctx& c, const IeView& g, UpdatePdr& out) {
  bool have_id = false;
  const bool ok = for_children(c, g, [&](const IeView& ie) {
    switch (ie.type) {
      case ie::kPdrId:
        if (have_id) return true;
        have_id = true;
        return get(c, ie, out.pdr_id);
      case ie::kOuterHeaderRemoval: return get_opt(c, ie, out.outer_header_removal);
      case ie::kPrecedence: return get_opt(c, ie, out.precedence);
      case ie::kPdi:
        if (out.pdi) return true;
        out.pdi.emplace();
        return parse_pdi(c, ie, *out.pdi);
      case ie::kFarId: return get_opt(c, ie, out.far_id);
      case ie::kUrrId: return get_push(c, ie, out.urr_ids);
      case ie::kQerId: return get_push(c, ie, out.qer_ids);
      default: return true;
    }
  });
  if (!ok) return false;
  return have_id ? true : c.missing(ie::kPdrId, g.offset);
}

bool parse_update_far(Ctx& c, const IeView& g, UpdateFar& out) {
  bool have_id = false;
  const bool ok = for_children(c, g, [&](const IeView& ie) {
    switch (ie.type) {
      case ie::kFarId:
        if (have_id) return true;
        have_id = true;
        return get(c, ie, out.far_id);
      case ie::kApplyAction: return get_opt(c, ie, out.apply_action);
      case ie::kUpdateForwardingParameters:
        if (out.update_forwarding) return true;
        out.update_forwarding.emplace();
        return parse_forwarding(c, ie, *out.update_forwarding, false);
      case ie::kBarId: return get_opt(c, ie, out.bar_id);
      default: return true;
    }
  });
  if (!ok) return false;
  return have_id ? true : c.missing(ie::kFarId, g.offset);
}

bool parse_update_qer(Ctx& c, const IeView& g, UpdateQer& out) {
  bool have_id = false;
  const bool ok = for_children(c, g, [&](const IeView& ie) {
    switch (ie.type) {
      case ie::kQerId:
        if (have_id) return true;
        have_id = true;
        return get(c, ie, out.qer_id);
      case ie::kQerCorrelationId: return get_opt(c, ie, out.qer_correlation_id);
      case ie::kGateStatus: return get_opt(c, ie, out.gate_status);
      case ie::kMbr: return get_opt(c, ie, out.mbr);
      case ie::kGbr: return get_opt(c, ie, out.gbr);
      case ie::kQfi: return get_opt(c, ie, out.qfi);
      default: return true;
    }
  });
  if (!ok) return false;
  return have_id ? true : c.missing(ie::kQerId, g.offset);
}

// Remove PDR/FAR/URR/QER: a group holding one rule ID.
template <class Id>
bool parse_remove(Ctx& c, const IeView& g, uint16_t id_type, std::vector<Id>& out) {
  std::optional<Id> id;
  const bool ok = for_children(c, g, [&](const IeView& ie) {
    return ie.type == id_type ? get_opt(c, ie, id) : true;
  });
  if (!ok) return false;
  if (!id) return c.missing(id_type, g.offset);
  out.push_back(*id);
  return true;
}

// F-SEID carried by messages the UP function sends goes to up_f_seid.
bool sent_by_up(uint8_t type) {
  switch (static_cast<MsgType>(type)) {
    case MsgType::kSessionEstablishmentResponse:
    case MsgType::kSessionModificationResponse:
    case MsgType::kSessionDeletionResponse:
    case MsgType::kSessionReportRequest:
      return true;
    default:
      return false;
  }
}

// Top-level single-valued IE: the first fills the model, a repeat is kept raw.
template <class T>
bool top_opt(Ctx& c, const IeView& ie, std::optional<T>& slot, Message& m) {
  if (slot) {
    m.extra_ies.push_back(RawIe{ie.type, std::nullopt, {ie.value.begin(), ie.value.end()}});
    return true;
  }
  return get_opt(c, ie, slot);
}

bool parse_top(Ctx& c, const IeView& ie, Message& m) {
  if (ie.enterprise()) {
    m.extra_ies.push_back(RawIe{static_cast<uint16_t>(ie.type & ~kEnterpriseBit), ie.enterprise_id,
                                {ie.value.begin(), ie.value.end()}});
    return true;
  }
  switch (ie.type) {
    case ie::kNodeId: return top_opt(c, ie, m.node_id, m);
    case ie::kCause: return top_opt(c, ie, m.cause, m);
    case ie::kOffendingIe: return top_opt(c, ie, m.offending_ie, m);
    case ie::kFSeid: return top_opt(c, ie, sent_by_up(m.header.type) ? m.up_f_seid : m.cp_f_seid, m);
    case ie::kRecoveryTimeStamp: return top_opt(c, ie, m.recovery_time_stamp, m);
    case ie::kReportType: return top_opt(c, ie, m.report_type, m);
    case ie::kRemovePdr: return parse_remove(c, ie, ie::kPdrId, m.remove_pdrs);
    case ie::kRemoveFar: return parse_remove(c, ie, ie::kFarId, m.remove_fars);
    case ie::kRemoveUrr: return parse_remove(c, ie, ie::kUrrId, m.remove_urrs);
    case ie::kRemoveQer: return parse_remove(c, ie, ie::kQerId, m.remove_qers);
    case ie::kCreatePdr: return parse_create_pdr(c, ie, m.create_pdrs.emplace_back());
    case ie::kCreateFar: return parse_create_far(c, ie, m.create_fars.emplace_back());
    case ie::kCreateUrr: return parse_create_urr(c, ie, m.create_urrs.emplace_back());
    case ie::kCreateQer: return parse_create_qer(c, ie, m.create_qers.emplace_back());
    case ie::kUpdatePdr: return parse_update_pdr(c, ie, m.update_pdrs.emplace_back());
    case ie::kUpdateFar: return parse_update_far(c, ie, m.update_fars.emplace_back());
    case ie::kUpdateQer: return parse_update_qer(c, ie, m.update_qers.emplace_back());
    case ie::kCreatedPdr: return parse_created_pdr(c, ie, m.created_pdrs.emplace_back());
    default:
      m.extra_ies.push_back(RawIe{ie.type, std::nullopt, {ie.value.begin(), ie.value.end()}});
      return true;
  }
}

// Mandatory top-level IEs per message type (TS 29.244 clauses 7.4 and 7.5). Messages not
// listed have no mandatory IE the model names.
bool check_mandatory(Ctx& c, const Message& m, uint32_t end) {
  auto need = [&](bool present, uint16_t type) { return present ? true : c.missing(type, end); };
  const bool node = m.node_id.has_value(), cause = m.cause.has_value(),
             rts = m.recovery_time_stamp.has_value();
  switch (m.type()) {
    case MsgType::kHeartbeatRequest:
    case MsgType::kHeartbeatResponse:
      return need(rts, ie::kRecoveryTimeStamp);
    case MsgType::kAssociationSetupRequest:
      return need(node, ie::kNodeId) && need(rts, ie::kRecoveryTimeStamp);
    case MsgType::kAssociationSetupResponse:
      return need(node, ie::kNodeId) && need(cause, ie::kCause) && need(rts, ie::kRecoveryTimeStamp);
    case MsgType::kAssociationUpdateRequest:
    case MsgType::kAssociationReleaseRequest:
    case MsgType::kNodeReportRequest:
    case MsgType::kSessionSetDeletionRequest:
      return need(node, ie::kNodeId);
    case MsgType::kAssociationUpdateResponse:
    case MsgType::kAssociationReleaseResponse:
    case MsgType::kNodeReportResponse:
    case MsgType::kSessionSetDeletionResponse:
    case MsgType::kSessionEstablishmentResponse:
      return need(node, ie::kNodeId) && need(cause, ie::kCause);
    case MsgType::kPfdManagementResponse:
    case MsgType::kSessionModificationResponse:
    case MsgType::kSessionDeletionResponse:
    case MsgType::kSessionReportResponse:
      return need(cause, ie::kCause);
    case MsgType::kSessionEstablishmentRequest:
      return need(node, ie::kNodeId) && need(m.cp_f_seid.has_value(), ie::kFSeid) &&
             need(!m.create_pdrs.empty(), ie::kCreatePdr) &&
             need(!m.create_fars.empty(), ie::kCreateFar);
    case MsgType::kSessionReportRequest:
      return need(m.report_type.has_value(), ie::kReportType);
    default:
      return true;
  }
}

}  // namespace

std::string DecodeError::to_string() const {
  std::string s(status_name(status));
  s += " at offset " + std::to_string(offset);
  if (ie_type != 0) {
    s += " (IE " + std::to_string(ie_type) + " ";
    s += ie_type_name(ie_type);
    s += ")";
  }
  return s;
}

Status decode_header(Bytes buf, HeaderInfo& out) noexcept {
  out = HeaderInfo{};
  if (buf.size() < 4) return Status::kTruncated;
  const uint8_t flags = buf[0];
  if ((flags >> 5) != kVersion) return Status::kBadVersion;
  Header& h = out.header;
  h.has_seid = (flags & 0x01) != 0;
  h.mp = (flags & 0x02) != 0;
  h.fo = (flags & 0x04) != 0;
  h.type = buf[1];
  out.length_field = load_be16(buf.data() + 2);
  out.header_len = h.has_seid ? kSessionHeaderLen : kNodeHeaderLen;
  out.msg_len = size_t{4} + out.length_field;
  if (buf.size() < out.header_len) return Status::kTruncated;
  if (out.msg_len < out.header_len) return Status::kBadLength;
  const uint8_t* p = buf.data() + 4;
  if (h.has_seid) {
    h.seid = load_be64(p);
    p += 8;
  }
  h.seq = load_be24(p);
  if (h.has_seid && h.mp) h.priority = static_cast<uint8_t>(p[3] >> 4);
  if (buf.size() < out.msg_len) return Status::kTruncated;
  // Bytes after the message belong to a follow-on message only when FO says so.
  if (buf.size() > out.msg_len && !h.fo) return Status::kBadLength;
  return Status::kOk;
}

Expected<Message, DecodeError> decode_message(Bytes buf, DecodeStats* stats) {
  HeaderInfo hi;
  const Status hs = decode_header(buf, hi);
  if (hs != Status::kOk) return Unexpected(DecodeError{hs, 0, 0});
  const uint8_t type = hi.header.type;
  if (is_known_message_type(type) && is_session_message_type(type) != hi.header.has_seid) {
    return Unexpected(DecodeError{Status::kSeidFlagMismatch, 0, 0});
  }
  const Bytes body = buf.subspan(hi.header_len, hi.msg_len - hi.header_len);
  const auto base = static_cast<uint32_t>(hi.header_len);

  DecodeStats local;
  DecodeStats& st = stats ? *stats : local;
  st = DecodeStats{};
  st.msg_len = hi.msg_len;
  const WalkError we = walk_ies(body, [](const IeView&, int) { return true; }, &st.walk, base);
  if (we.status != Status::kOk) return Unexpected(DecodeError{we.status, we.offset, we.ie_type});

  Message m;
  m.header = hi.header;
  Ctx c;
  IeReader r(body, base);
  IeView ie;
  while (r.next(ie)) {
    if (!parse_top(c, ie, m)) return Unexpected(c.err);
  }
  if (r.status() != Status::kOk) return Unexpected(DecodeError{r.status(), r.error_offset(), 0});
  if (!check_mandatory(c, m, static_cast<uint32_t>(hi.msg_len))) return Unexpected(c.err);
  return m;
}

}  // namespace mecguard::pfcp
