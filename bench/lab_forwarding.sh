#!/usr/bin/env bash
# Live forwarding rate through the lab (lab/lab.sh), every guard stage on, next to plain kernel
# forwarding (a Linux bridge between the same two veth ends) measured in the same run.
#   bench/lab_forwarding.sh [MECGUARD] [LOOPS]     (needs root)
# Traffic: the benign scenario (examples/benign.yaml: PFCP sessions, then N3/N6 traffic of
# mixed sizes) sent LOOPS times (default 40) as fast as `mecguard replay` can, from both sides.
# Rate = frames that arrived on the far sides / seconds the sender took. Writes
# bench/results/lab_forwarding.csv and prints a table. Sender, gateway and the veth softirqs
# share this machine's cores: compare rows of one run, not runs of different machines.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=$(realpath "${1:-$root/build/mecguard}"); loops=${2:-40}
P=mgb; work=$(mktemp -d); gw=""
cleanup() { [[ -n $gw ]] && kill -KILL "$gw" 2>/dev/null; "$root/lab/lab.sh" down "$P"; rm -rf "$work"; }
trap cleanup EXIT
mkdir -p "$root/bench/results"; csv=$root/bench/results/lab_forwarding.csv
"$bin" gen "$root/examples/benign.yaml" -o "$work/b.pcap" >/dev/null
# Every stage on: the default policy (detection on) plus rate limits on every bucket kind,
# high enough not to drop the benign traffic.
policy=$work/policy.yaml
{ cat "$root/config/default-policy.yaml"; cat <<'YAML'
rate_limits:
  ue: {uplink: {pps: 1000000, bps: 10000000000}, downlink: {pps: 1000000, bps: 10000000000}}
  pfcp_per_peer_pps: 1000000
  gtpu_echo_per_peer_pps: 1000000
YAML
} > "$policy"
"$root/lab/lab.sh" up "$P" >/dev/null

rx() { ip -n "$P-$1" -s -j link show dev "$2" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["stats64"]["rx"]["packets"])'; }
measure() {  # measure LABEL -> appends a CSV row
  local before_u before_r after_u after_r out secs sent
  before_u=$(rx upf upf-n3); before_r=$(rx ran ran0)
  out=$("$bin" replay "$work/b.pcap" --net ran0 --net-netns "$P-ran" --upf upf-n3 --upf-netns "$P-upf" \
    --policy "$policy" --topspeed --switch-gap-us 0 --loop "$loops" || true)
  sleep 1
  after_u=$(rx upf upf-n3); after_r=$(rx ran ran0)
  sent=$(sed -n 's/^replayed \([0-9]*\) frames.*/\1/p' <<<"$out"); secs=$(sed -n 's/.* in \([0-9.]*\) s .*/\1/p' <<<"$out")
  local got=$(( after_u - before_u + after_r - before_r ))
  /usr/bin/python3 -c "import sys; l,s,g,t=sys.argv[1:]; print(f'{l},{s},{g},{t},{int(g)/float(t):.0f},{int(g)/int(s):.4f}')" \
    "$1" "$sent" "$got" "$secs" >> "$csv"
}

echo "config,frames_sent,frames_arrived,seconds,arrived_per_s,arrived_share" > "$csv"
"$root/lab/lab.sh" bridge "$P"
measure kernel_bridge
"$root/lab/lab.sh" unbridge "$P"
for combo in af_packet:1 af_xdp:1 af_packet:2 af_xdp:2; do
  io=${combo%%:*}; workers=${combo#*:}
  IO=$io WORKERS=$workers MANAGEMENT=null "$root/lab/lab.sh" config "$P" "$policy" "$work/gw.yaml"
  sed -i "s|^  jsonl: .*|  jsonl: $work/events.jsonl|" "$work/gw.yaml"
  ip netns exec "$P-gw" "$bin" run --config "$work/gw.yaml" 2> "$work/run.err" &
  gw=$!
  for _ in $(seq 100); do grep -q ready "$work/run.err" && break; sleep 0.1; done
  measure "mecguard_${io}_${workers}w"
  kill -TERM "$gw"; wait "$gw" || true; gw=""
done
/usr/bin/python3 - "$csv" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
base = float(rows[0]["arrived_per_s"])
print(f"{'config':22} {'sent':>9} {'arrived':>9} {'seconds':>8} {'arrived/s':>10} {'vs kernel':>9}")
for r in rows:
    print(f"{r['config']:22} {r['frames_sent']:>9} {r['frames_arrived']:>9} {float(r['seconds']):8.2f} "
          f"{float(r['arrived_per_s']):10.0f} {float(r['arrived_per_s'])/base:9.2f}")
PY
