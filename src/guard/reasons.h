// Every guard stage and every drop/alert reason, declared once. The tables yield the enums,
// the counter names (stats JSON, Prometheus), the event text and the default severity.
// Callers: every stage, the event sink, the stats writer, tests.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace mecguard::guard {

// X(enumerator, name)
#define MG_GUARD_STAGES(X) \
  X(kDecode, "decode")     \
  X(kN4, "n4")             \
  X(kSanity, "gtpu_sanity") \
  X(kTeid, "teid")         \
  X(kAntiSpoof, "anti_spoof") \
  X(kQuarantine, "quarantine") \
  X(kInterUe, "inter_ue")  \
  X(kZone, "zone")         \
  X(kAcl, "acl")           \
  X(kRate, "rate")         \
  X(kDetect, "detect")

enum class StageId : uint8_t {
#define MG_X(e, name) e,
  MG_GUARD_STAGES(MG_X)
#undef MG_X
      kCount_
};
inline constexpr size_t kStageCount = static_cast<size_t>(StageId::kCount_);
std::string_view stage_name(StageId s);

enum class Severity : uint8_t { kInfo, kLow, kMedium, kHigh, kCritical };
std::string_view severity_name(Severity s);
// RFC 5424 severity for syslog: info 6, low 5 (notice), medium 4 (warning), high 3 (error),
// critical 2.
int syslog_severity(Severity s);

