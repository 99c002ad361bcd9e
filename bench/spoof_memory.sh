#!/usr/bin/env bash
# Memory and detection at scale (issue 5), a benchmark rather than a timed test:
#  1. bench/scenarios/spoof-10m.yaml (10,000,000 distinct spoofed sources, 2,000 sessions):
#     `mecguard inspect`'s peak RSS (/usr/bin/time -v), next to the same scenario with 1,000
#     distinct sources, must stay under BOUND_MB (default 64, docs/detection.md); the attacking
#     UEs in it must still be detected (tests/tools/detect_score.py --require).
#  2. bench/scenarios/mass-100k.yaml (100,000 UEs): every attacking UE of every detector class
#     detected within its window, at most 1% of benign UEs flagged. MASS=0 skips it.
# Needs ~2 GB of disk under OUT (default: a temporary directory) and ~3 GB of RAM for `gen`.
#   usage: bench/spoof_memory.sh [MECGUARD] [SOURCE_DIR]
set -euo pipefail
src=${2:-$(cd "$(dirname "$0")/.." && pwd)}
bin=${1:-$src/build/mecguard}
bound_mb=${BOUND_MB:-64}
out=${OUT:-$(mktemp -d)}
[[ -n ${OUT:-} ]] || trap 'rm -rf "$out"' EXIT
policy=$src/config/default-policy.yaml
py=/usr/bin/python3

rss_kb() { sed -n 's/.*Maximum resident set size (kbytes): //p' "$1"; }
inspect() {  # inspect PCAP NAME: events to OUT/NAME.events, time -v to OUT/NAME.time
  /usr/bin/time -v "$bin" inspect "$1" --policy "$policy" --events "$out/$2.events" \
    --stats "$out/$2.stats" --quiet 2> "$out/$2.time"
}

echo "== spoof-10m: distinct spoofed sources vs resident memory"
sed 's/sources: 10000000,/sources: 1000,/' "$src/bench/scenarios/spoof-10m.yaml" > "$out/spoof-1k.yaml"
for name in spoof-1k spoof-10m; do
  scen=$out/spoof-1k.yaml
  [[ $name == spoof-10m ]] && scen=$src/bench/scenarios/spoof-10m.yaml
  "$bin" gen "$scen" -o "$out/$name.pcap" --labels "$out/$name.labels" | tail -1
  inspect "$out/$name.pcap" "$name"
  kb=$(rss_kb "$out/$name.time")
  wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$out/$name.time")
  frames=$($py -c 'import json,sys; print(json.load(open(sys.argv[1]))["frames"])' "$out/$name.stats")
  distinct=$($py - "$out/$name.labels" <<'PY'
import json, sys
print(len({json.loads(l)["frame"] for l in open(sys.argv[1]) if '"ue_spoofing"' in l}))
PY
)
  echo "$name: $frames frames, $distinct spoofed frames, max RSS $((kb / 1024)) MB ($kb kB), wall $wall"
  $py "$src/tests/tools/detect_score.py" "$out/$name.labels" "$out/$name.events" --require
  if (( kb > bound_mb * 1024 )); then
    echo "FAIL: $name: max RSS $((kb / 1024)) MB above the bound of $bound_mb MB" >&2
    exit 1
  fi
  rm -f "$out/$name.pcap"
done

if [[ ${MASS:-1} == 1 ]]; then
  echo "== mass-100k: per-UE detection among 100,000 UEs"
  "$bin" gen "$src/bench/scenarios/mass-100k.yaml" -o "$out/mass.pcap" --labels "$out/mass.labels" | tail -1
  inspect "$out/mass.pcap" mass
  echo "mass-100k: max RSS $(( $(rss_kb "$out/mass.time") / 1024 )) MB"
  $py "$src/tests/tools/detect_score.py" "$out/mass.labels" "$out/mass.events" --require
fi
echo "spoof_memory: ok (bound $bound_mb MB)"
