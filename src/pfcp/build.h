// Factories for common PFCP messages: the scenario generator, tests and fuzz seeds use
// them to build well-formed Messages for a UE without knowing which IEs are mandatory.
// Each returns a Message to adjust further and pass to encode().
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "common/ip.h"
#include "pfcp/message.h"

namespace mecguard::pfcp {

Message heartbeat_request(uint32_t seq, uint32_t recovery_ts);
Message heartbeat_response(uint32_t seq, uint32_t recovery_ts);
Message association_setup_request(uint32_t seq, const NodeId& node, uint32_t recovery_ts);
Message association_setup_response(uint32_t seq, const NodeId& node, Cause cause, uint32_t recovery_ts);
Message association_release_request(uint32_t seq, const NodeId& node);
Message association_release_response(uint32_t seq, const NodeId& node, Cause cause);

// Describes one UE PDU session the way a SMF would install it on a UPF: an uplink PDR
// matching the N3 F-TEID (outer header removed, forward to core) and a downlink PDR
// matching the UE address (forward to access with GTP-U towards the gNB), one QER.
struct UeSessionSpec {
  uint64_t cp_seid = 0;
  IpAddr cp_addr;                  // SMF address for the CP F-SEID
  NodeId cp_node;
  IpAddr ue_addr;                  // v4 or v6
  uint32_t ul_teid = 0;            // N3 TEID on the UPF (0 with choose_teid)
  IpAddr upf_n3_addr;
  bool choose_teid = false;        // ask the UPF to allocate (CH=1, CHID=1)
  uint32_t gnb_teid = 0;           // DL tunnel towards the gNB
  IpAddr gnb_addr;                 // empty: DL FAR buffers (BUFF|NOCP) until modification
  std::string dnn = "internet";    // network instance on the N6 side
  uint64_t mbr_ul_kbps = 100000;
  uint64_t mbr_dl_kbps = 200000;
  std::optional<std::string> sdf_filter;  // flow description on the UL PDR
};

// PDR/FAR/QER IDs used by session_establishment_request: UL = 1, DL = 2, QER 1.
inline constexpr uint16_t kUlPdrId = 1, kDlPdrId = 2;
inline constexpr uint32_t kUlFarId = 1, kDlFarId = 2, kSessionQerId = 1;

Message session_establishment_request(uint32_t seq, const UeSessionSpec& ue);
// up_seid: the UPF's SEID; peer_cp_seid goes in the header. ul_teid is reported in a
// Created PDR for the UL PDR.
Message session_establishment_response(uint32_t seq, uint64_t peer_cp_seid, const NodeId& up_node,
                                       Cause cause, uint64_t up_seid, const IpAddr& up_addr,
                                       std::optional<FTeid> created_ul_f_teid = {});
// Points the DL FAR at the gNB tunnel (the classic handover / activation modification).
Message session_modification_request(uint32_t seq, uint64_t up_seid, uint32_t gnb_teid,
                                     const IpAddr& gnb_addr);
Message session_modification_response(uint32_t seq, uint64_t cp_seid, Cause cause);
Message session_deletion_request(uint32_t seq, uint64_t up_seid);
Message session_deletion_response(uint32_t seq, uint64_t cp_seid, Cause cause);
Message session_report_request(uint32_t seq, uint64_t cp_seid, uint8_t report_type);
Message session_report_response(uint32_t seq, uint64_t up_seid, Cause cause);

}  // namespace mecguard::pfcp
