#!/usr/bin/env bash
# The whole test suite: install dependencies, build, run unit + integration tests, the
# same unit tests under ASan+UBSan, and every libFuzzer target for a bounded time.
#   FUZZ_SECONDS (default 30) bounds each fuzzer; SKIP_ASAN=1 / SKIP_FUZZ=1 skip stages.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS=0
trap 'echo "test.sh: ${SECONDS}s"' EXIT
scripts/install-deps.sh

echo "== release build + tests"
scripts/build.sh release
(cd build && ctest --output-on-failure -j "$(nproc)" --timeout 900)

if [[ "${SKIP_ASAN:-0}" != 1 ]]; then
  echo "== ASan+UBSan build + unit tests"
  scripts/build.sh asan
  (cd build-asan && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
     ctest --output-on-failure -j "$(nproc)" -LE integration --timeout 900)
fi

if [[ "${SKIP_FUZZ:-0}" != 1 ]]; then
  echo "== libFuzzer targets, ${FUZZ_SECONDS:-30}s each"
  scripts/build.sh fuzz
  scripts/fuzz.sh "${FUZZ_SECONDS:-30}"
fi

if [[ -x build/bench/mecguard_bench ]]; then
  echo "== benchmark smoke run (small workloads; numbers are not measurements)"
  MECGUARD_BENCH_FRAMES=20000 build/bench/mecguard_bench --benchmark_min_time=0.01 \
    --benchmark_filter='BM_Decode/|BM_Pipeline|BM_CompileAndSwap' >/dev/null
  build/bench/mecguard_profile 2000 10 4096 1 >/dev/null
  build/bench/mecguard_memprobe 1000 64 2 4 >/dev/null
fi
echo "test.sh: all stages passed"
