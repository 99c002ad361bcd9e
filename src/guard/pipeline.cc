#include "guard/pipeline.h"

#include <algorithm>
#include <atomic>
#include <chrono>

#include "guard/detect.h"
#include "guard/stages.h"

namespace mecguard::guard {

std::string_view flow_name(Flow f) {
  switch (f) {
    case Flow::kOther: return "other";
    case Flow::kN4: return "n4";
    case Flow::kUplink: return "uplink";
    case Flow::kDownlink: return "downlink";
    case Flow::kGtpUnknown: return "gtp_unknown";
    case Flow::kN6Uplink: return "n6_uplink";
    case Flow::kN6Downlink: return "n6_downlink";
  }
  return "?";
}

std::string_view action_name(Action a) {
  switch (a) {
    case Action::kPass: return "pass";
    case Action::kDrop: return "drop";
    case Action::kAlert: return "alert";
    case Action::kRedirect: return "redirect";
  }
  return "?";
}

uint64_t ticks() noexcept {
#if defined(__x86_64__)
  return __builtin_ia32_rdtsc();
#else
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                   std::chrono::steady_clock::now().time_since_epoch())
                                   .count());
#endif
}

uint16_t CompiledPolicy::ni_id(std::string_view name) const {
  for (size_t i = 1; i < ni_names.size(); ++i) {
    if (ni_names[i] == name) return static_cast<uint16_t>(i);
  }
  return 0;
}

