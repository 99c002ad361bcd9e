// AclClassifier: first-match packet classification over operator ACL rules (G6), built for
// 10k rules without a linear scan. Each field is a dimension cut into elementary intervals;
// every interval holds the set of rules matching there, as a bitset interned into an
// equivalence class (aggregated bit vectors: a summary bit per 64-rule word). A lookup
// finds one class per dimension (binary search within the key's StartBuckets bucket, or a
// table for the small ones), ANDs the summaries, then the words under them in priority
// order, and returns the first rule whose remaining fields (network instance, UE group) also
// match. Compiled off the hot path by the policy compiler; lookups never allocate.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/expected.h"
#include "common/ip.h"
#include "guard/prefix_table.h"
#include "policy/policy.h"

namespace mecguard::guard {

// What the classifier looks at, taken from the (inner) packet and its session.
struct AclKey {
  IpAddr src;
  IpAddr dst;
  uint8_t proto = 0;
  uint16_t sport = 0;  // ICMP/ICMPv6: the type
  uint16_t dport = 0;  // ICMP/ICMPv6: the code
  policy::Direction direction = policy::Direction::kUplink;
  policy::Interface interface = policy::Interface::kN3;
  uint16_t network_instance = 0;  // id from the compiled name table; 0: none
  uint16_t ue_group = 0;          // id; 0: none
};

inline constexpr int32_t kNoRule = -1;

template <class K>
struct Dimension {
  std::vector<K> starts;         // elementary interval starts; starts[0] == 0
  std::vector<uint32_t> class_;  // class id per interval
  StartBuckets<K> buckets;       // built with starts
  uint32_t lookup(K k) const;
};

class AclClassifier {
 public:
  // Names resolve to ids through these tables (index = id; id 0 is reserved for "none").
  static Expected<AclClassifier> compile(const std::vector<policy::AclRule>& rules,
                                         const std::vector<std::string>& network_instances,
                                         const std::vector<std::string>& ue_groups);

  // Index into the rules given to compile() of the first matching rule, or kNoRule.
  int32_t classify(const AclKey& key) const noexcept;

  size_t rule_count() const { return rule_count_; }
  size_t class_count() const { return class_words_.size() / words_per_class_; }
  size_t memory_bytes() const;

 private:
  enum Dim : uint8_t { kSrc, kDst, kSport, kDport, kProto, kCtx, kDims };

  uint32_t intern(const std::vector<uint64_t>& bits);
  template <class K>
  void build_dimension(Dimension<K>& dim, std::vector<std::array<K, 2>>& ranges,
                       std::vector<uint32_t>& owners);

  size_t rule_count_ = 0;
  size_t words_per_class_ = 1;
  size_t agg_per_class_ = 1;
  std::vector<uint64_t> class_words_;  // class c: words_per_class_ words
  std::vector<uint64_t> class_agg_;    // class c: agg_per_class_ words, bit j: word j non-zero
  std::unordered_map<std::string, uint32_t> intern_;
  Dimension<uint32_t> src4_, dst4_;
  Dimension<U128> src6_, dst6_;
  Dimension<uint16_t> sport_, dport_;
  std::array<uint32_t, 256> proto_class_{};
  std::array<uint32_t, 12> ctx_class_{};  // direction (up/down) x interface (n3/n6/n9/none)
  std::vector<uint16_t> rule_ni_;         // 0: any
  std::vector<uint16_t> rule_group_;      // 0: any
};

}  // namespace mecguard::guard
