// Whole PFCP messages: spec-built byte vectors, round trips for every message type and
// truncation sweeps.
#include <gtest/gtest.h>

#include <vector>

#include "pfcp/message.h"
#include "samples.h"

namespace mecguard::pfcp {
namespace {

using testing::ip;

// TS 29.244 7.5.2: a Session Establishment Request for one UE (UL PDR + FAR + QER).
const std::vector<uint8_t> kEstablishmentRequest = {
    0x21,                                            // version 1, S=1
    0x32,                                            // type 50 Session Establishment Request
    0x00, 0xb2,                                      // length 178 = 12 + 166 octets of IEs
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // SEID 0: UP SEID not known yet
    0x00, 0x00, 0x01,                                // sequence number 1
    0x00,                                            // spare
    0x00, 0x3c, 0x00, 0x05,                          // Node ID, length 5
    0x00, 0x0a, 0x00, 0x00, 0x01,                    //   IPv4 10.0.0.1
    0x00, 0x39, 0x00, 0x0d,                          // F-SEID, length 13
    0x02,                                            //   flags V4
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x01,  //   SEID 0x1001
    0x0a, 0x00, 0x00, 0x01,                          //   IPv4 10.0.0.1
    0x00, 0x01, 0x00, 0x42,                          // Create PDR, length 66
    0x00, 0x38, 0x00, 0x02, 0x00, 0x01,              //   PDR ID 1
    0x00, 0x1d, 0x00, 0x04, 0x00, 0x00, 0x00, 0xff,  //   Precedence 255
    0x00, 0x02, 0x00, 0x1b,                          //   PDI, length 27
    0x00, 0x14, 0x00, 0x01, 0x00,                    //     Source Interface: Access
    0x00, 0x15, 0x00, 0x09, 0x01,                    //     F-TEID, V4
    0x00, 0x00, 0x00, 0x64,                          //       TEID 100
    0xc0, 0xa8, 0x01, 0x01,                          //       192.168.1.1
    0x00, 0x5d, 0x00, 0x05, 0x02,                    //     UE IP Address, V4 source
    0x0a, 0x2d, 0x00, 0x02,                          //       10.45.0.2
    0x00, 0x5f, 0x00, 0x01, 0x00,                    //   Outer Header Removal: GTP-U/UDP/IPv4
    0x00, 0x6c, 0x00, 0x04, 0x00, 0x00, 0x00, 0x01,  //   FAR ID 1
    0x00, 0x6d, 0x00, 0x04, 0x00, 0x00, 0x00, 0x01,  //   QER ID 1
    0x00, 0x03, 0x00, 0x23,                          // Create FAR, length 35
    0x00, 0x6c, 0x00, 0x04, 0x00, 0x00, 0x00, 0x01,  //   FAR ID 1
    0x00, 0x2c, 0x00, 0x01, 0x02,                    //   Apply Action: FORW
    0x00, 0x04, 0x00, 0x12,                          //   Forwarding Parameters, length 18
    0x00, 0x2a, 0x00, 0x01, 0x01,                    //     Destination Interface: Core
    0x00, 0x16, 0x00, 0x09,                          //     Network Instance, length 9
    0x08, 'i', 'n', 't', 'e', 'r', 'n', 'e', 't',    //       label "internet"
    0x00, 0x07, 0x00, 0x1b,                          // Create QER, length 27
    0x00, 0x6d, 0x00, 0x04, 0x00, 0x00, 0x00, 0x01,  //   QER ID 1
    0x00, 0x19, 0x00, 0x01, 0x00,                    //   Gate Status: UL open, DL open
    0x00, 0x1a, 0x00, 0x0a,                          //   MBR, length 10
    0x00, 0x00, 0x01, 0x86, 0xa0,                    //     UL 100000 kbps
    0x00, 0x00, 0x03, 0x0d, 0x40,                    //     DL 200000 kbps
};

// TS 29.244 7.5.3: the UPF's answer with the allocated UL F-TEID in a Created PDR.
const std::vector<uint8_t> kEstablishmentResponse = {
    0x21,                                            // version 1, S=1
    0x33,                                            // type 51 Session Establishment Response
    0x00, 0x42,                                      // length 66 = 12 + 54
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x01,  // SEID: the CP's 0x1001
    0x00, 0x00, 0x01,                                // sequence number 1
    0x00,                                            // spare
    0x00, 0x3c, 0x00, 0x05, 0x00, 0x0a, 0x00, 0x00, 0x02,  // Node ID IPv4 10.0.0.2
    0x00, 0x13, 0x00, 0x01, 0x01,                    // Cause: Request accepted
    0x00, 0x39, 0x00, 0x0d, 0x02,                    // F-SEID, V4
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0a, 0xbc,  //   SEID 0xabc
    0x0a, 0x00, 0x00, 0x02,                          //   10.0.0.2
    0x00, 0x08, 0x00, 0x13,                          // Created PDR, length 19
    0x00, 0x38, 0x00, 0x02, 0x00, 0x01,              //   PDR ID 1
    0x00, 0x15, 0x00, 0x09, 0x01,                    //   F-TEID, V4
    0x00, 0x00, 0x12, 0x34,                          //     TEID 0x1234
    0xc0, 0xa8, 0x01, 0x02,                          //     192.168.1.2
};

TEST(PfcpMessage, SessionEstablishmentRequestFromSpec) {
  ASSERT_EQ(kEstablishmentRequest.size(), 16u + 166u);
  DecodeStats st;
  auto r = decode_message(kEstablishmentRequest, &st);
  ASSERT_TRUE(r) << r.error().to_string();
  const Message& m = *r;
  EXPECT_EQ(m.type(), MsgType::kSessionEstablishmentRequest);
  EXPECT_TRUE(m.header.has_seid);
  EXPECT_EQ(m.header.seid, 0u);
  EXPECT_EQ(m.header.seq, 1u);
  ASSERT_TRUE(m.node_id);
  EXPECT_EQ(m.node_id->ip, ip("10.0.0.1"));
  ASSERT_TRUE(m.cp_f_seid);
  EXPECT_FALSE(m.up_f_seid);
  EXPECT_EQ(m.cp_f_seid->seid, 0x1001u);
  ASSERT_EQ(m.create_pdrs.size(), 1u);
  const CreatePdr& pdr = m.create_pdrs[0];
  EXPECT_EQ(pdr.pdr_id, 1);
  EXPECT_EQ(pdr.precedence, 255u);
  EXPECT_EQ(pdr.pdi.source_interface, SourceInterface::kAccess);
  ASSERT_TRUE(pdr.pdi.f_teid);
  EXPECT_EQ(pdr.pdi.f_teid->teid, 100u);
  EXPECT_EQ(pdr.pdi.f_teid->ipv4, ip("192.168.1.1"));
  ASSERT_EQ(pdr.pdi.ue_ips.size(), 1u);
  EXPECT_EQ(pdr.pdi.ue_ips[0].ipv4, ip("10.45.0.2"));
  ASSERT_TRUE(pdr.outer_header_removal);
  EXPECT_EQ(pdr.outer_header_removal->description, OuterHeaderRemoval::kGtpuUdpIpv4);
  EXPECT_EQ(pdr.far_id, 1u);
  EXPECT_EQ(pdr.qer_ids, std::vector<uint32_t>{1});
  ASSERT_EQ(m.create_fars.size(), 1u);
  EXPECT_EQ(m.create_fars[0].apply_action.flags, ApplyAction::kForw);
  ASSERT_TRUE(m.create_fars[0].forwarding);
  EXPECT_EQ(m.create_fars[0].forwarding->destination_interface, DestinationInterface::kCore);
  EXPECT_EQ(dnn_from_labels(*m.create_fars[0].forwarding->network_instance), "internet");
  ASSERT_EQ(m.create_qers.size(), 1u);
  EXPECT_EQ(m.create_qers[0].mbr, (Bitrate{100000, 200000}));
  EXPECT_TRUE(m.extra_ies.empty());
  // 2 + Create PDR (1 + 6 children + 3 in PDI) + Create FAR (1 + 3 + 2 in FP) + Create QER (1 + 3).
  EXPECT_EQ(st.walk.ie_count, 22u);
  EXPECT_EQ(st.walk.grouped_ie_count, 5u);
  EXPECT_EQ(st.walk.unknown_ie_count, 0u);
  EXPECT_EQ(st.walk.max_depth, 2);
  EXPECT_EQ(st.msg_len, kEstablishmentRequest.size());
  // The encoder writes the same IEs in the same order: byte-identical.
  EXPECT_EQ(encode(m), kEstablishmentRequest);
}

TEST(PfcpMessage, SessionEstablishmentResponseWithCreatedPdr) {
  auto r = decode_message(kEstablishmentResponse);
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ(r->header.seid, 0x1001u);
  EXPECT_EQ(r->cause, Cause::kRequestAccepted);
  EXPECT_FALSE(r->cp_f_seid);
  ASSERT_TRUE(r->up_f_seid);
  EXPECT_EQ(r->up_f_seid->seid, 0xabcu);
  EXPECT_EQ(r->up_f_seid->ipv4, ip("10.0.0.2"));
  ASSERT_EQ(r->created_pdrs.size(), 1u);
  EXPECT_EQ(r->created_pdrs[0].pdr_id, 1);
  ASSERT_TRUE(r->created_pdrs[0].local_f_teid);
  EXPECT_EQ(r->created_pdrs[0].local_f_teid->teid, 0x1234u);
  EXPECT_EQ(encode(*r), kEstablishmentResponse);
}

TEST(PfcpMessage, MissingMandatoryIes) {
  // Establishment request without its F-SEID: drop octets 25..41 and fix the length.
  std::vector<uint8_t> b(kEstablishmentRequest.begin(), kEstablishmentRequest.begin() + 25);
  b.insert(b.end(), kEstablishmentRequest.begin() + 42, kEstablishmentRequest.end());
  b[3] = static_cast<uint8_t>(b.size() - 4);
  auto r = decode_message(b);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().status, Status::kMissingMandatoryIe);
  EXPECT_EQ(r.error().ie_type, ie::kFSeid);

