#!/usr/bin/env bash
# `mecguard inspect` against ground truth: every bundled scenario is generated and inspected
# with the bundled default policy; the verdicts are scored frame by frame against the
# generator's labels (tests/tools/score.py): every frame of the attack classes the guard
# pipeline covers must be dropped or alerted, and no benign frame dropped. Also checks the
# side outputs (events, stats, passed/dropped captures) and a capture with a corrupt tail.
#   usage: inspect_labels.sh MECGUARD SOURCE_DIR
set -euo pipefail
bin=$1; src=$2
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
covered=ue_spoofing,unknown_teid,stale_teid,malformed_gtpu,gtp_in_gtp,ue_to_ue,mec_to_core,pfcp_unlisted_peer,pfcp_session_hijack
policy=$src/config/default-policy.yaml
fail() { echo "FAIL: $*" >&2; exit 1; }

for scenario in default attacks benign large-100k; do
  "$bin" gen "$src/examples/$scenario.yaml" -o "$work/s.pcap" --labels "$work/s.labels" >/dev/null 2>&1
  "$bin" inspect "$work/s.pcap" --policy "$policy" --verdicts "$work/v.jsonl" --events "$work/e.jsonl" \
    --stats "$work/stats.json" --passed "$work/pass.pcap" --dropped "$work/drop.pcap" --quiet
  echo "== $scenario"
  /usr/bin/python3 "$src/tests/tools/score.py" "$work/s.labels" "$work/v.jsonl" --covered "$covered" \
    || fail "$scenario: verdicts do not match the labels"
  # Detectors (G11), per UE: every attacking UE of the flood, scan, session churn and
  # hijacked-device classes detected within its attack window (+2 s), at most 1% of benign UEs
  # flagged, a signalling storm reported exactly when the scenario has session churn.
  /usr/bin/python3 "$src/tests/tools/detect_score.py" "$work/s.labels" "$work/e.jsonl" --require \
    || fail "$scenario: detection per UE"
  /usr/bin/python3 - "$work" "$scenario" "$covered" <<'PY'
import json, struct, sys
work, scenario, covered = sys.argv[1], sys.argv[2], sys.argv[3].split(",")
def pcap_frames(path):
    n = 0
    with open(path, "rb") as f:
        f.read(24)
        while hdr := f.read(16):
            caplen = struct.unpack("<IIII", hdr)[2]
            f.seek(caplen, 1); n += 1
    return n
labels = [json.loads(l) for l in open(f"{work}/s.labels")]
verdicts = [json.loads(l) for l in open(f"{work}/v.jsonl")]
stats = json.load(open(f"{work}/stats.json"))
events = [json.loads(l) for l in open(f"{work}/e.jsonl")]
assert stats["frames"] == len(labels), (stats["frames"], len(labels))
dropped = sum(1 for v in verdicts if v["action"] in ("drop", "redirect"))
assert pcap_frames(f"{work}/drop.pcap") == dropped
assert pcap_frames(f"{work}/pass.pcap") == len(labels) - dropped
assert stats["actions"]["drop"] + stats["actions"]["redirect"] == dropped
# Every verdict reason shows up as at least one event. Events may outnumber non-pass verdicts:
# an alert on a frame another stage dropped is an event, not the frame's verdict.
reasons = {v["reason"] for v in verdicts if v["action"] != "pass"}
assert reasons <= {e["reason"] for e in events}, (reasons, {e["reason"] for e in events})
assert sum(e["count"] for e in events) >= sum(1 for v in verdicts if v["action"] != "pass")
for e in events:
    for key in ("ts_ns", "frame", "severity", "stage", "reason", "action", "count", "src", "dst"):
        assert key in e, (key, e)
present = {l["class"] for l in labels} & set(covered)
if scenario in ("default", "attacks", "large-100k"):
    assert present == set(covered), f"{scenario}: covered classes missing from the scenario: {set(covered) - present}"
print(f"{scenario}: {len(labels)} frames, {dropped} dropped, {len(events)} events; outputs consistent")
PY
done

# A capture with a corrupt tail still yields verdicts for the frames before it.
"$bin" gen "$src/examples/default.yaml" -o "$work/full.pcap" >/dev/null 2>&1
size=$(stat -c %s "$work/full.pcap")
head -c $((size / 2)) "$work/full.pcap" > "$work/cut.pcap"
set +e
"$bin" inspect "$work/cut.pcap" --policy "$policy" --verdicts "$work/cut.jsonl" --quiet 2> "$work/cut.err"
rc=$?
set -e
[[ $rc -eq 1 ]] || fail "corrupt tail: exit $rc, want 1"
grep -q "frame [0-9]*: truncated record" "$work/cut.err" || fail "corrupt tail: error does not name the frame: $(cat "$work/cut.err")"
n=$(wc -l < "$work/cut.jsonl")
[[ $n -gt 100 ]] || fail "corrupt tail: only $n verdicts"
echo "corrupt tail: $n verdicts, then: $(cat "$work/cut.err")"

# A policy with errors: every error with its location, exit 2.
printf 'version: 1\nacl:\n  rules:\n    - {action: block}\n    - {action: deny, dport: 99999, proto: tcp}\n' > "$work/bad.yaml"
set +e
"$bin" inspect "$work/full.pcap" --policy "$work/bad.yaml" 2> "$work/bad.err"; rc=$?
"$bin" check-config "$work/bad.yaml" 2> "$work/bad2.err"; rc2=$?
set -e
[[ $rc -eq 2 && $rc2 -eq 2 ]] || fail "bad policy: exit $rc/$rc2, want 2"
grep -q "bad.yaml:4 acl.rules\[0\].action" "$work/bad.err" || fail "bad policy: $(cat "$work/bad.err")"
grep -q "bad.yaml:5 acl.rules\[1\].dport" "$work/bad2.err" || fail "bad policy: $(cat "$work/bad2.err")"
# Detection among masses of UEs (issue 5): 100,000 UEs, labelled attackers of every detector
# class; each must be detected within its window, at most 1% of the benign UEs flagged.
echo "== mass-100k"
"$bin" gen "$src/bench/scenarios/mass-100k.yaml" -o "$work/m.pcap" --labels "$work/m.labels" >/dev/null
"$bin" inspect "$work/m.pcap" --policy "$policy" --events "$work/m.events" --quiet
/usr/bin/python3 "$src/tests/tools/detect_score.py" "$work/m.labels" "$work/m.events" --require \
  || fail "mass-100k: detection per UE"
rm -f "$work/m.pcap"

echo "inspect vs labels: ok"
