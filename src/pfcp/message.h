// PFCP message model, decoder and encoder. Callers: the session tracker (decode_message
// on DecodedPacket::pfcp_bytes()), the scenario generator (build a Message, encode it),
// the CLI and fuzzers.
//
// The model carries the header and the IEs a session tracker needs; every other top-level
// IE is kept raw in Message::extra_ies so that it survives a decode/encode round trip.
// IEs inside grouped IEs that the model does not name are skipped (counted in
// DecodeStats::unknown_ie_count when their type is unknown). Model equality is defaulted:
// decode(encode(m)) == m for every m the decoder produces.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/bytes.h"
#include "common/expected.h"
#include "pfcp/ie.h"
#include "pfcp/types.h"
#include "pfcp/walker.h"

namespace mecguard::pfcp {

inline constexpr uint8_t kVersion = 1;
inline constexpr size_t kNodeHeaderLen = 8;      // S=0: 4 + seq(3) + spare(1)
inline constexpr size_t kSessionHeaderLen = 16;  // S=1: 4 + SEID(8) + seq(3) + priority(1)

struct Header {
  uint8_t type = 0;           // MsgType value; unknown types decode too
  bool has_seid = false;      // S flag
  bool fo = false;            // FO flag: another message follows in the datagram
  bool mp = false;            // MP flag; priority is carried only when has_seid
  uint64_t seid = 0;
  uint32_t seq = 0;           // 24 bits
  uint8_t priority = 0;       // 4 bits, when has_seid && mp
  friend bool operator==(const Header&, const Header&) = default;
};

// Header-only decode (the data path can classify without building the model).
// header_len: 8 or 16; msg_len: 4 + the length field (bytes this message occupies).
struct HeaderInfo {
  Header header;
  uint16_t length_field = 0;
  size_t header_len = 0;
  size_t msg_len = 0;
};
Status decode_header(Bytes buf, HeaderInfo& out) noexcept;

// A raw IE the model does not name (top level only). For an enterprise IE, type is stored
// without kEnterpriseBit and enterprise_id is set; the encoder adds the bit back.
struct RawIe {
  uint16_t type = 0;  // < 0x8000
  std::optional<uint16_t> enterprise_id;
  std::vector<uint8_t> value;
  friend bool operator==(const RawIe&, const RawIe&) = default;
};

struct Pdi {
  SourceInterface source_interface = SourceInterface::kAccess;
  std::optional<FTeid> f_teid;
  std::optional<std::string> network_instance;  // raw octets; dnn_from_labels() for text
  std::vector<UeIpAddress> ue_ips;              // Rel-16 allows one per family
  std::vector<SdfFilter> sdf_filters;
  std::optional<std::string> application_id;
  std::vector<std::string> framed_routes;       // Framed-Route (153)
  std::vector<std::string> framed_ipv6_routes;  // Framed-IPv6-Route (155)
  std::optional<uint8_t> qfi;
  friend bool operator==(const Pdi&, const Pdi&) = default;
};

struct CreatePdr {
  uint16_t pdr_id = 0;
  uint32_t precedence = 0;
  Pdi pdi;
  std::optional<OuterHeaderRemoval> outer_header_removal;
  std::optional<uint32_t> far_id;
  std::vector<uint32_t> urr_ids;
  std::vector<uint32_t> qer_ids;
  friend bool operator==(const CreatePdr&, const CreatePdr&) = default;
};

// Forwarding Parameters (4) and Update Forwarding Parameters (11); destination_interface
// is mandatory in the former (the decoder enforces it there).
struct ForwardingParameters {
  std::optional<DestinationInterface> destination_interface;
  std::optional<std::string> network_instance;
  std::optional<OuterHeaderCreation> outer_header_creation;
  friend bool operator==(const ForwardingParameters&, const ForwardingParameters&) = default;
};

struct CreateFar {
  uint32_t far_id = 0;
  ApplyAction apply_action;
  std::optional<ForwardingParameters> forwarding;
  std::optional<uint8_t> bar_id;
  friend bool operator==(const CreateFar&, const CreateFar&) = default;
};

struct CreateQer {
  uint32_t qer_id = 0;
  std::optional<uint32_t> qer_correlation_id;
  GateStatus gate_status;
  std::optional<Bitrate> mbr;
  std::optional<Bitrate> gbr;
  std::optional<uint8_t> qfi;
  friend bool operator==(const CreateQer&, const CreateQer&) = default;
};

struct CreateUrr {
  static constexpr uint8_t kDurat = 0x01, kVolum = 0x02, kEvent = 0x04;
  uint32_t urr_id = 0;
  uint8_t measurement_method = 0;    // Measurement Method (62) octet 5
  uint32_t reporting_triggers = 0;   // Reporting Triggers (37): octet 5 bits 0-7, 6: 8-15, 7: 16-23
  std::optional<uint32_t> measurement_period;  // (64) seconds
  friend bool operator==(const CreateUrr&, const CreateUrr&) = default;
};

struct CreatedPdr {
  uint16_t pdr_id = 0;
  std::optional<FTeid> local_f_teid;
  std::vector<UeIpAddress> ue_ips;
  friend bool operator==(const CreatedPdr&, const CreatedPdr&) = default;
};

struct UpdatePdr {
  uint16_t pdr_id = 0;
  std::optional<OuterHeaderRemoval> outer_header_removal;
  std::optional<uint32_t> precedence;
  std::optional<Pdi> pdi;
  std::optional<uint32_t> far_id;
  std::vector<uint32_t> urr_ids;
  std::vector<uint32_t> qer_ids;
  friend bool operator==(const UpdatePdr&, const UpdatePdr&) = default;
};

struct UpdateFar {
  uint32_t far_id = 0;
  std::optional<ApplyAction> apply_action;
  std::optional<ForwardingParameters> update_forwarding;  // Update Forwarding Parameters (11)
  std::optional<uint8_t> bar_id;
  friend bool operator==(const UpdateFar&, const UpdateFar&) = default;
};

struct UpdateQer {
  uint32_t qer_id = 0;
  std::optional<uint32_t> qer_correlation_id;
  std::optional<GateStatus> gate_status;
  std::optional<Bitrate> mbr;
  std::optional<Bitrate> gbr;
  std::optional<uint8_t> qfi;
  friend bool operator==(const UpdateQer&, const UpdateQer&) = default;
};

struct Message {
  Header header;
  std::optional<NodeId> node_id;
  std::optional<Cause> cause;
  std::optional<OffendingIe> offending_ie;
  std::optional<FSeid> cp_f_seid;  // F-SEID in messages sent by the CP function
  std::optional<FSeid> up_f_seid;  // F-SEID in messages sent by the UP function
  std::optional<uint32_t> recovery_time_stamp;  // NTP seconds
  std::optional<uint8_t> report_type;           // Session Report Request (39)
  std::vector<uint16_t> remove_pdrs;            // Remove PDR (15) -> PDR ID
  std::vector<uint32_t> remove_fars;
  std::vector<uint32_t> remove_urrs;
  std::vector<uint32_t> remove_qers;
  std::vector<CreatePdr> create_pdrs;
  std::vector<CreateFar> create_fars;
  std::vector<CreateUrr> create_urrs;
  std::vector<CreateQer> create_qers;
  std::vector<UpdatePdr> update_pdrs;
  std::vector<UpdateFar> update_fars;
  std::vector<UpdateQer> update_qers;
  std::vector<CreatedPdr> created_pdrs;
  std::vector<RawIe> extra_ies;  // top-level IEs not named above, in wire order

