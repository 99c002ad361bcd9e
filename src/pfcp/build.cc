#include "pfcp/build.h"

namespace mecguard::pfcp {
namespace {

Message node_msg(MsgType t, uint32_t seq) {
  Message m;
  m.header.type = static_cast<uint8_t>(t);
  m.header.seq = seq & 0xFFFFFF;
  return m;
}

Message session_msg(MsgType t, uint32_t seq, uint64_t seid) {
  Message m = node_msg(t, seq);
  m.header.has_seid = true;
  m.header.seid = seid;
  return m;
}

FSeid make_fseid(uint64_t seid, const IpAddr& a) {
  FSeid f;
  f.seid = seid;
  (a.is_v6() ? f.ipv6 : f.ipv4) = a;
  return f;
}

}  // namespace

Message heartbeat_request(uint32_t seq, uint32_t recovery_ts) {
  Message m = node_msg(MsgType::kHeartbeatRequest, seq);
  m.recovery_time_stamp = recovery_ts;
  return m;
}

Message heartbeat_response(uint32_t seq, uint32_t recovery_ts) {
  Message m = node_msg(MsgType::kHeartbeatResponse, seq);
  m.recovery_time_stamp = recovery_ts;
  return m;
}

Message association_setup_request(uint32_t seq, const NodeId& node, uint32_t recovery_ts) {
  Message m = node_msg(MsgType::kAssociationSetupRequest, seq);
  m.node_id = node;
  m.recovery_time_stamp = recovery_ts;
  return m;
}

Message association_setup_response(uint32_t seq, const NodeId& node, Cause cause, uint32_t recovery_ts) {
  Message m = node_msg(MsgType::kAssociationSetupResponse, seq);
  m.node_id = node;
  m.cause = cause;
  m.recovery_time_stamp = recovery_ts;
  return m;
}

Message association_release_request(uint32_t seq, const NodeId& node) {
  Message m = node_msg(MsgType::kAssociationReleaseRequest, seq);
  m.node_id = node;
  return m;
}

Message association_release_response(uint32_t seq, const NodeId& node, Cause cause) {
  Message m = node_msg(MsgType::kAssociationReleaseResponse, seq);
  m.node_id = node;
  m.cause = cause;
  return m;
}

Message session_establishment_request(uint32_t seq, const UeSessionSpec& ue) {
  // The CP function does not know the UP SEID yet: the header SEID is 0 (TS 29.244 7.2.2.4.2).
  Message m = session_msg(MsgType::kSessionEstablishmentRequest, seq, 0);
  m.node_id = ue.cp_node;
  m.cp_f_seid = make_fseid(ue.cp_seid, ue.cp_addr);

  CreatePdr ul;
  ul.pdr_id = kUlPdrId;
  ul.precedence = 255;
  ul.pdi.source_interface = SourceInterface::kAccess;
  ul.pdi.f_teid = ue.choose_teid ? FTeid::choose(!ue.upf_n3_addr.is_v6(), ue.upf_n3_addr.is_v6(), 1)
                                 : FTeid::make(ue.ul_teid, ue.upf_n3_addr);
  ul.pdi.ue_ips.push_back(UeIpAddress::source(ue.ue_addr));
  if (ue.sdf_filter) {
    SdfFilter f;
    f.flow_description = *ue.sdf_filter;
    ul.pdi.sdf_filters.push_back(f);
  }
  ul.outer_header_removal = OuterHeaderRemoval{};
  ul.outer_header_removal->description =
      ue.upf_n3_addr.is_v6() ? OuterHeaderRemoval::kGtpuUdpIpv6 : OuterHeaderRemoval::kGtpuUdpIpv4;
  ul.far_id = kUlFarId;
  ul.qer_ids.push_back(kSessionQerId);

  CreatePdr dl;
  dl.pdr_id = kDlPdrId;
  dl.precedence = 255;
  dl.pdi.source_interface = SourceInterface::kCore;
  const auto dnn = dnn_to_labels(ue.dnn);
  dl.pdi.network_instance = std::string(dnn.begin(), dnn.end());
  dl.pdi.ue_ips.push_back(UeIpAddress::dest(ue.ue_addr));
  dl.far_id = kDlFarId;
  dl.qer_ids.push_back(kSessionQerId);
  m.create_pdrs = {ul, dl};

  CreateFar ul_far;
  ul_far.far_id = kUlFarId;
  ul_far.apply_action.flags = ApplyAction::kForw;
  ul_far.forwarding = ForwardingParameters{};
  ul_far.forwarding->destination_interface = DestinationInterface::kCore;
  ul_far.forwarding->network_instance = dl.pdi.network_instance;

  CreateFar dl_far;
  dl_far.far_id = kDlFarId;
  if (ue.gnb_addr.empty()) {
    dl_far.apply_action.flags = ApplyAction::kBuff | ApplyAction::kNocp;
  } else {
    dl_far.apply_action.flags = ApplyAction::kForw;
    dl_far.forwarding = ForwardingParameters{};
    dl_far.forwarding->destination_interface = DestinationInterface::kAccess;
    dl_far.forwarding->outer_header_creation = OuterHeaderCreation::gtpu(ue.gnb_teid, ue.gnb_addr);
  }
  m.create_fars = {ul_far, dl_far};

  CreateQer qer;
  qer.qer_id = kSessionQerId;
  qer.mbr = Bitrate{ue.mbr_ul_kbps, ue.mbr_dl_kbps};
  qer.qfi = 9;
  m.create_qers = {qer};
  return m;
}

Message session_establishment_response(uint32_t seq, uint64_t peer_cp_seid, const NodeId& up_node,
                                       Cause cause, uint64_t up_seid, const IpAddr& up_addr,
                                       std::optional<FTeid> created_ul_f_teid) {
  Message m = session_msg(MsgType::kSessionEstablishmentResponse, seq, peer_cp_seid);
  m.node_id = up_node;
  m.cause = cause;
  m.up_f_seid = make_fseid(up_seid, up_addr);
  if (created_ul_f_teid) {
    CreatedPdr c;
    c.pdr_id = kUlPdrId;
    c.local_f_teid = created_ul_f_teid;
    m.created_pdrs.push_back(c);
  }
  return m;
}

Message session_modification_request(uint32_t seq, uint64_t up_seid, uint32_t gnb_teid,
                                     const IpAddr& gnb_addr) {
  Message m = session_msg(MsgType::kSessionModificationRequest, seq, up_seid);
  UpdateFar f;
  f.far_id = kDlFarId;
  f.apply_action = ApplyAction{ApplyAction::kForw};
  f.update_forwarding = ForwardingParameters{};
  f.update_forwarding->destination_interface = DestinationInterface::kAccess;
  f.update_forwarding->outer_header_creation = OuterHeaderCreation::gtpu(gnb_teid, gnb_addr);
  m.update_fars.push_back(f);
  return m;
}

Message session_modification_response(uint32_t seq, uint64_t cp_seid, Cause cause) {
  Message m = session_msg(MsgType::kSessionModificationResponse, seq, cp_seid);
  m.cause = cause;
  return m;
}

Message session_deletion_request(uint32_t seq, uint64_t up_seid) {
  return session_msg(MsgType::kSessionDeletionRequest, seq, up_seid);
}

Message session_deletion_response(uint32_t seq, uint64_t cp_seid, Cause cause) {
  Message m = session_msg(MsgType::kSessionDeletionResponse, seq, cp_seid);
  m.cause = cause;
  return m;
}

Message session_report_request(uint32_t seq, uint64_t cp_seid, uint8_t report_type) {
  Message m = session_msg(MsgType::kSessionReportRequest, seq, cp_seid);
  m.report_type = report_type;
  return m;
}

Message session_report_response(uint32_t seq, uint64_t up_seid, Cause cause) {
  Message m = session_msg(MsgType::kSessionReportResponse, seq, up_seid);
  m.cause = cause;
  return m;
}

}  // namespace mecguard::pfcp
