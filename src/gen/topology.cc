#include "gen/topology.h"

#include <cstdint>

#include <algorithm>
#include <unordered_set>

#include "gen/prng.h"

namespace mecguard::gen {

namespace {
constexpr int64_t kMs = 1'000'000;
constexpr int64_t kSec = 1'000'000'000;
constexpr uint64_t kNtpUnixOffset = 2'208'988'800ULL;

uint64_t unique_nonzero(Prng& rng, std::unordered_set<uint64_t>& used, uint64_t mask) {
  for (;;) {
    const uint64_t v = rng.next() & mask;
    if (v != 0 && used.insert(v).second) return v;
  }
}

// Uniform in [lo, hi); lo when the range is empty.
int64_t uniform_time(Prng& rng, int64_t lo, int64_t hi) {
  if (hi <= lo) return lo;
  return lo + static_cast<int64_t>(rng.below(static_cast<uint64_t>(hi - lo)));
}
}  // namespace

IpAddr nth_address(const IpPrefix& p, uint64_t index, bool subnet64) {
  IpAddr a = p.addr;
  if (a.is_v4()) {
    return IpAddr::v4(a.v4_host() + static_cast<uint32_t>(index));
  }
  // IPv6: add to the 64-bit network half (subnet64) or to the interface half.
  const size_t base = subnet64 ? 0 : 8;
  uint64_t half = 0;
  for (size_t i = 0; i < 8; ++i) half = (half << 8) | a.bytes[base + i];
  half += index;
  for (size_t i = 0; i < 8; ++i) {
    a.bytes[base + 7 - i] = static_cast<uint8_t>(half >> (8 * i));
  }
  return a;
}

Topology build_topology(const Scenario& sc) {
  Topology topo;
  Prng rng(sc.seed, "topology");
  const auto& net = sc.net;
  const int64_t end = sc.duration_ns;
  const int64_t start_s = sc.start_ns / kSec;
  topo.recovery_ts_smf =
      static_cast<uint32_t>(static_cast<uint64_t>(start_s - 7200) + kNtpUnixOffset);
  topo.recovery_ts_upf =
      static_cast<uint32_t>(static_cast<uint64_t>(start_s - 3600) + kNtpUnixOffset);

  std::unordered_set<uint64_t> ul_teids, dl_teids, seids;
  std::vector<uint64_t> next_in_dnn(net.dnns.size(), 0);
  uint64_t weight_sum = 0;
  for (const auto& d : net.dnns) weight_sum += d.weight;

  auto allocate = [&](Ue& ue) {
    // Weighted round robin over the DNNs: each DNN gets its exact share of UEs (rounded up),
    // which the pool-size validation relies on.
    uint64_t pick = ue.index % weight_sum;
    uint16_t di = 0;
    while (size_t{di} + 1 < net.dnns.size() && pick >= net.dnns[di].weight) {
      pick -= net.dnns[di].weight;
      ++di;
    }
    ue.dnn = di;
    const Dnn& d = net.dnns[di];
    const uint64_t k = next_in_dnn[di]++;
    if (d.pool_v4) ue.v4 = nth_address(*d.pool_v4, k + 2);  // skip network and gateway
    const bool want_v6 = d.pool_v6 && (!d.pool_v4 || rng.chance_permille(sc.ues.ipv6_permille));
    if (want_v6) {
      const IpAddr net64 = nth_address(*d.pool_v6, k + 1, true);
      ue.v6_prefix = IpPrefix::make(net64, 64);
      ue.v6 = nth_address(ue.v6_prefix, (rng.next() | 1) & 0x7FFFFFFFFFFFFFFFULL);
    }
    ue.label = ue.has_v4() ? ue.v4.to_string() : ue.v6_prefix.to_string();
    ue.smf = static_cast<uint16_t>(ue.index % net.smf.size());
    ue.gnb = static_cast<uint16_t>(rng.below(net.gnb.size()));
    ue.gnb_after = ue.gnb;
    ue.upf_fteid = rng.chance_permille(sc.ues.upf_fteid_permille);
    ue.ul_teid = static_cast<uint32_t>(unique_nonzero(rng, ul_teids, 0xFFFFFFFFULL));
    ue.dl_teid = static_cast<uint32_t>(unique_nonzero(rng, dl_teids, 0xFFFFFFFFULL));
    ue.dl_teid_after = ue.dl_teid;
    ue.cp_seid = unique_nonzero(rng, seids, ~uint64_t{0});
    ue.up_seid = unique_nonzero(rng, seids, ~uint64_t{0});
  };

  // Establishments start once the associations are up (100 ms) and spread over the window.
  const int64_t window_end = std::clamp<int64_t>(sc.ues.attach_window_ns, 200 * kMs, end);
  for (uint32_t i = 0; i < sc.ues.count; ++i) {
    Ue ue;
    ue.index = i;
    allocate(ue);
    ue.establish_ns = uniform_time(rng, 100 * kMs, window_end);
    ue.active_ns = ue.establish_ns + 3 * kMs;
    if (rng.chance_permille(sc.ues.release_permille)) {
      const int64_t lo = ue.active_ns + (end - ue.active_ns) / 3;
      ue.release_ns = uniform_time(rng, lo, end - end / 20);
      if (ue.release_ns <= ue.active_ns) ue.release_ns = kNever;
    }
    if (rng.chance_permille(sc.ues.handover_permille)) {
      const int64_t stop = ue.release_ns == kNever ? end - end / 20 : ue.release_ns;
      const int64_t lo = ue.active_ns + (stop - ue.active_ns) / 10;
      const int64_t t = uniform_time(rng, lo, stop - 10 * kMs);
      if (t > ue.active_ns && t + 10 * kMs < stop) {
        ue.handover_ns = t;
        ue.switch_ns = t + 3 * kMs;
        if (net.gnb.size() > 1) {
          ue.gnb_after =
              static_cast<uint16_t>((ue.gnb + 1 + rng.below(net.gnb.size() - 1)) % net.gnb.size());
        }
        ue.dl_teid_after = static_cast<uint32_t>(unique_nonzero(rng, dl_teids, 0xFFFFFFFFULL));
      }
    }
    topo.ues.push_back(std::move(ue));
  }
  topo.benign_count = sc.ues.count;

  // stale_teid needs deleted sessions: release a few when the plan has none.
  const auto& stale = sc.attack(Attack::kStaleTeid);
  bool any_released = false;
  for (const auto& ue : topo.ues) any_released = any_released || ue.release_ns != kNever;
  if (stale.enabled && !any_released) {
    const uint32_t n = std::min<uint32_t>(3, topo.benign_count);
    for (uint32_t i = 0; i < n; ++i) {
      Ue& ue = topo.ues[i];
      const int64_t t = std::max(ue.active_ns + kSec, stale.start_ns - kSec);
      if (t < end) {
        ue.release_ns = t;
        if (ue.handover_ns >= t) ue.handover_ns = ue.switch_ns = kNever;
      }
    }
  }
  for (const auto& ue : topo.ues) {
    if (ue.release_ns != kNever) topo.released.push_back(ue.index);
  }

  // session_churn: `sources` churning UEs, each establishing and deleting short-lived
  // sessions one after another with the same UE address (new SEIDs and TEIDs each time).
  // Session i belongs to source i % sources, so one source's sessions are `period` apart and
  // each is deleted (and answered) before the next one starts.
  const auto& churn = sc.attack(Attack::kSessionChurn);
  if (churn.enabled) {
    Prng crng(sc.seed, "session_churn");
    const int64_t step = kSec / std::max<uint32_t>(churn.rate, 1);
    const uint32_t sources = std::max<uint32_t>(churn.sources, 1);
    const int64_t period = step * sources;
    std::vector<size_t> first(sources, SIZE_MAX);  // the source's first session
    for (uint32_t i = 0; i < churn.count; ++i) {
      Ue ue;
      ue.index = static_cast<uint32_t>(topo.ues.size());
      allocate(ue);
      const uint32_t src = i % sources;
      if (first[src] == SIZE_MAX) {
        first[src] = topo.ues.size();
      } else {
        const Ue& f = topo.ues[first[src]];
        ue.dnn = f.dnn;
        ue.v4 = f.v4;
        ue.v6 = f.v6;
        ue.v6_prefix = f.v6_prefix;
        ue.label = f.label;
      }
      ue.churn = true;
      ue.smf = 0;
      ue.establish_ns = churn.start_ns + static_cast<int64_t>(i) * step;
      ue.active_ns = ue.establish_ns + 3 * kMs;
      // Alive for 40-90% of what is left of the period after the 3 ms attach and a margin
      // for the deletion's response.
      const int64_t span = std::max<int64_t>(period - 8 * kMs, kMs);
      ue.release_ns = ue.active_ns + span * (40 + static_cast<int64_t>(crng.below(51))) / 100;
      topo.ues.push_back(std::move(ue));
    }
  }
  return topo;
}

}  // namespace mecguard::gen
