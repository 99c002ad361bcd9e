// PFCP (TS 29.244) vocabulary shared by the decoder, encoder, IE walker and their users
// (session tracker, scenario generator, CLI): the declared-once decode status table, the
// message type table and the IE type table (with the "grouped" property the walker needs).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace mecguard::pfcp {

// Every PFCP decode status, declared once: X(enumerator, counter name, description).
#define MG_PFCP_STATUS(X)                                                                   \
  X(kOk, "ok", "decoded")                                                                   \
  X(kTruncated, "pfcp_truncated", "PFCP header truncated")                                  \
  X(kBadVersion, "pfcp_bad_version", "PFCP version is not 1")                               \
  X(kBadLength, "pfcp_bad_length", "PFCP length field inconsistent with the datagram")      \
  X(kSeidFlagMismatch, "pfcp_seid_flag_mismatch", "S flag does not match the message type") \
  X(kIeTruncated, "pfcp_ie_truncated", "IE header or value runs past its container")        \
  X(kIeBadLength, "pfcp_ie_bad_length", "IE length invalid for its type")                   \
  X(kGroupedTooDeep, "pfcp_grouped_too_deep", "grouped IEs nested deeper than the limit")   \
  X(kTooManyIes, "pfcp_too_many_ies", "more IEs than the decoder accepts")                  \
  X(kBadIeValue, "pfcp_bad_ie_value", "IE value invalid (flags, enumeration or encoding)")  \
  X(kMissingMandatoryIe, "pfcp_missing_mandatory_ie", "a mandatory IE is missing")

enum class Status : uint8_t {
#define MG_X(e, name, text) e,
  MG_PFCP_STATUS(MG_X)
#undef MG_X
      kCount_
};
inline constexpr size_t kStatusCount = static_cast<size_t>(Status::kCount_);
std::string_view status_name(Status s);  // counter name, e.g. "pfcp_ie_truncated"
std::string_view status_text(Status s);  // human description

// Message types (TS 29.244 table 7.3-1): X(enumerator, value, name, session-related).
#define MG_PFCP_MESSAGE_TYPES(X)                                                      \
  X(kHeartbeatRequest, 1, "heartbeat_request", false)                                 \
  X(kHeartbeatResponse, 2, "heartbeat_response", false)                               \
  X(kPfdManagementRequest, 3, "pfd_management_request", false)                        \
  X(kPfdManagementResponse, 4, "pfd_management_response", false)                      \
  X(kAssociationSetupRequest, 5, "association_setup_request", false)                  \
  X(kAssociationSetupResponse, 6, "association_setup_response", false)                \
  X(kAssociationUpdateRequest, 7, "association_update_request", false)                \
  X(kAssociationUpdateResponse, 8, "association_update_response", false)              \
  X(kAssociationReleaseRequest, 9, "association_release_request", false)              \
  X(kAssociationReleaseResponse, 10, "association_release_response", false)           \
  X(kVersionNotSupportedResponse, 11, "version_not_supported_response", false)        \
  X(kNodeReportRequest, 12, "node_report_request", false)                             \
  X(kNodeReportResponse, 13, "node_report_response", false)                           \
  X(kSessionSetDeletionRequest, 14, "session_set_deletion_request", false)            \
  X(kSessionSetDeletionResponse, 15, "session_set_deletion_response", false)          \
  X(kSessionSetModificationRequest, 16, "session_set_modification_request", false)    \
  X(kSessionSetModificationResponse, 17, "session_set_modification_response", false)  \
  X(kSessionEstablishmentRequest, 50, "session_establishment_request", true)          \
  X(kSessionEstablishmentResponse, 51, "session_establishment_response", true)        \
  X(kSessionModificationRequest, 52, "session_modification_request", true)            \
  X(kSessionModificationResponse, 53, "session_modification_response", true)          \
  X(kSessionDeletionRequest, 54, "session_deletion_request", true)                    \
  X(kSessionDeletionResponse, 55, "session_deletion_response", true)                  \
  X(kSessionReportRequest, 56, "session_report_request", true)                        \
  X(kSessionReportResponse, 57, "session_report_response", true)

enum class MsgType : uint8_t {
#define MG_X(e, v, name, sess) e = v,
  MG_PFCP_MESSAGE_TYPES(MG_X)
#undef MG_X
};
bool is_known_message_type(uint8_t type);
bool is_session_message_type(uint8_t type);  // known and carries a SEID (S=1)
std::string_view message_type_name(uint8_t type);  // "unknown" when not in the table

