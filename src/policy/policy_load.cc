// YAML -> Policy. Every problem is collected (not just the first) with "file:line path".
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <fstream>
#include <set>
#include <sstream>
#include <tuple>

#include "policy/policy.h"

namespace mecguard::policy {

const std::vector<std::string> kThresholdKeys = {
    "ul_pps", "ul_bps", "dl_pps", "dl_bps", "syn_rate", "udp_rate", "icmp_rate",
    "scan_distinct_ports", "scan_distinct_hosts", "session_churn", "anomaly_sigma", "behaviour_change"};

std::string_view to_string(StageMode m) {
  switch (m) {
    case StageMode::kEnforce: return "enforce";
    case StageMode::kMonitor: return "monitor";
    case StageMode::kOff: return "off";
  }
  return "?";
}
std::string_view to_string(Action a) {
  switch (a) {
    case Action::kAllow: return "allow";
    case Action::kDeny: return "deny";
    case Action::kLog: return "log";
    case Action::kRedirect: return "redirect";
  }
  return "?";
}
std::string_view to_string(Direction d) {
  switch (d) {
    case Direction::kAny: return "any";
    case Direction::kUplink: return "uplink";
    case Direction::kDownlink: return "downlink";
  }
  return "?";
}
std::string_view to_string(Interface i) {
  switch (i) {
    case Interface::kAny: return "any";
    case Interface::kN3: return "n3";
    case Interface::kN6: return "n6";
    case Interface::kN9: return "n9";
  }
  return "?";
}
std::string_view to_string(Zone z) {
  static constexpr std::string_view kNames[] = {"unknown", "ue", "ran", "core", "dn",
                                                "mec", "mgmt", "dmz"};
  const auto i = static_cast<size_t>(z);
  return i < std::size(kNames) ? kNames[i] : "?";
}

namespace {

template <class E>
std::optional<E> enum_from(std::string_view text, std::initializer_list<E> values) {
  for (E v : values) {
    if (to_string(v) == text) return v;
  }
  return std::nullopt;
}

// Walks the document, recording errors with file:line and a dotted path.
class Loader {
 public:
  explicit Loader(std::string name) : name_(std::move(name)) {}

  Errors& errors() { return errors_; }

  void error(const YAML::Node& at, const std::string& path, const std::string& msg) {
    std::string loc = name_;
    if (at.IsDefined() && at.Mark().line >= 0) loc += ":" + std::to_string(at.Mark().line + 1);
    if (!path.empty()) loc += " " + path;
    errors_.emplace_back(ErrorCode::kValidation, msg, loc);
  }

  // Reports keys of `map` not in `known` (typos must not pass silently).
  bool check_map(const YAML::Node& map, const std::string& path,
                 std::initializer_list<std::string_view> known) {
    if (!map.IsDefined() || map.IsNull()) return false;
    if (!map.IsMap()) {
      error(map, path, "expected a mapping");
      return false;
    }
    for (const auto& kv : map) {
      const auto key = kv.first.as<std::string>("");
      if (std::find(known.begin(), known.end(), key) == known.end()) {
        std::string list;
        for (auto k : known) list += (list.empty() ? "" : ", ") + std::string(k);
        error(kv.first, join(path, key), "unknown key (expected one of: " + list + ")");
      }
    }
    return true;
  }

  static std::string join(const std::string& path, std::string_view key) {
    return path.empty() ? std::string(key) : path + "." + std::string(key);
  }
  static std::string index(const std::string& path, size_t i) {
    return path + "[" + std::to_string(i) + "]";
  }

  std::optional<std::string> str(const YAML::Node& n, const std::string& path) {
    if (!n.IsScalar()) {
      error(n, path, "expected a string");
      return std::nullopt;
    }
    return n.Scalar();
  }

  template <class T>
  std::optional<T> uint(const YAML::Node& n, const std::string& path, T max) {
    if (!n.IsScalar()) {
      error(n, path, "expected a number");
      return std::nullopt;
    }
    const auto& s = n.Scalar();
    uint64_t v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || p != s.data() + s.size() || v > max) {
      error(n, path, "expected a whole number from 0 to " + std::to_string(max) + ", got '" + s + "'");
      return std::nullopt;
    }
    return static_cast<T>(v);
  }

