// End-to-end checks of generated scenarios through the real decoder and PFCP decoder: every
// frame decodes (malformed ones with the labelled status), PFCP requests and responses
// correlate, the user plane uses the tunnels and UE addresses that N4 installed, and every
// enabled attack is present and looks like what its label says.
#include "gen/generator.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <tuple>
#include <unordered_map>

#include "decode/packet.h"
#include "gen/flows.h"
#include "pfcp/message.h"

namespace mecguard::gen {
namespace {

namespace fs = std::filesystem;
using decode::DecodedPacket;
using decode::DecodeStatus;

std::string example(const char* name) {
  return std::string(MECGUARD_SOURCE_DIR) + "/examples/" + name;
}

Scenario load(const char* name) {
  auto sc = load_scenario(example(name));
  if (!sc) {
    for (const auto& e : sc.error()) ADD_FAILURE() << e.to_string();
    return {};
  }
  return *sc;
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

fs::path temp_dir() {
  auto d = fs::temp_directory_path() /
           ("mg_gen_test_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
            "_" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
  fs::create_directories(d);
  return d;
}

// The attacks scenario, generated once for the whole file.
const Generated& attacks_run() {
  static const Scenario sc = load("attacks.yaml");
  static const Generated g = generate_frames(sc);
  return g;
}
const Scenario& attacks_scenario() {
  static const Scenario sc = load("attacks.yaml");
  return sc;
}

TEST(Generator, SameInputGivesByteIdenticalOutput) {
  const auto dir = temp_dir();
  Scenario sc = load("default.yaml");
  ASSERT_TRUE(generate(sc, dir / "a.pcap", dir / "a.jsonl"));
  ASSERT_TRUE(generate(sc, dir / "b.pcap", dir / "b.jsonl"));
  const std::string a = slurp(dir / "a.pcap"), b = slurp(dir / "b.pcap");
  ASSERT_GT(a.size(), 100000u);
  EXPECT_TRUE(a == b) << "pcap differs between two runs";
  EXPECT_TRUE(slurp(dir / "a.jsonl") == slurp(dir / "b.jsonl")) << "labels differ";

  sc.seed += 1;
  ASSERT_TRUE(generate(sc, dir / "c.pcap", dir / "c.jsonl"));
  EXPECT_FALSE(slurp(dir / "c.pcap") == a) << "a different seed gave the same capture";
  fs::remove_all(dir);
}

TEST(Generator, LabelsFileHasOneLinePerFrameInOrder) {
  const auto dir = temp_dir();
  const Scenario sc = load("attacks.yaml");
  auto sum = generate(sc, dir / "x.pcap", dir / "x.jsonl");
  ASSERT_TRUE(sum);
  std::ifstream in(dir / "x.jsonl");
  std::string line;
  uint64_t n = 0;
  ClassCounts counts{};
  double last_t = -1;
  while (std::getline(in, line)) {
    ++n;
    const auto j = nlohmann::json::parse(line);
    ASSERT_EQ(j.at("frame").get<uint64_t>(), n);
    ASSERT_TRUE(j.at("ue").is_null() || j.at("ue").is_string());
    const double t = j.at("t").get<double>();
    ASSERT_GE(t, last_t);
    last_t = t;
    const std::string cls = j.at("class");
    bool known = false;
    for (size_t c = 0; c < counts.size(); ++c) {
      if (class_name(static_cast<uint8_t>(c)) == cls) {
        ++counts[c];
        known = true;
      }
    }
    ASSERT_TRUE(known) << cls;
    ASSERT_TRUE(j.contains("iface") && j.contains("dir"));
  }
  EXPECT_EQ(n, sum->frames);
  EXPECT_EQ(counts, sum->per_class);
  // The pcap holds the same number of records: 24-byte header, 16 per record + data.
  const std::string pcap = slurp(dir / "x.pcap");
  size_t off = 24, records = 0;
  uint64_t last_ts = 0;
  while (off + 16 <= pcap.size()) {
    uint32_t sec, nsec, caplen;
    std::memcpy(&sec, pcap.data() + off, 4);
    std::memcpy(&nsec, pcap.data() + off + 4, 4);
    std::memcpy(&caplen, pcap.data() + off + 8, 4);
    const uint64_t ts = uint64_t{sec} * 1'000'000'000 + nsec;
    ASSERT_GT(ts, last_ts) << "timestamps must strictly increase, record " << records + 1;
    last_ts = ts;
    off += 16 + caplen;
    ++records;
  }
  EXPECT_EQ(off, pcap.size());
  EXPECT_EQ(records, sum->frames);
  EXPECT_EQ(uint64_t{last_ts} >= static_cast<uint64_t>(sc.start_ns), true);
  fs::remove_all(dir);
}

// Decodes every frame; counts each non-ok status in `malformed`.
void check_decodes(const Generated& g, std::map<DecodeStatus, int>& malformed) {
  for (size_t i = 0; i < g.frames.size(); ++i) {
    const auto& r = g.frames[i];
    DecodedPacket p;
    const auto st = decode::decode_frame(g.frames.bytes(r), decode::LinkType::kEthernet, p);
    ASSERT_EQ(st, r.label.expect) << "frame " << i + 1 << " (" << class_name(r.label.cls) << " "
                                  << r.label.detail << "): " << decode::status_name(st);
    if (st != DecodeStatus::kOk) ++malformed[st];
    ASSERT_TRUE(p.outer_ip.present());
    if (r.label.iface == Iface::kN4) {
      ASSERT_EQ(p.app, decode::AppKind::kPfcp) << "frame " << i + 1;
      ASSERT_TRUE(pfcp::decode_message(p.pfcp_bytes())) << "frame " << i + 1;
    }
    if (r.label.iface == Iface::kN3 && st == DecodeStatus::kOk) {
      ASSERT_EQ(p.app, decode::AppKind::kGtpu) << "frame " << i + 1;
      ASSERT_EQ(p.gtpu.teid, r.label.teid) << "frame " << i + 1;
    }
    if (r.label.iface == Iface::kN6 && r.label.cls != attack_class(Attack::kMecToCore)) {
      ASSERT_EQ(p.app, decode::AppKind::kNone) << "frame " << i + 1;
    }
  }
}

// The labels schema (docs/scenarios.md) pinned on two hand-made records.
TEST(Generator, LabelLineFormat) {
  Topology topo;
  Ue ue;
  ue.label = "10.45.0.7";
  topo.ues.push_back(ue);
  FrameStore::Record r{};
  r.t_ns = 14'000'000'123;
  r.label.cls = attack_class(Attack::kMalformedGtpu);
  r.label.ue = 0;
  r.label.iface = Iface::kN3;
  r.label.dir = Dir::kUl;
  r.label.detail = "bad_version";
  r.label.has_seid = true;
  r.label.seid = 0x0123456789abcdefULL;
  r.label.has_teid = true;
  r.label.teid = 0x1a2b3c4d;
  r.label.expect = DecodeStatus::kGtpuBadVersion;
  FrameStore::Record n4{};
  n4.t_ns = 1'000'000;
  n4.label.iface = Iface::kN4;
  n4.label.dir = Dir::kToUpf;
  n4.label.detail = "heartbeat_request";
  n4.label.pfcp_seq = 7;
  std::FILE* f = std::tmpfile();
  ASSERT_NE(f, nullptr);
  write_label_line(f, 1873, r, topo);
  write_label_line(f, 2, n4, topo);
  std::rewind(f);
  char buf[1024] = {};
  const size_t len = std::fread(buf, 1, sizeof buf - 1, f);
  std::fclose(f);
  EXPECT_EQ(std::string(buf, len),
            "{\"frame\":1873,\"t\":14.000000123,\"class\":\"malformed_gtpu\",\"ue\":\"10.45.0.7\","
            "\"iface\":\"n3\",\"dir\":\"ul\",\"detail\":\"bad_version\","
            "\"seid\":\"0x0123456789abcdef\",\"teid\":\"0x1a2b3c4d\","
            "\"expect_status\":\"gtpu_bad_version\"}\n"
            "{\"frame\":2,\"t\":0.001000000,\"class\":\"benign\",\"ue\":null,\"iface\":\"n4\","
            "\"dir\":\"to_upf\",\"detail\":\"heartbeat_request\",\"pfcp_seq\":7}\n");
}

TEST(Generator, EveryFrameDecodesAndMalformedOnesAsLabelled) {
  const auto& g = attacks_run();
  ASSERT_GT(g.frames.size(), 1000u);
  std::map<DecodeStatus, int> malformed;
  check_decodes(g, malformed);
  // attacks.yaml asks for all four kinds, 10 each.
  EXPECT_EQ(malformed[DecodeStatus::kGtpuBadVersion], 10);
  EXPECT_EQ(malformed[DecodeStatus::kGtpuBadLength], 10);
  EXPECT_EQ(malformed[DecodeStatus::kGtpuExtZeroLength], 10);
  EXPECT_EQ(malformed[DecodeStatus::kGtpuTruncated], 10);
}

TEST(Generator, EveryEnabledAttackClassIsPresent) {
  const auto& g = attacks_run();
  const auto& sc = attacks_scenario();
  ClassCounts counts{};
  for (size_t i = 0; i < g.frames.size(); ++i) ++counts[g.frames[i].label.cls];
  EXPECT_GT(counts[kBenign], 1000u);
  for (size_t a = 0; a < kAttackCount; ++a) {
    ASSERT_TRUE(sc.attacks[a].enabled) << attack_name(static_cast<Attack>(a));
    EXPECT_GT(counts[1 + a], 0u) << attack_name(static_cast<Attack>(a));
  }
  // Sizes where count maps directly to frames.
  EXPECT_EQ(counts[attack_class(Attack::kEchoFlood)], 400u);
  EXPECT_EQ(counts[attack_class(Attack::kMalformedGtpu)], 40u);
  EXPECT_EQ(counts[attack_class(Attack::kPfcpUnlistedPeer)], 8u);
  EXPECT_EQ(counts[attack_class(Attack::kSessionChurn)], 40u * 4);       // 2 requests + 2 responses
  EXPECT_EQ(counts[attack_class(Attack::kPortScanVertical)], 100u * 4);  // SYN, RST on N3 and N6
}

TEST(Generator, DisabledAttacksAreAbsent) {
  Scenario sc = load("benign.yaml");
  const auto g = generate_frames(sc);
  ASSERT_GT(g.frames.size(), 1000u);
  for (size_t i = 0; i < g.frames.size(); ++i) {
    ASSERT_EQ(g.frames[i].label.cls, kBenign) << "frame " << i + 1;
  }
}

// Replays N4 like a session tracker would and checks the user plane against it.
struct Session {
  IpAddr ue_v4;
  IpPrefix ue_v6;
  bool has_v6 = false;
  uint32_t ul_teid = 0;
  uint32_t gnb_teid = 0;
  IpAddr gnb;
  uint64_t cp_seid = 0;
};

void check_n4_and_user_plane(const Scenario& sc, const Generated& g) {
  std::set<IpAddr> listed;
  for (const auto& s : sc.net.smf) listed.insert(s.addr);

  struct Pending {
    pfcp::Message req;
    size_t frame;
  };
  // Outstanding requests by (requester, responder, sequence number).
  std::map<std::tuple<IpAddr, IpAddr, uint32_t>, Pending> pending;
  std::unordered_map<uint64_t, Session> by_up_seid;   // live sessions
  std::unordered_map<uint32_t, uint64_t> by_ul_teid;  // live UL TEID -> UP SEID
  std::set<uint32_t> deleted_teids;
  size_t responses = 0, created_pdrs = 0, explicit_fteids = 0, modifications = 0, deletions = 0;
  size_t ul_checked = 0, dl_checked = 0;

  for (size_t i = 0; i < g.frames.size(); ++i) {
    const auto& r = g.frames[i];
    DecodedPacket p;
    if (decode::decode_frame(g.frames.bytes(r), decode::LinkType::kEthernet, p) !=
        DecodeStatus::kOk) {
      continue;
    }
    if (p.app == decode::AppKind::kPfcp) {
      if (r.label.iface != Iface::kN4) {  // a MEC host talking PFCP on N6 (mec_to_core)
        EXPECT_EQ(r.label.cls, attack_class(Attack::kMecToCore)) << "frame " << i + 1;
        continue;
      }
      auto m = pfcp::decode_message(p.pfcp_bytes());
      ASSERT_TRUE(m) << "frame " << i + 1;
      const bool from_upf = p.outer_ip.src == sc.net.upf_n4.addr;
      const uint8_t type = m->header.type;
      const bool is_request = type < 50 ? type % 2 == 1 : type % 2 == 0;
      const IpAddr peer = from_upf ? p.outer_ip.dst : p.outer_ip.src;
      if (is_request) {
        pending[{p.outer_ip.src, p.outer_ip.dst, m->header.seq}] = Pending{*m, i};
        if (!listed.count(peer) && r.label.cls == kBenign) {
          ADD_FAILURE() << "benign PFCP from unlisted peer, frame " << i + 1;
        }
        continue;
      }
      // A response: its request came from the other side with the same sequence number.
      auto it = pending.find({p.outer_ip.dst, p.outer_ip.src, m->header.seq});
      ASSERT_NE(it, pending.end()) << "response without request, frame " << i + 1;
      const pfcp::Message& req = it->second.req;
      ASSERT_EQ(m->header.type, req.header.type + 1) << "frame " << i + 1;
      ++responses;
      switch (static_cast<pfcp::MsgType>(req.header.type)) {
        case pfcp::MsgType::kSessionEstablishmentRequest: {
          ASSERT_TRUE(req.cp_f_seid && m->up_f_seid);
          EXPECT_EQ(m->header.seid, req.cp_f_seid->seid) << "frame " << i + 1;
          Session s;
          s.cp_seid = req.cp_f_seid->seid;
          for (const auto& pdr : req.create_pdrs) {
            ASSERT_FALSE(pdr.pdi.ue_ips.empty());
            const auto& ue = pdr.pdi.ue_ips[0];
            s.ue_v4 = ue.ipv4;
            if (!ue.ipv6.empty()) {
              s.has_v6 = true;
              s.ue_v6 = IpPrefix::make(ue.ipv6, ue.ipv6_prefix_length.value_or(64));
            }
            if (pdr.pdi.source_interface != pfcp::SourceInterface::kAccess) continue;
            ASSERT_TRUE(pdr.pdi.f_teid);
            if (pdr.pdi.f_teid->ch) {
              // UPF-chosen: the Created PDR of the response carries the F-TEID.
              bool found = false;
              for (const auto& c : m->created_pdrs) {
                if (c.pdr_id == pdr.pdr_id && c.local_f_teid && c.local_f_teid->teid != 0) {
                  s.ul_teid = c.local_f_teid->teid;
                  EXPECT_EQ(
                      sc.net.upf_n3.addr.is_v4() ? c.local_f_teid->ipv4 : c.local_f_teid->ipv6,
                      sc.net.upf_n3.addr);
                  found = true;
                }
              }
              ASSERT_TRUE(found) << "CH request without Created PDR F-TEID, frame " << i + 1;
              ++created_pdrs;
            } else {
              s.ul_teid = pdr.pdi.f_teid->teid;
              EXPECT_TRUE(m->created_pdrs.empty() || !m->created_pdrs[0].local_f_teid);
              ++explicit_fteids;
            }
          }
          for (const auto& far : req.create_fars) {
            if (far.forwarding && far.forwarding->outer_header_creation) {
              s.gnb_teid = far.forwarding->outer_header_creation->teid;
              const auto& ohc = *far.forwarding->outer_header_creation;
              s.gnb = ohc.ipv4.empty() ? ohc.ipv6 : ohc.ipv4;
            }
          }
          ASSERT_NE(s.ul_teid, 0u);
          ASSERT_EQ(by_ul_teid.count(s.ul_teid), 0u) << "UL TEID reused, frame " << i + 1;
          by_ul_teid[s.ul_teid] = m->up_f_seid->seid;
          by_up_seid[m->up_f_seid->seid] = s;
          break;
        }
        case pfcp::MsgType::kSessionModificationRequest: {
          auto sit = by_up_seid.find(req.header.seid);
          ASSERT_NE(sit, by_up_seid.end()) << "modification of unknown session, frame " << i + 1;
          EXPECT_EQ(m->header.seid, sit->second.cp_seid);
          ASSERT_FALSE(req.update_fars.empty());
          const auto& ohc = req.update_fars[0].update_forwarding->outer_header_creation;
          ASSERT_TRUE(ohc);
          sit->second.gnb_teid = ohc->teid;
          sit->second.gnb = ohc->ipv4.empty() ? ohc->ipv6 : ohc->ipv4;
          ++modifications;
          break;
        }
        case pfcp::MsgType::kSessionDeletionRequest: {
          auto sit = by_up_seid.find(req.header.seid);
          ASSERT_NE(sit, by_up_seid.end()) << "deletion of unknown session, frame " << i + 1;
          EXPECT_EQ(m->header.seid, sit->second.cp_seid);
          by_ul_teid.erase(sit->second.ul_teid);
          deleted_teids.insert(sit->second.ul_teid);
          by_up_seid.erase(sit);
          ++deletions;
          break;
        }
        default:
          break;
      }
      pending.erase(it);
      continue;
    }
    if (p.app != decode::AppKind::kGtpu || p.gtpu.msg_type != decode::gtpu_msg::kGpdu) continue;
    const Attack cls = static_cast<Attack>(r.label.cls - 1);
    const bool to_upf = p.outer_ip.dst == sc.net.upf_n3.addr;
    if (r.label.cls == kBenign) {
      if (to_upf) {
        auto t = by_ul_teid.find(p.gtpu.teid);
        ASSERT_NE(t, by_ul_teid.end()) << "benign G-PDU on a TEID N4 never set up, frame " << i + 1;
        const Session& s = by_up_seid.at(t->second);
        const IpAddr& src = p.inner_ip.src;
        EXPECT_TRUE(src == s.ue_v4 || (s.has_v6 && s.ue_v6.contains(src)))
            << "benign UL inner source " << src.to_string() << " not the UE's, frame " << i + 1;
        EXPECT_TRUE(p.gtpu.has_pdu_session && p.gtpu.pdu_type == 1 && p.gtpu.qfi == sc.ues.qfi);
        ++ul_checked;
      } else {
        // Downlink: to the gNB and TEID of the session's current DL FAR.
        bool found = false;
        for (const auto& [seid, s] : by_up_seid) {
          if (s.gnb_teid == p.gtpu.teid) {
            found = true;
            EXPECT_EQ(p.outer_ip.dst, s.gnb) << "frame " << i + 1;
            const IpAddr& dst = p.inner_ip.dst;
            EXPECT_TRUE(dst == s.ue_v4 || (s.has_v6 && s.ue_v6.contains(dst))) << "frame " << i + 1;
          }
        }
        EXPECT_TRUE(found) << "benign DL G-PDU to a tunnel N4 did not install, frame " << i + 1;
        EXPECT_TRUE(p.gtpu.has_pdu_session && p.gtpu.pdu_type == 0);
        ++dl_checked;
      }
      continue;
    }
    switch (cls) {
      case Attack::kUnknownTeid:
        EXPECT_EQ(by_ul_teid.count(p.gtpu.teid), 0u) << "frame " << i + 1;
        EXPECT_EQ(deleted_teids.count(p.gtpu.teid), 0u) << "frame " << i + 1;
        break;
      case Attack::kStaleTeid:
        EXPECT_EQ(by_ul_teid.count(p.gtpu.teid), 0u) << "frame " << i + 1;
        EXPECT_EQ(deleted_teids.count(p.gtpu.teid), 1u) << "frame " << i + 1;
        break;
      case Attack::kUeSpoofing: {
        auto t = by_ul_teid.find(p.gtpu.teid);
        ASSERT_NE(t, by_ul_teid.end()) << "frame " << i + 1;
        const Session& s = by_up_seid.at(t->second);
        EXPECT_FALSE(p.inner_ip.src == s.ue_v4 || (s.has_v6 && s.ue_v6.contains(p.inner_ip.src)))
            << "frame " << i + 1;
        break;
      }
      case Attack::kGtpInGtp:
        EXPECT_EQ(by_ul_teid.count(p.gtpu.teid), 1u) << "frame " << i + 1;
        EXPECT_EQ(p.inner_l4.proto, decode::kProtoUdp);
        EXPECT_EQ(p.inner_l4.dport, 2152);
        break;
      case Attack::kUeToUe: {
        bool dst_is_ue = false;
        for (const auto& [seid, s] : by_up_seid) {
          dst_is_ue = dst_is_ue || p.inner_ip.dst == s.ue_v4 ||
                      (s.has_v6 && s.ue_v6.contains(p.inner_ip.dst));
        }
        EXPECT_TRUE(dst_is_ue) << "frame " << i + 1;
        break;
      }
      default:
        break;
    }
  }
  EXPECT_GT(created_pdrs, 0u);
  EXPECT_GT(explicit_fteids, 0u);
  EXPECT_GT(modifications, 0u);
  EXPECT_GT(deletions, 0u);
  EXPECT_GT(ul_checked, 200u);
  EXPECT_GT(dl_checked, 200u);
  // Only attack requests stay unanswered.
  for (const auto& [key, pend] : pending) {
    const auto cls = g.frames[pend.frame].label.cls;
    EXPECT_TRUE(cls == attack_class(Attack::kPfcpUnlistedPeer) ||
                cls == attack_class(Attack::kPfcpSessionHijack))
        << "unanswered request at frame " << pend.frame + 1;
  }
  EXPECT_GT(responses, 80u);
}

TEST(Generator, PfcpCorrelatesAndUserPlaneMatchesN4) {
  check_n4_and_user_plane(attacks_scenario(), attacks_run());
}

// The other bundled examples: every frame decodes (none malformed), N4 and the user plane agree.
TEST(Generator, BundledExamplesDecodeAndAgreeWithN4) {
  for (const char* name : {"default.yaml", "benign.yaml"}) {
    SCOPED_TRACE(name);
    const Scenario sc = load(name);
    const Generated g = generate_frames(sc);
    std::map<DecodeStatus, int> malformed;
    check_decodes(g, malformed);
    if (std::string(name) == "benign.yaml") {
      EXPECT_TRUE(malformed.empty());
    }
    check_n4_and_user_plane(sc, g);
  }
}

TEST(Generator, PfcpAttacksComeFromTheRightPeers) {
  const auto& g = attacks_run();
  const auto& sc = attacks_scenario();
  std::map<uint64_t, IpAddr> owner;  // UP SEID -> SMF that established it
  int hijacks = 0, unlisted = 0;
  for (size_t i = 0; i < g.frames.size(); ++i) {
    const auto& r = g.frames[i];
    if (r.label.iface != Iface::kN4) continue;
    DecodedPacket p;
    ASSERT_EQ(decode::decode_frame(g.frames.bytes(r), decode::LinkType::kEthernet, p),
              DecodeStatus::kOk);
    auto m = pfcp::decode_message(p.pfcp_bytes());
    ASSERT_TRUE(m);
    if (m->type() == pfcp::MsgType::kSessionEstablishmentResponse) {
      owner[m->up_f_seid->seid] = p.outer_ip.dst;
    }
    if (r.label.cls == attack_class(Attack::kPfcpSessionHijack)) {
      ++hijacks;
      ASSERT_TRUE(owner.count(m->header.seid)) << "hijack of a SEID never established";
      EXPECT_NE(owner[m->header.seid], p.outer_ip.src) << "hijack from the owner, frame " << i + 1;
    }
    if (r.label.cls == attack_class(Attack::kPfcpUnlistedPeer)) {
      ++unlisted;
      EXPECT_EQ(p.outer_ip.src.to_string(), "10.10.4.66");
    }
  }
  EXPECT_EQ(hijacks, 6);
  EXPECT_EQ(unlisted, 8);
  (void)sc;
}

TEST(Generator, N6AndLateralFramesMatchTheirLabels) {
  const auto& g = attacks_run();
  const auto& sc = attacks_scenario();
  std::set<IpAddr> core(sc.net.core_hosts.begin(), sc.net.core_hosts.end());
  int lateral = 0, n6 = 0;
  for (size_t i = 0; i < g.frames.size(); ++i) {
    const auto& r = g.frames[i];
    if (r.label.iface != Iface::kN6) continue;
    DecodedPacket p;
    ASSERT_EQ(decode::decode_frame(g.frames.bytes(r), decode::LinkType::kEthernet, p),
              DecodeStatus::kOk);
    if (r.label.cls == attack_class(Attack::kMecToCore)) {
      ++lateral;
      EXPECT_EQ(r.label.dir, Dir::kLateral);
      EXPECT_EQ(p.outer_ip.src, sc.net.mec_hosts[0]);
      EXPECT_TRUE(core.count(p.outer_ip.dst)) << "frame " << i + 1;
    } else {
      ++n6;
      EXPECT_TRUE(r.label.dir == Dir::kUl || r.label.dir == Dir::kDl);
    }
  }
  EXPECT_EQ(lateral, 30);
  EXPECT_GT(n6, 500);
}

// Benign TCP on N3: a handshake first, then every ACK acknowledges exactly what the other
// side has sent so far (SYN and FIN count one).
TEST(Generator, BenignTcpSequenceNumbersAreConsistent) {
  const Scenario sc = load("default.yaml");
  const auto g = generate_frames(sc);
  struct Side {
    uint32_t next = 0;  // next sequence number this side will use
    bool started = false;
  };
  // Flow key: (client addr, server addr, client port, server port) -> client, server.
  std::map<std::tuple<IpAddr, IpAddr, uint16_t, uint16_t>, std::pair<Side, Side>> flows;
  size_t checked = 0;
  for (size_t i = 0; i < g.frames.size(); ++i) {
    const auto& r = g.frames[i];
    if (r.label.cls != kBenign || r.label.iface != Iface::kN3 || r.label.detail != "tcp") continue;
    DecodedPacket p;
    ASSERT_EQ(decode::decode_frame(g.frames.bytes(r), decode::LinkType::kEthernet, p),
              DecodeStatus::kOk);
    const auto& l4 = p.inner_l4;
    ASSERT_EQ(l4.proto, decode::kProtoTcp);
    const bool ul = r.label.dir == Dir::kUl;
    const auto key = ul ? std::make_tuple(p.inner_ip.src, p.inner_ip.dst, l4.sport, l4.dport)
                        : std::make_tuple(p.inner_ip.dst, p.inner_ip.src, l4.dport, l4.sport);
    auto& [client, server] = flows[key];
    Side& me = ul ? client : server;
    Side& peer = ul ? server : client;
    using namespace decode::tcp_flag;
    if (!me.started) {
      ASSERT_TRUE(l4.tcp_flags & kSyn) << "first segment of a side is not a SYN, frame " << i + 1;
      ASSERT_EQ(ul, !peer.started) << "the client opens, frame " << i + 1;
      me.started = true;
      me.next = l4.tcp_seq;
    }
    ASSERT_EQ(l4.tcp_seq, me.next) << "frame " << i + 1;
    if (l4.tcp_flags & kAck) {
      ASSERT_EQ(l4.tcp_ack, peer.next) << "frame " << i + 1;
      ++checked;
    }
    me.next += l4.payload_len + ((l4.tcp_flags & (kSyn | kFin)) != 0 ? 1u : 0u);
  }
  EXPECT_GT(flows.size(), 100u);
  EXPECT_GT(checked, 1000u);
}

// N4 and N3 over IPv6 (UE traffic still both families).
TEST(Generator, Ipv6TransportDecodesAndAgreesWithN4) {
  auto sc = parse_scenario(R"(name: v6
duration: 20s
network:
  upf: {n4: "2001:db8:4::1", n3: "2001:db8:3::1", n6: "2001:db8:6::1"}
  smf: ["2001:db8:4::10", "2001:db8:4::11"]
  gnb: ["2001:db8:3::20", "2001:db8:3::21"]
  dnns:
    - name: internet
      ipv4_pool: 10.45.0.0/16
      ipv6_pool: "2001:db8:45::/48"
      servers: [198.51.100.10, "2001:db8:100::10"]
      dns: ["2001:db8:100::53"]
  mec_hosts: ["2001:db8:20::5"]
ues: {count: 30, handover: 0.5, release: 0.3, attach_window: 2s}
attacks:
  ue_spoofing: true
  unknown_teid: true
  stale_teid: true
  malformed_gtpu: true
  mec_to_core: true
  pfcp_unlisted_peer: true
  pfcp_session_hijack: true
  session_churn: {count: 10}
)",
                           "v6.yaml");
  ASSERT_TRUE(sc);
  const auto g = generate_frames(*sc);
  std::map<DecodeStatus, int> malformed;
  check_decodes(g, malformed);
  EXPECT_EQ(malformed[DecodeStatus::kGtpuBadVersion], 10);
  check_n4_and_user_plane(*sc, g);
}

TEST(Generator, VlanTagsAndMacsPerInterface) {
  const Scenario sc = load("benign.yaml");  // vlan: {n3: 103, n4: 104, n6: 106}
  const auto g = generate_frames(sc);
  std::set<Iface> seen;
  for (size_t i = 0; i < g.frames.size(); ++i) {
    const auto& r = g.frames[i];
    DecodedPacket p;
    ASSERT_EQ(decode::decode_frame(g.frames.bytes(r), decode::LinkType::kEthernet, p),
              DecodeStatus::kOk);
    ASSERT_EQ(p.vlan_count, 1);
    const uint16_t want = r.label.iface == Iface::kN3   ? 103
                          : r.label.iface == Iface::kN4 ? 104
                                                        : 106;
    ASSERT_EQ(p.vlan[0], want) << "frame " << i + 1;
    // The UPF's own MAC is on one side of every frame.
    const auto bytes = g.frames.bytes(r);
    const Mac dst{bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5]};
    const Mac src{bytes[6], bytes[7], bytes[8], bytes[9], bytes[10], bytes[11]};
    const Mac& upf = r.label.iface == Iface::kN3   ? sc.net.upf_n3.mac
                     : r.label.iface == Iface::kN4 ? sc.net.upf_n4.mac
                                                   : sc.net.upf_n6.mac;
    ASSERT_TRUE(src == upf || dst == upf) << "frame " << i + 1;
    seen.insert(r.label.iface);
  }
  EXPECT_EQ(seen.size(), 3u);
}

TEST(Generator, FrameCapKeepsTheFirstFrames) {
  Scenario sc = load("default.yaml");
  const auto full = generate_frames(sc);
  sc.max_frames = 500;
  const auto capped = generate_frames(sc);
  ASSERT_EQ(capped.frames.size(), 500u);
  for (size_t i = 0; i < 500; ++i) {
    const auto a = full.frames.bytes(full.frames[i]);
    const auto b = capped.frames.bytes(capped.frames[i]);
    ASSERT_TRUE(std::equal(a.begin(), a.end(), b.begin(), b.end())) << "frame " << i + 1;
  }
}

TEST(Generator, TogglingAnAttackLeavesBenignTrafficAlone) {
  Scenario sc = load("attacks.yaml");
  sc.attacks[static_cast<size_t>(Attack::kUdpFlood)].enabled = false;
  sc.attacks[static_cast<size_t>(Attack::kEchoFlood)].enabled = false;
  const auto fewer = generate_frames(sc);
  const auto& all = attacks_run();
  auto benign = [](const Generated& g) {
    std::vector<std::string> out;
    for (size_t i = 0; i < g.frames.size(); ++i) {
      if (g.frames[i].label.cls != kBenign) continue;
      const auto b = g.frames.bytes(g.frames[i]);
      out.emplace_back(b.begin(), b.end());
    }
    return out;
  };
  EXPECT_EQ(benign(fewer), benign(all));
}

// An independent peer: Wireshark's dissectors must find nothing wrong with benign frames.
// Attack frames may be flagged (malformed GTP-U on purpose; flood payloads on ports that
// Wireshark associates with some protocol).
TEST(Generator, TsharkFlagsOnlyAttackFrames) {
  if (std::system("command -v tshark >/dev/null 2>&1") != 0) GTEST_SKIP() << "no tshark";
  const auto dir = temp_dir();
  for (const char* name : {"benign.yaml", "attacks.yaml"}) {
    SCOPED_TRACE(name);
    const Scenario sc = load(name);
    const auto pcap = dir / "t.pcap";
    ASSERT_TRUE(generate(sc, pcap, ""));
    const auto flagged = dir / "flagged.txt";
    const std::string cmd = "tshark -r " + pcap.string() +
                            " -Y '_ws.expert.severity >= 8388608 || _ws.malformed'"
                            " -T fields -e frame.number >" +
                            flagged.string() + " 2>/dev/null";
    ASSERT_EQ(std::system(cmd.c_str()), 0);
    const auto g = generate_frames(sc);
    std::istringstream in(slurp(flagged));
    size_t n = 0, count = 0;
    while (in >> n) {
      ASSERT_GE(n, 1u);
      ASSERT_LE(n, g.frames.size());
      EXPECT_NE(g.frames[n - 1].label.cls, kBenign) << "tshark flags benign frame " << n;
      ++count;
    }
    if (std::string(name) == "attacks.yaml") {
      EXPECT_GE(count, 30u);  // the malformed GTP-U
    }
  }
  fs::remove_all(dir);
}

TEST(Generator, CommandLine) {
  const std::string bin = MECGUARD_BINARY;
  if (!fs::exists(bin)) GTEST_SKIP() << "mecguard binary not built";
  const auto dir = temp_dir();
  const auto bad = dir / "bad.yaml";
  std::ofstream(bad) << "name: x\nnetwork:\n  upf: {n4: 1.2.3}\n";
  const std::string out = (dir / "o.pcap").string();
  const std::string err = (dir / "err.txt").string();
  int rc = std::system((bin + " gen " + bad.string() + " -o " + out + " 2>" + err).c_str());
  EXPECT_EQ(WEXITSTATUS(rc), 2);
  const std::string msg = slurp(err);
  EXPECT_NE(msg.find(bad.string() + ":3 network.upf.n4"), std::string::npos) << msg;
  EXPECT_NE(msg.find("network.smf"), std::string::npos) << msg;

  const std::string summary = (dir / "sum.txt").string();
  rc = std::system((bin + " gen " + example("attacks.yaml") + " -o " + out + " --labels " +
                    (dir / "o.jsonl").string() + " --seed 5 --frames 1000 >" + summary)
                       .c_str());
  EXPECT_EQ(WEXITSTATUS(rc), 0);
  const std::string line = slurp(summary);
  EXPECT_NE(line.find("seed 5"), std::string::npos) << line;
  EXPECT_NE(line.find("1000 frames"), std::string::npos) << line;
  fs::remove_all(dir);
}

}  // namespace
}  // namespace mecguard::gen
