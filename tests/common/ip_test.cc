#include "common/ip.h"

#include <gtest/gtest.h>

#include "common/bytes.h"
#include "common/expected.h"

namespace mecguard {
namespace {

TEST(IpAddr, ParsesAndPrintsBothFamilies) {
  auto v4 = IpAddr::parse("10.1.2.3");
  ASSERT_TRUE(v4);
  EXPECT_TRUE(v4->is_v4());
  EXPECT_EQ(v4->v4_host(), 0x0A010203u);
  EXPECT_EQ(v4->to_string(), "10.1.2.3");
  auto v6 = IpAddr::parse("2001:db8::1");
  ASSERT_TRUE(v6);
  EXPECT_TRUE(v6->is_v6());
  EXPECT_EQ(v6->to_string(), "2001:db8::1");
  EXPECT_FALSE(IpAddr::parse("10.1.2"));
  EXPECT_FALSE(IpAddr::parse(""));
}

TEST(IpPrefix, ContainsRespectsLengthAndFamily) {
  auto p = IpPrefix::parse("10.45.0.0/16");
  ASSERT_TRUE(p);
  EXPECT_TRUE(p->contains(*IpAddr::parse("10.45.255.1")));
  EXPECT_FALSE(p->contains(*IpAddr::parse("10.46.0.1")));
  EXPECT_FALSE(p->contains(*IpAddr::parse("::1")));
  auto p6 = IpPrefix::parse("2001:db8:1:2::7/64");
  ASSERT_TRUE(p6);
  EXPECT_EQ(p6->to_string(), "2001:db8:1:2::/64");
  EXPECT_TRUE(p6->contains(*IpAddr::parse("2001:db8:1:2:ffff::1")));
  EXPECT_FALSE(p6->contains(*IpAddr::parse("2001:db8:1:3::1")));
  auto odd = IpPrefix::parse("10.0.0.0/13");
  ASSERT_TRUE(odd);
  EXPECT_TRUE(odd->contains(*IpAddr::parse("10.7.255.255")));
  EXPECT_FALSE(odd->contains(*IpAddr::parse("10.8.0.0")));
  EXPECT_FALSE(IpPrefix::parse("10.0.0.0/33"));
  EXPECT_FALSE(IpPrefix::parse("10.0.0.0/"));
  EXPECT_FALSE(IpPrefix::parse("10.0.0.0/a"));
}

TEST(Bytes, BigEndianRoundTrip) {
  std::vector<uint8_t> buf;
  ByteWriter w(buf);
  w.be16(0x1234);
  w.be24(0xABCDEF);
  w.be32(0xDEADBEEF);
  w.be64(0x0102030405060708ULL);
  ASSERT_EQ(buf.size(), 2u + 3u + 4u + 8u);
  EXPECT_EQ(load_be16(buf.data()), 0x1234);
  EXPECT_EQ(load_be24(buf.data() + 2), 0xABCDEFu);
  EXPECT_EQ(load_be32(buf.data() + 5), 0xDEADBEEFu);
  EXPECT_EQ(load_be64(buf.data() + 9), 0x0102030405060708ULL);
  w.patch_be16(0, 0xFFEE);
  EXPECT_EQ(load_be16(buf.data()), 0xFFEE);
}

Expected<int> half(int x) {
  if (x % 2 != 0) return Unexpected(Error(ErrorCode::kInvalidArgument, "odd", "arg"));
  return x / 2;
}

TEST(Expected, CarriesValueOrError) {
  auto ok = half(4);
  ASSERT_TRUE(ok);
  EXPECT_EQ(*ok, 2);
  auto bad = half(3);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(bad.error().to_string(), "arg: odd");
  EXPECT_EQ(bad.value_or(-1), -1);
}

}  // namespace
}  // namespace mecguard
