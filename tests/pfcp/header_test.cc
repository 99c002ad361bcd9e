// PFCP header decoding: field-by-field byte vectors (TS 29.244 7.2.2).
#include <gtest/gtest.h>

#include <vector>

#include "pfcp/message.h"

namespace mecguard::pfcp {
namespace {

TEST(PfcpHeader, NodeHeaderWithoutSeid) {
  const std::vector<uint8_t> b = {
      0x20,              // version 1, spare, FO=0, MP=0, S=0
      0x01,              // type: Heartbeat Request
      0x00, 0x0c,        // length: 4 (seq + spare) + 8 (Recovery Time Stamp IE)
      0x00, 0x01, 0x02,  // sequence number 0x000102
      0x00,              // spare
      0x00, 0x60,        // IE type 96 Recovery Time Stamp
      0x00, 0x04,        // IE length 4
      0xe8, 0x7e, 0x1a, 0x00,  // NTP seconds
  };
  HeaderInfo hi;
  ASSERT_EQ(decode_header(b, hi), Status::kOk);
  EXPECT_EQ(hi.header.type, 1);
  EXPECT_FALSE(hi.header.has_seid);
  EXPECT_EQ(hi.header.seq, 0x000102u);
  EXPECT_EQ(hi.header_len, 8u);
  EXPECT_EQ(hi.msg_len, 16u);
  auto m = decode_message(b);
  ASSERT_TRUE(m) << m.error().to_string();
  EXPECT_EQ(m->type(), MsgType::kHeartbeatRequest);
  EXPECT_EQ(m->recovery_time_stamp, 0xe87e1a00u);
}

TEST(PfcpHeader, SessionHeaderWithSeidAndPriority) {
  const std::vector<uint8_t> b = {
      0x23,                                            // version 1, MP=1, S=1
      0x36,                                            // type 54 Session Deletion Request
      0x00, 0x0c,                                      // length: 12 (SEID + seq + priority)
      0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,  // SEID
      0xab, 0xcd, 0xef,                                // sequence number
      0x70,                                            // message priority 7, spare 0
  };
  HeaderInfo hi;
  ASSERT_EQ(decode_header(b, hi), Status::kOk);
  EXPECT_TRUE(hi.header.has_seid);
  EXPECT_TRUE(hi.header.mp);
  EXPECT_EQ(hi.header.seid, 0x0102030405060708u);
  EXPECT_EQ(hi.header.seq, 0xabcdefu);
  EXPECT_EQ(hi.header.priority, 7);
  EXPECT_EQ(hi.header_len, 16u);
  auto m = decode_message(b);
  ASSERT_TRUE(m) << m.error().to_string();
  EXPECT_EQ(m->type(), MsgType::kSessionDeletionRequest);
  EXPECT_EQ(encode(*m), b);
}

TEST(PfcpHeader, BadVersionAndLengths) {
  std::vector<uint8_t> b = {0x40, 0x01, 0x00, 0x04, 0x00, 0x00, 0x01, 0x00};  // version 2
  HeaderInfo hi;
  EXPECT_EQ(decode_header(b, hi), Status::kBadVersion);
  b[0] = 0x20;
  b[3] = 0x03;  // length 3 < 4 octets of seq + spare
  EXPECT_EQ(decode_header(b, hi), Status::kBadLength);
  b[3] = 0x08;  // claims 4 more octets than present
  EXPECT_EQ(decode_header(b, hi), Status::kTruncated);
  b[3] = 0x04;
  b.push_back(0x99);  // trailing byte without FO
  EXPECT_EQ(decode_header(b, hi), Status::kBadLength);
  b[0] = 0x24;  // FO=1: a follow-on message may start there
  EXPECT_EQ(decode_header(b, hi), Status::kOk);
  EXPECT_EQ(hi.msg_len, 8u);
  EXPECT_EQ(decode_header(Bytes(b.data(), 3), hi), Status::kTruncated);
}

TEST(PfcpHeader, SeidFlagMustMatchMessageType) {
  // Session Establishment Request (50) without S flag.
  const std::vector<uint8_t> b = {0x20, 0x32, 0x00, 0x04, 0x00, 0x00, 0x01, 0x00};
  auto m = decode_message(b);
  ASSERT_FALSE(m);
  EXPECT_EQ(m.error().status, Status::kSeidFlagMismatch);
  // An unknown type decodes either way and its IEs land in extra_ies.
  const std::vector<uint8_t> u = {0x20, 0x63, 0x00, 0x09, 0x00, 0x00, 0x01, 0x00,
                                  0x00, 0x13, 0x00, 0x01, 0x01};  // Cause IE
  auto mu = decode_message(u);
  ASSERT_TRUE(mu) << mu.error().to_string();
  EXPECT_FALSE(is_known_message_type(0x63));
  EXPECT_EQ(mu->cause, Cause::kRequestAccepted);
}

TEST(PfcpHeader, NamesAreDeclaredOnce) {
  EXPECT_EQ(message_type_name(50), "session_establishment_request");
  EXPECT_EQ(message_type_name(14), "session_set_deletion_request");
  EXPECT_EQ(message_type_name(11), "version_not_supported_response");
  EXPECT_EQ(message_type_name(200), "unknown");
  EXPECT_TRUE(is_session_message_type(57));
  EXPECT_FALSE(is_session_message_type(15));
  EXPECT_EQ(status_name(Status::kGroupedTooDeep), "pfcp_grouped_too_deep");
  EXPECT_EQ(status_name(Status::kOk), "ok");
  EXPECT_EQ(ie_type_name(ie::kCreateBar), "Create BAR");
  EXPECT_TRUE(is_grouped_ie(ie::kUpdateDuplicatingParameters));
  EXPECT_FALSE(is_grouped_ie(ie::kFTeid));
  EXPECT_FALSE(is_grouped_ie(0x8001));
  for (size_t i = 0; i < kStatusCount; ++i) {
    EXPECT_FALSE(status_name(static_cast<Status>(i)).empty());
    EXPECT_FALSE(status_text(static_cast<Status>(i)).empty());
  }
}

}  // namespace
}  // namespace mecguard::pfcp
