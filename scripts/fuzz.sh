#!/usr/bin/env bash
# Runs every libFuzzer target in build-fuzz/ for SECONDS each (default 30), starting from
# the kept corpus in fuzz/corpus/NAME. New interesting inputs go to a scratch directory, not
# into the repository. Fails if any target finds a crash, leak or sanitizer report.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-30}
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
status=0
for bin in build-fuzz/fuzz/fuzz_*; do
  [[ -x "$bin" ]] || continue
  name=$(basename "$bin"); corpus=fuzz/corpus/${name#fuzz_}
  mkdir -p "$scratch/$name"
  echo "-- $name for ${seconds}s"
  if ! "$bin" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 \
        -artifact_prefix="$scratch/" "$scratch/$name" "$corpus" 2>"$scratch/$name.log"; then
    echo "FAIL: $name"; tail -40 "$scratch/$name.log"; status=1
    mkdir -p fuzz/findings && cp "$scratch"/crash-* "$scratch"/leak-* "$scratch"/timeout-* fuzz/findings/ 2>/dev/null || true
  else
    grep -E "^(#[0-9]+\s+DONE|Done)" "$scratch/$name.log" | tail -2
  fi
done
exit $status
