#include "guard/page_array.h"

#include <array>
#include <cstddef>

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

// The lines a packet's direction needs: uplink reads UeState lines 0-1, downlink 2; a
// session's uplink fields are its first line.
TEST(LineBatch, UeStateAndSessionLinesByDirection) {
  SessionTable::Limits small;
  small.max_sessions = 16;
  SessionTable slots(small);
  UeStateTable states = slots.ue_states();
  LineBatch b;
  states.fetch(3, /*uplink=*/true, b);
  EXPECT_EQ(b.size(), 2u);
  b.load();
  states.fetch(3, /*uplink=*/false, b);
  EXPECT_EQ(b.size(), 1u);
  b.load();
  states.fetch(16, true, b);  // past the bound: nothing
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
}

// A session's UeState sits right after its record, so the three lines an uplink packet reads
// (the record's first, the state's first two) lie within 320 bytes; writing the state leaves
// the record, and the neighbours' state, as they were.
TEST(SessionSlots, UeStateBesideItsSessionRecord) {
  SessionTable::Limits small;
  small.max_sessions = 4;
  SessionTable t(small);
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
  EXPECT_LE(ue + UeState::kUplinkBytes - rec, 320);
  states.get(ids[1])->claim_uplink(t.get(ids[1])->serial);
  states.get(ids[1])->detect.pkts = 77;
  states.get(ids[1])->claim_downlink(t.get(ids[1])->serial);
  EXPECT_EQ(t.get(ids[1])->up_seid, 101u);
  EXPECT_EQ(t.get(ids[2])->up_seid, 102u);
  EXPECT_EQ(states.get(ids[0])->detect.pkts, 0u);
  EXPECT_EQ(states.get(ids[2])->detect.pkts, 0u);
  EXPECT_EQ(states.get(ids[1])->detect.pkts, 77u);
  EXPECT_EQ(states.get(4), nullptr);  // past the bound
}

}  // namespace
}  // namespace mecguard::guard