Expected<std::shared_ptr<const CompiledPolicy>> compile_policy(const policy::Policy& p) {
  auto c = std::make_shared<CompiledPolicy>();
  c->source = p;
  c->modes.fill(policy::StageMode::kEnforce);
  c->modes[static_cast<size_t>(StageId::kN4)] = p.stages.n4;
  c->modes[static_cast<size_t>(StageId::kSanity)] = p.stages.gtpu_sanity;
  c->modes[static_cast<size_t>(StageId::kTeid)] = p.stages.teid;
  c->modes[static_cast<size_t>(StageId::kAntiSpoof)] = p.stages.anti_spoof;
  c->modes[static_cast<size_t>(StageId::kInterUe)] = p.stages.inter_ue;
  c->modes[static_cast<size_t>(StageId::kZone)] = p.stages.zone;
  c->modes[static_cast<size_t>(StageId::kAcl)] = p.stages.acl;
  c->modes[static_cast<size_t>(StageId::kRate)] = p.stages.rate;
  c->modes[static_cast<size_t>(StageId::kQuarantine)] = p.stages.quarantine;
  c->modes[static_cast<size_t>(StageId::kDetect)] = p.detection.enabled ? p.stages.detect : policy::StageMode::kOff;
  auto apply_thresholds = [](const std::map<std::string, double>& th, DetectThresholds& out) {
    auto take = [&th](const char* key, double& v) {
      if (auto it = th.find(key); it != th.end()) v = it->second;
    };
    take("syn_rate", out.syn_rate);
    take("udp_rate", out.udp_rate);
    take("icmp_rate", out.icmp_rate);
    take("scan_distinct_ports", out.scan_distinct_ports);
    take("scan_distinct_hosts", out.scan_distinct_hosts);
    take("anomaly_sigma", out.anomaly_sigma);
    take("session_churn", out.session_churn);
    take("behaviour_change", out.behaviour_change);
  };
  apply_thresholds(p.detection.thresholds, c->detect_default);
  c->burst_seconds = p.rate_limits.burst_seconds;
  c->ue_rate = {p.rate_limits.ue_uplink, p.rate_limits.ue_downlink};

  const auto& t = p.topology;
  c->upf_tunnel_addrs = t.upf_n3;
  c->upf_tunnel_addrs.insert(c->upf_tunnel_addrs.end(), t.upf_n9.begin(), t.upf_n9.end());
  c->upf_n9_addrs = t.upf_n9;
  c->n4_peers = t.smf_peers;
  c->n4_peers.insert(c->n4_peers.end(), t.upf_n4.begin(), t.upf_n4.end());
  for (const auto* list : {&t.upf_n3, &t.upf_n4, &t.upf_n6, &t.upf_n9, &t.smf_peers}) {
    c->infrastructure.insert(c->infrastructure.end(), list->begin(), list->end());
  }

  // Zones: configured prefixes, then UE pools (ue) and infrastructure hosts (core), which
  // as the more specific entries win over a broad zone that contains them.
  c->ni_names.push_back("");
  c->ni_inter_ue.push_back({});
  for (const auto& [zone, prefixes] : p.zones) {
    for (const auto& pre : prefixes) c->zones.add(pre, zone);
    c->has_zone_prefixes |= !prefixes.empty();
  }
  for (const auto& ni : p.network_instances) {
    const auto id = static_cast<uint16_t>(c->ni_names.size());
    c->ni_names.push_back(ni.name);
    c->ni_inter_ue.push_back(ni.inter_ue);
    for (const auto& pool : ni.ue_pools) {
      c->zones.add(pool, policy::Zone::kUe);
      c->ue_pools.add(pool, id);
    }
    if (ni.inter_ue.action == policy::Action::kRedirect) c->gateways.push_back(ni.inter_ue.gateway);
  }
  for (const auto& a : c->infrastructure) c->zones.add(IpPrefix::make(a, a.is_v4() ? 32 : 128), policy::Zone::kCore);
  c->zones.build();
  // The zone matrix: same zone passes; RAN <-> core inside a GTP-U tunnel is N3 itself; the
  // first rule for the pair decides; then the built-in MEC -> core and UE -> core denials,
  // then the zone default.
  for (size_t zs = 0; zs < policy::kZoneCount; ++zs) {
    for (size_t zd = 0; zd < policy::kZoneCount; ++zd) {
      for (int tunnel = 0; tunnel < 2; ++tunnel) {
        using policy::Zone;
        const auto from = static_cast<Zone>(zs), to = static_cast<Zone>(zd);
        CompiledPolicy::ZoneVerdict zv;
        const bool n3 = tunnel && ((from == Zone::kRan && to == Zone::kCore) || (from == Zone::kCore && to == Zone::kRan));
        const auto rule = std::find_if(p.zone_rules.begin(), p.zone_rules.end(),
                                       [&](const policy::ZoneRule& r) { return r.from == from && r.to == to; });
        if (from == to || n3) {
          // pass
        } else if (rule != p.zone_rules.end()) {
          if (rule->action == policy::Action::kDeny) zv = {Reason::kZoneDenied, Action::kDrop};
          else if (rule->action == policy::Action::kLog) zv = {Reason::kZoneLogged, Action::kAlert};
        } else if (from == Zone::kMec && to == Zone::kCore) {
          zv = {Reason::kMecToCore, Action::kDrop};
        } else if (from == Zone::kUe && to == Zone::kCore) {
          zv = {Reason::kUeToInfrastructure, Action::kDrop};
        } else if (p.zone_default == policy::Action::kDeny) {
          zv = {Reason::kZoneDenied, Action::kDrop};
        }
        c->zone_matrix[(zs * policy::kZoneCount + zd) * 2 + static_cast<size_t>(tunnel)] = zv;
      }
    }
  }
  c->ue_pools.build();
  c->ni_rates.resize(c->ni_names.size());
  for (const auto& [name, rates] : p.rate_limits.network_instances) c->ni_rates[c->ni_id(name)] = rates;

  c->group_class.push_back(-1);
  std::vector<std::string> class_names;
  for (const auto& [name, cls] : p.classes) {
    class_names.push_back(name);
    c->classes.push_back(cls);
    auto rates = c->ue_rate;
    const auto& thresholds = cls.thresholds;  // a structured binding cannot be captured (clang 14)
    auto th = [&thresholds](const char* key, double& out) {
      if (auto it = thresholds.find(key); it != thresholds.end()) out = it->second;
    };
    th("ul_pps", rates.first.pps);
    th("ul_bps", rates.first.bps);
    th("dl_pps", rates.second.pps);
    th("dl_bps", rates.second.bps);
    c->class_rates.push_back(rates);
    DetectThresholds dt = c->detect_default;
    apply_thresholds(cls.thresholds, dt);
    c->class_detect.push_back(dt);
    if (cls.inter_ue && cls.inter_ue->action == policy::Action::kRedirect) c->gateways.push_back(cls.inter_ue->gateway);
  }
  std::vector<std::string> group_names{""};
  for (const auto& g : p.ue_groups) {
    const auto id = static_cast<uint16_t>(group_names.size());
    group_names.push_back(g.name);
    for (const auto& m : g.members) c->ue_groups.add(m, id);
    const auto it = std::find(class_names.begin(), class_names.end(), g.security_class);
    c->group_class.push_back(it == class_names.end() ? -1 : static_cast<int>(it - class_names.begin()));
  }
  c->ue_groups.build();

  auto acl = AclClassifier::compile(p.acl, c->ni_names, group_names);
  if (!acl) return Unexpected(acl.error());
  c->acl = std::move(*acl);
  c->acl_rate_slot.assign(p.acl.size(), -1);
  for (size_t i = 0; i < p.acl.size(); ++i) {
    if (!p.acl[i].rate.any() || p.acl[i].action == policy::Action::kDeny) continue;
    c->acl_rate_slot[i] = static_cast<int32_t>(c->acl_rates.size());
    c->acl_rates.push_back(p.acl[i].rate);
  }
  static std::atomic<uint64_t> next_id{1};
  c->id = next_id.fetch_add(1, std::memory_order_relaxed);
  c->stages = make_stages(*c);
  return std::shared_ptr<const CompiledPolicy>(std::move(c));
}

