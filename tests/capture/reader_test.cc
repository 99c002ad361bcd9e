// Reader: formats, link types, batching, and every way a capture can be bad.
#include "capture/reader.h"

#include <gtest/gtest.h>
#include <pcap/pcap.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "capture/writer.h"
#include "capture_test_util.h"
#include "decode/packet.h"

namespace mecguard::capture {
namespace {

using decode::LinkType;
using testing::data_path;
using testing::read_all;
using testing::read_file;
using testing::temp_path;

constexpr uint64_t kT0 = 1700000000ULL * 1000000000ULL;  // make_captures.py's T0
constexpr size_t kEthFrames = 12;

Reader open_ok(const std::string& path) {
  auto r = Reader::open(path);
  EXPECT_TRUE(r.has_value()) << (r ? "" : r.error().to_string());
  if (!r) std::abort();
  return std::move(r).value();
}

TEST(Reader, ReadsEthernetPcapWithNanosecondTimestamps) {
  Reader r = open_ok(data_path("gtpu_eth.pcap"));
  EXPECT_EQ(r.link_type(), LinkType::kEthernet);
  EXPECT_EQ(r.snaplen(), 262144u);
  const auto frames = read_all(r);
  ASSERT_EQ(frames.size(), kEthFrames);
  EXPECT_FALSE(r.error().has_value());
  EXPECT_TRUE(r.at_end());
  for (size_t i = 0; i < frames.size(); ++i) {
    EXPECT_EQ(frames[i].number, i + 1);
    EXPECT_EQ(frames[i].ts_ns, kT0 + i * 1000000 + 123) << "frame " << i + 1;
  }
  // Frame 1: Ethernet + IPv4 + UDP + GTP-U(8+4 ext+4 PSC) + IPv4 + TCP = 98 bytes, whole.
  EXPECT_EQ(frames[0].data.size(), 98u);
  EXPECT_EQ(frames[0].orig_len, 98u);
  // Frame 12 was cut by the snaplen: 60 bytes captured of 486.
  EXPECT_EQ(frames[11].data.size(), 60u);
  EXPECT_EQ(frames[11].orig_len, 486u);
  EXPECT_EQ(r.truncated_frames(), 1u);
  EXPECT_EQ(r.frames_read(), kEthFrames);
  // Further calls keep returning 0.
  std::vector<Frame> more(4);
  EXPECT_EQ(r.read_batch(more), 0u);
}

TEST(Reader, PcapngMatchesPcap) {
  Reader a = open_ok(data_path("gtpu_eth.pcap"));
  Reader b = open_ok(data_path("gtpu_eth.pcapng"));
  EXPECT_EQ(b.link_type(), LinkType::kEthernet);
  const auto fa = read_all(a);
  const auto fb = read_all(b, 3);
  EXPECT_FALSE(b.error().has_value());
  ASSERT_EQ(fa.size(), fb.size());
  for (size_t i = 0; i < fa.size(); ++i) {
    EXPECT_EQ(fa[i].data, fb[i].data) << "frame " << i + 1;
    EXPECT_EQ(fa[i].ts_ns, fb[i].ts_ns) << "frame " << i + 1;
    EXPECT_EQ(fa[i].orig_len, fb[i].orig_len) << "frame " << i + 1;
    EXPECT_EQ(fb[i].number, i + 1);
  }
}

struct LinkCase {
  const char* file;
  LinkType link;
  int dlt;
  size_t frames;
};

class ReaderLink : public ::testing::TestWithParam<LinkCase> {};

TEST_P(ReaderLink, MapsLinkTypeAndDecodesFirstFrame) {
  const LinkCase& c = GetParam();
  Reader r = open_ok(data_path(c.file));
  EXPECT_EQ(r.link_type(), c.link);
  EXPECT_EQ(r.dlt(), c.dlt);
  const auto frames = read_all(r);
  EXPECT_FALSE(r.error().has_value());
  ASSERT_EQ(frames.size(), c.frames);
  // Every capture's first frame is the same uplink G-PDU: the link mapping is right when
  // the decoder finds the tunnel behind whatever link header the file has.
  decode::DecodedPacket p;
  const auto st = decode::decode_frame(Bytes(frames[0].data), r.link_type(), p);
  EXPECT_EQ(st, decode::DecodeStatus::kOk) << decode::status_name(st);
  EXPECT_EQ(p.app, decode::AppKind::kGtpu);
  EXPECT_EQ(p.gtpu.teid, 0x1234abcdu);
  EXPECT_EQ(p.gtpu.qfi, 9);
  EXPECT_EQ(p.inner_l4.dport, 443);
}

INSTANTIATE_TEST_SUITE_P(
    AllLinks, ReaderLink,
    ::testing::Values(LinkCase{"gtpu_eth.pcap", LinkType::kEthernet, DLT_EN10MB, kEthFrames},
                      LinkCase{"gtpu_eth.pcapng", LinkType::kEthernet, DLT_EN10MB, kEthFrames},
                      LinkCase{"gtpu_sll.pcap", LinkType::kLinuxSll, DLT_LINUX_SLL, 4},
                      LinkCase{"gtpu_sll2.pcap", LinkType::kLinuxSll2, DLT_LINUX_SLL2, 4},
                      LinkCase{"gtpu_raw.pcap", LinkType::kRaw, DLT_RAW, 3},
                      LinkCase{"gtpu_ipv4.pcap", LinkType::kIpv4, DLT_IPV4, 1}),
    [](const auto& param_info) {
      std::string n = param_info.param.file;
      for (char& ch : n) {
        if (ch == '.') ch = '_';
      }
      return n;
    });

TEST(Reader, BatchSizesDeliverTheSameFrames) {
  Reader ref = open_ok(data_path("gtpu_eth.pcap"));
  const auto expected = read_all(ref);
  for (size_t batch : {size_t{1}, size_t{2}, size_t{5}, size_t{11}, size_t{64}}) {
    Reader r = open_ok(data_path("gtpu_eth.pcap"));
    const auto got = read_all(r, batch);
    ASSERT_EQ(got.size(), expected.size()) << "batch " << batch;
    for (size_t i = 0; i < got.size(); ++i) {
      EXPECT_EQ(got[i].data, expected[i].data) << "batch " << batch << " frame " << i + 1;
      EXPECT_EQ(got[i].number, i + 1);
    }
  }
}

TEST(Reader, FramesOfOneBatchDoNotOverlap) {
  // All frames of a batch stay valid together until the next read_batch.
  Reader r = open_ok(data_path("gtpu_eth.pcap"));
  Reader ref = open_ok(data_path("gtpu_eth.pcap"));
  const auto expected = read_all(ref);
  std::vector<Frame> frames(64);
  ASSERT_EQ(r.read_batch(frames), kEthFrames);
  for (size_t i = 0; i < kEthFrames; ++i) {
    EXPECT_TRUE(std::equal(frames[i].data.begin(), frames[i].data.end(), expected[i].data.begin(),
                           expected[i].data.end()))
        << "frame " << i + 1;
  }
}

TEST(Reader, LargeFramesEndABatchEarlyInsteadOfGrowingMemory) {
  const std::string path = temp_path(".pcap");
  constexpr size_t kCount = 40;
  constexpr size_t kSize = 200000;
  {
    auto w = Writer::open(path, LinkType::kEthernet);
    ASSERT_TRUE(w.has_value());
    std::vector<uint8_t> buf(kSize);
    for (size_t i = 0; i < kCount; ++i) {
      std::fill(buf.begin(), buf.end(), static_cast<uint8_t>(i));
      ASSERT_TRUE(w->write(Bytes(buf), kT0 + i).has_value());
    }
    ASSERT_TRUE(w->close().has_value());
  }
  Reader r = open_ok(path);
  std::vector<Frame> frames(256);
  size_t total = 0;
  size_t batches = 0;
  while (size_t n = r.read_batch(frames)) {
    ++batches;
    EXPECT_LT(n, kCount);  // the arena (1 MiB) cannot hold 40 x 200 kB
    for (size_t i = 0; i < n; ++i) {
      const Frame& f = frames[i];
      ASSERT_EQ(f.data.size(), kSize);
      EXPECT_EQ(f.number, total + 1);
      // Every byte checked: a later frame of the batch must not overwrite an earlier one.
      const auto fill = static_cast<uint8_t>(total);
      EXPECT_TRUE(std::all_of(f.data.begin(), f.data.end(), [&](uint8_t b) { return b == fill; }))
          << "frame " << f.number;
      ++total;
    }
  }
  EXPECT_EQ(total, kCount);
  EXPECT_GT(batches, 1u);
  EXPECT_FALSE(r.error().has_value());
  std::remove(path.c_str());
}

TEST(Reader, TruncatedTailDeliversEarlierFramesAndNamesTheFrame) {
  const std::string path = data_path("truncated_tail.pcap");
  Reader r = open_ok(path);
  const auto frames = read_all(r, 4);
  ASSERT_EQ(frames.size(), 5u);
  EXPECT_EQ(frames.back().number, 5u);
  ASSERT_TRUE(r.error().has_value());
  EXPECT_EQ(r.error()->code, ErrorCode::kParse);
  EXPECT_EQ(r.error()->location, path + ": frame 6");
  EXPECT_EQ(r.error()->message.rfind("truncated record (", 0), 0u) << r.error()->message;
  EXPECT_EQ(r.error()->to_string().rfind(path + ": frame 6: truncated record", 0), 0u);
}

TEST(Reader, EveryPrefixOfACaptureEndsCleanly) {
  // Truncation sweep: each prefix either fails to open (shorter than the file header) or
  // yields exactly the whole records it contains, then an error iff a record was cut.
  const auto bytes = read_file(data_path("gtpu_eth.pcap"));
  ASSERT_GT(bytes.size(), 24u);
  std::vector<size_t> ends;  // byte offset where each record ends
  for (size_t off = 24; off + 16 <= bytes.size();) {
    const uint32_t caplen = uint32_t{bytes[off + 8]} | (uint32_t{bytes[off + 9]} << 8) |
                            (uint32_t{bytes[off + 10]} << 16) | (uint32_t{bytes[off + 11]} << 24);
    off += 16 + caplen;
    ends.push_back(off);
  }
  ASSERT_EQ(ends.size(), kEthFrames);
  ASSERT_EQ(ends.back(), bytes.size());
  for (size_t len = 0; len <= bytes.size(); ++len) {
    auto r = Reader::open_memory(Bytes(bytes.data(), len), "prefix");
    if (len < 24) {
      EXPECT_FALSE(r.has_value()) << len;
      continue;
    }
    ASSERT_TRUE(r.has_value()) << len << ": " << r.error().to_string();
    const auto frames = read_all(*r, 3);
    const size_t whole =
        static_cast<size_t>(std::upper_bound(ends.begin(), ends.end(), len) - ends.begin());
    EXPECT_EQ(frames.size(), whole) << "prefix " << len;
    const bool cut = len != 24 && (whole == 0 || ends[whole - 1] != len);
    EXPECT_EQ(r->error().has_value(), cut) << "prefix " << len;
    if (cut && r->error()) {
      EXPECT_EQ(r->error()->location, "prefix: frame " + std::to_string(whole + 1));
    }
  }
}

TEST(Reader, EveryPrefixOfAPcapngEndsCleanly) {
  const auto bytes = read_file(data_path("gtpu_eth.pcapng"));
  size_t previous = 0;
  for (size_t len = 1; len <= bytes.size(); ++len) {
    auto r = Reader::open_memory(Bytes(bytes.data(), len), "prefix");
    if (!r) continue;  // section/interface blocks incomplete
    const auto frames = read_all(*r, 5);
    EXPECT_GE(frames.size(), previous) << "prefix " << len;  // more bytes never lose frames
    previous = frames.size();
    if (r->error()) {
      EXPECT_EQ(r->error()->location, "prefix: frame " + std::to_string(frames.size() + 1));
    }
  }
  EXPECT_EQ(previous, kEthFrames);
}

TEST(Reader, HugePcapngBlockLengthIsAnError) {
  auto bytes = read_file(data_path("gtpu_eth.pcapng"));
  // Walk the blocks (type, total length; little-endian as editcap writes on this host) to
  // the third Enhanced Packet Block and claim it is 4 GiB - 16 long.
  size_t off = 0;
  int epb = 0;
  while (off + 12 <= bytes.size()) {
    const auto le32 = [&](size_t at) {
      return uint32_t{bytes[at]} | (uint32_t{bytes[at + 1]} << 8) |
             (uint32_t{bytes[at + 2]} << 16) | (uint32_t{bytes[at + 3]} << 24);
    };
    if (le32(off) == 6 && ++epb == 3) break;
    off += le32(off + 4);
  }
  ASSERT_EQ(epb, 3);
  bytes[off + 4] = 0xf0;
  bytes[off + 5] = bytes[off + 6] = bytes[off + 7] = 0xff;
  auto r = Reader::open_memory(Bytes(bytes), "huge.pcapng");
  ASSERT_TRUE(r.has_value());
  const auto frames = read_all(*r);
  EXPECT_EQ(frames.size(), 2u);
  ASSERT_TRUE(r->error().has_value());
  EXPECT_EQ(r->error()->location, "huge.pcapng: frame 3");
}

TEST(Reader, HugeRecordLengthIsAnErrorNotAnAllocation) {
  const std::string path = data_path("huge_record.pcap");
  Reader r = open_ok(path);
  const auto frames = read_all(r);
  ASSERT_EQ(frames.size(), 1u);
  ASSERT_TRUE(r.error().has_value());
  EXPECT_EQ(r.error()->location, path + ": frame 2");
  EXPECT_NE(r.error()->message.find("2147483647"), std::string::npos) << r.error()->message;
}

TEST(Reader, GarbageFileIsAParseError) {
  auto r = Reader::open(data_path("garbage.bin"));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, ErrorCode::kParse);
  EXPECT_EQ(r.error().location, data_path("garbage.bin"));
  EXPECT_NE(r.error().message.find("pcap"), std::string::npos) << r.error().message;
}

TEST(Reader, EmptyAndMissingFilesAreClearErrors) {
  auto missing = Reader::open(data_path("no_such_file.pcap"));
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().code, ErrorCode::kIo);
  EXPECT_NE(missing.error().message.find("No such file"), std::string::npos);