  // Create FAR (at 112) without Apply Action: drop octets 124..128 and fix both lengths.
  std::vector<uint8_t> f(kEstablishmentRequest);
  f.erase(f.begin() + 124, f.begin() + 129);
  f[3] = static_cast<uint8_t>(f.size() - 4);
  f[115] = 0x23 - 5;
  auto rf = decode_message(f);
  ASSERT_FALSE(rf);
  EXPECT_EQ(rf.error().status, Status::kMissingMandatoryIe);
  EXPECT_EQ(rf.error().ie_type, ie::kApplyAction);
  EXPECT_EQ(rf.error().offset, 112u);
  // Heartbeat without Recovery Time Stamp.
  const std::vector<uint8_t> hb = {0x20, 0x01, 0x00, 0x04, 0x00, 0x00, 0x05, 0x00};
  auto h = decode_message(hb);
  ASSERT_FALSE(h);
  EXPECT_EQ(h.error().status, Status::kMissingMandatoryIe);
  EXPECT_EQ(h.error().ie_type, ie::kRecoveryTimeStamp);
}

TEST(PfcpMessage, GroupedChildMissingIsReported) {
  const std::vector<uint8_t> b = {
      0x21, 0x34, 0x00, 0x18,                          // Session Modification Request, length 24
      0, 0, 0, 0, 0, 0, 0, 0x05,                       // SEID 5
      0x00, 0x00, 0x02, 0x00,                          // seq 2, spare
      0x00, 0x0a, 0x00, 0x08,                          // Update FAR, length 8
      0x00, 0x2c, 0x00, 0x01, 0x02,                    //   Apply Action FORW (no FAR ID)
      0x00, 0x00, 0x00,                                //   3 octets: a truncated IE header
  };
  auto r = decode_message(b);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().status, Status::kIeTruncated);
  std::vector<uint8_t> c(b.begin(), b.end() - 3);
  c[3] = 0x15;   // length 21
  c[19] = 0x05;  // Update FAR length 5
  auto r2 = decode_message(c);
  ASSERT_FALSE(r2);
  EXPECT_EQ(r2.error().status, Status::kMissingMandatoryIe);
  EXPECT_EQ(r2.error().ie_type, ie::kFarId);
  EXPECT_EQ(r2.error().offset, 16u);  // the Update FAR IE
}

