// IE walker: unknown and enterprise IEs, grouped depth bound, IE count bound.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <vector>

#include "pfcp/message.h"
#include "pfcp/walker.h"
#include "samples.h"

namespace mecguard::pfcp {
namespace {

void fix_length(std::vector<uint8_t>& b) {
  b[2] = static_cast<uint8_t>((b.size() - 4) >> 8);
  b[3] = static_cast<uint8_t>(b.size() - 4);
}

TEST(PfcpWalker, UnknownAndEnterpriseIesAreSkipped) {
  std::vector<uint8_t> b = {
      0x20, 0x01, 0x00, 0x00,  // Heartbeat Request, length patched below
      0x00, 0x00, 0x07, 0x00,  // seq 7, spare
      0x00, 0xfe, 0x00, 0x03,  // unknown IE type 254, length 3
      0xaa, 0xbb, 0xcc,        //   opaque value
      0x80, 0x10, 0x00, 0x04,  // enterprise IE type 0x8010, length 4
      0x48, 0xf9,              //   enterprise ID 18681
      0x01, 0x02,              //   vendor value
      0x00, 0x60, 0x00, 0x04,  // Recovery Time Stamp
      0x00, 0x00, 0x00, 0x2a,  //   42
  };
  fix_length(b);
  DecodeStats st;
  auto r = decode_message(b, &st);
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ(r->recovery_time_stamp, 42u);
  EXPECT_EQ(st.walk.ie_count, 3u);
  EXPECT_EQ(st.walk.unknown_ie_count, 2u);
  EXPECT_EQ(st.walk.enterprise_ie_count, 1u);
  ASSERT_EQ(r->extra_ies.size(), 2u);
  EXPECT_EQ(r->extra_ies[0], (RawIe{254, std::nullopt, {0xaa, 0xbb, 0xcc}}));
  EXPECT_EQ(r->extra_ies[1], (RawIe{0x0010, uint16_t{18681}, {0x01, 0x02}}));
  auto again = encode(*r);
  auto back = decode_message(again);
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, *r);

  // The zero-copy walker reports the same IEs in wire order.
  std::vector<uint16_t> types;
  const WalkError e = walk_ies(Bytes(b).subspan(8), [&](const IeView& ie, int depth) {
    EXPECT_EQ(depth, 0);
    types.push_back(ie.type);
    return true;
  }, nullptr, 8);
  EXPECT_EQ(e.status, Status::kOk);
  EXPECT_EQ(types, (std::vector<uint16_t>{0x00fe, 0x8010, 0x0060}));
}

TEST(PfcpWalker, UnknownIeInsideGroupIsSkipped) {
  Message m = session_establishment_request(1, testing::sample_ue());
  auto b = encode(m);
  // Append an unknown IE to the first Create PDR (at offset 16 + Node ID + F-SEID).
  HeaderInfo hi;
  ASSERT_EQ(decode_header(b, hi), Status::kOk);
  size_t pdr_at = 0;
  walk_ies(Bytes(b).subspan(16), [&](const IeView& ie, int depth) {
    if (depth == 0 && ie.type == ie::kCreatePdr && pdr_at == 0) pdr_at = ie.offset;
    return true;
  }, nullptr, 16);
  ASSERT_GT(pdr_at, 0u);
  const uint16_t pdr_len = load_be16(b.data() + pdr_at + 2);
  const std::vector<uint8_t> junk = {0x7f, 0x00, 0x00, 0x01, 0x55};  // type 32512, length 1
  b.insert(b.begin() + static_cast<std::ptrdiff_t>(pdr_at + 4 + pdr_len), junk.begin(), junk.end());
  b[pdr_at + 2] = static_cast<uint8_t>((pdr_len + 5) >> 8);
  b[pdr_at + 3] = static_cast<uint8_t>(pdr_len + 5);
  fix_length(b);
  DecodeStats st;
  auto r = decode_message(b, &st);
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ(st.walk.unknown_ie_count, 1u);
  EXPECT_EQ(r->create_pdrs, m.create_pdrs);
}

// Heartbeat Request whose extra IE is `levels` nested Create BAR groups around a BAR ID.
std::vector<uint8_t> nested(int levels) {
  std::vector<uint8_t> inner = {0x00, 0x58, 0x00, 0x01, 0x01};  // BAR ID 1
  for (int i = 0; i < levels; ++i) {
    std::vector<uint8_t> g = {0x00, 0x55, static_cast<uint8_t>(inner.size() >> 8),
                              static_cast<uint8_t>(inner.size())};  // Create BAR
    g.insert(g.end(), inner.begin(), inner.end());
    inner = g;
  }
  std::vector<uint8_t> b = {0x20, 0x01, 0, 0, 0, 0, 1, 0,
                            0x00, 0x60, 0x00, 0x04, 0, 0, 0, 1};  // Recovery Time Stamp
  b.insert(b.end(), inner.begin(), inner.end());
  fix_length(b);
  return b;
}

TEST(PfcpWalker, GroupedDepthIsBounded) {
  DecodeStats st;
  auto ok = decode_message(nested(kMaxGroupedDepth), &st);
  ASSERT_TRUE(ok) << ok.error().to_string();
  EXPECT_EQ(st.walk.max_depth, kMaxGroupedDepth);
  EXPECT_EQ(st.walk.grouped_ie_count, static_cast<uint32_t>(kMaxGroupedDepth));
  auto deep = decode_message(nested(kMaxGroupedDepth + 1));
  ASSERT_FALSE(deep);
  EXPECT_EQ(deep.error().status, Status::kGroupedTooDeep);
  EXPECT_EQ(deep.error().ie_type, ie::kCreateBar);
  auto deeper = decode_message(nested(40));
  ASSERT_FALSE(deeper);
  EXPECT_EQ(deeper.error().status, Status::kGroupedTooDeep);
}

TEST(PfcpWalker, IeCountIsBounded) {
  std::vector<uint8_t> b = {0x20, 0x01, 0, 0, 0, 0, 1, 0, 0x00, 0x60, 0x00, 0x04, 0, 0, 0, 1};
  for (size_t i = 0; i < kMaxIes; ++i) b.insert(b.end(), {0x00, 0xff, 0x00, 0x00});
  fix_length(b);
  auto r = decode_message(b);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().status, Status::kTooManyIes);
  b.resize(b.size() - 4);
  fix_length(b);
  DecodeStats st;
  auto ok = decode_message(b, &st);
  ASSERT_TRUE(ok) << ok.error().to_string();
  EXPECT_EQ(st.walk.ie_count, kMaxIes);
}

