// See gateway.h. Thread roles: the I/O thread (io_loop) is the only one touching the ports
// and the producer/sender side of every FrameRing; each worker thread (worker_loop) owns its
// guard::Pipeline and the processed side of its ring; control calls reach workers only
// through their mailbox, which a worker reads between batches.
#include "gateway/gateway.h"

#include <poll.h>
#include <sched.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <future>
#include <set>

#include "guard/flat_map.h"
#include "guard/stats_json.h"
#include "policy/policy.h"

namespace mecguard::gateway {

namespace {

uint64_t unix_ns() {
  return static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count());
}

constexpr size_t kRxBurst = 64;
constexpr size_t kMaxOutbox = 65536;  // events a worker holds for the control thread

}  // namespace

struct Gateway::WorkerCtx {
  WorkerCtx(size_t index_, size_t queue, size_t slot_bytes, std::shared_ptr<const guard::CompiledPolicy> p,
            const guard::Worker::Limits& limits)
      : index(index_), ring(queue, slot_bytes), pipe(std::move(p), limits, decode::LinkType::kEthernet) {}

  size_t index;
  FrameRing ring;
  guard::Pipeline pipe;
  std::thread thread;

  // Mailbox: control -> worker, applied between batches.
  std::mutex mb_m;
  std::vector<std::function<void(guard::Worker&)>> mb_cmds;
  std::shared_ptr<const guard::CompiledPolicy> mb_policy;
  std::atomic<bool> mb_pending{false};

  // Published by the worker: counters and events for the control thread.
  std::mutex pub_m;
  guard::Counters pub_counters;
  std::array<uint64_t, guard::kN4OutcomeCount> pub_n4{};
  size_t pub_sessions = 0;
  size_t pub_quarantined = 0;
  std::vector<guard::Event> outbox;
  uint64_t outbox_dropped = 0;

  std::atomic<uint64_t> queue_full{0};  // I/O thread waited for room in this ring
};

Gateway::Gateway(const GatewayConfig& cfg, const guard::Worker::Limits& limits)
    : cfg_(cfg), limits_(limits), started_(std::chrono::steady_clock::now()) {}

