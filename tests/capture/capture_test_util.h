// Helpers shared by the capture tests: test-data paths, temp files, whole-capture reads.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdint>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "capture/reader.h"

namespace mecguard::capture::testing {

inline std::string data_path(const std::string& name) {
  return std::string(MECGUARD_SOURCE_DIR) + "/tests/data/captures/" + name;
}

// A path under the test temp dir, unique per test and process.
inline std::string temp_path(const std::string& suffix) {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  return ::testing::TempDir() + "mg_capture_" + std::to_string(getpid()) + "_" +
         info->test_suite_name() + "_" + info->name() + suffix;
}

inline std::vector<uint8_t> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

inline void write_file(const std::string& path, const std::vector<uint8_t>& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
}

// A frame copied out of the reader's arena.
struct OwnedFrame {
  std::vector<uint8_t> data;
  uint64_t ts_ns = 0;
  uint32_t orig_len = 0;
  uint64_t number = 0;
};

// Reads every frame with the given batch size.
inline std::vector<OwnedFrame> read_all(Reader& r, size_t batch = 256) {
  std::vector<OwnedFrame> out;
  std::vector<Frame> frames(batch);
  while (size_t n = r.read_batch(frames)) {
    for (size_t i = 0; i < n; ++i) {
      const Frame& f = frames[i];
      out.push_back({{f.data.begin(), f.data.end()}, f.ts_ns, f.orig_len, f.number});
    }
  }
  return out;
}

}  // namespace mecguard::capture::testing