TEST(PfcpWalker, ReaderErrors) {
  const std::vector<uint8_t> short_hdr = {0x00, 0x13, 0x00};
  IeReader r1(short_hdr);
  IeView ie;
  EXPECT_FALSE(r1.next(ie));
  EXPECT_EQ(r1.status(), Status::kIeTruncated);
  const std::vector<uint8_t> overrun = {0x00, 0x13, 0x00, 0x05, 0x01};
  IeReader r2(overrun, 100);
  EXPECT_FALSE(r2.next(ie));
  EXPECT_EQ(r2.status(), Status::kIeTruncated);
  EXPECT_EQ(r2.error_offset(), 100u);
  const std::vector<uint8_t> ent_short = {0x80, 0x01, 0x00, 0x01, 0x00};  // no room for the ID
  IeReader r3(ent_short);
  EXPECT_FALSE(r3.next(ie));
  EXPECT_EQ(r3.status(), Status::kIeBadLength);
  const std::vector<uint8_t> two = {0x00, 0x13, 0x00, 0x01, 0x01, 0x00, 0x28, 0x00, 0x00};
  IeReader r4(two, 8);
  ASSERT_TRUE(r4.next(ie));
  EXPECT_EQ(ie.type, ie::kCause);
  EXPECT_EQ(ie.offset, 8u);
  ASSERT_TRUE(r4.next(ie));
  EXPECT_EQ(ie.type, ie::kOffendingIe);
  EXPECT_TRUE(ie.value.empty());
  EXPECT_EQ(ie.offset, 13u);
  EXPECT_FALSE(r4.next(ie));
  EXPECT_EQ(r4.status(), Status::kOk);
}

// Writes the fuzz seeds when MECGUARD_PFCP_WRITE_CORPUS names a directory; otherwise only
// checks that every seed decodes.
TEST(PfcpCorpus, SeedsDecode) {
  const auto msgs = testing::sample_messages();
  const char* dir = std::getenv("MECGUARD_PFCP_WRITE_CORPUS");
  int i = 0;
  for (const auto& m : msgs) {
    auto b = encode(m);
    ASSERT_TRUE(decode_message(b));
    ASSERT_LT(b.size(), 2048u);
    if (dir != nullptr) {
      char name[64];
      std::snprintf(name, sizeof name, "seed_%02d_%s", i, std::string(message_type_name(m.header.type)).c_str());
      std::ofstream(std::filesystem::path(dir) / name, std::ios::binary)
          .write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size()));
    }
    ++i;
  }
}

}  // namespace
}  // namespace mecguard::pfcp