TEST(PfcpMessage, RoundTripEveryMessageType) {
  const auto samples = testing::sample_messages();
  std::vector<bool> seen(256, false);
  for (const Message& m : samples) {
    SCOPED_TRACE(message_type_name(m.header.type));
    auto bytes = try_encode(m);
    ASSERT_TRUE(bytes) << bytes.error().to_string();
    DecodeStats st;
    auto back = decode_message(*bytes, &st);
    ASSERT_TRUE(back) << back.error().to_string();
    EXPECT_EQ(*back, m);
    EXPECT_EQ(st.msg_len, bytes->size());
    EXPECT_EQ(encode(*back), *bytes);
    seen[m.header.type] = true;
  }
#define MG_X(e, v, name, sess) EXPECT_TRUE(seen[v]) << name;
  MG_PFCP_MESSAGE_TYPES(MG_X)
#undef MG_X
}

TEST(PfcpMessage, EstablishmentFactoryContents) {
  const Message m = session_establishment_request(9, testing::sample_ue());
  auto back = decode_message(encode(m));
  ASSERT_TRUE(back) << back.error().to_string();
  ASSERT_EQ(back->create_pdrs.size(), 2u);
  EXPECT_EQ(back->create_pdrs[0].pdi.f_teid, FTeid::make(0x100, ip("192.168.1.1")));
  EXPECT_EQ(back->create_pdrs[1].pdi.ue_ips[0], UeIpAddress::dest(ip("10.45.0.2")));
  ASSERT_EQ(back->create_fars.size(), 2u);
  EXPECT_EQ(back->create_fars[1].forwarding->outer_header_creation,
            OuterHeaderCreation::gtpu(0x200, ip("192.168.1.50")));
  EXPECT_EQ(back->create_pdrs[0].pdi.sdf_filters.at(0).flow_description,
            "permit out ip from any to assigned");

  UeSessionSpec ue = testing::sample_ue();
  ue.choose_teid = true;
  ue.gnb_addr = IpAddr{};
  const Message c = session_establishment_request(9, ue);
  auto cb = decode_message(encode(c));
  ASSERT_TRUE(cb);
  EXPECT_TRUE(cb->create_pdrs[0].pdi.f_teid->ch);
  EXPECT_EQ(cb->create_fars[1].apply_action.flags, ApplyAction::kBuff | ApplyAction::kNocp);
  EXPECT_EQ(*cb, c);
}

