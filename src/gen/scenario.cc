// Scenario YAML -> Scenario. Every field is documented in docs/scenarios.md; keep the two in
// step. Errors accumulate (YamlReader) so one run reports all of them.
#include "gen/scenario.h"

#include <yaml-cpp/yaml.h>

#include <charconv>
#include <fstream>
#include <sstream>

#include "gen/yaml_reader.h"

namespace mecguard::gen {

std::string_view attack_name(Attack a) {
  switch (a) {
#define MG_X(e, name) \
  case Attack::e:     \
    return name;
    MG_GEN_ATTACKS(MG_X)
#undef MG_X
    case Attack::kCount_:
      break;
  }
  return "?";
}

std::string_view malformed_kind_name(MalformedKind k) {
  switch (k) {
    case MalformedKind::kBadVersion:
      return "bad_version";
    case MalformedKind::kLengthMismatch:
      return "length_mismatch";
    case MalformedKind::kZeroLengthExt:
      return "zero_length_ext";
    case MalformedKind::kTruncated:
      return "truncated";
  }
  return "?";
}

std::optional<int64_t> parse_start_time(std::string_view text) {
  // Unix seconds (optionally fractional).
  bool numeric = !text.empty();
  for (char c : text) numeric = numeric && ((c >= '0' && c <= '9') || c == '.');
  if (numeric) {
    const double s = std::strtod(std::string(text).c_str(), nullptr);
    if (s > 9.0e9) return std::nullopt;
    return static_cast<int64_t>(std::llround(s * 1e9));
  }
  // YYYY-MM-DDTHH:MM:SS[.fff]Z
  if (text.size() < 20 || text[4] != '-' || text[7] != '-' ||
      (text[10] != 'T' && text[10] != ' ') || text[13] != ':' || text[16] != ':' ||
      text.back() != 'Z') {
    return std::nullopt;
  }
  auto num = [&](size_t at, size_t len, int& out) {
    const auto r = std::from_chars(text.data() + at, text.data() + at + len, out);
    return r.ec == std::errc() && r.ptr == text.data() + at + len;
  };
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  if (!num(0, 4, y) || !num(5, 2, mo) || !num(8, 2, d) || !num(11, 2, h) || !num(14, 2, mi) ||
      !num(17, 2, s)) {
    return std::nullopt;
  }
  if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) {
    return std::nullopt;
  }
  int64_t frac_ns = 0;
  const std::string_view rest = text.substr(19, text.size() - 20);
  if (!rest.empty()) {
    if (rest[0] != '.' || rest.size() < 2 || rest.size() > 10) return std::nullopt;
    int64_t scale = 100'000'000;
    for (char c : rest.substr(1)) {
      if (c < '0' || c > '9') return std::nullopt;
      frac_ns += (c - '0') * scale;
      scale /= 10;
    }
  }
  // Days from civil (Howard Hinnant's algorithm).
  const int yy = y - (mo <= 2 ? 1 : 0);
  const int era = yy / 400;
  const int yoe = yy - era * 400;
  const int doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  const int64_t days = int64_t{era} * 146097 + doe - 719468;
  return ((days * 24 + h) * 60 + mi) * int64_t{60'000'000'000} + s * int64_t{1'000'000'000} +
         frac_ns;
}

uint64_t estimate_frames(const Scenario& sc) {
  const auto& t = sc.traffic;
  const uint64_t per_ue = 2ull * (uint64_t{t.tcp.flows_per_ue} * (t.tcp.segments + 6) +
                                  uint64_t{t.udp.flows_per_ue} * t.udp.packets +
                                  2ull * t.icmp.pings_per_ue + 2ull * t.dns.queries_per_ue + 8);
  uint64_t n = per_ue * sc.ues.count;
  for (size_t i = 0; i < kAttackCount; ++i) {
    const auto& a = sc.attacks[i];
    // ue_spoofing is one N3 frame per event; hijacked_ue adds its UEs' profile traffic.
    const uint64_t per_event = static_cast<Attack>(i) == Attack::kUeSpoofing ? 1 : 4;
    if (a.enabled) n += per_event * a.count + (static_cast<Attack>(i) == Attack::kHijackedUe ? 80ull * a.sources : 0);
  }
  if (t.heartbeat_interval_ns > 0) {
    n += 4 * sc.net.smf.size() * static_cast<uint64_t>(sc.duration_ns / t.heartbeat_interval_ns);
  }
  return n;
}

