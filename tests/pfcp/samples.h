// Sample PFCP messages shared by the pfcp tests: one well-populated Message per known
// message type (round trips, truncation sweeps) and the fuzz seed writer.
#pragma once

#include <vector>

#include "pfcp/build.h"
#include "pfcp/message.h"

namespace mecguard::pfcp::testing {

inline IpAddr ip(const char* s) { return *IpAddr::parse(s); }

inline UeSessionSpec sample_ue() {
  UeSessionSpec ue;
  ue.cp_seid = 0x1001;
  ue.cp_addr = ip("10.0.0.1");
  ue.cp_node = NodeId::from_fqdn("smf1.mec.example");
  ue.ue_addr = ip("10.45.0.2");
  ue.ul_teid = 0x100;
  ue.upf_n3_addr = ip("192.168.1.1");
  ue.gnb_teid = 0x200;
  ue.gnb_addr = ip("192.168.1.50");
  ue.sdf_filter = "permit out ip from any to assigned";
  return ue;
}

// A message of every known type, each carrying the IEs the decoder insists on plus a few
// optional ones, so that round trips exercise most of the model.
inline std::vector<Message> sample_messages() {
  const NodeId cp = NodeId::from_ip(ip("10.0.0.1"));
  const NodeId up = NodeId::from_ip(ip("2001:db8::2"));
  std::vector<Message> v;
  v.push_back(heartbeat_request(1, 3900000000u));
  v.push_back(heartbeat_response(1, 3900000001u));
  for (MsgType t : {MsgType::kPfdManagementRequest, MsgType::kPfdManagementResponse,
                    MsgType::kAssociationUpdateRequest, MsgType::kAssociationUpdateResponse,
                    MsgType::kVersionNotSupportedResponse, MsgType::kNodeReportRequest,
                    MsgType::kNodeReportResponse, MsgType::kSessionSetDeletionRequest,
                    MsgType::kSessionSetDeletionResponse, MsgType::kSessionSetModificationRequest,
                    MsgType::kSessionSetModificationResponse}) {
    Message m;
    m.header.type = static_cast<uint8_t>(t);
    m.header.seq = 77;
    m.node_id = cp;
    m.cause = Cause::kRequestAccepted;
    v.push_back(m);
  }
  v.push_back(association_setup_request(2, cp, 3900000000u));
  v.push_back(association_setup_response(2, up, Cause::kRequestAccepted, 3900000002u));
  v.push_back(association_release_request(3, cp));
  v.push_back(association_release_response(3, up, Cause::kRequestAccepted));

  Message est = session_establishment_request(10, sample_ue());
  CreateUrr urr;
  urr.urr_id = 5;
  urr.measurement_method = CreateUrr::kVolum | CreateUrr::kDurat;
  urr.reporting_triggers = 0x010203;
  urr.measurement_period = 60;
  est.create_urrs.push_back(urr);
  est.create_pdrs[0].urr_ids.push_back(5);
  est.create_pdrs[0].pdi.framed_routes.push_back("10.99.0.0/16 0.0.0.0 1");
  est.create_pdrs[0].pdi.framed_ipv6_routes.push_back("2001:db8:99::/48 :: 1");
  est.create_pdrs[0].pdi.application_id = "video";
  est.create_qers[0].gbr = Bitrate{1000, 2000};
  est.create_qers[0].qer_correlation_id = 42;
  est.extra_ies.push_back(RawIe{ie::kPdnType, std::nullopt, {1}});
  est.extra_ies.push_back(RawIe{0x0001, 18681, {0xde, 0xad}});  // enterprise IE
  v.push_back(est);

  v.push_back(session_establishment_response(10, 0x1001, up, Cause::kRequestAccepted, 0x2002,
                                             ip("192.168.1.1"),
                                             FTeid::make(0x300, ip("192.168.1.1"))));

  Message mod = session_modification_request(11, 0x2002, 0x201, ip("2001:db8::50"));
  mod.header.mp = true;
  mod.header.priority = 5;
  mod.remove_pdrs = {3};
  mod.remove_fars = {3};
  mod.remove_urrs = {4};
  mod.remove_qers = {2};
  UpdatePdr up_pdr;
  up_pdr.pdr_id = 1;
  up_pdr.precedence = 100;
  up_pdr.pdi = Pdi{};
  up_pdr.pdi->source_interface = SourceInterface::kAccess;
  up_pdr.pdi->f_teid = FTeid::make(0x101, ip("192.168.1.1"));
  mod.update_pdrs.push_back(up_pdr);
  UpdateQer up_qer;
  up_qer.qer_id = 1;
  up_qer.gate_status = GateStatus{GateStatus::kClosed, GateStatus::kOpen};
  up_qer.mbr = Bitrate{kMaxBitrateKbps, 1};
  mod.update_qers.push_back(up_qer);
  v.push_back(mod);

  Message mod_rsp = session_modification_response(11, 0x1001, Cause::kRuleCreationModificationFailure);
  mod_rsp.offending_ie = OffendingIe{ie::kCreatePdr};
  v.push_back(mod_rsp);
  v.push_back(session_deletion_request(12, 0x2002));
  v.push_back(session_deletion_response(12, 0x1001, Cause::kRequestAccepted));
  v.push_back(session_report_request(13, 0x1001, 0x01));
  v.push_back(session_report_response(13, 0x2002, Cause::kRequestAccepted));
  return v;
}

}  // namespace mecguard::pfcp::testing
