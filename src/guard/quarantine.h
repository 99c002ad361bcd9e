// Quarantine (G12): UEs isolated by an operator or a detection, each either cut off
// entirely or restricted to an allow-list of destinations, optionally until an expiry time.
// The table is per worker, bounded, and survives policy swaps (it is state, not policy).
// Callers: the quarantine stage (lookup per user packet), `mecguard quarantine` (edits a
// state file), `inspect --quarantine FILE` (loads it), detectors (issue 5).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/expected.h"
#include "common/ip.h"
#include "guard/flat_map.h"

namespace mecguard::guard {

struct QuarantineEntry {
  IpAddr ue;                    // an IPv4 address, or an IPv6 address standing for its /64
  std::vector<IpPrefix> allow;  // empty: drop everything; else only these destinations
  uint64_t since_ns = 0;
  uint64_t expires_ns = 0;  // 0: until released
  std::string reason;       // operator text or the detection that caused it
  std::string by;           // "operator" or the detector's name
  friend bool operator==(const QuarantineEntry&, const QuarantineEntry&) = default;
};

enum class QuarantineChange : uint8_t { kAdded, kUpdated, kReleased, kExpired, kFull };
std::string_view change_name(QuarantineChange c);

class QuarantineTable {
 public:
  explicit QuarantineTable(size_t max_entries = 65536) : index_(max_entries), max_(max_entries) {}

  QuarantineChange add(const QuarantineEntry& e);
  bool release(const IpAddr& ue);
  // The entry for `ue` at now_ns; an expired entry is removed (and reported through
  // take_expired()) and nullptr returned.
  const QuarantineEntry* find(const IpAddr& ue, uint64_t now_ns);
  // Whether `ue` may send to / receive from `peer` at now_ns (true when not quarantined).
  bool allows(const IpAddr& ue, const IpAddr& peer, uint64_t now_ns);

  std::vector<QuarantineEntry> entries() const;  // live entries, in insertion order
  std::vector<QuarantineEntry> take_expired();    // expiries seen since the last call
  size_t size() const { return index_.size(); }
  bool empty() const { return index_.size() == 0; }

  // The state file: a JSON array of entries (docs/quarantine.md).
  static Expected<std::vector<QuarantineEntry>> load_file(const std::string& path);
  static Expected<void> save_file(const std::string& path, const std::vector<QuarantineEntry>& entries);
  // One entry as JSON (the state file's form). entry_from_json also takes the management
  // endpoint's form: "expires" in seconds from now_ns, "since_ns" absent meaning now_ns.
  static Expected<QuarantineEntry> entry_from_json(const nlohmann::json& o, uint64_t now_ns);
  static nlohmann::json entry_to_json(const QuarantineEntry& e);

 private:
  static IpAddr key(const IpAddr& ue);
  // A counting filter over the keys: entries per bucket of the key's hash. A key whose bucket
  // is empty is not in the table, found without touching the (large) index.
  static constexpr size_t kFilterBuckets = 4096;
  static size_t filter_bucket(const IpAddr& k) { return IpAddrHash{}(k) >> 52; }  // top 12 bits
  std::array<uint32_t, kFilterBuckets> filter_{};
  struct Hash {
    size_t operator()(const IpAddr& a) const { return IpAddrHash{}(a); }
  };
  FlatMap<IpAddr, uint32_t, Hash> index_;  // UE -> slot in entries_
  std::vector<std::optional<QuarantineEntry>> entries_;
  std::vector<uint32_t> free_;
  std::vector<QuarantineEntry> expired_;
  size_t max_;
};

}  // namespace mecguard::guard