Worker::Worker(const Limits& limits)
    : sessions_(limits.sessions),
      ue_states_(sessions_.ue_states()),
      n4_(sessions_, limits.n4),
      max_events_(limits.max_events_per_batch),
      rates_(ue_states_),
      detect_(std::make_unique<DetectState>(ue_states_, limits.sessions.max_sessions)) {
  events_.reserve(max_events_);
  sessions_.on_remove(&keep_churn_history, detect_.get());
}

Worker::~Worker() = default;

void Worker::set_policy(std::shared_ptr<const CompiledPolicy> p) {
  policy_ = std::move(p);
  ni_map_.clear();  // names may map to other ids in the new policy
  rates_.ni.assign(policy_->ni_names.size(), {});
}

uint16_t Worker::learn_ni(uint16_t tid) {
  const size_t old = ni_map_.size();
  ni_map_.resize(tid + 1u);
  for (size_t i = old; i <= tid; ++i) {
    ni_map_[i] = policy_->ni_id(sessions_.network_instance_name(static_cast<uint16_t>(i)));
  }
  return ni_map_[tid];
}

bool Worker::report(const PacketCtx& p, Verdict& v, Reason r, Action enforce_action, uint32_t rule_id,
                    uint16_t gateway) noexcept {
  const auto mode = policy_->modes[static_cast<size_t>(reason_stage(r))];
  Action a = enforce_action;
  bool monitored = false;
  if (mode == policy::StageMode::kMonitor && (a == Action::kDrop || a == Action::kRedirect)) {
    a = Action::kAlert;
    monitored = true;
  }
  const auto ri = static_cast<size_t>(r);
  if (a == Action::kDrop || a == Action::kRedirect) ++counters_.drops[ri];
  else ++counters_.alerts[ri];
  // A drop overrides an earlier alert; an alert never overrides a drop.
  if (v.action == Action::kPass || a == Action::kDrop || a == Action::kRedirect) {
    v.action = a;
    v.reason = r;
    v.monitored = monitored;
    v.rule_id = rule_id;
    v.gateway = gateway;
  }
  if (events_.size() < max_events_) {
    Event e;
    e.ts_ns = p.ts_ns;
    e.frame = p.frame;
    e.reason = r;
    e.action = a;
    e.monitored = monitored;
    e.flow = p.flow;
    if (const Session* s = sessions_.get(p.session)) e.up_seid = s->up_seid;
    if (const IpAddr* ue = p.ue_addr()) e.ue = *ue;
    const auto& ip = p.ip().present() ? p.ip() : p.pkt.outer_ip;
    const auto& l4 = p.ip().present() ? p.l4() : p.pkt.outer_l4;
    e.src = ip.src;
    e.dst = ip.dst;
    e.proto = ip.proto;
    e.sport = l4.sport;
    e.dport = l4.dport;
    e.teid = p.pkt.gtpu.teid;
    e.rule_id = rule_id;
    if (a == Action::kRedirect && gateway < policy_->gateways.size()) e.gateway = policy_->gateways[gateway];
    events_.push_back(e);
  } else {
    ++counters_.events_dropped;
  }
  return a == Action::kDrop || a == Action::kRedirect;
}

void Worker::quarantine_report(const QuarantineEntry& q, std::string_view change, uint64_t now_ns) {
  const auto r = static_cast<size_t>(Reason::kQuarantineChanged);
  ++counters_.alerts[r];
  if (events_.size() >= max_events_) {
    ++counters_.events_dropped;
    return;
  }
  Event e;
  e.ts_ns = now_ns;
  e.reason = Reason::kQuarantineChanged;
  e.action = Action::kAlert;
  e.ue = q.ue;
  e.detail = change;
  events_.push_back(e);
}

QuarantineChange Worker::quarantine_add(const QuarantineEntry& e, uint64_t now_ns) {
  const auto c = quarantine_.add(e);
  quarantine_report(e, change_name(c), now_ns);
  return c;
}

bool Worker::quarantine_release(const IpAddr& ue, uint64_t now_ns) {
  QuarantineEntry e;
  e.ue = ue;
  if (!quarantine_.release(ue)) return false;
  quarantine_report(e, change_name(QuarantineChange::kReleased), now_ns);
  return true;
}

