#include "guard/page_array.h"

#include <array>
#include <cstddef>
#include <cstring>

#include <gtest/gtest.h>

#include <vector>

#include "guard/sessions.h"
#include "guard/ue_state.h"

namespace mecguard::guard {
namespace {

// LineBatch counts each cache line a range touches once, whatever the range's alignment.
TEST(LineBatch, CountsTheLinesARangeTouches) {
  PageArray<unsigned char> mem(LineBatch::kCapacity * 64 + 4096);  // page-aligned
  const unsigned char* base = &mem[0];
  LineBatch b;
  b.add(base, 1);
  EXPECT_EQ(b.size(), 1u);
  b.add(base, 64);  // exactly one line
  EXPECT_EQ(b.size(), 2u);
  b.add(base + 60, 8);  // straddles two lines
  EXPECT_EQ(b.size(), 4u);
  b.add(base + 64, 192);  // three aligned lines
  EXPECT_EQ(b.size(), 7u);
  b.add(base + 1, 192);  // the same length unaligned: four
  EXPECT_EQ(b.size(), 11u);
  b.load();
  EXPECT_EQ(b.size(), 0u);
  // Past the capacity, the lines gathered so far are loaded first: nothing is dropped or
  // written past the end.
  for (size_t i = 0; i < LineBatch::kCapacity; ++i) b.add(base + i * 64, 1);
  EXPECT_EQ(b.size(), LineBatch::kCapacity);
  b.add(base, 128);
  EXPECT_EQ(b.size(), 2u);
  b.load();
}

SessionTable::Limits at_most(size_t sessions) {
  SessionTable::Limits l;
  l.max_sessions = sessions;
  return l;
}

// The lines a packet's direction needs: an uplink packet reads the record's first line and the
// UeState's two, a downlink packet the record's two (its tunnel and the downlink buckets).
TEST(LineBatch, UeStateAndSessionLinesByDirection) {
  SessionTable slots(at_most(16));
  UeStateTable states = slots.ue_states();
  LineBatch b;
  states.fetch(3, b);
  EXPECT_EQ(b.size(), 2u);
  b.load();
  states.fetch(16, b);  // past the bound: nothing
  EXPECT_EQ(b.size(), 0u);

  SessionTable t(SessionTable::Limits{});
  Session s;
  s.up_seid = 1;
  const auto [r, id] = t.create(s);
  ASSERT_EQ(r, TableResult::kOk);
  t.fetch_session(id, true, b);
  EXPECT_EQ(b.size(), 1u);
  t.fetch_session(id, false, b);
  EXPECT_EQ(b.size(), 3u);
  t.fetch_session(id + 1, true, b);  // never used: nothing
  EXPECT_EQ(b.size(), 3u);
  b.load();
  // The downlink buckets are in the record's second line, the uplink fields in its first.
  const auto* rec = reinterpret_cast<const unsigned char*>(t.get(id));
  const auto* dl = reinterpret_cast<const unsigned char*>(&t.get(id)->downlink_rate);
  EXPECT_GE(dl - rec, static_cast<std::ptrdiff_t>(Session::kUplinkBytes));
  EXPECT_LE(dl + sizeof(DualBucket) - rec, static_cast<std::ptrdiff_t>(sizeof(Session)));
}

// A session's UeState sits right after its record, so the three lines an uplink packet reads
// (the record's first, the state's two) lie within one 256-byte slot; writing the state leaves
// the record, and the neighbours' state, as they were.
TEST(SessionSlots, UeStateBesideItsSessionRecord) {
  SessionTable t(at_most(4));
  UeStateTable states = t.ue_states();
  std::array<SessionId, 3> ids{};
  for (uint64_t k = 0; k < ids.size(); ++k) {
    Session s;
    s.up_seid = 100 + k;
    const auto [r, id] = t.create(s);
    ASSERT_EQ(r, TableResult::kOk);
    ids[k] = id;
  }
  const auto* rec = reinterpret_cast<const unsigned char*>(t.get(ids[1]));
  const auto* ue = reinterpret_cast<const unsigned char*>(states.get(ids[1]));
  ASSERT_NE(ue, nullptr);
  EXPECT_EQ(ue - rec, static_cast<std::ptrdiff_t>(sizeof(Session)));
  EXPECT_EQ(ue + sizeof(UeState) - rec, 256);
  EXPECT_EQ(reinterpret_cast<const unsigned char*>(t.get(ids[2])) - rec, 256);
  states.get(ids[1])->detect.pkts = 77;
  states.get(ids[1])->profile.hosts = ~uint64_t{0};
  EXPECT_EQ(t.get(ids[1])->up_seid, 101u);
  EXPECT_EQ(t.get(ids[2])->up_seid, 102u);
  EXPECT_EQ(states.get(ids[0])->detect.pkts, 0u);
  EXPECT_EQ(states.get(ids[2])->detect.pkts, 0u);
  EXPECT_EQ(states.get(ids[2])->uplink.packets, -1);  // fresh: starts full
  EXPECT_EQ(t.get(ids[2])->downlink_rate.packets, -1);
  EXPECT_EQ(states.get(ids[1])->detect.pkts, 77u);
  EXPECT_EQ(states.get(4), nullptr);  // past the bound
}

// A slot a removed session leaves is handed to the next session with a fresh UE state and
// fresh downlink buckets: nothing of the old UE's counts, profile or tokens carries over.
TEST(SessionSlots, AReusedSlotStartsAfresh) {
  SessionTable t(at_most(2));
  UeStateTable states = t.ue_states();
  Session s;
  s.up_seid = 1;
  const auto [r1, old_id] = t.create(s);
  ASSERT_EQ(r1, TableResult::kOk);
  RateLimit limit;
  limit.pps = 10;
  limit.bps = 1e6;
  UeState* u = states.get(old_id);
  ASSERT_TRUE(u->uplink.take(1'000'000'000, limit, 1.0, 100));
  ASSERT_TRUE(t.get(old_id)->downlink_rate.take(1'000'000'000, limit, 1.0, 100));
  u->detect.pkts = 5;
  u->detect.fired = 3;
  u->profile.ports = 0xFF;
  u->detect.ports.add(42);
  t.remove(old_id);
  s.up_seid = 2;
  const auto [r2, id] = t.create(s);
  ASSERT_EQ(r2, TableResult::kOk);
  ASSERT_EQ(id, old_id);  // the freed slot
  const UeState fresh{};
  u = states.get(id);
  EXPECT_EQ(std::memcmp(u, &fresh, sizeof(UeState)), 0);
  EXPECT_EQ(t.get(id)->downlink_rate.packets, -1);
  EXPECT_EQ(t.get(id)->downlink_rate.bits, -1);
  EXPECT_EQ(t.get(id)->downlink_rate.last_ns, 0u);
}

}  // namespace
}  // namespace mecguard::guard