// X(enumerator, counter name, stage, severity, text)
#define MG_GUARD_REASONS(X)                                                                              \
  X(kNone, "none", kDecode, kInfo, "no finding")                                                        \
  X(kFrameMalformed, "frame_malformed", kDecode, kLow, "frame malformed below GTP-U (see decode status)") \
  X(kPfcpMalformed, "pfcp_malformed", kN4, kMedium, "PFCP message malformed")                          \
  X(kN4TableFull, "n4_table_full", kN4, kHigh, "session table full: a session is not tracked")         \
  X(kN4Collision, "n4_collision", kN4, kHigh, "session reuses a UE address or F-TEID of another live session") \
  X(kN4UnlistedPeer, "n4_unlisted_peer", kN4, kHigh, "PFCP from an address that is not an allowed N4 peer")   \
  X(kN4ForeignSeid, "n4_foreign_seid", kN4, kCritical,                                                 \
    "session modification or deletion from a peer that does not own the session")                      \
  X(kN4UnknownSeid, "n4_unknown_seid", kN4, kLow, "session request for a SEID no tracked session has")   \
  X(kN4TooManyIes, "n4_too_many_ies", kN4, kMedium, "PFCP message with more IEs than the policy allows")   \
  X(kN4PeerSessionCap, "n4_peer_session_cap", kN4, kHigh, "establishment beyond the peer's session cap") \
  X(kN4RateLimited, "n4_rate_limited", kN4, kMedium, "PFCP from this peer above rate_limits.pfcp_per_peer_pps") \
  X(kGtpuMalformed, "gtpu_malformed", kSanity, kMedium, "GTP-U header malformed")                      \
  X(kGtpuUnknownRequiredExt, "gtpu_unknown_required_ext", kSanity, kMedium,                            \
    "GTP-U extension header of an unknown comprehension-required type")                                \
  X(kGtpuMsgNotAllowed, "gtpu_msg_not_allowed", kSanity, kMedium,                                      \
    "GTP-U message type not allowed in this direction")                                                \
  X(kGtpuTeidZero, "gtpu_tpdu_teid_zero", kSanity, kMedium, "G-PDU on TEID 0")                         \
  X(kGtpInGtp, "gtp_in_gtp", kSanity, kHigh, "GTP-U tunnelled inside GTP-U")                           \
  X(kGtpuEchoRate, "gtpu_echo_rate", kSanity, kMedium,                                                 \
    "GTP-U Echo Requests from this peer above rate_limits.gtpu_echo_per_peer_pps")                     \
  X(kInnerMalformed, "inner_malformed", kSanity, kMedium, "inner packet of a G-PDU malformed")         \
  X(kTeidUnknown, "teid_unknown", kTeid, kHigh, "G-PDU to a TEID no session has")                      \
  X(kTeidStale, "teid_stale", kTeid, kHigh, "G-PDU to the TEID of a deleted session")                  \
  X(kUeSrcSpoofed, "ue_src_spoofed", kAntiSpoof, kHigh, "uplink source is not the session's UE address") \
  X(kUeDstMismatch, "ue_dst_mismatch", kAntiSpoof, kHigh,                                              \
    "downlink destination is not the UE of the session")                                               \
  X(kQuarantined, "quarantined", kQuarantine, kMedium, "UE is quarantined and the peer is not on its allow-list") \
  X(kQuarantineChanged, "quarantine_changed", kQuarantine, kInfo, "a UE was quarantined, released or expired") \
  X(kInterUeDenied, "inter_ue_denied", kInterUe, kMedium, "traffic between two UEs denied by policy")  \
  X(kInterUeRedirected, "inter_ue_redirected", kInterUe, kInfo,                                        \
    "traffic between two UEs redirected to the policy gateway")                                        \
  X(kMecToCore, "mec_to_core", kZone, kHigh, "MEC application traffic toward core-network addresses")  \
  X(kUeToInfrastructure, "ue_to_infrastructure", kZone, kHigh,                                         \
    "UE traffic toward UPF or core infrastructure addresses")                                          \
  X(kZoneDenied, "zone_denied", kZone, kMedium, "traffic between zones the policy does not allow")     \
  X(kZoneLogged, "zone_logged", kZone, kInfo, "traffic between zones the policy logs")                 \
  X(kAclDenied, "acl_denied", kAcl, kMedium, "denied by an ACL rule")                                  \
  X(kAclLogged, "acl_logged", kAcl, kInfo, "logged by an ACL rule")                                    \
  X(kAclDefaultDeny, "acl_default_deny", kAcl, kMedium, "no ACL rule matched and the default denies") \
  X(kRateUeUplink, "rate_ue_uplink", kRate, kLow, "UE uplink above its packet or bit rate")            \
  X(kRateUeDownlink, "rate_ue_downlink", kRate, kLow, "UE downlink above its packet or bit rate")      \
  X(kRateNetworkInstance, "rate_network_instance", kRate, kMedium,                                     \
    "network instance above its packet or bit rate")                                                   \
  X(kRateAclRule, "rate_acl_rule", kAcl, kLow, "traffic of an ACL rule above the rule's packet or bit rate") \
  X(kDetectSynFlood, "detect_syn_flood", kDetect, kHigh, "UE sends TCP SYNs above its class threshold")    \
  X(kDetectUdpFlood, "detect_udp_flood", kDetect, kHigh, "UE sends UDP above its class threshold")         \
  X(kDetectIcmpFlood, "detect_icmp_flood", kDetect, kHigh, "UE sends ICMP above its class threshold")      \
  X(kDetectPortScan, "detect_port_scan", kDetect, kHigh, "UE probes many distinct ports (vertical scan)") \
  X(kDetectHostScan, "detect_host_scan", kDetect, kHigh, "UE probes many distinct hosts (horizontal scan)") \
  X(kDetectDdosTarget, "detect_ddos_target", kDetect, kCritical,                                       \
    "many UEs converge on one destination (DDoS); the UE is one of them")                             \
  X(kDetectVolumeAnomaly, "detect_volume_anomaly", kDetect, kMedium,                                   \
    "UE packet rate far above its learned baseline")                                                  \
  X(kDetectSessionChurn, "detect_session_churn", kDetect, kHigh,                                       \
    "UE address establishes and deletes PDU sessions far more often than its class allows")            \
  X(kDetectSignallingStorm, "detect_signalling_storm", kDetect, kHigh,                                 \
    "N4 peer re-establishes sessions for the same UEs at a storm rate")                                \
  X(kDetectBehaviourChange, "detect_behaviour_change", kDetect, kHigh,                                 \
    "UE traffic profile changed abruptly from the one it learned (hijacked device?)")

enum class Reason : uint8_t {
#define MG_X(e, name, stage, sev, text) e,
  MG_GUARD_REASONS(MG_X)
#undef MG_X
      kCount_
};
inline constexpr size_t kReasonCount = static_cast<size_t>(Reason::kCount_);
std::string_view reason_name(Reason r);
std::string_view reason_text(Reason r);
StageId reason_stage(Reason r);
Severity reason_severity(Reason r);

}  // namespace mecguard::guard