Expected<std::unique_ptr<Gateway>> Gateway::start(const GatewayConfig& cfg,
                                                  std::shared_ptr<const guard::CompiledPolicy> policy,
                                                  const guard::Worker::Limits& limits,
                                                  const std::vector<guard::QuarantineEntry>& quarantine) {
  if (cfg.interfaces.size() != 2) return Unexpected(Error(ErrorCode::kInvalidArgument, "the gateway needs two interfaces"));
  if (cfg.queue_frames == 0 || (cfg.queue_frames & (cfg.queue_frames - 1)) != 0) {
    return Unexpected(Error(ErrorCode::kInvalidArgument, "queue_frames must be a power of two"));
  }
  std::unique_ptr<Gateway> g(new Gateway(cfg, limits));
  for (const auto& ifname : cfg.interfaces) {
    std::string note;
    auto port = open_port(ifname, cfg.port, &note);
    if (!port) return Unexpected(Error(port.error().code, ifname + ": " + port.error().to_string()));
    g->io_notes_.push_back(ifname + ": " + note);
    g->ports_.push_back(std::move(*port));
  }
  g->policy_ = policy;
  g->io_policy_ = policy;
  const bool xdp = g->ports_[0]->mode() == IoMode::kAfXdp && g->ports_[1]->mode() == IoMode::kAfXdp;
  g->reorder_ns_ = cfg.reorder_us ? cfg.reorder_us * 1000 : (xdp ? 200'000 : 10'000'000);
  for (auto& st : g->stages_) {
    const size_t slots = std::max<size_t>(1024, cfg.queue_frames);
    st.buf.resize(slots * cfg.port.frame_size);
    st.meta.resize(slots);
  }
  const size_t workers = std::max<size_t>(1, cfg.workers);
  for (size_t i = 0; i < workers; ++i) {
    g->workers_.push_back(std::make_unique<WorkerCtx>(i, cfg.queue_frames, cfg.port.frame_size, policy, limits));
  }
  const uint64_t now = unix_ns();
  for (const auto& e : quarantine) {
    const size_t home = g->home_worker(e.ue);
    for (auto& w : g->workers_) {
      if (w->index == home) w->pipe.worker().quarantine_add(e, now);
      else w->pipe.worker().quarantine().add(e);
    }
  }
  for (auto& w : g->workers_) {
    WorkerCtx* wp = w.get();
    w->thread = std::thread([g = g.get(), wp] { g->worker_loop(*wp); });
  }
  g->io_thread_ = std::thread([g = g.get()] { g->io_loop(); });
  return g;
}

Gateway::~Gateway() { stop(); }

size_t Gateway::home_worker(const IpAddr& ue) const {
  if (workers_.size() == 1) return 0;
  IpAddr key = ue;
  if (key.is_v6()) std::fill(key.bytes.begin() + 8, key.bytes.end(), uint8_t{0});  // the UE's /64
  return static_cast<size_t>(guard::mix64(IpAddrHash{}(key)) % workers_.size());
}

void Gateway::dispatch(const RxFrame& f, uint8_t port) {
  if (workers_.size() == 1) {
    push(*workers_[0], f, port, false);
    return;
  }
  if (policy_gen_.load(std::memory_order_acquire) != io_policy_gen_) {
    std::lock_guard l(policy_m_);
    io_policy_ = policy_;
    io_policy_gen_ = policy_gen_.load(std::memory_order_relaxed);
  }
  decode::decode_frame(Bytes(f.data, f.len), decode::LinkType::kEthernet, scratch_);
  const auto& pkt = scratch_;
  if (pkt.app == decode::AppKind::kPfcp) {  // every worker learns; worker 0 judges
    for (auto& w : workers_) push(*w, f, port, w->index != 0);
    return;
  }
  const guard::CompiledPolicy& pol = *io_policy_;
  const IpAddr* ue = nullptr;
  if (pkt.app == decode::AppKind::kGtpu && pkt.inner_ip.present()) {
    const bool up = std::find(pol.upf_tunnel_addrs.begin(), pol.upf_tunnel_addrs.end(), pkt.outer_ip.dst) !=
                    pol.upf_tunnel_addrs.end();
    ue = up ? &pkt.inner_ip.src : &pkt.inner_ip.dst;
  } else if (pkt.app != decode::AppKind::kGtpu && pkt.outer_ip.present()) {
    if (pol.ue_pools.lookup(pkt.outer_ip.src)) ue = &pkt.outer_ip.src;
    else if (pol.ue_pools.lookup(pkt.outer_ip.dst)) ue = &pkt.outer_ip.dst;
  }
  size_t w = 0;
  if (ue) {
    w = home_worker(*ue);
  } else if (pkt.outer_ip.present()) {  // GTP-U signalling, other traffic: by the address pair
    const size_t h = IpAddrHash{}(pkt.outer_ip.src) ^ IpAddrHash{}(pkt.outer_ip.dst);
    w = static_cast<size_t>(guard::mix64(h) % workers_.size());
  }
  push(*workers_[w], f, port, false);
}

void Gateway::push(WorkerCtx& w, const RxFrame& f, uint8_t port, bool shadow) {
  FrameRing& r = w.ring;
  if (f.len > r.slot_bytes()) {
    ++oversize_;
    return;
  }
  const uint64_t pos = r.produced().load(std::memory_order_relaxed);
  if (pos - r.sent().load(std::memory_order_relaxed) >= r.capacity()) {
    w.queue_full.fetch_add(1, std::memory_order_relaxed);
    // Back-pressure: transmit what the workers finished until this ring has room.
    while (pos - r.sent().load(std::memory_order_relaxed) >= r.capacity()) {
      bool any = false;
      for (auto& x : workers_) any |= transmit(*x);
      if (!any) sched_yield();
    }
  }
  SlotMeta& m = r.meta(pos);
  m.ts_ns = f.ts_ns ? f.ts_ns : unix_ns();
  m.seq = ++seq_;
  m.len = f.len;
  m.port = port;
  m.shadow = shadow ? 1 : 0;
  m.forward = 0;
  std::memcpy(r.data(pos), f.data, f.len);
  r.produced().store(pos + 1, std::memory_order_release);
}

bool Gateway::transmit(WorkerCtx& w) {
  FrameRing& r = w.ring;
  const uint64_t done = r.processed().load(std::memory_order_acquire);
  uint64_t pos = r.sent().load(std::memory_order_relaxed);
  if (pos == done) return false;
  std::array<std::vector<Bytes>, 2> out;
  for (auto& o : out) o.reserve(kRxBurst);
  while (pos < done) {
    const uint64_t end = std::min(done, pos + kRxBurst);
    for (auto& o : out) o.clear();
    for (uint64_t p = pos; p < end; ++p) {
      const SlotMeta& m = r.meta(p);
      if (m.forward) out[m.port ^ 1u].emplace_back(r.data(p), m.len);
    }
    for (size_t port = 0; port < 2; ++port) {
      std::span<const Bytes> rest(out[port]);
      for (int tries = 0; !rest.empty() && tries < 10000; ++tries) {
        const size_t n = ports_[port]->send(rest);
        rest = rest.subspan(n);
        if (n == 0) {
          ports_[port]->flush();
          sched_yield();
        }
      }
      tx_dropped_ += rest.size();
      ports_[port]->flush();
    }
    pos = end;
  }
  r.sent().store(pos, std::memory_order_release);
  return true;
}

void Gateway::stage_frame(Stage& s, const RxFrame& f) {
  const size_t cap = s.meta.size();
  if (s.count == cap) merge(true);  // full: the oldest frames cannot wait any longer
  const size_t slot = (s.head + s.count) % cap;
  const size_t slot_bytes = cfg_.port.frame_size;
  const uint32_t len = static_cast<uint32_t>(std::min<size_t>(f.len, slot_bytes));
  if (len < f.len) ++oversize_;
  std::memcpy(s.buf.data() + slot * slot_bytes, f.data, len);
  s.meta[slot] = RxFrame{s.buf.data() + slot * slot_bytes, len, f.ts_ns ? f.ts_ns : unix_ns()};
  s.watermark = std::max(s.watermark, s.meta[slot].ts_ns);
  ++s.count;
}

// The two ports deliver in receive order each, but not in step with each other (TPACKET_V3
// hands over a block when it is full or after its retire timeout). A frame is dispatched
// when nothing earlier can still come from the other port: the other port has delivered a
// later frame (its watermark), or the frame is older than the reorder window. So a PFCP
// response is learned after its request and before the G-PDUs that followed it.
size_t Gateway::merge(bool flush_all) {
  const uint64_t now = unix_ns();
  size_t n = 0;
  while (true) {
    Stage& a = stages_[0];
    Stage& b = stages_[1];
    if (a.count == 0 && b.count == 0) break;
    uint8_t port;
    if (a.count && b.count) {
      port = a.meta[a.head].ts_ns <= b.meta[b.head].ts_ns ? 0 : 1;
    } else {
      port = a.count ? 0 : 1;
      const Stage& other = stages_[port ^ 1];
      const uint64_t ts = stages_[port].meta[stages_[port].head].ts_ns;
      const bool safe = ts <= other.watermark || ts + reorder_ns_ <= now;
      if (!safe && !flush_all) break;
    }
    Stage& s = stages_[port];
    dispatch(s.meta[s.head], port);
    s.head = (s.head + 1) % s.meta.size();
    --s.count;
    ++n;
    if (flush_all && s.count < s.meta.size() / 2 && !stopping_.load(std::memory_order_relaxed)) break;
  }
  return n;
}

void Gateway::io_loop() {
  std::array<std::array<RxFrame, kRxBurst>, 2> rx;
  std::array<pollfd, 2> pfd{};
  for (size_t i = 0; i < 2; ++i) pfd[i] = {ports_[i]->fd(), POLLIN, 0};
  bool draining = false;
  int empty_reads = 0;
  while (true) {
    const bool stop = stopping_.load(std::memory_order_acquire);
    size_t got = 0;
    for (uint8_t i = 0; i < 2; ++i) {
      const size_t n = ports_[i]->receive(rx[i]);
      for (size_t k = 0; k < n; ++k) stage_frame(stages_[i], rx[i][k]);
      ports_[i]->release();
      got += n;
    }
    if (stop) {
      empty_reads = got == 0 ? empty_reads + 1 : 0;
      if (empty_reads >= 3) draining = true;  // the kernel rings are empty
    }
    merge(draining);
    bool sent = false;
    for (auto& w : workers_) sent |= transmit(*w);
    if (draining) {
      bool idle = stages_[0].count == 0 && stages_[1].count == 0;
      for (auto& w : workers_) {
        idle &= w->ring.sent().load(std::memory_order_acquire) == w->ring.produced().load(std::memory_order_relaxed);
      }
      if (idle) break;
    }
    if (got == 0 && !sent) {
      bool in_flight = false;
      for (auto& w : workers_) {
        in_flight |= w->ring.sent().load(std::memory_order_relaxed) != w->ring.produced().load(std::memory_order_relaxed);
      }
      const bool staged = stages_[0].count != 0 || stages_[1].count != 0;
      if (in_flight) sched_yield();
      else poll(pfd.data(), pfd.size(), stop || staged ? 1 : 5);
    }
  }
  workers_exit_.store(true, std::memory_order_release);
}

void Gateway::worker_loop(WorkerCtx& w) {
  const size_t batch = std::clamp<size_t>(cfg_.batch, 1, guard::Pipeline::kMaxBatch);
  std::vector<guard::RawFrame> raw(batch);
  std::vector<guard::Verdict> verdicts(batch);
  guard::Worker& gw = w.pipe.worker();
  FrameRing& r = w.ring;
  uint64_t pos = 0;
  auto last_pub = std::chrono::steady_clock::now();
  bool dirty = true;
  int idle = 0;
  auto publish = [&] {
    std::lock_guard l(w.pub_m);
    w.pub_counters = gw.counters();
    w.pub_n4 = gw.n4().counters();
    w.pub_sessions = gw.sessions().size();
    w.pub_quarantined = gw.quarantine().size();
    auto& ev = gw.events();
    const size_t room = kMaxOutbox > w.outbox.size() ? kMaxOutbox - w.outbox.size() : 0;
    const size_t take = std::min(room, ev.size());
    w.outbox.insert(w.outbox.end(), ev.begin(), ev.begin() + static_cast<std::ptrdiff_t>(take));
    w.outbox_dropped += ev.size() - take;
    ev.clear();
    dirty = false;
    last_pub = std::chrono::steady_clock::now();
  };
  while (true) {
    if (w.mb_pending.load(std::memory_order_acquire)) {
      std::vector<std::function<void(guard::Worker&)>> cmds;
      std::shared_ptr<const guard::CompiledPolicy> p;
      {
        std::lock_guard l(w.mb_m);
        cmds.swap(w.mb_cmds);
        p.swap(w.mb_policy);
        w.mb_pending.store(false, std::memory_order_relaxed);
      }
      if (p) w.pipe.set_policy(std::move(p));
      for (auto& c : cmds) c(gw);
      publish();
    }
    const uint64_t prod = r.produced().load(std::memory_order_acquire);
    if (prod == pos) {
      if (dirty || !gw.events().empty()) publish();
      if (workers_exit_.load(std::memory_order_acquire) && r.produced().load(std::memory_order_acquire) == pos) break;
      if (++idle < 2000) {
#if defined(__x86_64__) || defined(__i386__)
        __builtin_ia32_pause();
#endif
      } else {
        std::this_thread::sleep_for(std::chrono::microseconds(50));
      }
      continue;
    }
    idle = 0;
    const size_t n = static_cast<size_t>(std::min<uint64_t>(prod - pos, batch));
    size_t i = 0;
    while (i < n) {
      if (r.meta(pos + i).shadow) {
        // Learn from the PFCP message without judging or counting it (worker 0 does).
        const guard::Counters saved = gw.counters();
        const size_t events = gw.events().size();
        SlotMeta& m = r.meta(pos + i);
        guard::RawFrame one{Bytes(r.data(pos + i), m.len), m.ts_ns, m.seq};
        w.pipe.process(std::span(&one, 1), std::span(verdicts.data(), 1));
        gw.counters() = saved;
        gw.events().resize(events);
        m.forward = 0;
        ++i;
        continue;
      }
      size_t j = i;
      while (j < n && !r.meta(pos + j).shadow) {
        const SlotMeta& m = r.meta(pos + j);
        raw[j - i] = guard::RawFrame{Bytes(r.data(pos + j), m.len), m.ts_ns, m.seq};
        ++j;
      }
      w.pipe.process(std::span(raw.data(), j - i), std::span(verdicts.data(), j - i));
      for (size_t k = i; k < j; ++k) {
        const auto a = verdicts[k - i].action;
        r.meta(pos + k).forward = (a == guard::Action::kPass || a == guard::Action::kAlert) ? 1 : 0;
      }
      i = j;
    }
    pos += n;
    r.processed().store(pos, std::memory_order_release);
    dirty = true;
    if (!gw.events().empty() && gw.events().size() >= 1024) publish();
    else if (std::chrono::steady_clock::now() - last_pub > std::chrono::milliseconds(20)) publish();
  }
  publish();
}

void Gateway::post(WorkerCtx& w, std::function<void(guard::Worker&)> cmd) {
  std::lock_guard l(w.mb_m);
  w.mb_cmds.push_back(std::move(cmd));
  w.mb_pending.store(true, std::memory_order_release);
}

ReloadResult Gateway::reload() {
  std::lock_guard l(control_m_);
  ReloadResult res;
  auto pol = policy::load_policy_file(cfg_.policy);
  if (!pol) {
    res.message = std::to_string(pol.error().size()) + " error(s):";
    for (const auto& e : pol.error()) res.message += "\n  " + e.to_string();
  } else if (auto compiled = guard::compile_policy(*pol); !compiled) {
    res.message = compiled.error().to_string();
  } else {
    {
      std::lock_guard pl(policy_m_);
      policy_ = *compiled;
      policy_gen_.fetch_add(1, std::memory_order_release);
    }
    for (auto& w : workers_) {
      std::lock_guard wl(w->mb_m);
      w->mb_policy = *compiled;
      w->mb_pending.store(true, std::memory_order_release);
    }
    res.ok = true;
    res.message = "policy " + cfg_.policy + " loaded";
  }
  (res.ok ? reloads_ok_ : reloads_failed_)++;
  last_reload_ok_ = res.ok;
  last_reload_unix_ = static_cast<double>(unix_ns()) / 1e9;
  return res;
}

guard::QuarantineChange Gateway::quarantine_add(const guard::QuarantineEntry& e) {
  std::lock_guard l(control_m_);
  const size_t home = home_worker(e.ue);
  std::promise<guard::QuarantineChange> result;
  auto fut = result.get_future();
  for (auto& w : workers_) {
    if (w->index == home) {
      post(*w, [e, &result](guard::Worker& gw) { result.set_value(gw.quarantine_add(e, unix_ns())); });
    } else {
      post(*w, [e](guard::Worker& gw) { gw.quarantine().add(e); });
    }
  }
  return fut.get();
}

bool Gateway::quarantine_release(const IpAddr& ue) {
  std::lock_guard l(control_m_);
  const size_t home = home_worker(ue);
  std::promise<bool> result;
  auto fut = result.get_future();
  for (auto& w : workers_) {
    if (w->index == home) {
      post(*w, [ue, &result](guard::Worker& gw) { result.set_value(gw.quarantine_release(ue, unix_ns())); });
    } else {
      post(*w, [ue](guard::Worker& gw) { gw.quarantine().release(ue); });
    }
  }
  return fut.get();
}

std::vector<guard::QuarantineEntry> Gateway::quarantine_list() {
  std::lock_guard l(control_m_);
  std::vector<std::promise<std::vector<guard::QuarantineEntry>>> results(workers_.size());
  for (auto& w : workers_) {
    auto* p = &results[w->index];
    post(*w, [p](guard::Worker& gw) { p->set_value(gw.quarantine().entries()); });
  }
  std::vector<guard::QuarantineEntry> all;
  std::set<std::string> seen;
  for (auto& p : results) {
    for (auto& e : p.get_future().get()) {
      if (seen.insert(e.ue.to_string()).second) all.push_back(std::move(e));
    }
  }
  return all;
}

manage::GatewaySnapshot Gateway::snapshot() {
  manage::GatewaySnapshot s;
  s.uptime_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
  for (const auto& p : ports_) {
    const PortStats st = p->stats();
    manage::PortSnapshot ps;
    ps.name = p->name();
    ps.io_mode = std::string(io_mode_name(p->mode()));
    ps.rx_packets = st.rx_packets;
    ps.rx_bytes = st.rx_bytes;
    ps.tx_packets = st.tx_packets;
    ps.tx_bytes = st.tx_bytes;
    ps.rx_kernel_drops = st.rx_kernel_drops;
    ps.tx_errors = st.tx_errors;
    s.ports.push_back(std::move(ps));
  }
  for (auto& w : workers_) {
    std::lock_guard l(w->pub_m);
    manage::WorkerSnapshot ws;
    ws.counters = w->pub_counters;
    ws.counters.events_dropped += w->outbox_dropped;
    ws.queue_full = w->queue_full.load(std::memory_order_relaxed);
    ws.sessions = w->pub_sessions;
    s.workers.push_back(ws);
    if (w->index == 0) s.sessions = w->pub_sessions;
    s.quarantined = std::max(s.quarantined, w->pub_quarantined);
  }
  std::lock_guard l(control_m_);
  auto pol = policy();
  for (size_t i = 0; i < guard::kStageCount; ++i) s.stage_modes[i] = std::string(policy::to_string(pol->modes[i]));
  s.reloads_ok = reloads_ok_;
  s.reloads_failed = reloads_failed_;
  s.last_reload_unix = last_reload_unix_;
  s.last_reload_ok = last_reload_ok_;
  s.policy_path = cfg_.policy;
  return s;
}

void Gateway::drain_events(std::vector<guard::Event>& out) {
  for (auto& w : workers_) {
    std::lock_guard l(w->pub_m);
    out.insert(out.end(), w->outbox.begin(), w->outbox.end());
    w->outbox.clear();
  }
  // Workers publish independently: keep the sink's input in time order.
  std::stable_sort(out.begin(), out.end(), [](const guard::Event& a, const guard::Event& b) { return a.frame < b.frame; });
}

void Gateway::stop() {
  if (stopped_) return;
  stopped_ = true;
  stopping_.store(true, std::memory_order_release);
  if (io_thread_.joinable()) io_thread_.join();
  workers_exit_.store(true, std::memory_order_release);
  for (auto& w : workers_) {
    if (w->thread.joinable()) w->thread.join();
  }
}

guard::Counters Gateway::total_counters() {
  guard::Counters total;
  for (auto& w : workers_) {
    std::lock_guard l(w->pub_m);
    guard::add_counters(total, w->pub_counters);
    total.events_dropped += w->outbox_dropped;
  }
  return total;
}

std::array<uint64_t, guard::kN4OutcomeCount> Gateway::n4_outcomes() {
  std::lock_guard l(workers_[0]->pub_m);
  return workers_[0]->pub_n4;
}

size_t Gateway::sessions_live() {
  std::lock_guard l(workers_[0]->pub_m);
  return workers_[0]->pub_sessions;
}

std::shared_ptr<const guard::CompiledPolicy> Gateway::policy() {
  std::lock_guard l(policy_m_);
  return policy_;
}

}  // namespace mecguard::gateway
