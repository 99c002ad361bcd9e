// See config.h. Small schema, so a small walker: each key is read by one line below, and
// every problem is collected with its location before the caller sees any.
#include "gateway/config.h"

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <map>

#include <yaml-cpp/yaml.h>

namespace mecguard::gateway {

namespace {

class Reader {
 public:
  explicit Reader(std::string file) : file_(std::move(file)) {}
  std::vector<Error> errors;

  void fail(const YAML::Node& at, const std::string& path, const std::string& msg) {
    std::string loc = file_;
    if (at.IsDefined() && at.Mark().line >= 0) loc += ":" + std::to_string(at.Mark().line + 1);
    errors.emplace_back(ErrorCode::kValidation, msg, loc + " " + path);
  }

  // Calls the handler of each key of a mapping; unknown keys are errors.
  void fields(const YAML::Node& map, const std::string& path,
              const std::map<std::string, std::function<void(const YAML::Node&, const std::string&)>>& handlers) {
    if (!map.IsMap()) {
      fail(map, path.empty() ? "(document)" : path, "expected a mapping");
      return;
    }
    for (const auto& kv : map) {
      const auto key = kv.first.as<std::string>("");
      const std::string at = path.empty() ? key : path + "." + key;
      auto h = handlers.find(key);
      if (h == handlers.end()) {
        std::string known;
        for (const auto& [k, fn] : handlers) known += (known.empty() ? "" : ", ") + k;
        fail(kv.first, at, "unknown key (expected one of: " + known + ")");
        continue;
      }
      h->second(kv.second, at);
    }
  }

  std::string text(const YAML::Node& n, const std::string& path) {
    if (!n.IsScalar()) {
      fail(n, path, "expected a string");
      return {};
    }
    return n.Scalar();
  }

  uint64_t whole(const YAML::Node& n, const std::string& path, uint64_t lo, uint64_t hi) {
    const std::string s = n.IsScalar() ? n.Scalar() : std::string();
    uint64_t v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (s.empty() || ec != std::errc() || p != s.data() + s.size() || v < lo || v > hi) {
      fail(n, path, "expected a whole number from " + std::to_string(lo) + " to " + std::to_string(hi) +
                        (s.empty() ? std::string() : ", got '" + s + "'"));
      return lo;
    }
    return v;
  }

  bool flag(const YAML::Node& n, const std::string& path) {
    const std::string s = n.IsScalar() ? n.Scalar() : std::string();
    if (s == "true") return true;
    if (s != "false") fail(n, path, "expected true or false");
    return false;
  }