namespace {

constexpr uint64_t kMaxCount = 10'000'000;

// Deterministic locally administered MACs: 02:6d:67:<role>:<index>.
Mac derived_mac(uint8_t role, uint32_t index) {
  return Mac{0x02, 0x6d, 0x67, role, static_cast<uint8_t>(index >> 8), static_cast<uint8_t>(index)};
}
enum MacRole : uint8_t { kRoleUpf = 1, kRoleSmf = 2, kRoleGnb = 3, kRoleRouter = 4 };

class Parser {
 public:
  Parser(const std::string& file, Errors& errors) : r_(file, errors) {}

  void parse(const YAML::Node& root, Scenario& sc);

 private:
  void parse_network(const YAML::Node& n, Scenario& sc);
  std::optional<Node> parse_node(const YAML::Node& n, const std::string& path, Mac fallback);
  void parse_nodes(const YAML::Node& n, const std::string& path, uint8_t role,
                   std::vector<Node>& out);
  void parse_addrs(const YAML::Node& n, const std::string& path, std::vector<IpAddr>& out);
  void parse_ports(const YAML::Node& n, const std::string& path, std::vector<uint16_t>& out);
  void parse_dnn(const YAML::Node& n, const std::string& path, Dnn& out);
  void parse_ues(const YAML::Node& n, Scenario& sc);
  void parse_traffic(const YAML::Node& n, Scenario& sc);
  void parse_payload(const YAML::Node& n, const std::string& path, uint32_t& lo, uint32_t& hi);
  void parse_attacks(const YAML::Node& n, Scenario& sc);
  void parse_attack(Attack a, const YAML::Node& n, const std::string& path, Scenario& sc);
  void validate(const YAML::Node& root, Scenario& sc);

  template <class T>
  void set_uint(const YAML::Node& parent, const char* key, const std::string& path, T& out,
                uint64_t min, uint64_t max) {
    const auto n = YamlReader::child(parent, key);
    if (!YamlReader::present(n)) return;
    if (auto v = r_.uint(n, join_path(path, key), min, max)) out = static_cast<T>(*v);
  }
  void set_fraction(const YAML::Node& parent, const char* key, const std::string& path,
                    uint32_t& out) {
    const auto n = YamlReader::child(parent, key);
    if (!YamlReader::present(n)) return;
    if (auto v = r_.fraction(n, join_path(path, key))) out = *v;
  }
  void set_duration(const YAML::Node& parent, const char* key, const std::string& path,
                    int64_t& out) {
    const auto n = YamlReader::child(parent, key);
    if (!YamlReader::present(n)) return;
    if (auto v = r_.duration(n, join_path(path, key))) out = *v;
  }

