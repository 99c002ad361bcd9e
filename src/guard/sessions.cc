// SessionTable and Interner: session records in a slab, indexed by IdTables whose candidates
// are checked against the records (see id_table.h and docs/decisions/003).
#include "guard/sessions.h"

#include <algorithm>
#include <cstring>

namespace mecguard::guard {

std::optional<uint16_t> Interner::intern(const IpAddr& a) {
  if (const auto* id = index_.find(a)) return *id;
  if (addrs_.size() >= max_ || addrs_.size() >= 0xFFFF) return std::nullopt;
  const auto id = static_cast<uint16_t>(addrs_.size());
  if (index_.insert_or_assign(a, id) == InsertResult::kFull) return std::nullopt;
  addrs_.push_back(a);
  return id;
}

std::optional<uint16_t> Interner::find(const IpAddr& a) const {
  if (const auto* id = index_.find(a)) return *id;
  return std::nullopt;
}

namespace {
uint64_t upper64(const IpAddr& a) {
  uint64_t v = 0;
  for (size_t i = 0; i < 8; ++i) v = (v << 8) | a.bytes[i];
  return v;
}
}  // namespace

SessionTable::SessionTable(const Limits& limits)
    : limits_(limits),
      addrs_(limits.max_addresses),
      slots_(limits.max_sessions),
      seid_index_(limits.max_sessions),
      tunnel_index_(limits.max_sessions * 2),
      dl_index_(limits.max_sessions),
      ue_index_(limits.max_sessions * 2),
      route_index_(limits.max_routes),
      deleted_(limits.recently_deleted) {}

uint16_t SessionTable::network_instance_id(const std::string& name) {
  for (size_t i = 0; i < ni_names_.size(); ++i) {
    if (ni_names_[i] == name) return static_cast<uint16_t>(i);
  }
  if (ni_names_.size() >= 0xFFFF) return 0;
  ni_names_.push_back(name);
  return static_cast<uint16_t>(ni_names_.size() - 1);
}

SessionId SessionTable::find_seid(uint16_t upf, uint64_t up_seid) const {
  return seid_index_.find(hash32(Key128{upf, up_seid}), [&](uint32_t id) {
    const Session& s = rec(id);
    return s.up_seid == up_seid && s.upf == upf;
  });
}

SessionId SessionTable::find_ue_v4(uint32_t ni, uint32_t v4) const {
  return ue_index_.find(ue_v4_hash(v4), [&](uint32_t id) {
    const Session& s = rec(id);
    return s.has_v4 && s.ue_v4 == v4 && (ni == kAnyNi || s.network_instance == ni);
  });
}

SessionId SessionTable::find_ue_v6(uint32_t ni, uint64_t upper) const {
  return ue_index_.find(ue_v6_hash(upper), [&](uint32_t id) {
    const Session& s = rec(id);
    return s.has_v6 && s.v6_len == 64 && s.ue_v6 == upper && (ni == kAnyNi || s.network_instance == ni);
  });
}

std::pair<TableResult, SessionId> SessionTable::create(const Session& s) {
  const Key128 key{s.upf, s.up_seid};
  if (find_seid(s.upf, s.up_seid) != kNoSession) return {TableResult::kCollision, kNoSession};
  if (live_ >= limits_.max_sessions) return {TableResult::kFull, kNoSession};
  SessionId id;
  if (!free_.empty()) {
    id = free_.back();
    free_.pop_back();
  } else {
    id = static_cast<SessionId>(used_++);
  }
  // A fresh record and UE state: a reused slot keeps nothing of the session it held before.
  slots_[id].ue = UeState{};
  Session& slot = rec(id);
  slot = Session{};
  slot.up_seid = s.up_seid;
  slot.cp_seid = s.cp_seid;
  slot.upf = s.upf;
  slot.peer = s.peer;
  slot.network_instance = s.network_instance;
  slot.live = true;
  seid_index_.insert(hash32(key), id);
  ++live_;
  if (s.peer >= per_peer_.size()) per_peer_.resize(s.peer + 1u, 0);
  ++per_peer_[s.peer];
  return {TableResult::kOk, id};
}

void SessionTable::remove(SessionId id) {
  Session* s = get(id);
  if (!s) return;
  if (remove_hook_) remove_hook_(remove_ctx_, *s);
  for (uint8_t i = 0; i < s->n_local; ++i) {
    const uint64_t k = tunnel_key(s->local[i].addr, s->local[i].teid);
    tunnel_index_.erase(hash32(k), id);
    // Remember it as stale, forgetting the oldest when the memory is full.
    if (deleted_.size() >= deleted_.capacity() && !deleted_order_.empty()) {
      deleted_.erase(deleted_order_.front());
      deleted_order_.pop_front();
    }
    if (deleted_.insert_or_assign(k, 1) == InsertResult::kInserted) deleted_order_.push_back(k);
  }
  if (s->has_dl) dl_index_.erase(hash32(tunnel_key(s->dl.addr, s->dl.teid)), id);
  if (s->has_v4) ue_index_.erase(ue_v4_hash(s->ue_v4), id);
  if (s->has_v6 && s->v6_len == 64) ue_index_.erase(ue_v6_hash(s->ue_v6), id);
  if (s->has_routes || (s->has_v6 && s->v6_len != 64)) {
    for (size_t i = 0; i < routes_.size();) {
      if (routes_[i].second == id) {
        route_index_.erase(routes_[i].first);
        const bool v6 = ((routes_[i].first.meta >> 8) & 0xFF) == 6;
        --route_lens_[v6 ? 1 : 0][routes_[i].first.meta & 0xFF];
        routes_[i] = routes_.back();
        routes_.pop_back();
      } else {
        ++i;
      }
    }
  }
  seid_index_.erase(hash32(Key128{s->upf, s->up_seid}), id);
  --per_peer_[s->peer];
  s->live = false;
  free_.push_back(id);
  --live_;
}

SessionId SessionTable::by_seid(uint16_t upf, uint64_t up_seid) const {
  return find_seid(upf, up_seid);
}

TableResult SessionTable::add_local_tunnel(SessionId id, const Tunnel& t) {
  Session* s = get(id);
  if (!s) return TableResult::kUnknown;
  const TunnelProbe probe = tunnel_probe(t.addr, t.teid, false);
  if (const SessionId owner = find(probe); owner != kNoSession) {
    // The owner's record holds the tunnel: the same tunnel again (shared by PDRs) is fine.
    return owner == id ? TableResult::kOk : TableResult::kCollision;
  }
  if (s->n_local >= Session::kMaxTunnels) return TableResult::kFull;
  if (!tunnel_index_.insert(probe.hash, id)) return TableResult::kFull;
  deleted_.erase(probe.key);  // reused: no longer stale
  s->local[s->n_local++] = t;
  ++s->generation;
  return TableResult::kOk;
}

void SessionTable::remove_local_tunnels_of_pdr(SessionId id, uint16_t pdr_id) {
  Session* s = get(id);
  if (!s) return;
  for (uint8_t i = 0; i < s->n_local;) {
    if (s->local[i].pdr_id == pdr_id) {
      const Tunnel t = s->local[i];
      s->local[i] = s->local[--s->n_local];
      // Another PDR of the session may share the tunnel (CHID): keep the index then.
      bool shared = false;
      for (uint8_t j = 0; j < s->n_local; ++j) shared |= s->local[j].addr == t.addr && s->local[j].teid == t.teid;
      if (!shared) tunnel_index_.erase(hash32(tunnel_key(t.addr, t.teid)), id);
      ++s->generation;
    } else {
      ++i;
    }
  }
}

TableResult SessionTable::set_dl_tunnel(SessionId id, const Tunnel& t) {
  Session* s = get(id);
  if (!s) return TableResult::kUnknown;
  const TunnelProbe probe = tunnel_probe(t.addr, t.teid, true);
  if (const SessionId owner = find(probe); owner != kNoSession && owner != id) return TableResult::kCollision;
  if (s->has_dl) dl_index_.erase(hash32(tunnel_key(s->dl.addr, s->dl.teid)), id);
  if (!dl_index_.insert(probe.hash, id)) {
    s->has_dl = false;
    return TableResult::kFull;
  }
  s->dl = t;
  s->has_dl = true;
  ++s->generation;
  return TableResult::kOk;
}

TableResult SessionTable::set_ue_v4(SessionId id, uint32_t v4) {
  Session* s = get(id);
  if (!s) return TableResult::kUnknown;
  const uint32_t k = ue_v4_hash(v4);
  if (const SessionId owner = find_ue_v4(s->network_instance, v4); owner != kNoSession && owner != id) {
    return TableResult::kCollision;
  }
  // The churn key is the IPv4 address when there is one.
  if (!(s->has_v4 && s->ue_v4 == v4)) address_leaves(*s);
  if (s->has_v4) ue_index_.erase(ue_v4_hash(s->ue_v4), id);
  if (!ue_index_.insert(k, id)) {
    s->has_v4 = false;
    return TableResult::kFull;
  }
  s->ue_v4 = v4;
  s->has_v4 = true;
  mark_v4_blocks(v4, v4);
  ++s->generation;
  return TableResult::kOk;
}

TableResult SessionTable::set_ue_v6(SessionId id, const IpAddr& v6, uint8_t len) {
  Session* s = get(id);
  if (!s) return TableResult::kUnknown;
  if (len == 0 || len > 64) len = 64;  // a UE owns its /64 (TS 23.501 5.8.2.2)
  // The churn key is the IPv6 prefix only without an IPv4 address. (Handing the note on when
  // the change is then refused is harmless: the entry made from it says what the note did.)
  const IpPrefix prefix = IpPrefix::make(v6, len);
  const uint64_t hi = upper64(prefix.addr);
  const bool same = s->has_v6 && s->v6_len == len && s->ue_v6 == hi;
  if (!s->has_v4 && !same) address_leaves(*s);
  if (len == 64) {
    const uint32_t k = ue_v6_hash(hi);
    if (const SessionId owner = find_ue_v6(s->network_instance, hi); owner != kNoSession && owner != id) {
      return TableResult::kCollision;
    }
    if (s->has_v6 && s->v6_len == 64) ue_index_.erase(ue_v6_hash(s->ue_v6), id);
    if (!ue_index_.insert(k, id)) return TableResult::kFull;
  } else {
    const auto r = add_route(id, prefix);
    if (r != TableResult::kOk) return r;
    // A /64 it had leaves the index (entries are checked against the record, which now holds
    // the delegated prefix).
    if (s->has_v6 && s->v6_len == 64) ue_index_.erase(ue_v6_hash(s->ue_v6), id);
  }
  s->ue_v6 = hi;
  s->v6_len = len;
  s->has_v6 = true;
  ++s->generation;
  return TableResult::kOk;
}

SessionTable::RouteKey SessionTable::route_key(uint16_t ni, const IpAddr& a, uint8_t len) {
  const auto p = IpPrefix::make(a, len);
  RouteKey k;
  std::memcpy(&k.hi, p.addr.bytes.data(), 8);
  std::memcpy(&k.lo, p.addr.bytes.data() + 8, 8);
  k.meta = (uint64_t{ni} << 16) | (uint64_t{a.is_v6() ? 6u : 4u} << 8) | len;
  return k;
}

TableResult SessionTable::add_route(SessionId id, const IpPrefix& p) {
  Session* s = get(id);
  if (!s) return TableResult::kUnknown;
  const RouteKey k = route_key(s->network_instance, p.addr, p.len);
  if (const auto* owner = route_index_.find(k)) return *owner == id ? TableResult::kOk : TableResult::kCollision;
  if (route_index_.insert_or_assign(k, id) == InsertResult::kFull) return TableResult::kFull;
  routes_.emplace_back(k, id);
  ++route_lens_[p.addr.is_v6() ? 1 : 0][p.len];
  if (p.addr.is_v4()) {
    const uint32_t lo = p.addr.v4_host();
    const uint32_t span = p.len == 0 ? 0xFFFFFFFFu : (p.len >= 32 ? 0u : (0xFFFFFFFFu >> p.len));
    mark_v4_blocks(lo & ~span, lo | span);
  }
  s->has_routes = true;
  ++s->generation;
  return TableResult::kOk;
}

SessionId SessionTable::route_lookup(uint16_t ni, const IpAddr& a) const {
  const int fam = a.is_v6() ? 1 : 0;
  const int max = a.is_v6() ? 128 : 32;
  for (int len = max; len >= 0; --len) {
    if (route_lens_[fam][len] == 0) continue;
    if (const auto* v = route_index_.find(route_key(ni, a, static_cast<uint8_t>(len)))) return *v;
  }
  return kNoSession;
}

SessionId SessionTable::by_local_tunnel(uint16_t addr, uint32_t teid) const {
  return find(tunnel_probe(addr, teid, false));
}

SessionId SessionTable::by_dl_tunnel(uint16_t addr, uint32_t teid) const {
  return find(tunnel_probe(addr, teid, true));
}

SessionId SessionTable::by_ue(uint16_t ni, const IpAddr& a) const {
  if (a.is_v4()) {
    if (const SessionId id = find_ue_v4(ni, a.v4_host()); id != kNoSession) return id;
  } else if (a.is_v6()) {
    if (const SessionId id = find_ue_v6(ni, upper64(a)); id != kNoSession) return id;
  } else {
    return kNoSession;
  }
  return routes_.empty() ? kNoSession : route_lookup(ni, a);
}

SessionId SessionTable::by_ue_any(const IpAddr& a) const {
  if (a.is_v4()) {
    if (!v4_block_marked(a.v4_host())) return kNoSession;  // no UE address or route there
    if (const SessionId id = find_ue_v4(kAnyNi, a.v4_host()); id != kNoSession) return id;
  } else if (a.is_v6()) {
    if (const SessionId id = find_ue_v6(kAnyNi, upper64(a)); id != kNoSession) return id;
  } else {
    return kNoSession;
  }
  if (routes_.empty()) return kNoSession;
  for (size_t ni = 0; ni < ni_names_.size(); ++ni) {
    if (const SessionId id = route_lookup(static_cast<uint16_t>(ni), a); id != kNoSession) return id;
  }
  return kNoSession;
}

bool SessionTable::owns_address(SessionId id, const IpAddr& a) const {
  const Session* s = get(id);
  if (!s) return false;
  if (a.is_v4() && s->has_v4 && s->ue_v4 == a.v4_host()) return true;
  if (a.is_v6() && s->has_v6) {
    const uint64_t mask = s->v6_len >= 64 ? ~uint64_t{0} : ~(~uint64_t{0} >> s->v6_len);
    if ((upper64(a) & mask) == s->ue_v6) return true;
  }
  return s->has_routes && route_lookup(s->network_instance, a) == id;
}

void SessionTable::fetch_ue(const IpAddr& a, LineBatch& lines) const {
  if (a.is_v4()) {
    if (v4_block_marked(a.v4_host())) ue_index_.fetch(ue_v4_hash(a.v4_host()), lines);
  } else if (a.is_v6()) {
    ue_index_.fetch(ue_v6_hash(upper64(a)), lines);
  }
}

bool SessionTable::recently_deleted(uint16_t addr, uint32_t teid) const {
  return deleted_.find(tunnel_key(addr, teid)) != nullptr;
}

size_t SessionTable::memory_bytes() const {
  return used_ * sizeof(Slot) + free_.capacity() * sizeof(SessionId) +
         seid_index_.memory_bytes() + tunnel_index_.memory_bytes() + dl_index_.memory_bytes() +
         ue_index_.memory_bytes() + route_index_.memory_bytes() +
         deleted_.memory_bytes();
}

}  // namespace mecguard::guard