  MsgType type() const { return static_cast<MsgType>(header.type); }
  friend bool operator==(const Message&, const Message&) = default;
};

// Where decoding stopped and why. offset is from the start of the message.
struct DecodeError {
  Status status = Status::kOk;
  uint32_t offset = 0;
  uint16_t ie_type = 0;  // the IE being decoded, or the missing mandatory IE
  std::string to_string() const;
};

struct DecodeStats {
  WalkStats walk;        // counts over the whole IE tree
  size_t msg_len = 0;    // bytes this message occupied (for FO=1 datagrams)
};

// Decodes one PFCP message from the start of buf. Bytes after the message are accepted
// only when FO=1 (stats->msg_len tells where the next one starts). Never throws on bad
// input, never reads outside buf; memory is bounded by kMaxIes.
Expected<Message, DecodeError> decode_message(Bytes buf, DecodeStats* stats = nullptr);

// Encodes m (lengths computed, header.type and flags as given, has_seid honoured).
// try_encode fails with kLimit when the message would exceed 65535 octets of length.
Expected<std::vector<uint8_t>> try_encode(const Message& m);
// Convenience for the generator: the encoding, or an empty vector when try_encode fails.
std::vector<uint8_t> encode(const Message& m);

}  // namespace mecguard::pfcp