  std::optional<double> number(const YAML::Node& n, const std::string& path) {
    if (!n.IsScalar()) {
      error(n, path, "expected a number");
      return std::nullopt;
    }
    std::istringstream in(n.Scalar());
    double v = 0;
    if (!(in >> v) || !in.eof() || v < 0) {
      error(n, path, "expected a non-negative number, got '" + n.Scalar() + "'");
      return std::nullopt;
    }
    return v;
  }

  template <class E>
  std::optional<E> choice(const YAML::Node& n, const std::string& path,
                          std::initializer_list<E> values) {
    auto s = str(n, path);
    if (!s) return std::nullopt;
    if (auto v = enum_from(*s, values)) return v;
    std::string list;
    for (E v : values) list += (list.empty() ? "" : ", ") + std::string(to_string(v));
    error(n, path, "'" + *s + "' is not one of: " + list);
    return std::nullopt;
  }

  std::optional<IpAddr> addr(const YAML::Node& n, const std::string& path) {
    auto s = str(n, path);
    if (!s) return std::nullopt;
    auto a = IpAddr::parse(*s);
    if (!a) error(n, path, "'" + *s + "' is not an IPv4 or IPv6 address");
    return a;
  }

  std::optional<IpPrefix> prefix(const YAML::Node& n, const std::string& path) {
    auto s = str(n, path);
    if (!s) return std::nullopt;
    auto p = IpPrefix::parse(*s);
    if (!p) error(n, path, "'" + *s + "' is not an address or prefix (a.b.c.d/len, x::/len)");
    return p;
  }

  // A list, or a single scalar standing for a list of one.
  template <class F>
  void each(const YAML::Node& n, const std::string& path, F&& f) {
    if (!n.IsDefined() || n.IsNull()) return;
    if (n.IsScalar()) {
      f(n, path);
      return;
    }
    if (!n.IsSequence()) {
      error(n, path, "expected a list");
      return;
    }
    for (size_t i = 0; i < n.size(); ++i) f(n[i], index(path, i));
  }

  std::vector<IpAddr> addrs(const YAML::Node& n, const std::string& path) {
    std::vector<IpAddr> out;
    each(n, path, [&](const YAML::Node& e, const std::string& p) {
      if (auto a = addr(e, p)) out.push_back(*a);
    });
    return out;
  }
  std::vector<IpPrefix> prefixes(const YAML::Node& n, const std::string& path) {
    std::vector<IpPrefix> out;
    each(n, path, [&](const YAML::Node& e, const std::string& p) {
      if (auto a = prefix(e, p)) out.push_back(*a);
    });
    return out;
  }

  std::optional<PortRange> ports(const YAML::Node& n, const std::string& path) {
    auto s = str(n, path);
    if (!s) return std::nullopt;
    const auto dash = s->find('-');
    auto parse_one = [&](std::string_view t) -> std::optional<uint16_t> {
      unsigned v = 0;
      auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
      if (ec != std::errc() || p != t.data() + t.size() || v > 65535) return std::nullopt;
      return static_cast<uint16_t>(v);
    };
    std::string_view text(*s);
    auto lo = parse_one(text.substr(0, dash));
    auto hi = dash == std::string::npos ? lo : parse_one(text.substr(dash + 1));
    if (!lo || !hi) {
      error(n, path, "'" + *s + "' is not a port or range (80, 1000-2000)");
      return std::nullopt;
    }
    if (*hi < *lo) {
      error(n, path, "range end " + std::to_string(*hi) + " < start " + std::to_string(*lo));
      return std::nullopt;
    }
    return PortRange{*lo, *hi};
  }

  std::optional<InterUePolicy> inter_ue(const YAML::Node& n, const std::string& path) {
    InterUePolicy out;
    if (n.IsScalar()) {
      auto a = choice(n, path, {Action::kAllow, Action::kDeny});
      if (!a) return std::nullopt;
      out.action = *a;
      return out;
    }
    if (!check_map(n, path, {"action", "gateway"})) {
      error(n, path, "expected allow, deny, or {action: redirect, gateway: ADDRESS}");
      return std::nullopt;
    }
    auto a = choice(n["action"], join(path, "action"), {Action::kAllow, Action::kDeny, Action::kRedirect});
    if (!a) return std::nullopt;
    out.action = *a;
    if (n["gateway"]) {
      if (auto g = addr(n["gateway"], join(path, "gateway"))) out.gateway = *g;
    }
    if (out.action == Action::kRedirect && out.gateway.empty()) {
      error(n, path, "redirect needs a gateway address");
      return std::nullopt;
    }
    return out;
  }

