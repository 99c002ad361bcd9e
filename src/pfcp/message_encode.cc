// try_encode / encode: the model back to wire format, lengths computed.
#include "pfcp/message.h"

namespace mecguard::pfcp {
namespace {

// Tracks whether any IE overflowed its 16-bit length; the message is then rejected.
struct Enc {
  ByteWriter& w;
  bool ok = true;

  void str(uint16_t type, const std::string& s) { ok = encode_ie(w, type, s) && ok; }
  template <class T>
  void opt(uint16_t type, const std::optional<T>& v) {
    if (v) encode_ie(w, type, *v);
  }
  void opt(uint16_t type, const std::optional<std::string>& v) {
    if (v) str(type, *v);
  }
  template <class T>
  void each(uint16_t type, const std::vector<T>& v) {
    for (const auto& x : v) encode_ie(w, type, x);
  }
  void each(uint16_t type, const std::vector<std::string>& v) {
    for (const auto& x : v) str(type, x);
  }
  template <class Fn>
  void group(uint16_t type, Fn&& body) {
    const size_t at = begin_grouped(w, type);
    body();
    ok = end_grouped(w, at) && ok;
  }
};

void put_pdi(Enc& e, const Pdi& p) {
  e.group(ie::kPdi, [&] {
    encode_ie(e.w, ie::kSourceInterface, p.source_interface);
    e.opt(ie::kFTeid, p.f_teid);
    e.opt(ie::kNetworkInstance, p.network_instance);
    e.each(ie::kUeIpAddress, p.ue_ips);
    e.each(ie::kSdfFilter, p.sdf_filters);
    e.opt(ie::kApplicationId, p.application_id);
    e.each(ie::kFramedRoute, p.framed_routes);
    e.each(ie::kFramedIpv6Route, p.framed_ipv6_routes);
    e.opt(ie::kQfi, p.qfi);
  });
}

void put_forwarding(Enc& e, uint16_t type, const ForwardingParameters& f) {
  e.group(type, [&] {
    e.opt(ie::kDestinationInterface, f.destination_interface);
    e.opt(ie::kNetworkInstance, f.network_instance);
    e.opt(ie::kOuterHeaderCreation, f.outer_header_creation);
  });
}

void put_create_pdr(Enc& e, const CreatePdr& x) {
  e.group(ie::kCreatePdr, [&] {
    encode_ie(e.w, ie::kPdrId, x.pdr_id);
    encode_ie(e.w, ie::kPrecedence, x.precedence);
    put_pdi(e, x.pdi);
    e.opt(ie::kOuterHeaderRemoval, x.outer_header_removal);
    e.opt(ie::kFarId, x.far_id);
    e.each(ie::kUrrId, x.urr_ids);
    e.each(ie::kQerId, x.qer_ids);
  });
}

void put_create_far(Enc& e, const CreateFar& x) {
  e.group(ie::kCreateFar, [&] {
    encode_ie(e.w, ie::kFarId, x.far_id);
    encode_ie(e.w, ie::kApplyAction, x.apply_action);
    if (x.forwarding) {
      // Destination Interface is mandatory here; default to Access when the caller left it out.
      ForwardingParameters f = *x.forwarding;
      if (!f.destination_interface) f.destination_interface = DestinationInterface::kAccess;
      put_forwarding(e, ie::kForwardingParameters, f);
    }
    e.opt(ie::kBarId, x.bar_id);
  });
}

void put_create_urr(Enc& e, const CreateUrr& x) {
  e.group(ie::kCreateUrr, [&] {
    encode_ie(e.w, ie::kUrrId, x.urr_id);
    encode_ie(e.w, ie::kMeasurementMethod, x.measurement_method);
    // Reporting Triggers: 2 octets, a third only when bits 16-23 are used.
    const uint32_t rt = x.reporting_triggers;
    const bool third = (rt >> 16) != 0;
    e.w.be16(ie::kReportingTriggers);
    e.w.be16(third ? 3 : 2);
    e.w.u8(static_cast<uint8_t>(rt));
    e.w.u8(static_cast<uint8_t>(rt >> 8));
    if (third) e.w.u8(static_cast<uint8_t>(rt >> 16));
    e.opt(64, x.measurement_period);  // Measurement Period
  });
}

void put_create_qer(Enc& e, const CreateQer& x) {
  e.group(ie::kCreateQer, [&] {
    encode_ie(e.w, ie::kQerId, x.qer_id);
    e.opt(ie::kQerCorrelationId, x.qer_correlation_id);
    encode_ie(e.w, ie::kGateStatus, x.gate_status);
    e.opt(ie::kMbr, x.mbr);
    e.opt(ie::kGbr, x.gbr);
    e.opt(ie::kQfi, x.qfi);
  });
}

void put_update_pdr(Enc& e, const UpdatePdr& x) {
  e.group(ie::kUpdatePdr, [&] {
    encode_ie(e.w, ie::kPdrId, x.pdr_id);
    e.opt(ie::kOuterHeaderRemoval, x.outer_header_removal);
    e.opt(ie::kPrecedence, x.precedence);
    if (x.pdi) put_pdi(e, *x.pdi);
    e.opt(ie::kFarId, x.far_id);
    e.each(ie::kUrrId, x.urr_ids);
    e.each(ie::kQerId, x.qer_ids);
  });
}

void put_update_far(Enc& e, const UpdateFar& x) {
  e.group(ie::kUpdateFar, [&] {
    encode_ie(e.w, ie::kFarId, x.far_id);
    e.opt(ie::kApplyAction, x.apply_action);
    if (x.update_forwarding) put_forwarding(e, ie::kUpdateForwardingParameters, *x.update_forwarding);
    e.opt(ie::kBarId, x.bar_id);
  });
}

void put_update_qer(Enc& e, const UpdateQer& x) {
  e.group(ie::kUpdateQer, [&] {
    encode_ie(e.w, ie::kQerId, x.qer_id);
    e.opt(ie::kQerCorrelationId, x.qer_correlation_id);
    e.opt(ie::kGateStatus, x.gate_status);
    e.opt(ie::kMbr, x.mbr);
    e.opt(ie::kGbr, x.gbr);
    e.opt(ie::kQfi, x.qfi);
  });
}

void put_created_pdr(Enc& e, const CreatedPdr& x) {
  e.group(ie::kCreatedPdr, [&] {
    encode_ie(e.w, ie::kPdrId, x.pdr_id);
    e.opt(ie::kFTeid, x.local_f_teid);
    e.each(ie::kUeIpAddress, x.ue_ips);
  });
}

template <class Id>
void put_removes(Enc& e, uint16_t group_type, uint16_t id_type, const std::vector<Id>& ids) {
  for (Id id : ids) e.group(group_type, [&] { encode_ie(e.w, id_type, id); });
}

}  // namespace

Expected<std::vector<uint8_t>> try_encode(const Message& m) {
  std::vector<uint8_t> out;
  out.reserve(256);
  ByteWriter w(out);
  const Header& h = m.header;
  w.u8(static_cast<uint8_t>((kVersion << 5) | (h.fo ? 0x04 : 0) | (h.mp ? 0x02 : 0) |
                            (h.has_seid ? 0x01 : 0)));
  w.u8(h.type);
  w.be16(0);  // patched below
  if (h.has_seid) w.be64(h.seid);
  w.be24(h.seq & 0xFFFFFF);
  w.u8(h.has_seid && h.mp ? static_cast<uint8_t>((h.priority & 0x0F) << 4) : 0);

  Enc e{w};
  e.opt(ie::kNodeId, m.node_id);
  e.opt(ie::kCause, m.cause);
  e.opt(ie::kOffendingIe, m.offending_ie);
  e.opt(ie::kFSeid, m.cp_f_seid);
  e.opt(ie::kFSeid, m.up_f_seid);
  e.opt(ie::kRecoveryTimeStamp, m.recovery_time_stamp);
  e.opt(ie::kReportType, m.report_type);
  put_removes(e, ie::kRemovePdr, ie::kPdrId, m.remove_pdrs);
  put_removes(e, ie::kRemoveFar, ie::kFarId, m.remove_fars);
  put_removes(e, ie::kRemoveUrr, ie::kUrrId, m.remove_urrs);
  put_removes(e, ie::kRemoveQer, ie::kQerId, m.remove_qers);
  for (const auto& x : m.create_pdrs) put_create_pdr(e, x);
  for (const auto& x : m.create_fars) put_create_far(e, x);
  for (const auto& x : m.create_urrs) put_create_urr(e, x);
  for (const auto& x : m.create_qers) put_create_qer(e, x);
  for (const auto& x : m.update_pdrs) put_update_pdr(e, x);
  for (const auto& x : m.update_fars) put_update_far(e, x);
  for (const auto& x : m.update_qers) put_update_qer(e, x);
  for (const auto& x : m.created_pdrs) put_created_pdr(e, x);
  for (const auto& x : m.extra_ies) {
    if ((x.type & kEnterpriseBit) != 0) {
      return Unexpected(Error(ErrorCode::kInvalidArgument,
                              "pfcp: raw IE type has the enterprise bit; set enterprise_id instead"));
    }
    e.ok = encode_raw_ie(w, x.type, x.enterprise_id, x.value) && e.ok;
  }

  const size_t body = out.size() - 4;
  if (!e.ok || body > 0xFFFF) {
    return Unexpected(Error(ErrorCode::kLimit, "pfcp: message or IE longer than 65535 octets"));
  }
  w.patch_be16(2, static_cast<uint16_t>(body));
  return out;
}

std::vector<uint8_t> encode(const Message& m) {
  auto r = try_encode(m);
  return r ? std::move(*r) : std::vector<uint8_t>{};
}

}  // namespace mecguard::pfcp