  auto dir = Reader::open(data_path(""));
  ASSERT_FALSE(dir.has_value());
  EXPECT_EQ(dir.error().code, ErrorCode::kIo);

  const std::string empty = temp_path(".pcap");
  testing::write_file(empty, {});
  auto e = Reader::open(empty);
  ASSERT_FALSE(e.has_value());
  EXPECT_EQ(e.error().code, ErrorCode::kParse);
  std::remove(empty.c_str());

  EXPECT_FALSE(Reader::open("").has_value());
  EXPECT_FALSE(Reader::open_memory(Bytes(), "x").has_value());
}

TEST(Reader, UnsupportedLinkTypeIsRejectedWithItsNumber) {
  auto r = Reader::open(data_path("unsupported_link.pcap"));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, ErrorCode::kUnsupported);
  EXPECT_NE(r.error().message.find("147"), std::string::npos) << r.error().message;
}

TEST(Reader, LinkTypeTable) {
  EXPECT_EQ(*link_type_from_dlt(DLT_EN10MB), LinkType::kEthernet);
  EXPECT_EQ(*link_type_from_dlt(DLT_RAW), LinkType::kRaw);
  EXPECT_EQ(*link_type_from_dlt(DLT_IPV6), LinkType::kIpv6);
  EXPECT_FALSE(link_type_from_dlt(DLT_NULL).has_value());
  EXPECT_FALSE(link_type_from_dlt(-1).has_value());
  EXPECT_EQ(link_type_name(LinkType::kLinuxSll2), "sll2");
  EXPECT_EQ(link_type_name(LinkType::kRaw), "raw");
}

TEST(Reader, ForEachFrameReportsCountAndError) {
  Reader good = open_ok(data_path("gtpu_eth.pcap"));
  size_t seen = 0;
  auto n = for_each_frame(
      good, [&](const Frame&) { ++seen; }, 4);
  ASSERT_TRUE(n.has_value());
  EXPECT_EQ(*n, kEthFrames);
  EXPECT_EQ(seen, kEthFrames);

  Reader bad = open_ok(data_path("truncated_tail.pcap"));
  seen = 0;
  auto m = for_each_frame(bad, [&](const Frame&) { ++seen; });
  ASSERT_FALSE(m.has_value());
  EXPECT_EQ(seen, 5u);
  EXPECT_NE(m.error().location.find("frame 6"), std::string::npos);
}

}  // namespace
}  // namespace mecguard::capture