  Policy load(const YAML::Node& root);

 private:
  void load_topology(const YAML::Node& n, Policy& p);
  void load_network_instances(const YAML::Node& n, Policy& p);
  void load_zones(const YAML::Node& n, Policy& p);
  void load_classes(const YAML::Node& n, Policy& p);
  void load_groups(const YAML::Node& n, Policy& p);
  void load_acl(const YAML::Node& n, Policy& p);
  void load_stages(const YAML::Node& n, Policy& p);
  void load_limits(const YAML::Node& n, Policy& p);
  void load_rate_limits(const YAML::Node& n, Policy& p);
  void load_detection(const YAML::Node& n, Policy& p);
  void load_thresholds(const YAML::Node& th, const std::string& path, std::map<std::string, double>& out);
  RateLimit rate(const YAML::Node& n, const std::string& path);
  void cross_check(const YAML::Node& root, Policy& p);

  std::string name_;
  Errors errors_;
};

constexpr std::initializer_list<Zone> kNamedZones = {Zone::kUe, Zone::kRan, Zone::kCore, Zone::kDn,
                                                     Zone::kMec, Zone::kMgmt, Zone::kDmz};

Policy Loader::load(const YAML::Node& root) {
  Policy p;
  p.source = name_;
  if (!root.IsDefined() || root.IsNull()) {
    error(root, "", "the policy is empty");
    return p;
  }
  if (!check_map(root, "", {"version", "topology", "network_instances", "zones", "classes",
                            "ue_groups", "acl", "stages", "limits", "rate_limits", "detection"})) {
    return p;
  }
  if (!root["version"]) {
    error(root, "version", "missing (this build reads version: 1)");
  } else if (auto v = uint<unsigned>(root["version"], "version", 1000); v && *v != 1) {
    error(root["version"], "version", "unsupported version " + std::to_string(*v) + " (this build reads 1)");
  }
  load_topology(root["topology"], p);
  load_network_instances(root["network_instances"], p);
  load_zones(root["zones"], p);
  load_classes(root["classes"], p);
  load_groups(root["ue_groups"], p);
  load_acl(root["acl"], p);
  load_stages(root["stages"], p);
  load_limits(root["limits"], p);
  load_rate_limits(root["rate_limits"], p);
  load_detection(root["detection"], p);
  cross_check(root, p);
  return p;
}

void Loader::load_topology(const YAML::Node& n, Policy& p) {
  if (!check_map(n, "topology", {"upf_n3", "upf_n4", "upf_n6", "upf_n9", "smf_peers"})) return;
  p.topology.upf_n3 = addrs(n["upf_n3"], "topology.upf_n3");
  p.topology.upf_n4 = addrs(n["upf_n4"], "topology.upf_n4");
  p.topology.upf_n6 = addrs(n["upf_n6"], "topology.upf_n6");
  p.topology.upf_n9 = addrs(n["upf_n9"], "topology.upf_n9");
  p.topology.smf_peers = addrs(n["smf_peers"], "topology.smf_peers");
}

void Loader::load_network_instances(const YAML::Node& n, Policy& p) {
  each(n, "network_instances", [&](const YAML::Node& e, const std::string& path) {
    if (!check_map(e, path, {"name", "ue_pools", "inter_ue"})) return;
    NetworkInstance ni;
    if (!e["name"]) error(e, join(path, "name"), "missing");
    else if (auto s = str(e["name"], join(path, "name"))) ni.name = *s;
    ni.ue_pools = prefixes(e["ue_pools"], join(path, "ue_pools"));
    if (e["inter_ue"]) {
      if (auto iu = inter_ue(e["inter_ue"], join(path, "inter_ue"))) ni.inter_ue = *iu;
    }
    p.network_instances.push_back(std::move(ni));
  });
}

void Loader::load_zones(const YAML::Node& n, Policy& p) {
  if (!check_map(n, "zones", {"ran", "core", "dn", "mec", "mgmt", "dmz", "rules", "default"})) return;
  for (Zone z : kNamedZones) {
    if (z == Zone::kUe) continue;  // implicit: the UE pools
    const std::string key(to_string(z));
    if (n[key]) p.zones[z] = prefixes(n[key], join("zones", key));
  }
  if (n["default"]) {
    if (auto a = choice(n["default"], "zones.default", {Action::kAllow, Action::kDeny})) p.zone_default = *a;
  }
  each(n["rules"], "zones.rules", [&](const YAML::Node& e, const std::string& path) {
    if (!check_map(e, path, {"from", "to", "action"})) return;
    ZoneRule r;
    bool ok = true;
    for (const char* key : {"from", "to", "action"}) {
      if (!e[key]) {
        error(e, join(path, key), "missing");
        ok = false;
      }
    }
    if (!ok) return;
    auto from = choice(e["from"], join(path, "from"), kNamedZones);
    auto to = choice(e["to"], join(path, "to"), kNamedZones);
    auto a = choice(e["action"], join(path, "action"), {Action::kAllow, Action::kDeny, Action::kLog});
    if (!from || !to || !a) return;
    r.from = *from;
    r.to = *to;
    r.action = *a;
    p.zone_rules.push_back(r);
  });
}

void Loader::load_classes(const YAML::Node& n, Policy& p) {
  if (!n.IsDefined() || n.IsNull()) return;
  if (!n.IsMap()) {
    error(n, "classes", "expected a mapping of class name to settings");
    return;
  }
  for (const auto& kv : n) {
    const auto name = kv.first.as<std::string>("");
    const auto path = join("classes", name);
    SecurityClass c;
    c.name = name;
    const auto& body = kv.second;
    if (body.IsNull()) {
      p.classes[name] = c;
      continue;
    }
    if (!check_map(body, path, {"acl_default", "inter_ue", "thresholds"})) continue;
    if (body["acl_default"]) {
      if (auto a = choice(body["acl_default"], join(path, "acl_default"), {Action::kAllow, Action::kDeny})) {
        c.acl_default = *a;
      }
    }
    if (body["inter_ue"]) c.inter_ue = inter_ue(body["inter_ue"], join(path, "inter_ue"));
    load_thresholds(body["thresholds"], join(path, "thresholds"), c.thresholds);
    p.classes[name] = std::move(c);
  }
}

void Loader::load_groups(const YAML::Node& n, Policy& p) {
  each(n, "ue_groups", [&](const YAML::Node& e, const std::string& path) {
    if (!check_map(e, path, {"name", "class", "members"})) return;
    UeGroup g;
    if (!e["name"]) error(e, join(path, "name"), "missing");
    else if (auto s = str(e["name"], join(path, "name"))) g.name = *s;
    if (e["class"]) {
      if (auto s = str(e["class"], join(path, "class"))) g.security_class = *s;
    }
    g.members = prefixes(e["members"], join(path, "members"));
    if (g.members.empty()) error(e, join(path, "members"), "a group needs at least one member prefix");
    p.ue_groups.push_back(std::move(g));
  });
}

uint8_t proto_number(std::string_view s) {
  if (s == "tcp") return 6;
  if (s == "udp") return 17;
  if (s == "icmp") return 1;
  if (s == "icmpv6") return 58;
  if (s == "sctp") return 132;
  return 0;
}

void Loader::load_acl(const YAML::Node& n, Policy& p) {
  if (!check_map(n, "acl", {"default", "rules"})) return;
  if (n["default"]) {
    if (auto a = choice(n["default"], "acl.default", {Action::kAllow, Action::kDeny})) p.acl_default = *a;
  }
  std::set<uint32_t> ids;
  each(n["rules"], "acl.rules", [&](const YAML::Node& e, const std::string& path) {
    if (!check_map(e, path, {"id", "action", "direction", "interface", "network_instance", "ue_group",
                             "src", "dst", "proto", "sport", "dport", "icmp_type", "icmp_code", "rate"})) {
      return;
    }
    AclRule r;
    r.where = name_ + ":" + std::to_string(e.Mark().line + 1) + " " + path;
    r.id = static_cast<uint32_t>(p.acl.size() + 1);
    if (e["id"]) {
      if (auto id = uint<uint32_t>(e["id"], join(path, "id"), 0xFFFFFFFFu)) r.id = *id;
    }
    if (!ids.insert(r.id).second) error(e["id"] ? e["id"] : e, join(path, "id"), "duplicate rule id " + std::to_string(r.id));
    if (!e["action"]) {
      error(e, join(path, "action"), "missing");
    } else if (auto a = choice(e["action"], join(path, "action"), {Action::kAllow, Action::kDeny, Action::kLog})) {
      r.action = *a;
    }
    if (e["direction"]) {
      if (auto d = choice(e["direction"], join(path, "direction"),
                          {Direction::kAny, Direction::kUplink, Direction::kDownlink})) {
        r.direction = *d;
      }
    }
    if (e["interface"]) {
      if (auto i = choice(e["interface"], join(path, "interface"),
                          {Interface::kAny, Interface::kN3, Interface::kN6, Interface::kN9})) {
        r.interface = *i;
      }
    }
    if (e["network_instance"]) {
      if (auto s = str(e["network_instance"], join(path, "network_instance"))) r.network_instance = *s;
    }
    if (e["ue_group"]) {
      if (auto s = str(e["ue_group"], join(path, "ue_group"))) r.ue_group = *s;
    }
    r.src = prefixes(e["src"], join(path, "src"));
    r.dst = prefixes(e["dst"], join(path, "dst"));
    if (e["proto"]) {
      const auto& pn = e["proto"];
      if (auto s = str(pn, join(path, "proto"))) {
        uint8_t num = proto_number(*s);
        if (num == 0) {
          if (auto v = uint<uint8_t>(pn, join(path, "proto"), 255)) num = *v;
        }
        r.proto = num;
      }
    }
    if (e["sport"]) {
      if (auto pr = ports(e["sport"], join(path, "sport"))) r.sport = *pr;
    }
    if (e["dport"]) {
      if (auto pr = ports(e["dport"], join(path, "dport"))) r.dport = *pr;
    }
    const bool has_ports = !r.sport.any() || !r.dport.any();
    if (has_ports && r.proto != 6 && r.proto != 17 && r.proto != 132) {
      error(e, path, "ports need proto tcp, udp or sctp");
    }
    if (e["icmp_type"]) {
      if (auto v = uint<uint8_t>(e["icmp_type"], join(path, "icmp_type"), 255)) r.icmp_type = *v;
    }
    if (e["icmp_code"]) {
      if (auto v = uint<uint8_t>(e["icmp_code"], join(path, "icmp_code"), 255)) r.icmp_code = *v;
    }
    if ((r.icmp_type >= 0 || r.icmp_code >= 0) && r.proto != 1 && r.proto != 58) {
      error(e, path, "icmp_type/icmp_code need proto icmp or icmpv6");
    }
    if (e["rate"]) {
      r.rate = rate(e["rate"], join(path, "rate"));
      if (r.action == Action::kDeny && r.rate.any()) {
        error(e["rate"], join(path, "rate"), "a rate needs action allow or log (deny drops everything)");
      }
    }
    p.acl.push_back(std::move(r));
  });
}

void Loader::load_stages(const YAML::Node& n, Policy& p) {
  if (!check_map(n, "stages", {"n4", "gtpu_sanity", "teid", "anti_spoof", "quarantine", "acl", "inter_ue", "zone",
                               "rate", "detect"})) {
    return;
  }
  auto mode = [&](const char* key, StageMode& out) {
    if (!n[key]) return;
    if (auto m = choice(n[key], join("stages", key), {StageMode::kEnforce, StageMode::kMonitor, StageMode::kOff})) {
      out = *m;
    }
  };
  mode("n4", p.stages.n4);
  mode("gtpu_sanity", p.stages.gtpu_sanity);
  mode("teid", p.stages.teid);
  mode("anti_spoof", p.stages.anti_spoof);
  mode("acl", p.stages.acl);
  mode("inter_ue", p.stages.inter_ue);
  mode("zone", p.stages.zone);
  mode("rate", p.stages.rate);
  mode("quarantine", p.stages.quarantine);
  mode("detect", p.stages.detect);
}

void Loader::load_limits(const YAML::Node& n, Policy& p) {
  if (!check_map(n, "limits", {"max_sessions", "max_sessions_per_peer", "max_ies_per_message"})) return;
  if (n["max_sessions"]) {
    if (auto v = uint<uint32_t>(n["max_sessions"], "limits.max_sessions", 100'000'000)) p.limits.max_sessions = *v;
  }
  if (n["max_sessions_per_peer"]) {
    if (auto v = uint<uint32_t>(n["max_sessions_per_peer"], "limits.max_sessions_per_peer", 100'000'000)) {
      p.limits.max_sessions_per_peer = *v;
    }
  }
  if (n["max_ies_per_message"]) {
    if (auto v = uint<uint32_t>(n["max_ies_per_message"], "limits.max_ies_per_message", 65535)) {
      p.limits.max_ies_per_message = *v;
    }
  }
}

void Loader::load_thresholds(const YAML::Node& th, const std::string& path, std::map<std::string, double>& out) {
  if (!th.IsDefined() || th.IsNull()) return;
  if (!th.IsMap()) {
    error(th, path, "expected a mapping");
    return;
  }
  for (const auto& t : th) {
    const auto key = t.first.as<std::string>("");
    const auto tpath = join(path, key);
    if (std::find(kThresholdKeys.begin(), kThresholdKeys.end(), key) == kThresholdKeys.end()) {
      error(t.first, tpath, "unknown threshold");
      continue;
    }
    if (auto v = number(t.second, tpath)) out[key] = *v;
  }
}

void Loader::load_detection(const YAML::Node& n, Policy& p) {
  if (!check_map(n, "detection", {"enabled", "window_seconds", "thresholds", "ddos_sources", "ddos_pps",
                                  "quarantine", "quarantine_seconds", "churn_window_seconds",
                                  "peer_session_rate"})) {
    return;
  }
  auto& d = p.detection;
  auto flag = [&](const char* key, bool& out) {
    if (!n[key]) return;
    const auto v = str(n[key], join("detection", key));
    if (v && (*v == "true" || *v == "false")) out = *v == "true";
    else if (v) error(n[key], join("detection", key), "expected true or false");
  };
  flag("enabled", d.enabled);
  flag("quarantine", d.quarantine);
  auto positive = [&](const char* key, double& out) {
    if (!n[key]) return;
    if (auto v = number(n[key], join("detection", key))) {
      if (*v <= 0) error(n[key], join("detection", key), "must be more than 0");
      else out = *v;
    }
  };
  positive("window_seconds", d.window_seconds);
  positive("ddos_sources", d.ddos_sources);
  positive("ddos_pps", d.ddos_pps);
  positive("quarantine_seconds", d.quarantine_seconds);
  positive("churn_window_seconds", d.churn_window_seconds);
  positive("peer_session_rate", d.peer_session_rate);
  load_thresholds(n["thresholds"], "detection.thresholds", d.thresholds);
}

RateLimit Loader::rate(const YAML::Node& n, const std::string& path) {
  RateLimit r;
  if (!check_map(n, path, {"pps", "bps"})) return r;
  if (n["pps"]) r.pps = number(n["pps"], join(path, "pps")).value_or(0);
  if (n["bps"]) r.bps = number(n["bps"], join(path, "bps")).value_or(0);
  return r;
}

void Loader::load_rate_limits(const YAML::Node& n, Policy& p) {
  if (!check_map(n, "rate_limits", {"burst_seconds", "ue", "network_instances", "pfcp_per_peer_pps",
                                    "gtpu_echo_per_peer_pps"})) {
    return;
  }
  auto& rl = p.rate_limits;
  if (n["burst_seconds"]) {
    if (auto v = number(n["burst_seconds"], "rate_limits.burst_seconds")) {
      if (*v <= 0 || *v > 60) error(n["burst_seconds"], "rate_limits.burst_seconds", "expected more than 0 and at most 60");
      else rl.burst_seconds = *v;
    }
  }
  auto directions = [&](const YAML::Node& d, const std::string& path) {
    std::pair<RateLimit, RateLimit> out;
    if (!check_map(d, path, {"uplink", "downlink"})) return out;
    if (d["uplink"]) out.first = rate(d["uplink"], join(path, "uplink"));
    if (d["downlink"]) out.second = rate(d["downlink"], join(path, "downlink"));
    return out;
  };
  if (n["ue"]) std::tie(rl.ue_uplink, rl.ue_downlink) = directions(n["ue"], "rate_limits.ue");
  const auto& nis = n["network_instances"];
  if (nis.IsDefined() && !nis.IsNull()) {
    if (!nis.IsMap()) {
      error(nis, "rate_limits.network_instances", "expected a mapping of network instance to limits");
    } else {
      for (const auto& kv : nis) {
        const auto name = kv.first.as<std::string>("");
        rl.network_instances[name] = directions(kv.second, join("rate_limits.network_instances", name));
      }
    }
  }
  if (n["pfcp_per_peer_pps"]) {
    rl.pfcp_per_peer_pps = number(n["pfcp_per_peer_pps"], "rate_limits.pfcp_per_peer_pps").value_or(0);
  }
  if (n["gtpu_echo_per_peer_pps"]) {
    rl.gtpu_echo_per_peer_pps = number(n["gtpu_echo_per_peer_pps"], "rate_limits.gtpu_echo_per_peer_pps").value_or(0);
  }
}

// References between sections: names must resolve.
void Loader::cross_check(const YAML::Node& root, Policy& p) {
  std::set<std::string> ni_names;
  for (size_t i = 0; i < p.network_instances.size(); ++i) {
    if (!ni_names.insert(p.network_instances[i].name).second) {
      error(root["network_instances"][i], index("network_instances", i),
            "duplicate network instance '" + p.network_instances[i].name + "'");
    }
  }
  std::set<std::string> group_names;
  for (size_t i = 0; i < p.ue_groups.size(); ++i) {
    const auto& g = p.ue_groups[i];
    const auto node = root["ue_groups"][i];
    if (!group_names.insert(g.name).second) error(node, index("ue_groups", i), "duplicate group '" + g.name + "'");
    if (!g.security_class.empty() && !p.classes.count(g.security_class)) {
      error(node["class"], join(index("ue_groups", i), "class"),
            "class '" + g.security_class + "' is not defined under classes");
    }
  }
  for (const auto& [name, limits] : p.rate_limits.network_instances) {
    if (!ni_names.count(name)) {
      error(root["rate_limits"]["network_instances"][name], "rate_limits.network_instances." + name,
            "network instance '" + name + "' is not defined");
    }
  }
  for (size_t i = 0; i < p.acl.size(); ++i) {
    const auto& r = p.acl[i];
    const auto node = root["acl"]["rules"][i];
    if (!r.ue_group.empty() && !group_names.count(r.ue_group)) {
      error(node["ue_group"], join(index("acl.rules", i), "ue_group"), "group '" + r.ue_group + "' is not defined");
    }
    if (!r.network_instance.empty() && !ni_names.count(r.network_instance)) {
      error(node["network_instance"], join(index("acl.rules", i), "network_instance"),
            "network instance '" + r.network_instance + "' is not defined");
    }
  }
}

}  // namespace

Expected<Policy, Errors> load_policy_string(const std::string& yaml, const std::string& name) {
  YAML::Node root;
  try {
    root = YAML::Load(yaml);
  } catch (const YAML::Exception& e) {
    return Unexpected(Errors{Error(ErrorCode::kParse, e.msg,
                                   name + ":" + std::to_string(e.mark.line + 1))});
  }
  Loader loader(name);
  Policy p;
  try {
    p = loader.load(root);
  } catch (const YAML::Exception& e) {  // e.g. a key that is not a scalar
    loader.errors().emplace_back(ErrorCode::kParse, e.msg, name + ":" + std::to_string(e.mark.line + 1));
  }
  if (!loader.errors().empty()) return Unexpected(std::move(loader.errors()));
  return p;
}

Expected<Policy, Errors> load_policy_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Unexpected(Errors{Error(ErrorCode::kIo, "cannot open policy file", path)});
  std::ostringstream ss;
  ss << in.rdbuf();
  return load_policy_string(ss.str(), path);
}

}  // namespace mecguard::policy