  YamlReader r_;
  // Where network sections were, for cross-field errors.
  YAML::Node network_node_, attacks_node_;
  std::array<YAML::Node, kAttackCount> attack_nodes_;
};

void Parser::parse(const YAML::Node& root, Scenario& sc) {
  if (!root.IsDefined() || root.IsNull()) {
    r_.error_line(1, "", "scenario file is empty");
    return;
  }
  if (!r_.expect_map(root, "",
                     {"name", "seed", "start", "duration", "max_frames", "network", "ues",
                      "traffic", "attacks"})) {
    return;
  }
  if (auto n = YamlReader::child(root, "name"); YamlReader::present(n)) {
    if (auto s = r_.str(n, "name")) sc.name = *s;
  }
  set_uint(root, "seed", "", sc.seed, 0, UINT64_MAX);
  if (auto n = YamlReader::child(root, "start"); YamlReader::present(n)) {
    if (auto s = r_.str(n, "start")) {
      if (auto t = parse_start_time(*s))
        sc.start_ns = *t;
      else
        r_.error(n, "start", "expected YYYY-MM-DDTHH:MM:SS[.fraction]Z or Unix seconds");
    }
  }
  set_duration(root, "duration", "", sc.duration_ns);
  if (sc.duration_ns <= 0) {
    r_.error(YamlReader::child(root, "duration"), "duration", "must be greater than 0");
  }
  set_uint(root, "max_frames", "", sc.max_frames, 0, UINT64_MAX);

  network_node_ = YamlReader::child(root, "network");
  if (!YamlReader::present(network_node_)) {
    r_.error(root, "network", "required section missing");
  } else {
    parse_network(network_node_, sc);
  }
  sc.ues.attach_window_ns = sc.duration_ns / 5;
  if (auto n = YamlReader::child(root, "ues"); YamlReader::present(n)) parse_ues(n, sc);
  if (auto n = YamlReader::child(root, "traffic"); YamlReader::present(n)) parse_traffic(n, sc);
  attacks_node_ = YamlReader::child(root, "attacks");
  if (YamlReader::present(attacks_node_)) parse_attacks(attacks_node_, sc);
  validate(root, sc);
}

std::optional<Node> Parser::parse_node(const YAML::Node& n, const std::string& path, Mac fallback) {
  Node node;
  node.mac = fallback;
  if (n.IsMap()) {
    r_.expect_map(n, path, {"address", "mac"});
    const auto a = YamlReader::child(n, "address");
    if (!YamlReader::present(a)) {
      r_.error(n, join_path(path, "address"), "required");
      return std::nullopt;
    }
    auto ip = r_.ip(a, join_path(path, "address"));
    if (!ip) return std::nullopt;
    node.addr = *ip;
    if (auto m = YamlReader::child(n, "mac"); YamlReader::present(m)) {
      if (auto mac = r_.mac(m, join_path(path, "mac"))) node.mac = *mac;
    }
    return node;
  }
  auto ip = r_.ip(n, path);
  if (!ip) return std::nullopt;
  node.addr = *ip;
  return node;
}

void Parser::parse_nodes(const YAML::Node& n, const std::string& path, uint8_t role,
                         std::vector<Node>& out) {
  if (n.IsScalar() || n.IsMap()) {  // a single node is a list of one
    if (auto node = parse_node(n, path, derived_mac(role, 1))) out.push_back(*node);
    return;
  }
  if (!r_.expect_seq(n, path)) return;
  for (size_t i = 0; i < n.size(); ++i) {
    if (auto node = parse_node(n[i], index_path(path, i),
                               derived_mac(role, static_cast<uint32_t>(i + 1)))) {
      out.push_back(*node);
    }
  }
}

void Parser::parse_addrs(const YAML::Node& n, const std::string& path, std::vector<IpAddr>& out) {
  if (n.IsScalar()) {
    if (auto a = r_.ip(n, path)) out.push_back(*a);
    return;
  }
  if (!r_.expect_seq(n, path)) return;
  for (size_t i = 0; i < n.size(); ++i) {
    if (auto a = r_.ip(n[i], index_path(path, i))) out.push_back(*a);
  }
}

void Parser::parse_ports(const YAML::Node& n, const std::string& path, std::vector<uint16_t>& out) {
  if (!r_.expect_seq(n, path)) return;
  out.clear();
  for (size_t i = 0; i < n.size(); ++i) {
    auto p = r_.uint(n[i], index_path(path, i), 1, 65535);
    if (p && (*p == 2152 || *p == 8805)) {
      r_.error(n[i], index_path(path, i), "ports 2152 (GTP-U) and 8805 (PFCP) are reserved");
      continue;
    }
    if (p) out.push_back(static_cast<uint16_t>(*p));
  }
  if (n.size() == 0) r_.error(n, path, "must list at least one port");
}

void Parser::parse_network(const YAML::Node& n, Scenario& sc) {
  if (!r_.expect_map(n, "network",
                     {"vlan", "upf", "smf", "gnb", "dnns", "mec_hosts", "core_hosts"})) {
    return;
  }
  auto& net = sc.net;
  if (auto v = YamlReader::child(n, "vlan"); YamlReader::present(v)) {
    if (v.IsMap()) {
      r_.expect_map(v, "network.vlan", {"n3", "n4", "n6"});
      set_uint(v, "n3", "network.vlan", net.vlan.n3, 1, 4094);
      set_uint(v, "n4", "network.vlan", net.vlan.n4, 1, 4094);
      set_uint(v, "n6", "network.vlan", net.vlan.n6, 1, 4094);
    } else if (auto id = r_.uint(v, "network.vlan", 1, 4094)) {
      net.vlan.n3 = net.vlan.n4 = net.vlan.n6 = static_cast<uint16_t>(*id);
    }
  }
  const auto upf = YamlReader::child(n, "upf");
  if (!YamlReader::present(upf)) {
    r_.error(n, "network.upf", "required section missing");
  } else if (r_.expect_map(upf, "network.upf", {"n4", "n3", "n6", "n6_router_mac"})) {
    auto req = [&](const char* key, Node& out, uint32_t idx) {
      const auto c = YamlReader::child(upf, key);
      const std::string path = join_path("network.upf", key);
      if (!YamlReader::present(c)) {
        r_.error(upf, path, "required");
        return false;
      }
      auto node = parse_node(c, path, derived_mac(kRoleUpf, idx));
      if (node) out = *node;
      return node.has_value();
    };
    req("n4", net.upf_n4, 4);
    req("n3", net.upf_n3, 3);
    if (YamlReader::present(YamlReader::child(upf, "n6"))) net.has_n6 = req("n6", net.upf_n6, 6);
    net.n6_router_mac = derived_mac(kRoleRouter, 6);
    if (auto m = YamlReader::child(upf, "n6_router_mac"); YamlReader::present(m)) {
      if (auto mac = r_.mac(m, "network.upf.n6_router_mac")) net.n6_router_mac = *mac;
    }
  }
  if (auto s = YamlReader::child(n, "smf"); YamlReader::present(s)) {
    parse_nodes(s, "network.smf", kRoleSmf, net.smf);
  }
  if (net.smf.empty()) r_.error(n, "network.smf", "at least one SMF (N4 peer) is required");
  if (auto g = YamlReader::child(n, "gnb"); YamlReader::present(g)) {
    parse_nodes(g, "network.gnb", kRoleGnb, net.gnb);
  }
  if (net.gnb.empty()) r_.error(n, "network.gnb", "at least one gNB is required");
  const auto dnns = YamlReader::child(n, "dnns");
  if (!YamlReader::present(dnns)) {
    r_.error(n, "network.dnns", "at least one DNN is required");
  } else if (r_.expect_seq(dnns, "network.dnns")) {
    if (dnns.size() == 0) r_.error(dnns, "network.dnns", "at least one DNN is required");
    for (size_t i = 0; i < dnns.size(); ++i) {
      Dnn d;
      parse_dnn(dnns[i], index_path("network.dnns", i), d);
      net.dnns.push_back(std::move(d));
    }
  }
  if (auto m = YamlReader::child(n, "mec_hosts"); YamlReader::present(m)) {
    parse_addrs(m, "network.mec_hosts", net.mec_hosts);
  }
  if (auto c = YamlReader::child(n, "core_hosts"); YamlReader::present(c)) {
    parse_addrs(c, "network.core_hosts", net.core_hosts);
  } else {
    for (const auto& s : net.smf) net.core_hosts.push_back(s.addr);
    if (!net.upf_n4.addr.empty()) net.core_hosts.push_back(net.upf_n4.addr);
  }
}

void Parser::parse_dnn(const YAML::Node& n, const std::string& path, Dnn& d) {
  if (!r_.expect_map(n, path, {"name", "ipv4_pool", "ipv6_pool", "servers", "dns", "weight"})) {
    return;
  }
  if (auto c = YamlReader::child(n, "name"); YamlReader::present(c)) {
    if (auto s = r_.str(c, join_path(path, "name"))) d.name = *s;
  }
  if (d.name.empty() || d.name.size() > 100) {
    r_.error(n, join_path(path, "name"), "required, 1 to 100 characters");
  }
  if (auto c = YamlReader::child(n, "ipv4_pool"); YamlReader::present(c)) {
    d.pool_v4 = r_.prefix(c, join_path(path, "ipv4_pool"));
    if (d.pool_v4 && (!d.pool_v4->addr.is_v4() || d.pool_v4->len > 30)) {
      r_.error(c, join_path(path, "ipv4_pool"), "must be an IPv4 prefix of length <= 30");
      d.pool_v4.reset();
    }
  }
  if (auto c = YamlReader::child(n, "ipv6_pool"); YamlReader::present(c)) {
    d.pool_v6 = r_.prefix(c, join_path(path, "ipv6_pool"));
    if (d.pool_v6 && (!d.pool_v6->addr.is_v6() || d.pool_v6->len > 63 || d.pool_v6->len < 32)) {
      r_.error(c, join_path(path, "ipv6_pool"),
               "must be an IPv6 prefix of length 32 to 63 (UEs get /64s from it)");
      d.pool_v6.reset();
    }
  }
  if (!d.pool_v4 && !d.pool_v6 && !YamlReader::present(YamlReader::child(n, "ipv4_pool")) &&
      !YamlReader::present(YamlReader::child(n, "ipv6_pool"))) {
    r_.error(n, path, "needs ipv4_pool, ipv6_pool or both");
  }
  if (auto c = YamlReader::child(n, "servers"); YamlReader::present(c)) {
    parse_addrs(c, join_path(path, "servers"), d.servers);
  }
  if (d.servers.empty()) r_.error(n, join_path(path, "servers"), "at least one server is required");
  if (auto c = YamlReader::child(n, "dns"); YamlReader::present(c)) {
    parse_addrs(c, join_path(path, "dns"), d.dns);
  }
  set_uint(n, "weight", path, d.weight, 1, 1000);
}

void Parser::parse_ues(const YAML::Node& n, Scenario& sc) {
  if (!r_.expect_map(n, "ues",
                     {"count", "ipv6", "upf_allocates_fteid", "handover", "release",
                      "attach_window", "qfi"})) {
    return;
  }
  set_uint(n, "count", "ues", sc.ues.count, 1, 1'000'000);
  set_fraction(n, "ipv6", "ues", sc.ues.ipv6_permille);
  set_fraction(n, "upf_allocates_fteid", "ues", sc.ues.upf_fteid_permille);
  set_fraction(n, "handover", "ues", sc.ues.handover_permille);
  set_fraction(n, "release", "ues", sc.ues.release_permille);
  set_duration(n, "attach_window", "ues", sc.ues.attach_window_ns);
  set_uint(n, "qfi", "ues", sc.ues.qfi, 1, 63);
}

void Parser::parse_payload(const YAML::Node& n, const std::string& path, uint32_t& lo,
                           uint32_t& hi) {
  if (n.IsScalar()) {
    if (auto v = r_.uint(n, path, 0, 1400)) lo = hi = static_cast<uint32_t>(*v);
    return;
  }
  if (!r_.expect_seq(n, path)) return;
  if (n.size() != 2) {
    r_.error(n, path, "expected [min, max]");
    return;
  }
  auto a = r_.uint(n[0], index_path(path, 0), 0, 1400);
  auto b = r_.uint(n[1], index_path(path, 1), 0, 1400);
  if (a && b) {
    if (*b < *a) {
      r_.error(n, path, "max " + std::to_string(*b) + " < min " + std::to_string(*a));
      return;
    }
    lo = static_cast<uint32_t>(*a);
    hi = static_cast<uint32_t>(*b);
  }
}

void Parser::parse_traffic(const YAML::Node& n, Scenario& sc) {
  if (!r_.expect_map(
          n, "traffic",
          {"tcp", "udp", "icmp", "dns", "n6", "rtt", "heartbeat_interval", "gtpu_echo_interval"})) {
    return;
  }
  auto& t = sc.traffic;
  if (auto c = YamlReader::child(n, "tcp"); YamlReader::present(c)) {
    if (r_.expect_map(c, "traffic.tcp", {"flows_per_ue", "segments", "payload", "ports"})) {
      set_uint(c, "flows_per_ue", "traffic.tcp", t.tcp.flows_per_ue, 0, 10000);
      set_uint(c, "segments", "traffic.tcp", t.tcp.segments, 0, 10000);
      if (auto p = YamlReader::child(c, "payload"); YamlReader::present(p)) {
        parse_payload(p, "traffic.tcp.payload", t.tcp.payload_min, t.tcp.payload_max);
      }
      if (auto p = YamlReader::child(c, "ports"); YamlReader::present(p)) {
        parse_ports(p, "traffic.tcp.ports", t.tcp.ports);
      }
    }
  }
  if (auto c = YamlReader::child(n, "udp"); YamlReader::present(c)) {
    if (r_.expect_map(c, "traffic.udp", {"flows_per_ue", "packets", "payload", "ports"})) {
      set_uint(c, "flows_per_ue", "traffic.udp", t.udp.flows_per_ue, 0, 10000);
      set_uint(c, "packets", "traffic.udp", t.udp.packets, 0, 100000);
      if (auto p = YamlReader::child(c, "payload"); YamlReader::present(p)) {
        parse_payload(p, "traffic.udp.payload", t.udp.payload_min, t.udp.payload_max);
      }
      if (auto p = YamlReader::child(c, "ports"); YamlReader::present(p)) {
        parse_ports(p, "traffic.udp.ports", t.udp.ports);
      }
    }
  }
  if (auto c = YamlReader::child(n, "icmp"); YamlReader::present(c)) {
    if (r_.expect_map(c, "traffic.icmp", {"pings_per_ue"})) {
      set_uint(c, "pings_per_ue", "traffic.icmp", t.icmp.pings_per_ue, 0, 10000);
    }
  }
  if (auto c = YamlReader::child(n, "dns"); YamlReader::present(c)) {
    if (r_.expect_map(c, "traffic.dns", {"queries_per_ue"})) {
      set_uint(c, "queries_per_ue", "traffic.dns", t.dns.queries_per_ue, 0, 10000);
    }
  }
  if (auto c = YamlReader::child(n, "n6"); YamlReader::present(c)) {
    if (auto b = r_.boolean(c, "traffic.n6")) t.n6 = *b;
  }
  set_duration(n, "rtt", "traffic", t.rtt_ns);
  if (t.rtt_ns < 1000) r_.error(YamlReader::child(n, "rtt"), "traffic.rtt", "must be at least 1us");
  set_duration(n, "heartbeat_interval", "traffic", t.heartbeat_interval_ns);
  int64_t echo_ns = 0;
  set_duration(n, "gtpu_echo_interval", "traffic", echo_ns);
  t.gtpu_echo_interval_s = static_cast<uint32_t>(echo_ns / 1'000'000'000);
}

void Parser::parse_attacks(const YAML::Node& n, Scenario& sc) {
  if (!n.IsMap()) {
    r_.error(n, "attacks", "expected a mapping of attack name to settings");
    return;
  }
  for (auto it = n.begin(); it != n.end(); ++it) {
    const std::string key = it->first.IsScalar() ? it->first.Scalar() : "?";
    bool found = false;
    for (size_t i = 0; i < kAttackCount; ++i) {
      const auto a = static_cast<Attack>(i);
      if (attack_name(a) == key) {
        found = true;
        attack_nodes_[i] = it->second;
        parse_attack(a, it->second, join_path("attacks", key), sc);
      }
    }
    if (!found) {
      std::string msg = "unknown attack '" + key + "' (known:";
      for (size_t i = 0; i < kAttackCount; ++i) {
        msg += ' ';
        msg += attack_name(static_cast<Attack>(i));
      }
      r_.error(it->first, join_path("attacks", key), msg + ")");
    }
  }
}

struct AttackDefaults {
  uint32_t count;
  uint32_t rate;
  uint32_t sources;
};
AttackDefaults attack_defaults(Attack a) {
  switch (a) {
    case Attack::kUeSpoofing:
      return {60, 20, 0};
    case Attack::kUnknownTeid:
      return {60, 20, 0};
    case Attack::kStaleTeid:
      return {40, 10, 0};
    case Attack::kMalformedGtpu:
      return {40, 10, 0};
    case Attack::kGtpInGtp:
      return {30, 10, 0};
    case Attack::kEchoFlood:
      return {600, 500, 0};
    case Attack::kUeToUe:
      return {40, 10, 0};
    case Attack::kMecToCore:
      return {40, 10, 0};
    case Attack::kPortScanHorizontal:
      return {128, 100, 0};
    case Attack::kPortScanVertical:
      return {256, 200, 0};
    case Attack::kSynFlood:
      return {1500, 1000, 30};
    case Attack::kUdpFlood:
      return {1500, 1000, 30};
    case Attack::kPfcpUnlistedPeer:
      return {12, 4, 0};
    case Attack::kPfcpSessionHijack:
      return {8, 2, 0};
    case Attack::kSessionChurn:
      return {50, 25, 2};
    case Attack::kHijackedUe:
      return {200, 40, 1};
    case Attack::kCount_:
      break;
  }
  return {10, 10, 0};
}

void Parser::parse_attack(Attack a, const YAML::Node& n, const std::string& path, Scenario& sc) {
  auto& spec = sc.attacks[static_cast<size_t>(a)];
  const auto d = attack_defaults(a);
  spec.count = d.count;
  spec.rate = d.rate;
  spec.sources = d.sources;
  // Staggered default start: 30% of the run plus 3% per attack class.
  spec.start_ns = sc.duration_ns / 100 * (30 + 3 * static_cast<int64_t>(a));
  if (a == Attack::kMalformedGtpu) {
    spec.kinds = {MalformedKind::kBadVersion, MalformedKind::kLengthMismatch,
                  MalformedKind::kZeroLengthExt, MalformedKind::kTruncated};
  }
  if (!YamlReader::present(n)) return;  // `name:` with no value: disabled like false
  if (n.IsScalar()) {
    if (auto b = r_.boolean(n, path)) spec.enabled = *b;
    return;
  }
  const bool flood = a == Attack::kSynFlood || a == Attack::kUdpFlood;
  const bool scan = a == Attack::kPortScanHorizontal || a == Attack::kPortScanVertical;
  const bool from =
      a == Attack::kPfcpUnlistedPeer || a == Attack::kPfcpSessionHijack || a == Attack::kEchoFlood;
  std::vector<std::string_view> allowed{"enabled", "count", "start", "rate"};
  if (flood) allowed.insert(allowed.end(), {"sources", "target"});
  const bool counted_sources =
      a == Attack::kUeSpoofing || a == Attack::kSessionChurn || a == Attack::kHijackedUe;
  if (counted_sources) allowed.emplace_back("sources");
  if (scan) allowed.emplace_back("target");
  if (from) allowed.emplace_back("from");
  if (a == Attack::kMalformedGtpu) allowed.emplace_back("kinds");
  if (!n.IsMap()) {
    r_.error(n, path, "expected true, false or a mapping of settings");
    return;
  }
  spec.enabled = true;
  for (auto it = n.begin(); it != n.end(); ++it) {
    const std::string key = it->first.IsScalar() ? it->first.Scalar() : "?";
    bool ok = false;
    for (auto k : allowed) ok = ok || k == key;
    if (!ok) {
      std::string msg = "unknown key '" + key + "' (allowed:";
      for (auto k : allowed) {
        msg += ' ';
        msg += k;
      }
      r_.error(it->first, join_path(path, key), msg + ")");
    }
  }
  if (auto e = YamlReader::child(n, "enabled"); YamlReader::present(e)) {
    if (auto b = r_.boolean(e, join_path(path, "enabled"))) spec.enabled = *b;
  }
  set_uint(n, "count", path, spec.count, 1, kMaxCount);
  set_duration(n, "start", path, spec.start_ns);
  set_uint(n, "rate", path, spec.rate, 1, 10'000'000);
  if (flood || a == Attack::kSessionChurn || a == Attack::kHijackedUe) {
    set_uint(n, "sources", path, spec.sources, 1, 1'000'000);
  }
  if (a == Attack::kUeSpoofing) set_uint(n, "sources", path, spec.sources, 1, kMaxCount);
  if (auto t = YamlReader::child(n, "target"); YamlReader::present(t)) {
    spec.target = r_.ip(t, join_path(path, "target"));
  }
  if (auto f = YamlReader::child(n, "from"); YamlReader::present(f)) {
    spec.from = r_.ip(f, join_path(path, "from"));
  }
  if (auto k = YamlReader::child(n, "kinds"); YamlReader::present(k)) {
    const std::string kp = join_path(path, "kinds");
    if (r_.expect_seq(k, kp)) {
      spec.kinds.clear();
      for (size_t i = 0; i < k.size(); ++i) {
        auto s = r_.str(k[i], index_path(kp, i));
        if (!s) continue;
        bool found = false;
        for (size_t j = 0; j < kMalformedKindCount; ++j) {
          const auto mk = static_cast<MalformedKind>(j);
          if (malformed_kind_name(mk) == *s) {
            spec.kinds.push_back(mk);
            found = true;
          }
        }
        if (!found) {
          r_.error(k[i], index_path(kp, i),
                   "unknown kind '" + *s +
                       "' (known: bad_version length_mismatch zero_length_ext truncated)");
        }
      }
      if (spec.kinds.empty()) r_.error(k, kp, "must list at least one kind");
    }
  }
}

void Parser::validate(const YAML::Node& root, Scenario& sc) {
  auto& net = sc.net;
  const auto at_network = [&](const char* key) {
    auto c = YamlReader::child(network_node_, key);
    return YamlReader::present(c) ? c : (network_node_.IsDefined() ? network_node_ : root);
  };
  if (!net.upf_n4.addr.empty() && !net.smf.empty()) {
    for (size_t i = 0; i < net.smf.size(); ++i) {
      if (net.smf[i].addr.family != net.upf_n4.addr.family) {
        r_.error(at_network("smf"), index_path("network.smf", i),
                 "address family differs from network.upf.n4");
      }
      for (size_t j = 0; j < i; ++j) {
        if (net.smf[i].addr == net.smf[j].addr) {
          r_.error(at_network("smf"), index_path("network.smf", i), "duplicate SMF address");
        }
      }
    }
  }
  if (!net.upf_n3.addr.empty()) {
    for (size_t i = 0; i < net.gnb.size(); ++i) {
      if (net.gnb[i].addr.family != net.upf_n3.addr.family) {
        r_.error(at_network("gnb"), index_path("network.gnb", i),
                 "address family differs from network.upf.n3");
      }
    }
  }
  for (size_t i = 0; i < net.dnns.size(); ++i) {
    for (size_t j = 0; j < i; ++j) {
      if (!net.dnns[i].name.empty() && net.dnns[i].name == net.dnns[j].name) {
        r_.error(at_network("dnns"), join_path(index_path("network.dnns", i), "name"),
                 "duplicate DNN name '" + net.dnns[i].name + "'");
      }
    }
  }
  // Enough addresses in the pools for every UE (plus churn sessions).
  uint64_t wsum = 0;
  for (const auto& d : net.dnns) wsum += d.weight;
  const uint64_t churn =
      sc.attack(Attack::kSessionChurn).enabled ? sc.attack(Attack::kSessionChurn).count : 0;
  for (size_t i = 0; i < net.dnns.size() && wsum > 0; ++i) {
    const auto& d = net.dnns[i];
    const uint64_t need = (sc.ues.count + churn) * d.weight / wsum + 2;
    auto capacity = [](const IpPrefix& p, unsigned host_bits_cap) {
      const unsigned bits = (p.addr.is_v4() ? 32u : 64u) - p.len;
      return bits >= host_bits_cap ? (uint64_t{1} << host_bits_cap) : (uint64_t{1} << bits) - 2;
    };
    if (d.pool_v4 && capacity(*d.pool_v4, 40) < need) {
      r_.error(at_network("dnns"), join_path(index_path("network.dnns", i), "ipv4_pool"),
               "too small for " + std::to_string(need) + " UEs");
    }
    if (d.pool_v6 && capacity(*d.pool_v6, 40) < need) {
      r_.error(at_network("dnns"), join_path(index_path("network.dnns", i), "ipv6_pool"),
               "too small for " + std::to_string(need) + " UEs");
    }
  }
  const auto& mec = sc.attack(Attack::kMecToCore);
  if (mec.enabled && net.mec_hosts.empty()) {
    r_.error(at_network("mec_hosts"), "network.mec_hosts",
             "attacks.mec_to_core needs at least one MEC host");
  }
  if (mec.enabled && !net.has_n6) {
    r_.error(at_network("upf"), "network.upf.n6", "attacks.mec_to_core needs an N6 address");
  }
  if (mec.enabled && net.core_hosts.empty()) {
    r_.error(at_network("core_hosts"), "network.core_hosts",
             "attacks.mec_to_core needs at least one core host");
  }
  const auto& churn_spec = sc.attack(Attack::kSessionChurn);
  if (churn_spec.enabled && churn_spec.rate > 100ull * churn_spec.sources) {
    r_.error(attack_nodes_[static_cast<size_t>(Attack::kSessionChurn)], "attacks.session_churn.rate",
             "at most 100 sessions per second per source (each churning UE's sessions follow one another)");
  }
  const auto& ue2ue = sc.attack(Attack::kUeToUe);
  if (ue2ue.enabled && sc.ues.count < 2) {
    r_.error(YamlReader::child(root, "ues"), "ues.count", "attacks.ue_to_ue needs at least 2 UEs");
  }
  for (size_t i = 0; i < kAttackCount; ++i) {
    const auto& spec = sc.attacks[i];
    if (spec.enabled && spec.start_ns >= sc.duration_ns && sc.duration_ns > 0) {
      r_.error(attack_nodes_[i],
               join_path(join_path("attacks", attack_name(static_cast<Attack>(i))), "start"),
               "starts after the scenario ends (duration)");
    }
  }
  if (const uint64_t est = estimate_frames(sc); est > kMaxEstimatedFrames) {
    r_.error(YamlReader::child(root, "ues"), "ues.count",
             "the scenario would produce about " + std::to_string(est) +
                 " frames, more than the generator's limit of " +
                 std::to_string(kMaxEstimatedFrames) + "; lower ues.count or traffic.*");
  }
  const auto& hijack = sc.attack(Attack::kPfcpSessionHijack);
  if (hijack.enabled && hijack.from && !net.smf.empty() && *hijack.from == net.smf[0].addr) {
    r_.error(attack_nodes_[static_cast<size_t>(Attack::kPfcpSessionHijack)],
             "attacks.pfcp_session_hijack.from", "must differ from the owning SMF network.smf[0]");
  }
  const auto& unlisted = sc.attack(Attack::kPfcpUnlistedPeer);
  if (unlisted.enabled && unlisted.from) {
    for (const auto& s : net.smf) {
      if (s.addr == *unlisted.from) {
        r_.error(attack_nodes_[static_cast<size_t>(Attack::kPfcpUnlistedPeer)],
                 "attacks.pfcp_unlisted_peer.from", "is a listed SMF (network.smf)");
      }
    }
  }
}

}  // namespace

Expected<Scenario, Errors> parse_scenario(std::string_view text, const std::string& name) {
  Errors errors;
  Scenario sc;
  sc.file = name;
  {
    const auto slash = name.find_last_of('/');
    std::string stem = slash == std::string::npos ? name : name.substr(slash + 1);
    if (const auto dot = stem.rfind('.'); dot != std::string::npos && dot > 0) stem.resize(dot);
    sc.name = stem;
  }
  sc.start_ns = *parse_start_time("2026-01-01T00:00:00Z");
  sc.duration_ns = 60'000'000'000;
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    errors.emplace_back(ErrorCode::kParse, e.msg,
                        name + ":" + std::to_string(e.mark.line < 0 ? 0 : e.mark.line + 1));
    return Unexpected(std::move(errors));
  }
  Parser p(name, errors);
  p.parse(root, sc);
  if (!errors.empty()) return Unexpected(std::move(errors));
  return sc;
}

Expected<Scenario, Errors> load_scenario(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return Unexpected(Errors{Error(ErrorCode::kIo, "cannot read scenario file", path)});
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  return parse_scenario(ss.str(), path);
}

}  // namespace mecguard::gen
