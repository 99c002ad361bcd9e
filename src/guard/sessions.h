// SessionTable: the PDU sessions the guard knows, learned from N4 (G2). Compact session
// records in a bounded slab, with indexes by UP F-SEID, by local tunnel (UPF address, TEID),
// by downlink tunnel (gNB address, TEID), by UE IPv4 address and IPv6 /64 within a network
// instance, and a route index for delegated prefixes and Framed-Routes. Callers: the N4
// tracker (writes), the TEID, anti-spoofing, inter-UE and ACL stages (read, on the hot path).
// Per worker, not thread-safe. Sizes are fixed at construction; a full table refuses.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <vector>

#include "common/ip.h"
#include "guard/flat_map.h"
#include "guard/id_table.h"
#include "guard/page_array.h"
#include "guard/ue_state.h"

namespace mecguard::guard {

using SessionId = uint32_t;
inline constexpr SessionId kNoSession = 0xFFFFFFFFu;

// Small ids for addresses and names seen on N4 (UPF/gNB/SMF addresses, network instances).
class Interner {
 public:
  explicit Interner(size_t max) : index_(max), max_(max) {}
  // Id of `a`, adding it; nullopt when the table is full.
  std::optional<uint16_t> intern(const IpAddr& a);
  std::optional<uint16_t> find(const IpAddr& a) const;
  const IpAddr& at(uint16_t id) const { return addrs_[id]; }
  size_t size() const { return addrs_.size(); }

 private:
  struct Hash {
    size_t operator()(const IpAddr& a) const { return IpAddrHash{}(a); }
  };
  FlatMap<IpAddr, uint16_t, Hash> index_;
  std::vector<IpAddr> addrs_;
  size_t max_;
};

// Packed (9 bytes) so that a session's four local tunnels fit its first cache line.
#pragma pack(push, 1)
struct Tunnel {
  uint32_t teid = 0;
  uint16_t addr = 0;    // Interner id of the tunnel endpoint address
  uint16_t pdr_id = 0;  // the PDR whose PDI holds this F-TEID (local tunnels)
  bool core = false;    // PDI source interface core (N9) rather than access (N3)
};
#pragma pack(pop)
static_assert(sizeof(Tunnel) == 9);

// Two cache lines, laid out by use: an uplink packet reads the first alone (its tunnel
// lookup, UE address and network instance), a downlink packet both (its tunnel, and the UE's
// downlink rate buckets, which sit here rather than in UeState so that a downlink packet reads
// two lines, not three).
struct alignas(64) Session {
  static constexpr size_t kMaxTunnels = 4;
  static constexpr size_t kUplinkBytes = 64;  // what an uplink packet reads (line 0)
  // Line 0.
  uint64_t ue_v6 = 0;            // upper 64 bits of the UE prefix
  uint32_t ue_v4 = 0;
  uint16_t network_instance = 0; // id in SessionTable's name table; 0: none
  uint8_t n_local = 0;
  uint8_t v6_len = 0;            // prefix length of ue_v6 (64, or a delegated length)
  bool live = false;
  bool has_v4 = false;
  bool has_v6 = false;
  bool has_routes = false;       // Framed-Routes in the route index
  Tunnel local[kMaxTunnels];     // UL tunnels on the UPF (N3/N9)
  // Line 1.
  alignas(64) bool has_dl = false;
  Tunnel dl;                     // DL tunnel towards the gNB
  uint16_t upf = 0;              // Interner id of the UPF's N4 address
  uint16_t peer = 0;             // Interner id of the owning SMF's N4 address
  // The churn detector's note of this session's establishment while its UE address has no
  // churn entry (DetectState; docs/decisions/012): ms since the detector's churn epoch and
  // which epoch; 0: none. In the line's padding.
  uint8_t churn_epoch = 0;
  uint32_t generation = 0;       // bumped on every change; verdicts can name it
  uint32_t churn_ms = 0;
  uint64_t up_seid = 0;
  uint64_t cp_seid = 0;
  DualBucket downlink_rate;      // the UE's downlink packet and bit buckets (rate stage)

