// Typed, located reads from a yaml-cpp tree for the scenario parser (scenario.cc). Every
// problem is recorded as an Error "file:line path: message" and parsing continues, so one run
// reports all errors. Internal to src/gen.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

#include "common/error.h"
#include "common/ip.h"
#include "gen/scenario.h"

namespace mecguard::gen {

class YamlReader {
 public:
  YamlReader(std::string file, Errors& errors) : file_(std::move(file)), errors_(errors) {}

  void error(const YAML::Node& at, std::string_view path, std::string message);
  void error_line(int line, std::string_view path, std::string message);

  // A mapping's child; undefined when absent. `parent` must be a map (or undefined).
  static YAML::Node child(const YAML::Node& parent, const char* key);
  static bool present(const YAML::Node& n) { return n.IsDefined() && !n.IsNull(); }

  // Reports keys of `map` not in `allowed`. Returns false when `map` is not a mapping.
  bool expect_map(const YAML::Node& map, std::string_view path,
                  std::initializer_list<std::string_view> allowed);
  bool expect_seq(const YAML::Node& seq, std::string_view path);

  std::optional<std::string> str(const YAML::Node& n, std::string_view path);
  std::optional<uint64_t> uint(const YAML::Node& n, std::string_view path, uint64_t min,
                               uint64_t max);
  std::optional<bool> boolean(const YAML::Node& n, std::string_view path);
  // A number in [0, 1] (or a percentage "25%") as permille.
  std::optional<uint32_t> fraction(const YAML::Node& n, std::string_view path);
  // "10s", "250ms", "30us", "2m", "1h" or a bare number of seconds, as nanoseconds (>= 0).
  std::optional<int64_t> duration(const YAML::Node& n, std::string_view path);
  std::optional<IpAddr> ip(const YAML::Node& n, std::string_view path);
  std::optional<IpPrefix> prefix(const YAML::Node& n, std::string_view path);
  std::optional<Mac> mac(const YAML::Node& n, std::string_view path);

  int line_of(const YAML::Node& n) const;
  const std::string& file() const { return file_; }

 private:
  bool scalar(const YAML::Node& n, std::string_view path, std::string& out);
  std::string file_;
  Errors& errors_;
};

std::string join_path(std::string_view parent, std::string_view key);
std::string index_path(std::string_view parent, size_t i);

}  // namespace mecguard::gen
