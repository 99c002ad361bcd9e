#include "gen/yaml_reader.h"

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <vector>

namespace mecguard::gen {

std::string join_path(std::string_view parent, std::string_view key) {
  if (parent.empty()) return std::string(key);
  std::string p(parent);
  p += '.';
  p += key;
  return p;
}

std::string index_path(std::string_view parent, size_t i) {
  return std::string(parent) + "[" + std::to_string(i) + "]";
}

int YamlReader::line_of(const YAML::Node& n) const {
  if (!n.IsDefined()) return 0;
  const int line = n.Mark().line;
  return line < 0 ? 0 : line + 1;
}

void YamlReader::error_line(int line, std::string_view path, std::string message) {
  std::string loc = file_;
  if (line > 0) loc += ":" + std::to_string(line);
  if (!path.empty()) {
    loc += ' ';
    loc += path;
  }
  errors_.emplace_back(ErrorCode::kValidation, std::move(message), std::move(loc));
}

void YamlReader::error(const YAML::Node& at, std::string_view path, std::string message) {
  error_line(line_of(at), path, std::move(message));
}

YAML::Node YamlReader::child(const YAML::Node& parent, const char* key) {
  if (!parent.IsDefined() || !parent.IsMap()) return YAML::Node(YAML::NodeType::Undefined);
  for (auto it = parent.begin(); it != parent.end(); ++it) {
    if (it->first.IsScalar() && it->first.Scalar() == key) return it->second;
  }
  return YAML::Node(YAML::NodeType::Undefined);
}

bool YamlReader::expect_map(const YAML::Node& map, std::string_view path,
                            std::initializer_list<std::string_view> allowed) {
  if (!map.IsMap()) {
    error(map, path, "expected a mapping");
    return false;
  }
  std::vector<std::string> seen;
  for (auto it = map.begin(); it != map.end(); ++it) {
    const std::string key = it->first.IsScalar() ? it->first.Scalar() : std::string("?");
    for (const auto& k : seen) {
      if (k == key) error(it->first, join_path(path, key), "duplicate key");
    }
    seen.push_back(key);
    bool ok = false;
    for (auto a : allowed) ok = ok || a == key;
    if (!ok) {
      std::string msg = "unknown key '" + key + "' (allowed:";
      for (auto a : allowed) {
        msg += ' ';
        msg += a;
      }
      msg += ')';
      error(it->first, join_path(path, key), std::move(msg));
    }
  }
  return true;
}

bool YamlReader::expect_seq(const YAML::Node& seq, std::string_view path) {
  if (!seq.IsSequence()) {
    error(seq, path, "expected a list");
    return false;
  }
  return true;
}

bool YamlReader::scalar(const YAML::Node& n, std::string_view path, std::string& out) {
  if (!n.IsScalar()) {
    error(n, path, "expected a scalar value");
    return false;
  }
  out = n.Scalar();
  return true;
}

std::optional<std::string> YamlReader::str(const YAML::Node& n, std::string_view path) {
  std::string s;
  if (!scalar(n, path, s)) return std::nullopt;
  return s;
}

std::optional<uint64_t> YamlReader::uint(const YAML::Node& n, std::string_view path, uint64_t min,
                                         uint64_t max) {
  std::string s;
  if (!scalar(n, path, s)) return std::nullopt;
  uint64_t v = 0;
  int base = 10;
  std::string_view digits = s;
  if (digits.size() > 2 && digits[0] == '0' && (digits[1] == 'x' || digits[1] == 'X')) {
    base = 16;
    digits.remove_prefix(2);
  }
  const auto* first = digits.data();
  const auto* last = digits.data() + digits.size();
  const auto r = std::from_chars(first, last, v, base);
  if (digits.empty() || r.ec != std::errc() || r.ptr != last) {
    error(n, path, "expected a non-negative integer, got '" + s + "'");
    return std::nullopt;
  }
  if (v < min || v > max) {
    error(
        n, path,
        "value " + s + " out of range [" + std::to_string(min) + ", " + std::to_string(max) + "]");
    return std::nullopt;
  }
  return v;
}

std::optional<bool> YamlReader::boolean(const YAML::Node& n, std::string_view path) {
  std::string s;
  if (!scalar(n, path, s)) return std::nullopt;
  if (s == "true" || s == "yes" || s == "on") return true;
  if (s == "false" || s == "no" || s == "off") return false;
  error(n, path, "expected true or false, got '" + s + "'");
  return std::nullopt;
}

namespace {
// Strict decimal: digits with an optional fraction, no sign, no exponent.
std::optional<double> parse_decimal(std::string_view s) {
  if (s.empty()) return std::nullopt;
  bool dot = false, digit = false;
  for (char c : s) {
    if (c == '.' && !dot)
      dot = true;
    else if (c >= '0' && c <= '9')
      digit = true;
    else
      return std::nullopt;
  }
  if (!digit) return std::nullopt;
  return std::strtod(std::string(s).c_str(), nullptr);
}
}  // namespace

std::optional<uint32_t> YamlReader::fraction(const YAML::Node& n, std::string_view path) {
  std::string s;
  if (!scalar(n, path, s)) return std::nullopt;
  std::string_view v = s;
  double scale = 1.0;
  if (!v.empty() && v.back() == '%') {
    v.remove_suffix(1);
    scale = 0.01;
  }
  const auto d = parse_decimal(v);
  if (!d || *d * scale > 1.0) {
    error(n, path, "expected a fraction in [0, 1] or a percentage, got '" + s + "'");
    return std::nullopt;
  }
  return static_cast<uint32_t>(std::lround(*d * scale * 1000.0));
}

std::optional<int64_t> YamlReader::duration(const YAML::Node& n, std::string_view path) {
  std::string s;
  if (!scalar(n, path, s)) return std::nullopt;
  std::string_view v = s;
  double unit = 1e9;
  struct Suffix {
    std::string_view text;
    double ns;
  };
  static constexpr Suffix kSuffixes[] = {{"ms", 1e6}, {"us", 1e3}, {"ns", 1.0},
                                         {"s", 1e9},  {"m", 60e9}, {"h", 3600e9}};
  for (const auto& suf : kSuffixes) {
    if (v.size() > suf.text.size() && v.ends_with(suf.text)) {
      v.remove_suffix(suf.text.size());
      unit = suf.ns;
      break;
    }
  }
  const auto d = parse_decimal(v);
  if (!d || *d * unit > 9.0e18) {
    error(n, path, "expected a duration such as 30s, 250ms or 2m, got '" + s + "'");
    return std::nullopt;
  }
  return static_cast<int64_t>(std::llround(*d * unit));
}

std::optional<IpAddr> YamlReader::ip(const YAML::Node& n, std::string_view path) {
  std::string s;
  if (!scalar(n, path, s)) return std::nullopt;
  auto a = IpAddr::parse(s);
  if (!a) error(n, path, "not an IPv4 or IPv6 address: '" + s + "'");
  return a;
}

std::optional<IpPrefix> YamlReader::prefix(const YAML::Node& n, std::string_view path) {
  std::string s;
  if (!scalar(n, path, s)) return std::nullopt;
  auto p = IpPrefix::parse(s);
  if (!p) {
    error(n, path, "not an address prefix (a.b.c.d/len or x::/len): '" + s + "'");
    return std::nullopt;
  }
  if (IpPrefix::make(p->addr, p->len).addr != *IpAddr::parse(s.substr(0, s.find('/')))) {
    error(n, path, "prefix has host bits set: '" + s + "'");
    return std::nullopt;
  }
  return p;
}

std::optional<Mac> YamlReader::mac(const YAML::Node& n, std::string_view path) {
  std::string s;
  if (!scalar(n, path, s)) return std::nullopt;
  auto m = parse_mac(s);
  if (!m) error(n, path, "not a MAC address (aa:bb:cc:dd:ee:ff): '" + s + "'");
  return m;
}

std::optional<Mac> parse_mac(std::string_view text) {
  if (text.size() != 17) return std::nullopt;
  Mac m{};
  for (size_t i = 0; i < 6; ++i) {
    if (i > 0 && text[i * 3 - 1] != ':' && text[i * 3 - 1] != '-') return std::nullopt;
    uint8_t v = 0;
    const char* p = text.data() + i * 3;
    const auto r = std::from_chars(p, p + 2, v, 16);
    if (r.ec != std::errc() || r.ptr != p + 2) return std::nullopt;
    m[i] = v;
  }
  return m;
}

}  // namespace mecguard::gen