  // The UE's IPv6 prefix (ue_v6) as an address, the low 64 bits zero.
  IpAddr ue_v6_addr() const {
    IpAddr a;
    a.family = IpFamily::kV6;
    for (size_t i = 0; i < 8; ++i) a.bytes[i] = static_cast<uint8_t>(ue_v6 >> (56 - 8 * i));
    return a;
  }
};
static_assert(sizeof(Session) == 128);
static_assert(offsetof(Session, local) + sizeof(Session::local) <= Session::kUplinkBytes,
              "the uplink fields share one line");
static_assert(offsetof(Session, has_dl) >= Session::kUplinkBytes, "an uplink packet's line holds no downlink field");

enum class TableResult : uint8_t { kOk, kFull, kCollision, kUnknown };

class SessionTable {
 public:
  struct Limits {
    size_t max_sessions = 1'000'000;
    size_t max_addresses = 4096;
    size_t max_routes = 65536;
    size_t recently_deleted = 65536;  // stale-TEID memory
  };
  explicit SessionTable(const Limits& limits);

  Interner& addresses() { return addrs_; }
  const Interner& addresses() const { return addrs_; }
  uint16_t network_instance_id(const std::string& name);  // 0 for ""; interned
  const std::string& network_instance_name(uint16_t id) const { return ni_names_[id]; }

  // Adds a session; the caller fills up_seid/upf/peer first. kFull when at the bound.
  std::pair<TableResult, SessionId> create(const Session& s);
  void remove(SessionId id);
  Session* get(SessionId id) { return id < used_ && rec(id).live ? &rec(id) : nullptr; }
  const Session* get(SessionId id) const { return id < used_ && rec(id).live ? &rec(id) : nullptr; }
  SessionId by_seid(uint16_t upf, uint64_t up_seid) const;

  // Index maintenance, used by the tracker as PDRs/FARs come and go. A collision (the key
  // belongs to another live session) is refused and reported.
  TableResult add_local_tunnel(SessionId id, const Tunnel& t);
  void remove_local_tunnels_of_pdr(SessionId id, uint16_t pdr_id);
  TableResult set_dl_tunnel(SessionId id, const Tunnel& t);
  TableResult set_ue_v4(SessionId id, uint32_t v4);
  TableResult set_ue_v6(SessionId id, const IpAddr& v6, uint8_t len);
  TableResult add_route(SessionId id, const IpPrefix& p);

  // Hot-path lookups.
  SessionId by_local_tunnel(uint16_t addr, uint32_t teid) const;
  SessionId by_dl_tunnel(uint16_t addr, uint32_t teid) const;
  // UE address (v4, or v6 by /64 then delegated lengths and routes) within a network
  // instance; network_instance 0 searches without one (only sessions with none).
  SessionId by_ue(uint16_t network_instance, const IpAddr& a) const;
  // Any network instance: the first session whose UE address or route covers `a`.
  SessionId by_ue_any(const IpAddr& a) const;
  // Whether `a` is a source this session may use (UE address, its /64 or prefix, a route).
  bool owns_address(SessionId id, const IpAddr& a) const;
  // Whether (addr, teid) was a local tunnel of a session deleted recently.
  bool recently_deleted(uint16_t addr, uint32_t teid) const;

  // A tunnel lookup of the TEID stage, hashed once for its three passes: load the index slot
  // (fetch), then the candidate it names (candidate), then the checked lookup (find).
  struct TunnelProbe {
    uint64_t key = 0;
    uint32_t hash = 0;
    bool downlink = false;  // the gNB's tunnel (downlink G-PDU) rather than one on the UPF
  };
  static TunnelProbe tunnel_probe(uint16_t addr, uint32_t teid, bool downlink) {
    const uint64_t k = tunnel_key(addr, teid);
    return {k, hash32(k), downlink};
  }
  // Batch passes gather the lines a later lookup reads and load them together (LineBatch).
  void fetch(const TunnelProbe& t, LineBatch& lines) const {
    (t.downlink ? dl_index_ : tunnel_index_).fetch(t.hash, lines);
  }
  SessionId find(const TunnelProbe& t) const {
    return (t.downlink ? dl_index_ : tunnel_index_).find(t.hash, [&](uint32_t id) { return holds(rec(id), t); });
  }
  // find() when candidate(t) was `cand`: the candidate's record alone when it holds the tunnel
  // (it is the first entry with the hash, so find() would return it too).
  SessionId find(const TunnelProbe& t, SessionId cand) const {
    if (cand < used_ && rec(cand).live && holds(rec(cand), t)) return cand;
    return find(t);
  }
  // The lines of the session record a packet of this direction reads (uplink: the first).
  void fetch_session(SessionId id, bool uplink, LineBatch& lines) const {
    if (id < used_) lines.add(&rec(id), uplink ? Session::kUplinkBytes : sizeof(Session));
  }
  // The first session whose tunnel hash equals the probe's, read from the index slot alone and
  // not checked (kNoSession if none): the TEID stage loads its record and per-UE state while
  // the batch's other lookups run, and the find() that follows has what it checks in cache.
  SessionId candidate(const TunnelProbe& t) const {
    return (t.downlink ? dl_index_ : tunnel_index_).first_candidate(t.hash);
  }
  // The index slot where the UE-address lookup of `a` starts (inter-UE destinations), when
  // a UE address or route may be there.
  void fetch_ue(const IpAddr& a, LineBatch& lines) const;

