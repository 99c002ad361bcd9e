// Writer: byte layout of the file it writes, and write -> read round trips.
#include "capture/writer.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <vector>

#include "capture/reader.h"
#include "capture_test_util.h"

namespace mecguard::capture {
namespace {

using decode::LinkType;
using testing::read_all;
using testing::read_file;
using testing::temp_path;

struct TempFile {
  std::string path;
  explicit TempFile(const std::string& suffix) : path(temp_path(suffix)) {}
  ~TempFile() { std::remove(path.c_str()); }
};

TEST(Writer, FileHeaderIsNanosecondPcapLittleEndian) {
  TempFile t(".pcap");
  auto w = Writer::open(t.path, LinkType::kLinuxSll2, 65535);
  ASSERT_TRUE(w.has_value()) << w.error().to_string();
  const uint8_t frame[] = {0xde, 0xad, 0xbe, 0xef};
  ASSERT_TRUE(w->write(Bytes(frame), 5'000000007ULL, 60).has_value());
  ASSERT_TRUE(w->close().has_value());
  const std::vector<uint8_t> expected = {
      0x4d, 0x3c, 0xb2, 0xa1,  // magic 0xa1b23c4d: nanosecond timestamps
      0x02, 0x00, 0x04, 0x00,  // version 2.4
      0,    0,    0,    0,     // thiszone
      0,    0,    0,    0,     // sigfigs
      0xff, 0xff, 0x00, 0x00,  // snaplen 65535
      0x14, 0x01, 0x00, 0x00,  // link type 276 (SLL2)
      0x05, 0x00, 0x00, 0x00,  // ts seconds 5
      0x07, 0x00, 0x00, 0x00,  // ts nanoseconds 7
      0x04, 0x00, 0x00, 0x00,  // captured length 4
      0x3c, 0x00, 0x00, 0x00,  // original length 60
      0xde, 0xad, 0xbe, 0xef,  // data
  };
  EXPECT_EQ(read_file(t.path), expected);
}

TEST(Writer, RoundTripPreservesBytesTimestampsLengthsAndLinkType) {
  for (LinkType link : {LinkType::kEthernet, LinkType::kRaw, LinkType::kIpv4, LinkType::kIpv6,
                        LinkType::kLinuxSll, LinkType::kLinuxSll2}) {
    TempFile t(".pcap");
    std::vector<std::vector<uint8_t>> payloads;
    std::vector<uint64_t> stamps;
    {
      auto w = Writer::open(t.path, link);
      ASSERT_TRUE(w.has_value());
      for (size_t i = 0; i < 300; ++i) {
        std::vector<uint8_t> p(i % 97 + (i == 7 ? 0 : 1));
        for (size_t j = 0; j < p.size(); ++j) p[j] = static_cast<uint8_t>(i * 31 + j);
        const uint64_t ts = 1'700'000'000'000'000'000ULL + i * 999'999'937ULL;
        ASSERT_TRUE(w->write(Bytes(p), ts, i % 5 == 0 ? 1500 : 0).has_value());
        payloads.push_back(std::move(p));
        stamps.push_back(ts);
      }
      EXPECT_EQ(w->frames_written(), 300u);
      ASSERT_TRUE(w->close().has_value());
      EXPECT_TRUE(w->close().has_value());  // idempotent
    }
    auto r = Reader::open(t.path);
    ASSERT_TRUE(r.has_value()) << r.error().to_string();
    EXPECT_EQ(r->link_type(), link);
    const auto frames = read_all(*r, 7);
    EXPECT_FALSE(r->error().has_value());
    ASSERT_EQ(frames.size(), payloads.size());
    for (size_t i = 0; i < frames.size(); ++i) {
      EXPECT_EQ(frames[i].data, payloads[i]) << i;
      EXPECT_EQ(frames[i].ts_ns, stamps[i]) << i;
      EXPECT_EQ(frames[i].orig_len, i % 5 == 0 ? 1500u : payloads[i].size()) << i;
      EXPECT_EQ(frames[i].number, i + 1);
    }
  }
}

TEST(Writer, CopiesReaderFramesIncludingSnaplenCuts) {
  TempFile t(".pcap");
  auto in = Reader::open(testing::data_path("gtpu_eth.pcap"));
  ASSERT_TRUE(in.has_value());
  auto w = Writer::open(t.path, in->link_type());
  ASSERT_TRUE(w.has_value());
  std::vector<Frame> batch(4);
  while (size_t n = in->read_batch(batch)) {
    ASSERT_TRUE(w->write_batch(std::span<const Frame>(batch.data(), n)).has_value());
  }
  ASSERT_TRUE(w->close().has_value());
  // Same record stream as the original (the input was written with the same layout).
  EXPECT_EQ(read_file(t.path), read_file(testing::data_path("gtpu_eth.pcap")));
}

TEST(Writer, SnaplenCutsDataButKeepsOriginalLength) {
  TempFile t(".pcap");
  auto w = Writer::open(t.path, LinkType::kEthernet, 64);
  ASSERT_TRUE(w.has_value());
  std::vector<uint8_t> p(100, 0xab);
  ASSERT_TRUE(w->write(Bytes(p), 1).has_value());
  ASSERT_TRUE(w->close().has_value());
  auto r = Reader::open(t.path);
  ASSERT_TRUE(r.has_value());
  const auto frames = read_all(*r);
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(frames[0].data.size(), 64u);
  EXPECT_EQ(frames[0].orig_len, 100u);
}

TEST(Writer, RejectsBadArguments) {
  auto dir = Writer::open("/nonexistent-dir/x.pcap", LinkType::kEthernet);
  ASSERT_FALSE(dir.has_value());
  EXPECT_EQ(dir.error().code, ErrorCode::kIo);
  EXPECT_EQ(dir.error().location, "/nonexistent-dir/x.pcap");

  EXPECT_FALSE(Writer::open("", LinkType::kEthernet).has_value());
  TempFile t(".pcap");
  EXPECT_EQ(Writer::open(t.path, LinkType::kEthernet, 0).error().code, ErrorCode::kInvalidArgument);
  EXPECT_FALSE(Writer::open(t.path, LinkType::kEthernet, kMaxFrameBytes + 1).has_value());

  auto w = Writer::open(t.path, LinkType::kEthernet);
  ASSERT_TRUE(w.has_value());
  const uint8_t b[] = {1};
  auto late = w->write(Bytes(b), (uint64_t{UINT32_MAX} + 1) * 1000000000ULL);
  ASSERT_FALSE(late.has_value());
  EXPECT_EQ(late.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(late.error().location, t.path + ": frame 1");
  ASSERT_TRUE(w->close().has_value());
  EXPECT_FALSE(w->write(Bytes(b), 1).has_value());  // closed
}

TEST(Writer, ReportsAFullDisk) {
  auto w = Writer::open("/dev/full", LinkType::kEthernet);
  ASSERT_TRUE(w.has_value());
  std::vector<uint8_t> p(1000, 1);
  for (int i = 0; i < 2000; ++i) (void)w->write(Bytes(p), 1);
  auto c = w->close();
  ASSERT_FALSE(c.has_value());
  EXPECT_EQ(c.error().code, ErrorCode::kIo);
}

}  // namespace
}  // namespace mecguard::capture
