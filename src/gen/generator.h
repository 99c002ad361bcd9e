// The scenario generator's entry points. Callers: `mecguard gen` (src/cli/gen_cmd.cc) and
// tests. The output is a pure function of the Scenario (including its seed): the same input
// gives byte-identical pcap and labels files.
#pragma once

#include <array>
#include <cstdint>
#include <cstdio>
#include <string>

#include "common/expected.h"
#include "gen/frame_store.h"
#include "gen/scenario.h"
#include "gen/topology.h"

namespace mecguard::gen {

// Frames per class: [0] benign, [1 + Attack] each attack.
using ClassCounts = std::array<uint64_t, 1 + kAttackCount>;
std::string_view class_name(uint8_t cls);  // "benign" or the attack's name

struct Generated {
  Topology topo;
  FrameStore frames;  // finished: time-ordered, capped at Scenario::max_frames
};

// Plans the topology and synthesizes every frame in memory.
Generated generate_frames(const Scenario& sc);

struct Summary {
  uint64_t frames = 0;
  uint32_t ues = 0;       // benign UEs
  uint32_t sessions = 0;  // PFCP sessions established (benign + churn)
  ClassCounts per_class{};
  std::string to_string() const;  // one line
};

// One JSON object per line for frame `number` (1-based); see docs/scenarios.md.
void write_label_line(std::FILE* out, uint64_t number, const FrameStore::Record& r,
                      const Topology& topo);

// Generates and writes the pcap (nanosecond timestamps, Ethernet) and, when labels_path is
// not empty, the labels file. Errors: kIo when a file cannot be written.
Expected<Summary> generate(const Scenario& sc, const std::string& pcap_path,
                           const std::string& labels_path);

}  // namespace mecguard::gen