  // The UeState beside each session record (rate and detect stages): a view of the slots.
  UeStateTable ue_states() {
    return UeStateTable(slots_.capacity() ? &slots_[0].ue : nullptr, sizeof(Slot), slots_.capacity());
  }

  // Called with a session's record as it stands just before remove() forgets it (a deletion,
  // a flush by association release or peer restart), and before a noted record's UE address
  // changes: the churn detector keeps the note's history for the address (Session::churn_ms).
  using RemoveHook = void (*)(void* ctx, const Session& s);
  void on_remove(RemoveHook hook, void* ctx) {
    remove_hook_ = hook;
    remove_ctx_ = ctx;
  }

  size_t size() const { return live_; }
  // Live sessions owned by the peer (Interner id); kept on create/remove.
  uint32_t sessions_of_peer(uint16_t peer) const { return peer < per_peer_.size() ? per_peer_[peer] : 0; }
  size_t capacity() const { return limits_.max_sessions; }
  size_t memory_bytes() const;
  // Every live session id for which pred(const Session&) holds (association release,
  // restart: a scan, off the hot path).
  template <class Pred>
  std::vector<SessionId> select(Pred&& pred) const {
    std::vector<SessionId> out;
    for (SessionId id = 0; id < used_; ++id) {
      if (rec(id).live && pred(rec(id))) out.push_back(id);
    }
    return out;
  }

 private:
  struct U64Hash {
    size_t operator()(uint64_t k) const { return static_cast<size_t>(mix64(k)); }
  };
  struct Key128 {
    uint64_t hi = 0;
    uint64_t lo = 0;
    friend bool operator==(const Key128&, const Key128&) = default;
  };
  struct Key128Hash {
    size_t operator()(const Key128& k) const { return static_cast<size_t>(mix64(k.hi ^ mix64(k.lo))); }
  };
  // A route: (network instance, family, length) and the prefix's 128 bits, exactly.
  struct RouteKey {
    uint64_t meta = 0;
    uint64_t hi = 0;
    uint64_t lo = 0;
    friend bool operator==(const RouteKey&, const RouteKey&) = default;
  };
  struct RouteKeyHash {
    size_t operator()(const RouteKey& k) const {
      return static_cast<size_t>(mix64(k.meta ^ mix64(k.hi ^ mix64(k.lo))));
    }
  };
  // Index hashes: 32 bits of the mixed key (IdTable slots hold the hash and the session id;
  // a candidate is checked against the session record).
  static uint32_t hash32(uint64_t k) { return static_cast<uint32_t>(mix64(k) >> 32); }
  static uint32_t hash32(const Key128& k) { return static_cast<uint32_t>(Key128Hash{}(k) >> 32); }
  static uint64_t tunnel_key(uint16_t addr, uint32_t teid) { return (uint64_t{addr} << 32) | teid; }
  // UE index hash: of the IPv4 address or the IPv6 upper 64 bits, family-tagged, without the
  // network instance, so that one probe finds the address in any network instance (the
  // inter-UE stage asks that of every uplink destination); the candidate's record tells the
  // instance. Sessions of one address in several instances share a run of equal hashes.
  static uint32_t ue_v4_hash(uint32_t v4) { return hash32(Key128{(uint64_t{4} << 48) | v4, 0}); }
  static uint32_t ue_v6_hash(uint64_t upper) { return hash32(Key128{uint64_t{6} << 48, upper}); }
  static RouteKey route_key(uint16_t ni, const IpAddr& a, uint8_t len);
  SessionId route_lookup(uint16_t ni, const IpAddr& a) const;

