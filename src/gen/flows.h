// The generator's flow families, each adding its frames to the Emitter. Called in this order
// by generate_frames() (generator.cc); each draws from its own PRNG stream so that enabling
// or sizing one family leaves the frames of the others unchanged. Internal to src/gen.
#pragma once

#include <span>

#include "common/bytes.h"
#include "gen/emit.h"
#include "gen/prng.h"

namespace mecguard::gen {

// N4: associations, heartbeats, session establishment/modification/deletion for every UE
// (including session_churn sessions), plus the PFCP attacks (unlisted peer, session hijack).
void emit_pfcp(Emitter& em);

// Benign user plane: TCP, UDP, ICMP echo and DNS per UE on N3 (and N6), GTP-U Echo.
void emit_user_plane(Emitter& em);

// User-plane attacks: every enabled class except the PFCP ones.
void emit_user_plane_attacks(Emitter& em);

// Shared helpers.
inline uint8_t attack_class(Attack a) {
  return static_cast<uint8_t>(1 + static_cast<uint8_t>(a));
}

// A port in [lo, hi] that is neither GTP-U (2152) nor PFCP (8805), so a decoder never takes
// a plain N6 packet for either.
inline uint16_t random_port(Prng& rng, uint16_t lo, uint16_t hi) {
  for (;;) {
    const auto p = static_cast<uint16_t>(rng.range(lo, hi));
    if (p != 2152 && p != 8805) return p;
  }
}

// Payload filler: deterministic bytes (the same for every run), sliced per packet.
Bytes filler(size_t len);

// A benign UE whose session is up at time t and stays up until `until` (default: t),
// optionally with IPv4; nullptr when there is none.
const Ue* pick_active_ue(const Topology& topo, Prng& rng, int64_t t, bool need_v4 = false,
                         int64_t until = 0);

// A DNN server of the requested family, or nullptr.
const IpAddr* pick_server(const Dnn& d, IpFamily family, Prng& rng);

}  // namespace mecguard::gen
