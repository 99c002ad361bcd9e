#!/usr/bin/env bash
# Runs one scenario through the inline gateway in the lab and tears the lab down:
#   lab/run.sh [SCENARIO.yaml] [POLICY.yaml]    (defaults: examples/attacks.yaml, config/default-policy.yaml)
# Env: MECGUARD (binary; default build/mecguard), WORKERS (1), IO (auto), SPEED (replay speed, 1),
#      OUT (folder for the capture, events, stats; default a new temporary folder, kept).
# Needs root. Prints the gateway's log and its summary; the events and stats stay in OUT.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd); root=$(dirname "$here")
bin=$(realpath "${MECGUARD:-$root/build/mecguard}")
scenario=$(realpath "${1:-$root/examples/attacks.yaml}")
policy=$(realpath "${2:-$root/config/default-policy.yaml}")
out=${OUT:-$(mktemp -d /tmp/mecguard-lab.XXXX)}; mkdir -p "$out"; out=$(realpath "$out")
P=mgl
gw=""
cleanup() { [[ -n $gw ]] && kill -TERM "$gw" 2>/dev/null && wait "$gw" 2>/dev/null; "$here/lab.sh" down "$P"; }
trap cleanup EXIT

"$bin" gen "$scenario" -o "$out/scenario.pcap" --labels "$out/scenario.labels" >/dev/null
"$here/lab.sh" up "$P"
MANAGEMENT=127.0.0.1:9464 "$here/lab.sh" config "$P" "$policy" "$out/gateway.yaml"
ip netns exec "$P-gw" "$bin" run --config "$out/gateway.yaml" 2> >(tee "$out/gateway.log" >&2) &
gw=$!
for _ in $(seq 100); do grep -q ready "$out/gateway.log" 2>/dev/null && break; sleep 0.1; done
"$bin" replay "$out/scenario.pcap" --net ran0 --net-netns "$P-ran" --upf upf-n3 --upf-netns "$P-upf" \
  --policy "$policy" --speed "${SPEED:-1}"
ip netns exec "$P-gw" curl -s http://127.0.0.1:9464/metrics > "$out/metrics.txt" || true
kill -TERM "$gw"; wait "$gw" || true; gw=""
echo "lab: outputs in $out (gateway.yaml, gateway.log, events.jsonl, stats.json, metrics.txt)"
