// Truncation sweep: every proper prefix of every valid frame and GTP-U message decodes to a
// clean non-kOk status. Each prefix is copied into its own exact-size buffer so that, under
// ASan, any read past the end is caught. Also writes the fuzz seed corpus on request.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "decode/build.h"
#include "decode/packet.h"
#include "decode/vectors.h"

namespace mecguard::decode {
namespace {

using testvec::V;

IpAddr ip(const char* s) { return *IpAddr::parse(s); }

// Offsets of every present layer lie inside the frame.
void expect_in_bounds(const DecodedPacket& d, size_t n) {
  auto in = [n](size_t off, size_t len) { return off + len <= n; };
  EXPECT_TRUE(!d.outer_ip.present() || in(d.outer_ip.offset, d.outer_ip.total_len));
  EXPECT_TRUE(!d.outer_l4.present() || in(d.outer_l4.payload_offset, d.outer_l4.payload_len));
  EXPECT_TRUE(!d.gtpu.present() || in(d.gtpu.payload_offset, d.gtpu.payload_len));
  EXPECT_TRUE(!d.inner_ip.present() || in(d.inner_ip.offset, d.inner_ip.total_len));
  EXPECT_TRUE(!d.inner_l4.present() || in(d.inner_l4.payload_offset, d.inner_l4.payload_len));
  EXPECT_TRUE(d.app != AppKind::kPfcp || in(d.pfcp_offset, d.pfcp_len));
}

// Frames built by the builders, added to the hand-written ones.
std::vector<testvec::NamedFrame> built_frames(std::vector<V>& store) {
  store.clear();
  store.reserve(4);
  build::TcpOpts t;
  t.flags = tcp_flag::kSyn;
  t.options = {2, 4, 5, 0xB4};
  build::GtpuSpec g =
      build::gpdu_spec(7, build::tcp_ip(ip("10.45.0.2"), ip("1.1.1.1"), 1234, 443, t), 1);
  g.seq = 5;
  g.extra_ext = {{gtpu_ext::kPdcpPduNumber, {0, 1}}};
  build::EthSpec eth;
  eth.vlans = {{build::kEtherVlan, 3, 0}};
  store.push_back(build::ethernet_ip(build::gtpu_ip(ip("10.0.0.1"), ip("10.0.0.2"), g), eth));
  build::Ipv6Opts o;
  o.ext = {build::Ipv6Ext{60, {}}, build::Ipv6Ext{51, V(6, 0)}};
  store.push_back(build::ipv6(ip("2001:db8::1"), ip("2001:db8::2"), kProtoSctp,
                              build::sctp(1, 2, 3), o));
  build::GtpuSpec ei;
  ei.msg_type = gtpu_msg::kErrorIndication;
  ei.teid_data_i = 1;
  ei.peer_addr = ip("2001:db8::9");
  store.push_back(build::sll2(build::gtpu_ip(ip("2001:db8::1"), ip("2001:db8::2"), ei),
                              build::kEtherIpv6));
  store.push_back(build::icmp_echo_ip(ip("fd00::1"), ip("fd00::2"), true, 1, 1, V(3, 0)));
  return {{"built_gtpu_tcp", LinkType::kEthernet, &store[0]},
          {"built_v6_sctp", LinkType::kIpv6, &store[1]},
          {"built_sll2_errind", LinkType::kLinuxSll2, &store[2]},
          {"built_icmpv6", LinkType::kRaw, &store[3]}};
}


TEST(TruncationSweep, EveryPrefixOfEveryFrameFailsCleanly) {
  std::vector<V> store;
  auto frames = testvec::all_frames();
  for (auto& f : built_frames(store)) frames.push_back(f);
  for (const auto& f : frames) {
    const V& full = *f.bytes;
    DecodedPacket d;
    ASSERT_EQ(decode_frame(Bytes(full), f.link, d), DecodeStatus::kOk)
        << f.name << ": " << status_name(d.status);
    expect_in_bounds(d, full.size());
    for (size_t n = 0; n < full.size(); ++n) {
      const V cut(full.begin(), full.begin() + static_cast<std::ptrdiff_t>(n));
      const DecodeStatus st = decode_frame(Bytes(cut), f.link, d);
      EXPECT_NE(st, DecodeStatus::kOk) << f.name << " prefix " << n;
      EXPECT_EQ(st, d.status);
      EXPECT_LT(static_cast<size_t>(st), kDecodeStatusCount);
      expect_in_bounds(d, n);
    }
  }
}

TEST(TruncationSweep, EveryPrefixOfEveryGtpuMessageFailsCleanly) {
  for (const auto& [name, msg] : testvec::all_gtpu()) {
    DecodedPacket d;
    ASSERT_EQ(decode_gtpu(Bytes(*msg), 0, static_cast<uint16_t>(msg->size()), d),
              DecodeStatus::kOk)
        << name << ": " << status_name(d.status);
    for (size_t n = 0; n < msg->size(); ++n) {
      const V cut(msg->begin(), msg->begin() + static_cast<std::ptrdiff_t>(n));
      // The length field still claims the full message: kGtpuBadLength or kGtpuTruncated.
      EXPECT_NE(decode_gtpu(Bytes(cut), 0, static_cast<uint16_t>(n), d), DecodeStatus::kOk)
          << name << " prefix " << n;
      expect_in_bounds(d, n);
      // With the length field patched to match, each cut must still be refused.
      if (n >= 4) {
        V patched = cut;
        const auto len = static_cast<uint16_t>(n >= 8 ? n - 8 : 0);
        patched[2] = static_cast<uint8_t>(len >> 8);
        patched[3] = static_cast<uint8_t>(len);
        const DecodeStatus st = decode_gtpu(Bytes(patched), 0, static_cast<uint16_t>(n), d);
        expect_in_bounds(d, n);
        if (name == "end_marker" || name == "echo_request") continue;  // may be complete
        if (name == "echo_response" && n == 12) continue;  // Recovery is optional
        EXPECT_NE(st, DecodeStatus::kOk) << name << " patched prefix " << n;
      }
    }
  }
}

// Writes the fuzz seed corpus when MECGUARD_WRITE_FUZZ_SEEDS names the repository root:
//   MECGUARD_WRITE_FUZZ_SEEDS=$PWD build-decode/tests/test_decode --gtest_filter='*Seeds*'
// fuzz_frame's first byte picks the link type (see fuzz/fuzz_frame.cc).
TEST(FuzzSeeds, WriteCorpusOnRequest) {
  const char* root = std::getenv("MECGUARD_WRITE_FUZZ_SEEDS");
  if (root == nullptr) GTEST_SKIP() << "set MECGUARD_WRITE_FUZZ_SEEDS to the repo root";
  namespace fs = std::filesystem;
  const fs::path frame_dir = fs::path(root) / "fuzz/corpus/frame";
  const fs::path gtpu_dir = fs::path(root) / "fuzz/corpus/gtpu";
  fs::create_directories(frame_dir);
  fs::create_directories(gtpu_dir);
  auto write = [](const fs::path& p, uint8_t prefix, bool with_prefix, const V& bytes) {
    std::ofstream out(p, std::ios::binary);
    if (with_prefix) out.put(static_cast<char>(prefix));
    out.write(reinterpret_cast<const char*>(bytes.data()),
              static_cast<std::streamsize>(bytes.size()));
  };
  auto link_byte = [](LinkType l) -> uint8_t {
    switch (l) {
      case LinkType::kEthernet: return 0;
      case LinkType::kRaw: return 1;
      case LinkType::kLinuxSll: return 2;
      case LinkType::kIpv4: return 3;
      case LinkType::kIpv6: return 4;
      case LinkType::kLinuxSll2: return 5;
    }
    return 0;
  };
  std::vector<V> store;
  auto frames = testvec::all_frames();
  for (auto& f : built_frames(store)) frames.push_back(f);
  for (const auto& f : frames) {
    write(frame_dir / ("seed_" + f.name), link_byte(f.link), true, *f.bytes);
  }
  for (const auto& [name, msg] : testvec::all_gtpu()) {
    write(gtpu_dir / ("seed_" + name), 0, false, *msg);
  }
  // The G-PDUs of the frames, as bare GTP-U messages.
  for (const auto& f : frames) {
    DecodedPacket d;
    decode_frame(Bytes(*f.bytes), f.link, d);
    if (d.app != AppKind::kGtpu) continue;
    const V m(f.bytes->begin() + d.gtpu.offset, f.bytes->begin() + d.outer_l4.payload_offset +
                                                     d.outer_l4.payload_len);
    write(gtpu_dir / ("seed_" + f.name), 0, false, m);
  }
}

}  // namespace
}  // namespace mecguard::decode