 private:
  std::string file_;
};

std::string resolve(const std::string& base_dir, const std::string& p) {
  if (p.empty() || p == "-" || std::filesystem::path(p).is_absolute()) return p;
  return (std::filesystem::path(base_dir) / p).lexically_normal().string();
}

}  // namespace

Expected<GatewayConfig, std::vector<Error>> load_gateway_config(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Unexpected(std::vector<Error>{Error(ErrorCode::kIo, "cannot read the file", path)});
  std::ostringstream text;
  text << in.rdbuf();
  return load_gateway_config_string(text.str(), path);
}

Expected<GatewayConfig, std::vector<Error>> load_gateway_config_string(const std::string& yaml, const std::string& path) {
  YAML::Node doc;
  try {
    doc = YAML::Load(yaml);
  } catch (const YAML::Exception& e) {
    return Unexpected(std::vector<Error>{
        Error(ErrorCode::kParse, e.msg, path + ":" + std::to_string(e.mark.line + 1))});
  }
  if (!doc.IsMap()) {
    return Unexpected(std::vector<Error>{Error(ErrorCode::kValidation, "expected a mapping of settings", path)});
  }
  GatewayConfig c;
  c.path = path;
  Reader r(path);
  bool has_policy = false;
  r.fields(doc, "", {
      {"policy", [&](const YAML::Node& n, const std::string& p) { c.policy = r.text(n, p); has_policy = true; }},
      {"interfaces", [&](const YAML::Node& n, const std::string& p) {
         if (!n.IsSequence() || n.size() != 2) {
           r.fail(n, p, "expected a list of two interface names: [network side, UPF side]");
           return;
         }
         for (size_t i = 0; i < 2; ++i) c.interfaces.push_back(r.text(n[i], p + "[" + std::to_string(i) + "]"));
         if (c.interfaces[0] == c.interfaces[1]) r.fail(n, p, "the two interfaces must differ");
       }},
      {"io", [&](const YAML::Node& n, const std::string& p) {
         const auto s = r.text(n, p);
         if (s == "auto") c.port.mode = IoMode::kAuto;
         else if (s == "af_xdp") c.port.mode = IoMode::kAfXdp;
         else if (s == "af_packet") c.port.mode = IoMode::kAfPacket;
         else r.fail(n, p, "'" + s + "' is not one of: auto, af_xdp, af_packet");
       }},
      {"ring_frames", [&](const YAML::Node& n, const std::string& p) {
         c.port.ring_frames = static_cast<uint32_t>(r.whole(n, p, 64, 1u << 20));
       }},
      {"workers", [&](const YAML::Node& n, const std::string& p) { c.workers = r.whole(n, p, 1, 64); }},
      {"batch", [&](const YAML::Node& n, const std::string& p) { c.batch = r.whole(n, p, 1, 256); }},
      {"queue_frames", [&](const YAML::Node& n, const std::string& p) {
         c.queue_frames = r.whole(n, p, 64, 1u << 20);
         if ((c.queue_frames & (c.queue_frames - 1)) != 0) r.fail(n, p, "must be a power of two");
       }},
      {"reorder_us", [&](const YAML::Node& n, const std::string& p) { c.reorder_us = r.whole(n, p, 0, 1'000'000); }},
      {"quarantine_state", [&](const YAML::Node& n, const std::string& p) { c.quarantine_state = r.text(n, p); }},
      {"stats", [&](const YAML::Node& n, const std::string& p) { c.stats = r.text(n, p); }},
      {"management", [&](const YAML::Node& n, const std::string& p) {
         c.management = n.IsNull() ? std::string() : r.text(n, p);
       }},
      {"events", [&](const YAML::Node& n, const std::string& p) {
         r.fields(n, p, {
             {"jsonl", [&](const YAML::Node& v, const std::string& q) { c.events_jsonl = r.text(v, q); }},
             {"window_ms", [&](const YAML::Node& v, const std::string& q) {
                c.event_window_ns = r.whole(v, q, 1, 3'600'000) * 1'000'000;
              }},
             {"syslog", [&](const YAML::Node& v, const std::string& q) {
                using Transport = manage::SyslogOptions::Transport;
                manage::SyslogOptions s;
                r.fields(v, q, {
                    {"transport", [&](const YAML::Node& x, const std::string& w) {
                       const auto t = r.text(x, w);
                       if (t == "udp") s.transport = Transport::kUdp;
                       else if (t == "tcp") s.transport = Transport::kTcp;
                       else if (t == "tls") s.transport = Transport::kTls;
                       else r.fail(x, w, "'" + t + "' is not one of: udp, tcp, tls");
                     }},
                    {"host", [&](const YAML::Node& x, const std::string& w) { s.host = r.text(x, w); }},
                    {"port", [&](const YAML::Node& x, const std::string& w) {
                       s.port = static_cast<uint16_t>(r.whole(x, w, 1, 65535));
                     }},
                    {"ca_file", [&](const YAML::Node& x, const std::string& w) { s.ca_file = r.text(x, w); }},
                    {"cert_file", [&](const YAML::Node& x, const std::string& w) { s.cert_file = r.text(x, w); }},
                    {"key_file", [&](const YAML::Node& x, const std::string& w) { s.key_file = r.text(x, w); }},
                    {"server_name", [&](const YAML::Node& x, const std::string& w) { s.server_name = r.text(x, w); }},
                    {"verify_peer", [&](const YAML::Node& x, const std::string& w) { s.verify_peer = r.flag(x, w); }},
                    {"queue", [&](const YAML::Node& x, const std::string& w) {
                       s.queue_capacity = r.whole(x, w, 16, 1u << 24);
                     }},
                });
                if (s.transport == Transport::kTls && s.ca_file.empty() && s.verify_peer) {
                  r.fail(v, q, "tls needs ca_file (or verify_peer: false)");
                }
                c.syslog = s;
              }},
         });
       }},
  });
  if (!has_policy) r.fail(doc, "policy", "missing: the guard policy file");
  if (c.interfaces.empty() && r.errors.empty()) r.fail(doc, "interfaces", "missing: two interface names");
  if (!r.errors.empty()) return Unexpected(std::move(r.errors));
  const std::string dir = std::filesystem::path(path).parent_path().string();
  for (std::string* p : {&c.policy, &c.quarantine_state, &c.events_jsonl, &c.stats}) *p = resolve(dir, *p);
  if (c.syslog) {
    for (std::string* p : {&c.syslog->ca_file, &c.syslog->cert_file, &c.syslog->key_file}) *p = resolve(dir, *p);
  }
  return c;
}

}  // namespace mecguard::gateway