  Limits limits_;
  Interner addrs_;
  std::vector<std::string> ni_names_{""};
  // A session's record and its UeState side by side in 256 bytes, so that an uplink packet's
  // lines (the record's first, the state's two) lie in one page, and one translation serves
  // them (docs/decisions/007-session-and-ue-state-in-one-slot.md, 009).
  struct alignas(64) Slot {
    Session session;
    UeState ue;
  };
  static_assert(sizeof(Slot) == 256);
  Session& rec(SessionId id) { return slots_[id].session; }
  const Session& rec(SessionId id) const { return slots_[id].session; }
  PageArray<Slot> slots_;  // max_sessions slots, resident as used
  size_t used_ = 0;          // ids below this have been handed out
  std::vector<SessionId> free_;
  size_t live_ = 0;
  std::vector<uint32_t> per_peer_;
  RemoveHook remove_hook_ = nullptr;
  void* remove_ctx_ = nullptr;
  // The record's UE address is about to change: its churn note, which is about the address it
  // had, goes to the hook and leaves the record.
  void address_leaves(Session& s) {
    if (s.churn_ms == 0) return;
    if (remove_hook_) remove_hook_(remove_ctx_, s);
    s.churn_ms = 0;
  }
  // Lookups by key, each a hash of the key and a check of the candidate session's record.
  SessionId find_seid(uint16_t upf, uint64_t up_seid) const;
  // Whether the record has the probe's tunnel (local, or its downlink tunnel).
  static bool holds(const Session& s, const TunnelProbe& t) {
    const auto addr = static_cast<uint16_t>(t.key >> 32);
    const auto teid = static_cast<uint32_t>(t.key);
    if (t.downlink) return s.has_dl && s.dl.teid == teid && s.dl.addr == addr;
    for (uint8_t i = 0; i < s.n_local; ++i) {
      if (s.local[i].teid == teid && s.local[i].addr == addr) return true;
    }
    return false;
  }
  // UE address in network instance `ni`, or in any (kAnyNi: past every 16-bit id).
  static constexpr uint32_t kAnyNi = 0x10000;
  SessionId find_ue_v4(uint32_t ni, uint32_t v4) const;
  SessionId find_ue_v6(uint32_t ni, uint64_t upper) const;

  IdTable seid_index_;    // (upf, up_seid)
  IdTable tunnel_index_;  // (addr, teid) local
  IdTable dl_index_;      // (gNB addr, teid)
  IdTable ue_index_;      // v4 and /64, hashed without the network instance (see ue_v4_hash)
  FlatMap<RouteKey, SessionId, RouteKeyHash> route_index_;  // delegated prefixes, Framed-Routes
  std::vector<std::pair<RouteKey, SessionId>> routes_;      // to remove a session's routes
  uint32_t route_lens_[2][129] = {};                     // [v4/v6][len]: routes of that length
  FlatMap<uint64_t, uint8_t, U64Hash> deleted_;          // recently deleted local tunnels
  std::deque<uint64_t> deleted_order_;
  // IPv4 /16 blocks that hold a UE address or part of a route: a bit per block, set when an
  // address or route arrives and never cleared (a stale bit costs one lookup). by_ue_any()
  // answers at once for the rest (the inter-UE stage asks it of every uplink destination,
  // nearly all of them servers), and touches no index slot for them.
  std::array<uint64_t, 1024> v4_blocks_{};
  void mark_v4_blocks(uint32_t first, uint32_t last) {
    for (uint32_t b = first >> 16;; ++b) {
      v4_blocks_[b >> 6] |= uint64_t{1} << (b & 63);
      if (b == last >> 16) break;
    }
  }
  bool v4_block_marked(uint32_t v4) const { return (v4_blocks_[v4 >> 22] >> ((v4 >> 16) & 63)) & 1; }
};

}  // namespace mecguard::guard
