#!/usr/bin/env bash
# The inline gateway on the wire (issue 4): builds the lab (lab/lab.sh) in namespaces of its
# own, runs `mecguard run` between gw-a and gw-b, replays the bundled attack scenario from
# both sides with `mecguard replay`, captures what arrives on the far sides with tcpdump,
# and checks that exactly the frames `inspect` passes arrived (none lost, duplicated or
# extra, no dropped frame leaked) and that the per-reason counters of `run` equal those of
# `inspect` — with 1 worker and with 2. Then the hot-reload test: traffic flows while the
# policy is reloaded 20 times (valid and invalid alternately, by SIGHUP and POST /reload);
# no frame may be lost or duplicated and every reload's outcome must be reported.
#   usage: gateway_lab.sh MECGUARD SOURCE_DIR
set -euo pipefail
bin=$(realpath "$1"); src=$(realpath "$2")
P=mgt$$
work=$(mktemp -d)
gwpid=""
cleanup() {
  [[ -n $gwpid ]] && kill -KILL "$gwpid" 2>/dev/null || true
  pkill -f "tcpdump.*$P" 2>/dev/null || true
  [[ -f $work/rsyslog/pid ]] && bash "$src/tests/tools/rsyslog_lab.sh" stop "$work/rsyslog" >/dev/null 2>&1 || true
  "$src/lab/lab.sh" down "$P" || true
  rm -rf "$work"
}
trap cleanup EXIT
[[ -n ${KEEP:-} ]] && trap - EXIT
fail() { echo "FAIL: $*" >&2; [[ -f $work/run.err ]] && tail -20 "$work/run.err" >&2; exit 1; }
py=/usr/bin/python3

"$src/lab/lab.sh" up "$P" >/dev/null
"$bin" gen "$src/examples/attacks.yaml" -o "$work/s.pcap" --labels "$work/s.labels" >/dev/null
# Timing-independent stages only: detection and rate limits depend on packet times, which a
# replay at 4x speed changes (the detection equality test replays at the original speed).
{ cat "$src/config/default-policy.yaml"; printf '\ndetection:\n  enabled: false\n'; } > "$work/policy.yaml"
cp "$work/policy.yaml" "$work/topology.yaml"  # the replay's UPF addresses (policy.yaml gets rewritten)
"$bin" inspect "$work/s.pcap" --policy "$work/policy.yaml" --stats "$work/inspect.json" \
  --passed "$work/pass.pcap" --dropped "$work/drop.pcap" --quiet

start_gateway() {  # start_gateway CONFIG
  : > "$work/run.err"
  ip netns exec "$P-gw" "$bin" run --config "$1" 2> "$work/run.err" &
  gwpid=$!
  for _ in $(seq 100); do
    grep -q "ready" "$work/run.err" && return 0
    kill -0 "$gwpid" 2>/dev/null || fail "the gateway exited: $(cat "$work/run.err")"
    sleep 0.1
  done
  fail "the gateway did not become ready"
}
stop_gateway() {
  kill -TERM "$gwpid"
  wait "$gwpid" || fail "the gateway exited with $?"
  gwpid=""
}
capture_far_sides() {  # capture_far_sides TAG
  ip netns exec "$P-upf" timeout 300 tcpdump --immediate-mode -Q in -i upf-n3 -s 0 -U -w "$work/$1-upf.pcap" 2>/dev/null &
  ip netns exec "$P-ran" timeout 300 tcpdump --immediate-mode -Q in -i ran0 -s 0 -U -w "$work/$1-ran.pcap" 2>/dev/null &
  for _ in $(seq 50); do
    [[ -s $work/$1-upf.pcap && -s $work/$1-ran.pcap ]] && return 0
    sleep 0.1
  done
  fail "tcpdump did not start"
}
stop_capture() { sleep 0.5; pkill -INT -f "tcpdump --immediate-mode -Q in -i (upf-n3|ran0) -s 0 -U -w $work" || true; sleep 0.5; }
replay() {  # replay PCAP [ARGS...]
  local pcap=$1; shift
  "$bin" replay "$pcap" --net ran0 --net-netns "$P-ran" --upf upf-n3 --upf-netns "$P-upf" \
    --policy "$work/topology.yaml" "$@"
}

