#!/usr/bin/env bash
# Pipeline throughput with detection and rate limiting on vs off, same capture, same run
# (issue 5). The capture is bench/scenarios/inspect-1m.yaml (1.23M frames, 100k sessions);
# the policy is the bundled default with 1,000 ACL rules (bench/acl_rules.py). "On": the
# default detection plus rate limits on every bucket kind (high enough not to drop benign
# traffic); "off": detection disabled and no rate limits. Runs alternate, REPEAT times each.
#   bench/detect_onoff.sh [MECGUARD] [REPEAT]     -> table; CSV in bench/results/detect_onoff.csv
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=$(realpath "${1:-$root/build/mecguard}"); repeat=${2:-3}
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
mkdir -p "$root/bench/results"; csv=$root/bench/results/detect_onoff.csv
"$bin" gen "$root/bench/scenarios/inspect-1m.yaml" -o "$work/c.pcap" >/dev/null
base() { /usr/bin/python3 "$root/bench/acl_rules.py" 1000; }
{ base; cat <<'YAML'
rate_limits:
  burst_seconds: 2
  ue: {uplink: {pps: 100000, bps: 1000000000}, downlink: {pps: 100000, bps: 1000000000}}
  pfcp_per_peer_pps: 100000
  gtpu_echo_per_peer_pps: 100000
YAML
} > "$work/on.yaml"
{ base; printf 'detection:\n  enabled: false\n'; } > "$work/off.yaml"
for p in on off; do "$bin" check-config "$work/$p.yaml" >/dev/null || { echo "bad $p policy" >&2; exit 1; }; done
echo "mode,run,frames,seconds,frames_per_s,drops" > "$csv"
for r in $(seq "$repeat"); do
  for mode in on off; do
    out=$("$bin" inspect "$work/c.pcap" --policy "$work/$mode.yaml" --stats "$work/s.json")
    frames=$(sed -n 's/.*: \([0-9]*\) frames in \([0-9.]*\) s.*/\1/p' <<<"$out" | head -1)
    secs=$(sed -n 's/.*: \([0-9]*\) frames in \([0-9.]*\) s.*/\2/p' <<<"$out" | head -1)
    drops=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["actions"]["drop"])' "$work/s.json")
    echo "$mode,$r,$frames,$secs,$(/usr/bin/python3 -c "print(round($frames/$secs))"),$drops" >> "$csv"
  done
done
/usr/bin/python3 - "$csv" <<'PY'
import csv, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1])))
med = {m: statistics.median(float(r["frames_per_s"]) for r in rows if r["mode"] == m) for m in ("on", "off")}
for m in ("on", "off"):
    fps = [float(r["frames_per_s"]) for r in rows if r["mode"] == m]
    print(f"detection+rate {m:3}: median {med[m]/1e6:.2f} M frames/s (runs: {', '.join(f'{x/1e6:.2f}' for x in fps)}), drops {rows[-1 if m == 'off' else -2]['drops']}")
print(f"on/off ratio: {med['on']/med['off']:.2f}")
PY
