#include "guard/acl_classifier.h"

#include <algorithm>
#include <cstring>
#include <limits>

namespace mecguard::guard {

template <class K>
uint32_t Dimension<K>::lookup(K k) const {
  return class_[buckets.find(starts, k)];  // starts[0] == 0
}

namespace {

template <class K>
constexpr K kMax = std::numeric_limits<K>::max();
template <>
constexpr U128 kMax<U128> = ~U128{0};

size_t ctx_index(policy::Direction d, policy::Interface i) {
  const size_t dir = d == policy::Direction::kDownlink ? 1 : 0;
  size_t ifc = 3;
  switch (i) {
    case policy::Interface::kN3: ifc = 0; break;
    case policy::Interface::kN6: ifc = 1; break;
    case policy::Interface::kN9: ifc = 2; break;
    case policy::Interface::kAny: ifc = 3; break;
  }
  return dir * 4 + ifc;
}

bool ctx_matches(const policy::AclRule& r, size_t ctx) {
  const auto dir = ctx / 4 == 1 ? policy::Direction::kDownlink : policy::Direction::kUplink;
  static constexpr policy::Interface kIfc[] = {policy::Interface::kN3, policy::Interface::kN6,
                                               policy::Interface::kN9, policy::Interface::kAny};
  const auto ifc = kIfc[ctx % 4];
  const bool dir_ok = r.direction == policy::Direction::kAny || r.direction == dir;
  const bool ifc_ok = r.interface == policy::Interface::kAny || r.interface == ifc;
  return dir_ok && ifc_ok;
}

void set_bit(std::vector<uint64_t>& bits, size_t i) { bits[i / 64] |= uint64_t{1} << (i % 64); }

}  // namespace

uint32_t AclClassifier::intern(const std::vector<uint64_t>& bits) {
  std::string key(reinterpret_cast<const char*>(bits.data()), bits.size() * sizeof(uint64_t));
  auto [it, inserted] = intern_.try_emplace(std::move(key), static_cast<uint32_t>(intern_.size()));
  if (inserted) {
    class_words_.insert(class_words_.end(), bits.begin(), bits.end());
    for (size_t a = 0; a < agg_per_class_; ++a) {
      uint64_t agg = 0;
      for (size_t j = 0; j < 64 && a * 64 + j < words_per_class_; ++j) {
        if (bits[a * 64 + j] != 0) agg |= uint64_t{1} << j;
      }
      class_agg_.push_back(agg);
    }
  }
  return it->second;
}

// Sweeps the ranges' boundaries left to right, keeping the set of rules covering the
// current point; each change starts a new elementary interval with that set's class.
template <class K>
void AclClassifier::build_dimension(Dimension<K>& dim, std::vector<std::array<K, 2>>& ranges,
                                    std::vector<uint32_t>& owners) {
  struct Event {
    K at;
    uint32_t rule;
    int delta;
  };
  std::vector<Event> events;
  events.reserve(ranges.size() * 2);
  for (size_t i = 0; i < ranges.size(); ++i) {
    events.push_back({ranges[i][0], owners[i], +1});
    if (ranges[i][1] != kMax<K>) events.push_back({static_cast<K>(ranges[i][1] + 1), owners[i], -1});
  }
  std::sort(events.begin(), events.end(), [](const Event& a, const Event& b) { return a.at < b.at; });
  std::vector<uint32_t> cover(rule_count_, 0);
  std::vector<uint64_t> bits(words_per_class_, 0);
  auto apply = [&](const Event& e) {
    if (e.delta > 0) {
      if (cover[e.rule]++ == 0) set_bit(bits, e.rule);
    } else if (--cover[e.rule] == 0) {
      bits[e.rule / 64] &= ~(uint64_t{1} << (e.rule % 64));
    }
  };
  size_t i = 0;
  while (i < events.size() && events[i].at == K{0}) apply(events[i++]);
  dim.starts.assign(1, K{0});
  dim.class_.assign(1, intern(bits));
  while (i < events.size()) {
    const K at = events[i].at;
    while (i < events.size() && events[i].at == at) apply(events[i++]);
    const uint32_t c = intern(bits);
    if (c != dim.class_.back()) {
      dim.starts.push_back(at);
      dim.class_.push_back(c);
    }
  }
  dim.buckets.build(dim.starts);
}

Expected<AclClassifier> AclClassifier::compile(const std::vector<policy::AclRule>& rules,
                                               const std::vector<std::string>& network_instances,
                                               const std::vector<std::string>& ue_groups) {
  AclClassifier c;
  c.rule_count_ = rules.size();
  c.words_per_class_ = std::max<size_t>(1, (rules.size() + 63) / 64);
  c.agg_per_class_ = (c.words_per_class_ + 63) / 64;

  auto id_of = [](const std::vector<std::string>& names, const std::string& name) -> int {
    if (name.empty()) return 0;
    for (size_t i = 1; i < names.size(); ++i) {
      if (names[i] == name) return static_cast<int>(i);
    }
    return -1;
  };

  std::vector<std::array<uint32_t, 2>> s4, d4;
  std::vector<uint32_t> s4o, d4o;
  std::vector<std::array<U128, 2>> s6, d6;
  std::vector<uint32_t> s6o, d6o;
  std::vector<std::array<uint16_t, 2>> sp, dp;
  std::vector<uint32_t> spo, dpo;
  for (size_t i = 0; i < rules.size(); ++i) {
    const auto& r = rules[i];
    const auto idx = static_cast<uint32_t>(i);
    const int ni = id_of(network_instances, r.network_instance);
    const int grp = id_of(ue_groups, r.ue_group);
    if (ni < 0) return Unexpected(Error(ErrorCode::kValidation, "unknown network instance '" + r.network_instance + "'", r.where));
    if (grp < 0) return Unexpected(Error(ErrorCode::kValidation, "unknown UE group '" + r.ue_group + "'", r.where));
    c.rule_ni_.push_back(static_cast<uint16_t>(ni));
    c.rule_group_.push_back(static_cast<uint16_t>(grp));

    auto add_addrs = [&](const std::vector<IpPrefix>& list, auto& r4, auto& o4, auto& r6, auto& o6) {
      if (list.empty()) {
        r4.push_back({0u, 0xFFFFFFFFu});
        o4.push_back(idx);
        r6.push_back({U128{0}, ~U128{0}});
        o6.push_back(idx);
        return;
      }
      for (const auto& p : list) {
        if (p.addr.is_v4()) {
          const uint32_t lo = p.addr.v4_host();
          const uint32_t span = p.len == 0 ? 0xFFFFFFFFu : (p.len >= 32 ? 0u : 0xFFFFFFFFu >> p.len);
          r4.push_back({lo, lo | span});
          o4.push_back(idx);
        } else {
          const U128 lo = v6_key(p.addr);
          const U128 span = p.len == 0 ? ~U128{0} : (p.len >= 128 ? U128{0} : ~U128{0} >> p.len);
          r6.push_back({lo, lo | span});
          o6.push_back(idx);
        }
      }
    };
    add_addrs(r.src, s4, s4o, s6, s6o);
    add_addrs(r.dst, d4, d4o, d6, d6o);
    const bool icmp = r.proto == 1 || r.proto == 58;
    if (icmp) {  // ICMP type/code ride in the port dimensions
      const uint16_t t = r.icmp_type < 0 ? 0 : static_cast<uint16_t>(r.icmp_type);
      const uint16_t tc = r.icmp_code < 0 ? 0 : static_cast<uint16_t>(r.icmp_code);
      sp.push_back({t, r.icmp_type < 0 ? uint16_t{65535} : t});
      dp.push_back({tc, r.icmp_code < 0 ? uint16_t{65535} : tc});
    } else {
      sp.push_back({r.sport.lo, r.sport.hi});
      dp.push_back({r.dport.lo, r.dport.hi});
    }
    spo.push_back(idx);
    dpo.push_back(idx);
  }
  c.build_dimension(c.src4_, s4, s4o);
  c.build_dimension(c.dst4_, d4, d4o);
  c.build_dimension(c.src6_, s6, s6o);
  c.build_dimension(c.dst6_, d6, d6o);
  c.build_dimension(c.sport_, sp, spo);
  c.build_dimension(c.dport_, dp, dpo);
  std::vector<uint64_t> bits(c.words_per_class_);
  for (size_t proto = 0; proto < 256; ++proto) {
    std::fill(bits.begin(), bits.end(), 0);
    for (size_t i = 0; i < rules.size(); ++i) {
      if (rules[i].proto == 0 || rules[i].proto == proto) set_bit(bits, i);
    }
    c.proto_class_[proto] = c.intern(bits);
  }
  for (size_t ctx = 0; ctx < c.ctx_class_.size(); ++ctx) {
    std::fill(bits.begin(), bits.end(), 0);
    for (size_t i = 0; i < rules.size(); ++i) {
      if (ctx_matches(rules[i], ctx)) set_bit(bits, i);
    }
    c.ctx_class_[ctx] = c.intern(bits);
  }
  c.intern_.clear();  // only needed while compiling
  return c;
}

int32_t AclClassifier::classify(const AclKey& key) const noexcept {
  if (rule_count_ == 0) return kNoRule;
  const bool v4 = key.src.is_v4() && key.dst.is_v4();
  if (!v4 && !(key.src.is_v6() && key.dst.is_v6())) return kNoRule;
  // Dimensions one at a time, cheapest and most selective first, AND-ing their summary words
  // as they come: most packets match no rule, and the first dimension whose rule set is
  // disjoint from the others' so far ends the lookup without the remaining searches.
  static constexpr int kOrder[kDims] = {kProto, kCtx, kDport, kDst, kSrc, kSport};
  uint32_t cls[kDims];
  constexpr size_t kMaxAgg = 16;  // summary words kept on the stack (1,024 words: 65,536 rules)
  uint64_t acc[kMaxAgg];
  const size_t naggs = agg_per_class_;
  const bool early = naggs <= kMaxAgg;
  for (int step = 0; step < kDims; ++step) {
    const int d = kOrder[step];
    switch (d) {
      case kProto: cls[d] = proto_class_[key.proto]; break;
      case kCtx: cls[d] = ctx_class_[ctx_index(key.direction, key.interface)]; break;
      case kDport: cls[d] = dport_.lookup(key.dport); break;
      case kSport: cls[d] = sport_.lookup(key.sport); break;
      case kDst: cls[d] = v4 ? dst4_.lookup(key.dst.v4_host()) : dst6_.lookup(v6_key(key.dst)); break;
      default: cls[d] = v4 ? src4_.lookup(key.src.v4_host()) : src6_.lookup(v6_key(key.src)); break;
    }
    if (!early) continue;
    const uint64_t* agg = class_agg_.data() + size_t{cls[d]} * naggs;
    uint64_t any = 0;
    for (size_t a = 0; a < naggs; ++a) {
      acc[a] = step == 0 ? agg[a] : acc[a] & agg[a];
      any |= acc[a];
    }
    if (any == 0) return kNoRule;
  }

  const uint64_t* words[kDims];
  const uint64_t* aggs[kDims];
  for (int d = 0; d < kDims; ++d) {
    words[d] = class_words_.data() + cls[d] * words_per_class_;
    aggs[d] = class_agg_.data() + cls[d] * naggs;
  }
  for (size_t a = 0; a < naggs; ++a) {
    uint64_t agg = early ? acc[a] : aggs[0][a] & aggs[1][a] & aggs[2][a] & aggs[3][a] & aggs[4][a] & aggs[5][a];
    while (agg != 0) {
      const size_t w = a * 64 + static_cast<size_t>(__builtin_ctzll(agg));
      agg &= agg - 1;
      uint64_t bits = words[0][w] & words[1][w] & words[2][w] & words[3][w] & words[4][w] & words[5][w];
      while (bits != 0) {
        const size_t rule = w * 64 + static_cast<size_t>(__builtin_ctzll(bits));
        bits &= bits - 1;
        const uint16_t ni = rule_ni_[rule];
        const uint16_t grp = rule_group_[rule];
        if ((ni == 0 || ni == key.network_instance) && (grp == 0 || grp == key.ue_group)) {
          return static_cast<int32_t>(rule);
        }
      }
    }
  }
  return kNoRule;
}

size_t AclClassifier::memory_bytes() const {
  return class_words_.size() * 8 + class_agg_.size() * 8 + (src4_.starts.size() + dst4_.starts.size()) * 8 +
         (src6_.starts.size() + dst6_.starts.size()) * 20 + (sport_.starts.size() + dport_.starts.size()) * 6 +
         rule_ni_.size() * 4 + src4_.buckets.memory_bytes() + dst4_.buckets.memory_bytes() +
         src6_.buckets.memory_bytes() + dst6_.buckets.memory_bytes() + sport_.buckets.memory_bytes() +
         dport_.buckets.memory_bytes();
}

}  // namespace mecguard::guard