# Both I/O paths: AF_PACKET forced, and auto (AF_XDP where this kernel allows it).
for combo in 1:af_packet 1:auto 2:auto; do
  workers=${combo%%:*}; io=${combo#*:}
  echo "== attack scenario through the gateway, $workers worker(s), io $io"
  IO=$io MANAGEMENT=127.0.0.1:0 WORKERS=$workers "$src/lab/lab.sh" config "$P" "$work/policy.yaml" "$work/gw.yaml"
  if [[ $combo == 1:af_packet ]]; then
    # Events also go to a real rsyslogd over TLS, in the gateway's namespace (its loopback).
    ip netns exec "$P-gw" bash "$src/tests/tools/rsyslog_lab.sh" start "$work/rsyslog" >/dev/null
    source "$work/rsyslog/ports.env"
    printf '  syslog:\n    transport: tls\n    host: 127.0.0.1\n    port: %s\n    ca_file: %s\n    server_name: localhost\n' \
      "$TLS_PORT" "$work/rsyslog/ca.pem" >> "$work/gw.yaml"
  fi
  start_gateway "$work/gw.yaml"
  grep "io gw-" "$work/run.err"
  port=$(sed -n 's/.*management on port \([0-9]*\).*/\1/p' "$work/run.err")
  capture_far_sides w$workers$io
  replay "$work/s.pcap" --speed 4
  stop_capture
  ip netns exec "$P-gw" curl -s "http://127.0.0.1:$port/metrics" > "$work/metrics.txt"
  drops=$($py -c 'import json,sys; print(json.load(open(sys.argv[1]))["actions"]["drop"])' "$work/inspect.json")
  $py "$src/tests/tools/prom_check.py" "$work/metrics.txt" --expect "mecguard_actions_total{action=\"drop\"}=$drops" \
    || fail "/metrics is not valid Prometheus exposition (or misses the drops)"
  stop_gateway
  if [[ $combo == 1:af_packet ]]; then
    written=$($py -c 'import json,sys; print(json.load(open(sys.argv[1]))["events"]["written"])' "$work/stats.json")
    sleep 0.5
    ip netns exec "$P-gw" bash "$src/tests/tools/rsyslog_lab.sh" stop "$work/rsyslog"
    $py "$src/tests/tools/rfc5424_check.py" --mecguard --app-name mecguard --expect "$written" "$work/rsyslog/tls.log" \
      || fail "the events did not arrive at rsyslog over TLS as valid RFC 5424 messages"
    echo "syslog over TLS: $written events received by rsyslogd, all valid RFC 5424"
  fi
  $py "$src/tests/tools/pcap_compare.py" --expect "$work/pass.pcap" \
    --got "$work/w$workers$io-upf.pcap" --got "$work/w$workers$io-ran.pcap" --absent "$work/drop.pcap" \
    || fail "$workers worker(s): the frames on the far sides are not the frames inspect passes"
  $py - "$work/inspect.json" "$work/stats.json" <<'PY' || fail "$workers worker(s): run and inspect counters differ"
import json, sys
i, r = (json.load(open(p)) for p in sys.argv[1:3])
def reasons(s):
    return {(st, rn): (c["enforced"], c["alert"]) for st, v in s["stages"].items() for rn, c in v["reasons"].items()}
diff = {k: (v, reasons(r)[k]) for k, v in reasons(i).items() if reasons(r)[k] != v}
assert not diff, f"per-reason counters differ (inspect, run): {diff}"
for key in ("frames", "actions", "flows", "n4"):
    assert i[key] == r[key], (key, i[key], r[key])
assert i["sessions"]["live"] == r["sessions"]["live"], (i["sessions"], r["sessions"])
print(f"run == inspect: {r['frames']} frames, actions {r['actions']}, "
      f"{sum(1 for v in reasons(r).values() if any(v))} reasons hit")
PY
done

echo "== 20 reloads under traffic"
cp "$work/policy.yaml" "$work/good.yaml"
MANAGEMENT=127.0.0.1:0 "$src/lab/lab.sh" config "$P" "$work/policy.yaml" "$work/gw.yaml"
start_gateway "$work/gw.yaml"
port=$(sed -n 's/.*management on port \([0-9]*\).*/\1/p' "$work/run.err")
capture_far_sides reload
replay "$work/s.pcap" --speed 4 > "$work/replay.out" &
rpid=$!
for i in $(seq 1 20); do
  if ((i % 2)); then printf 'version: 1\nzones: [oops\n' > "$work/policy.yaml"; else cp "$work/good.yaml" "$work/policy.yaml"; fi
  if ((i % 4 < 2)); then
    kill -HUP "$gwpid"
  else
    ip netns exec "$P-gw" curl -s -o /dev/null -w '%{http_code}\n' -d '' -X POST "http://127.0.0.1:$port/reload" >> "$work/http.codes"
  fi
  sleep 0.3
done
wait "$rpid" || fail "replay failed"
cat "$work/replay.out"
ip netns exec "$P-gw" curl -s "http://127.0.0.1:$port/metrics" > "$work/metrics.txt"
stop_capture
stop_gateway
ok=$(grep -c "reload ok" "$work/run.err" || true); bad=$(grep -c "reload failed" "$work/run.err" || true)
echo "reloads reported: $ok ok, $bad failed; HTTP codes: $(sort "$work/http.codes" | uniq -c | tr '\n' ' ')"
[[ $ok == 10 && $bad == 10 ]] || fail "expected 10 good and 10 failed reloads reported, got $ok and $bad"
[[ $(grep -c '^200$' "$work/http.codes") == 5 && $(grep -c '^422$' "$work/http.codes") == 5 ]] \
  || fail "POST /reload answers: $(cat "$work/http.codes")"
grep -q 'mecguard_reloads_total{result="ok"} 10' "$work/metrics.txt" || fail "reload counters in /metrics"
grep -q 'mecguard_reloads_total{result="failed"} 10' "$work/metrics.txt" || fail "reload counters in /metrics"
$py "$src/tests/tools/pcap_compare.py" --expect "$work/pass.pcap" --got "$work/reload-upf.pcap" --got "$work/reload-ran.pcap" \
  || fail "frames lost or duplicated across reloads"
echo "== operator quarantine over HTTP == inspect --quarantine"
ue=$($py -c '
import collections, json, sys
c = collections.Counter(l["ue"] for l in map(json.loads, open(sys.argv[1])) if l["class"] == "benign" and l["ue"] and "." in l["ue"])
print(c.most_common(1)[0][0])' "$work/s.labels")
printf '[{"ue": "%s", "allow": ["198.51.100.53/32"], "since_ns": 0, "expires_ns": 0, "reason": "lab", "by": "operator"}]\n' "$ue" > "$work/q.json"
"$bin" inspect "$work/s.pcap" --policy "$work/policy.yaml" --quarantine "$work/q.json" --stats "$work/inspect-q.json" \
  --passed "$work/pass-q.pcap" --dropped "$work/drop-q.pcap" --quiet
MANAGEMENT=127.0.0.1:0 "$src/lab/lab.sh" config "$P" "$work/policy.yaml" "$work/gw.yaml"
start_gateway "$work/gw.yaml"
port=$(sed -n 's/.*management on port \([0-9]*\).*/\1/p' "$work/run.err")
code=$(ip netns exec "$P-gw" curl -s -o "$work/q.out" -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
  -d "{\"ue\": \"$ue\", \"allow\": [\"198.51.100.53/32\"], \"reason\": \"lab\"}" "http://127.0.0.1:$port/quarantine")
[[ $code == 200 ]] || fail "POST /quarantine: $code $(cat "$work/q.out")"
ip netns exec "$P-gw" curl -s "http://127.0.0.1:$port/quarantine" | grep -q "\"$ue\"" || fail "GET /quarantine does not list $ue"
capture_far_sides q
replay "$work/s.pcap" --speed 4
stop_capture
code=$(ip netns exec "$P-gw" curl -s -o /dev/null -w '%{http_code}' -X DELETE "http://127.0.0.1:$port/quarantine/$ue")
[[ $code == 200 ]] || fail "DELETE /quarantine/$ue: $code"
stop_gateway
$py "$src/tests/tools/pcap_compare.py" --expect "$work/pass-q.pcap" --got "$work/q-upf.pcap" --got "$work/q-ran.pcap" \
  --absent "$work/drop-q.pcap" || fail "quarantine: the frames on the far sides are not the frames inspect passes"
$py - "$work/inspect-q.json" "$work/stats.json" <<'PY' || fail "quarantine: run and inspect counters differ"
import json, sys
i, r = (json.load(open(p)) for p in sys.argv[1:3])
q = lambda s: s["stages"]["quarantine"]["reasons"]["quarantined"]["enforced"]
assert q(i) > 0 and q(i) == q(r), (q(i), q(r))
assert i["actions"] == r["actions"], (i["actions"], r["actions"])
print(f"quarantined UE: {q(r)} frames dropped inline and offline")
PY

echo "== SIGTERM as the replay ends: every received frame judged, every forwarded frame sent, events flushed"
MANAGEMENT=null "$src/lab/lab.sh" config "$P" "$work/policy.yaml" "$work/gw.yaml"
start_gateway "$work/gw.yaml"
capture_far_sides term
replay "$work/s.pcap" --speed 20
kill -TERM "$gwpid"; wait "$gwpid" || fail "the gateway exited with $?"; gwpid=""
stop_capture
$py - "$work/stats.json" "$work/events.jsonl" "$work/term-upf.pcap" "$work/term-ran.pcap" "$src/tests/tools" <<'PY' || fail "frames or events lost at shutdown"
import json, sys
sys.path.insert(0, sys.argv[5])
from pcap_compare import frames
s = json.load(open(sys.argv[1]))
rx = sum(p["rx_packets"] for p in s["ports"]); tx = sum(p["tx_packets"] for p in s["ports"])
arrived = len(frames(sys.argv[3])) + len(frames(sys.argv[4]))
forwarded = s["actions"]["pass"] + s["actions"]["alert"]
lines = sum(1 for _ in open(sys.argv[2]))
print(f"received {rx}, judged {s['frames']}, forwarded {forwarded}, sent {tx}, arrived {arrived}; "
      f"events written {s['events']['written']}, in the file {lines}")
assert s["frames"] == rx, "received frames not judged"
assert forwarded == tx == arrived, "forwarded frames not sent or not arrived"
assert lines == s["events"]["written"] and lines > 0, "events not flushed"
PY

echo "== detections and quarantine decisions: run == inspect (original timing)"
# Detection windows and rate buckets run on packet time: the capture's timestamps offline, the
# kernel's receive times inline. Replayed at the original speed, both see the same windows.
{ cat "$src/config/default-policy.yaml"; printf '\ndetection:\n  quarantine: true\n  quarantine_seconds: 600\n'; } > "$work/detect.yaml"
"$bin" inspect "$work/s.pcap" --policy "$work/detect.yaml" --events "$work/inspect-events.jsonl" --quiet
IO=auto MANAGEMENT=127.0.0.1:0 "$src/lab/lab.sh" config "$P" "$work/detect.yaml" "$work/gw.yaml"
start_gateway "$work/gw.yaml"
replay "$work/s.pcap"
sleep 0.5
stop_gateway
$py - "$work/inspect-events.jsonl" "$work/events.jsonl" <<'PY' || fail "detections or quarantine decisions differ"
import json, sys
def load(path):
    ev = [json.loads(l) for l in open(path)]
    det = {(e["reason"], e["ue"]) for e in ev if e["stage"] == "detect"}
    quar = {(e["ue"], e.get("detail")) for e in ev if e["reason"] == "quarantine_changed"}
    return det, quar
(di, qi), (dr, qr) = load(sys.argv[1]), load(sys.argv[2])
print(f"inspect: {len(di)} (detector, UE) pairs, {len(qi)} quarantine changes; run: {len(dr)}, {len(qr)}")
assert di, "the scenario must trigger detections"
assert qi, "the scenario must quarantine UEs"
assert di == dr, f"only inspect: {sorted(di - dr)}; only run: {sorted(dr - di)}"
assert qi == qr, f"only inspect: {sorted(qi - qr)}; only run: {sorted(qr - qi)}"
PY
echo "gateway_lab: ok"