// IE types this project names (TS 29.244 table 8.1.2-1): X(enumerator, value, name, grouped).
// The grouped column drives the walker's descent; a type not listed is opaque.
#define MG_PFCP_IE_TYPES(X)                                                   \
  X(kCreatePdr, 1, "Create PDR", true)                                        \
  X(kPdi, 2, "PDI", true)                                                     \
  X(kCreateFar, 3, "Create FAR", true)                                        \
  X(kForwardingParameters, 4, "Forwarding Parameters", true)                  \
  X(kDuplicatingParameters, 5, "Duplicating Parameters", true)                \
  X(kCreateUrr, 6, "Create URR", true)                                        \
  X(kCreateQer, 7, "Create QER", true)                                        \
  X(kCreatedPdr, 8, "Created PDR", true)                                      \
  X(kUpdatePdr, 9, "Update PDR", true)                                        \
  X(kUpdateFar, 10, "Update FAR", true)                                       \
  X(kUpdateForwardingParameters, 11, "Update Forwarding Parameters", true)    \
  X(kUpdateBarReportResponse, 12, "Update BAR (Session Report Response)", true) \
  X(kUpdateUrr, 13, "Update URR", true)                                       \
  X(kUpdateQer, 14, "Update QER", true)                                       \
  X(kRemovePdr, 15, "Remove PDR", true)                                       \
  X(kRemoveFar, 16, "Remove FAR", true)                                       \
  X(kRemoveUrr, 17, "Remove URR", true)                                       \
  X(kRemoveQer, 18, "Remove QER", true)                                       \
  X(kCause, 19, "Cause", false)                                               \
  X(kSourceInterface, 20, "Source Interface", false)                          \
  X(kFTeid, 21, "F-TEID", false)                                              \
  X(kNetworkInstance, 22, "Network Instance", false)                          \
  X(kSdfFilter, 23, "SDF Filter", false)                                      \
  X(kApplicationId, 24, "Application ID", false)                              \
  X(kGateStatus, 25, "Gate Status", false)                                    \
  X(kMbr, 26, "MBR", false)                                                   \
  X(kGbr, 27, "GBR", false)                                                   \
  X(kQerCorrelationId, 28, "QER Correlation ID", false)                       \
  X(kPrecedence, 29, "Precedence", false)                                     \
  X(kTransportLevelMarking, 30, "Transport Level Marking", false)             \
  X(kVolumeThreshold, 31, "Volume Threshold", false)                          \
  X(kTimeThreshold, 32, "Time Threshold", false)                              \
  X(kReportingTriggers, 37, "Reporting Triggers", false)                      \
  X(kReportType, 39, "Report Type", false)                                    \
  X(kOffendingIe, 40, "Offending IE", false)                                  \
  X(kDestinationInterface, 42, "Destination Interface", false)                \
  X(kUpFunctionFeatures, 43, "UP Function Features", false)                   \
  X(kApplyAction, 44, "Apply Action", false)                                  \
  X(kLoadControlInformation, 51, "Load Control Information", true)            \
  X(kOverloadControlInformation, 54, "Overload Control Information", true)    \
  X(kPdrId, 56, "PDR ID", false)                                              \
  X(kFSeid, 57, "F-SEID", false)                                              \
  X(kApplicationIdsPfds, 58, "Application ID's PFDs", true)                   \
  X(kPfdContext, 59, "PFD context", true)                                     \
  X(kNodeId, 60, "Node ID", false)                                            \
  X(kMeasurementMethod, 62, "Measurement Method", false)                      \
  X(kApplicationDetectionInformation, 68, "Application Detection Information", true) \
  X(kQueryUrr, 77, "Query URR", true)                                         \
  X(kUsageReportModification, 78, "Usage Report (Session Modification Response)", true) \
  X(kUsageReportDeletion, 79, "Usage Report (Session Deletion Response)", true) \
  X(kUsageReportReport, 80, "Usage Report (Session Report Request)", true)    \
  X(kUrrId, 81, "URR ID", false)                                              \
  X(kDownlinkDataReport, 83, "Downlink Data Report", true)                    \
  X(kOuterHeaderCreation, 84, "Outer Header Creation", false)                 \
  X(kCreateBar, 85, "Create BAR", true)                                       \
  X(kUpdateBarModification, 86, "Update BAR (Session Modification Request)", true) \
  X(kRemoveBar, 87, "Remove BAR", true)                                       \
  X(kBarId, 88, "BAR ID", false)                                              \
  X(kCpFunctionFeatures, 89, "CP Function Features", false)                   \
  X(kUeIpAddress, 93, "UE IP Address", false)                                 \
  X(kOuterHeaderRemoval, 95, "Outer Header Removal", false)                   \
  X(kRecoveryTimeStamp, 96, "Recovery Time Stamp", false)                     \
  X(kErrorIndicationReport, 99, "Error Indication Report", true)              \
  X(kUserPlanePathFailureReport, 102, "User Plane Path Failure Report", true) \
  X(kUpdateDuplicatingParameters, 105, "Update Duplicating Parameters", true) \
  X(kFarId, 108, "FAR ID", false)                                             \
  X(kQerId, 109, "QER ID", false)                                             \
  X(kPdnType, 113, "PDN Type", false)                                         \
  X(kAggregatedUrrs, 118, "Aggregated URRs", true)                            \
  X(kQfi, 124, "QFI", false)                                                  \
  X(kCreateTrafficEndpoint, 127, "Create Traffic Endpoint", true)             \
  X(kCreatedTrafficEndpoint, 128, "Created Traffic Endpoint", true)           \
  X(kUpdateTrafficEndpoint, 129, "Update Traffic Endpoint", true)             \
  X(kRemoveTrafficEndpoint, 130, "Remove Traffic Endpoint", true)             \
  X(kEthernetPacketFilter, 132, "Ethernet Packet Filter", true)               \
  X(kEthernetTrafficInformation, 143, "Ethernet Traffic Information", true)   \
  X(kAdditionalMonitoringTime, 147, "Additional Monitoring Time", true)       \
  X(kFramedRoute, 153, "Framed-Route", false)                                 \
  X(kFramedRouting, 154, "Framed-Routing", false)                             \
  X(kFramedIpv6Route, 155, "Framed-IPv6-Route", false)                        \
  X(kCreateMar, 165, "Create MAR", true)                                      \
  X(kAccess3gppForwardingActionInformation, 166, "3GPP Access Forwarding Action Information", true) \
  X(kNon3gppAccessForwardingActionInformation, 167, "Non-3GPP Access Forwarding Action Information", true) \
  X(kRemoveMar, 168, "Remove MAR", true)                                      \
  X(kUpdateMar, 169, "Update MAR", true)                                      \
  X(kUpdate3gppAccessForwardingActionInformation, 175, "Update 3GPP Access Forwarding Action Information", true) \
  X(kUpdateNon3gppAccessForwardingActionInformation, 176, "Update Non-3GPP Access Forwarding Action Information", true) \
  X(kPfcpSessionRetentionInformation, 183, "PFCP Session Retention Information", true) \
  X(kUserPlanePathRecoveryReport, 186, "User Plane Path Recovery Report", true) \
  X(kIpMulticastAddressingInfo, 187, "IP Multicast Addressing Info", true)    \
  X(kJoinIpMulticastInformation, 188, "Join IP Multicast Information", true)  \
  X(kLeaveIpMulticastInformation, 189, "Leave IP Multicast Information", true) \
  X(kSourceIpAddress, 192, "Source IP Address", false)