Pipeline::Pipeline(std::shared_ptr<const CompiledPolicy> policy, const Worker::Limits& limits,
                   decode::LinkType link)
    : worker_(limits), link_(link), ctx_(kMaxBatch) {
  worker_.set_policy(std::move(policy));
}

void Pipeline::classify(PacketCtx& p, TunnelMemo& memo) const noexcept {
  const auto& pkt = p.pkt;
  const CompiledPolicy& pol = worker_.policy();
  auto in = [](const std::vector<IpAddr>& list, const IpAddr& a) {
    return std::find(list.begin(), list.end(), a) != list.end();
  };
  if (pkt.app == decode::AppKind::kPfcp) {
    p.flow = Flow::kN4;
  } else if (pkt.app == decode::AppKind::kGtpu) {
    const auto& ip = pkt.outer_ip;
    if (!memo.valid || !(ip.dst == memo.dst) || !(ip.src == memo.src)) {
      memo.on_n9 = false;
      if (in(pol.upf_tunnel_addrs, ip.dst)) {
        memo.flow = Flow::kUplink;
        memo.on_n9 = in(pol.upf_n9_addrs, ip.dst);
      } else if (in(pol.upf_tunnel_addrs, ip.src)) {
        memo.flow = Flow::kDownlink;
        memo.on_n9 = in(pol.upf_n9_addrs, ip.src);
      } else {
        memo.flow = Flow::kGtpUnknown;
      }
      memo.src = ip.src;
      memo.dst = ip.dst;
      memo.valid = true;
    }
    p.flow = memo.flow;
    p.on_n9 = memo.on_n9;
    p.inner = pkt.inner_ip.present();
  } else if (pkt.outer_ip.present()) {
    if (pol.ue_pools.lookup(pkt.outer_ip.src)) p.flow = Flow::kN6Uplink;
    else if (pol.ue_pools.lookup(pkt.outer_ip.dst)) p.flow = Flow::kN6Downlink;
    else p.flow = Flow::kOther;
  }
  if (p.flow == Flow::kN6Uplink || p.flow == Flow::kN6Downlink) {
    const auto& ni = pol.ue_pools.lookup(p.flow == Flow::kN6Uplink ? pkt.outer_ip.src : pkt.outer_ip.dst);
    p.ni = ni ? *ni : 0;
  }
}

void Pipeline::process(std::span<const RawFrame> frames, std::span<Verdict> verdicts) noexcept {
  const size_t n = std::min({frames.size(), verdicts.size(), kMaxBatch});
  auto& c = worker_.counters();
  const uint64_t t_decode = ticks();
  TunnelMemo memo;
  for (size_t i = 0; i < n; ++i) {
    PacketCtx& p = ctx_[i];
    decode::decode_frame(frames[i].data, link_, p.pkt);
    p.frame = frames[i].number;
    p.ts_ns = frames[i].ts_ns;
    p.flow = Flow::kOther;
    p.inner = false;
    p.on_n9 = false;
    p.session = kNoSession;
    p.ni = 0;
    classify(p, memo);
    p.settle();
    verdicts[i] = Verdict{};
    ++c.frames;
    c.bytes += frames[i].data.size();
    ++c.decode_status[static_cast<size_t>(p.pkt.status)];
    ++c.flows[static_cast<size_t>(p.flow)];
  }
  last_n_ = n;
  uint64_t t = ticks();
  c.decode_ticks += t - t_decode;
  // Read the snapshot once per batch: a swap takes effect at the next batch.
  const auto policy = &worker_.policy();
  // N4 frames change session state, so they split the batch: the stages see the frames
  // before an N4 frame, then the N4 frame, then the rest, and every packet is judged
  // against the sessions as they were at its own place in the stream.
  size_t begin = 0;
  while (begin < n) {
    size_t end = begin;
    SegmentSummary seg;
    if (ctx_[begin].flow == Flow::kN4) {
      seg.add(ctx_[begin]);
      end = begin + 1;
    } else {
      for (; end < n && ctx_[end].flow != Flow::kN4; ++end) seg.add(ctx_[end]);
    }
    const std::span<PacketCtx> pkts(ctx_.data() + begin, end - begin);
    for (const auto& stage : policy->stages) {
      if (!stage->wants(seg)) continue;
      stage->run(pkts, verdicts.subspan(begin, end - begin), worker_);
      const uint64_t now = ticks();
      c.stage_ticks[static_cast<size_t>(stage->id())] += now - t;
      t = now;
    }
    begin = end;
  }
  for (size_t i = 0; i < n; ++i) ++c.actions[static_cast<size_t>(verdicts[i].action)];
}

}  // namespace mecguard::guard