// Every proper prefix fails cleanly (the header length no longer fits).
TEST(PfcpMessage, TruncationSweepPrefixes) {
  auto msgs = testing::sample_messages();
  std::vector<std::vector<uint8_t>> wires = {kEstablishmentRequest, kEstablishmentResponse};
  for (const auto& m : msgs) wires.push_back(encode(m));
  for (const auto& w : wires) {
    ASSERT_FALSE(w.empty());
    for (size_t n = 0; n < w.size(); ++n) {
      auto r = decode_message(Bytes(w.data(), n));
      ASSERT_FALSE(r) << "prefix " << n << " of type " << int{w[1]};
      EXPECT_EQ(r.error().status, Status::kTruncated) << n;
    }
  }
}

// The same, with the header length patched to match: the cut now lands inside IEs.
TEST(PfcpMessage, TruncationSweepInsideIes) {
  auto msgs = testing::sample_messages();
  std::vector<std::vector<uint8_t>> wires = {kEstablishmentRequest, kEstablishmentResponse};
  for (const auto& m : msgs) wires.push_back(encode(m));
  size_t failures = 0;
  for (const auto& w : wires) {
    const size_t hdr = (w[0] & 0x01) ? kSessionHeaderLen : kNodeHeaderLen;
    for (size_t n = hdr; n < w.size(); ++n) {
      std::vector<uint8_t> cut(w.begin(), w.begin() + static_cast<std::ptrdiff_t>(n));
      cut[2] = static_cast<uint8_t>((n - 4) >> 8);
      cut[3] = static_cast<uint8_t>(n - 4);
      auto r = decode_message(cut);
      if (r) continue;  // cut on an IE boundary after every mandatory IE
      ++failures;
      const Status s = r.error().status;
      EXPECT_TRUE(s == Status::kIeTruncated || s == Status::kIeBadLength ||
                  s == Status::kMissingMandatoryIe || s == Status::kBadIeValue)
          << status_name(s) << " at " << n;
      EXPECT_LE(r.error().offset, n);
    }
  }
  EXPECT_GT(failures, 500u);
}

TEST(PfcpMessage, EncoderRejectsOversizeAndBadRawIes) {
  Message m = heartbeat_request(1, 1);
  m.extra_ies.push_back(RawIe{0x00ff, std::nullopt, std::vector<uint8_t>(70000, 0)});
  auto r = try_encode(m);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kLimit);
  EXPECT_TRUE(encode(m).empty());
  m.extra_ies.assign(20, RawIe{0x00ff, std::nullopt, std::vector<uint8_t>(4000, 0)});
  EXPECT_FALSE(try_encode(m));  // each IE fits, the message does not
  m.extra_ies = {RawIe{0x8001, std::nullopt, {1}}};
  auto bad = try_encode(m);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, ErrorCode::kInvalidArgument);
}

TEST(PfcpMessage, FollowOnMessages) {
  auto a = encode(heartbeat_request(1, 100));
  auto b = encode(heartbeat_response(1, 200));
  a[0] |= 0x04;  // FO
  std::vector<uint8_t> both = a;
  both.insert(both.end(), b.begin(), b.end());
  DecodeStats st;
  auto first = decode_message(both, &st);
  ASSERT_TRUE(first) << first.error().to_string();
  EXPECT_TRUE(first->header.fo);
  EXPECT_EQ(first->recovery_time_stamp, 100u);
  auto second = decode_message(Bytes(both).subspan(st.msg_len));
  ASSERT_TRUE(second);
  EXPECT_EQ(second->recovery_time_stamp, 200u);
}

}  // namespace
}  // namespace mecguard::pfcp