namespace ie {
#define MG_X(e, v, name, grouped) inline constexpr uint16_t e = v;
MG_PFCP_IE_TYPES(MG_X)
#undef MG_X
}  // namespace ie

inline constexpr uint16_t kEnterpriseBit = 0x8000;  // type bit: a 2-byte enterprise ID follows
bool is_grouped_ie(uint16_t type);          // per the table above; enterprise IEs: false
bool is_known_ie(uint16_t type);            // listed in the table above
std::string_view ie_type_name(uint16_t type);  // "unknown" when not listed

// Decoder bounds: a datagram is at most 64 KiB, these keep the worst case small and flat.
inline constexpr int kMaxGroupedDepth = 4;  // top-level IEs are depth 0; children of depth 4 rejected
inline constexpr size_t kMaxIes = 4096;     // all IEs of one message, nested ones included

// Cause values (TS 29.244 8.2.1).
enum class Cause : uint8_t {
  kRequestAccepted = 1,
  kMoreUsageReportToSend = 2,
  kRequestRejected = 64,
  kSessionContextNotFound = 65,
  kMandatoryIeMissing = 66,
  kConditionalIeMissing = 67,
  kInvalidLength = 68,
  kMandatoryIeIncorrect = 69,
  kInvalidForwardingPolicy = 70,
  kInvalidFTeidAllocationOption = 71,
  kNoEstablishedAssociation = 72,
  kRuleCreationModificationFailure = 73,
  kEntityInCongestion = 74,
  kNoResourcesAvailable = 75,
  kServiceNotSupported = 76,
  kSystemFailure = 77,
  kRedirectionRequested = 78,
  kAllDynamicAddressesOccupied = 79,
};

}  // namespace mecguard::pfcp
