#!/usr/bin/env bash
# Quarantine from the operator's side: `mecguard quarantine add/list/release` edit a state
# file; `inspect --quarantine` applies it. Every user-plane frame of the quarantined UE is
# dropped (reason quarantined) except toward its allow-list; the change is an event; after
# release nothing is dropped for it.
#   usage: quarantine_cli.sh MECGUARD SOURCE_DIR
set -euo pipefail
bin=$1; src=$2
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
"$bin" gen "$src/examples/benign.yaml" -o "$work/s.pcap" --labels "$work/s.labels" >/dev/null 2>&1
# The IPv4 UE with the most user-plane frames.
ue=$(/usr/bin/python3 -c '
import collections, json, sys
c = collections.Counter(r["ue"] for r in map(json.loads, open(sys.argv[1])) if r["iface"] != "n4" and r["ue"] and ":" not in r["ue"])
print(c.most_common(1)[0][0])' "$work/s.labels")
dns=198.51.100.53/32
"$bin" quarantine --state "$work/q.json" add "$ue" --allow "$dns" --reason "integration test" >/dev/null
"$bin" quarantine --state "$work/q.json" list | grep -q "^$ue .*allow-list" || fail "list does not show $ue"
"$bin" inspect "$work/s.pcap" --policy "$src/config/default-policy.yaml" --quarantine "$work/q.json" \
  --verdicts "$work/v.jsonl" --events "$work/e.jsonl" --quiet
/usr/bin/python3 - "$work" "$ue" <<'PY'
import ipaddress, json, sys
work, ue = sys.argv[1], sys.argv[2]
labels = {r["frame"]: r for r in map(json.loads, open(f"{work}/s.labels"))}
dns = ipaddress.ip_network("198.51.100.53/32")
dropped = allowed = other = 0
for v in map(json.loads, open(f"{work}/v.jsonl")):
    lab = labels[v["frame"]]
    if lab["ue"] != ue or lab["iface"] == "n4":
        assert v.get("reason") != "quarantined", v
        continue
    if v.get("reason") == "quarantined":
        dropped += 1
    elif v["action"] == "pass":
        # Only DNS to the allow-listed resolver, or GTP-U signalling, may still pass.
        assert lab.get("detail") in ("dns", "end_marker"), (lab, v)
        allowed += 1
    else:
        other += 1
assert dropped > 0 and other == 0, (dropped, other)
assert allowed > 0, "DNS to the allow-listed resolver should pass"
events = [e for e in map(json.loads, open(f"{work}/e.jsonl")) if e["reason"] == "quarantine_changed"]
assert any(e["ue"] == ue and e["detail"] == "added" for e in events), events
print(f"quarantine: {ue}: {dropped} frames dropped, {allowed} to the allow-list passed")
PY
"$bin" quarantine --state "$work/q.json" release "$ue" >/dev/null
"$bin" inspect "$work/s.pcap" --policy "$src/config/default-policy.yaml" --quarantine "$work/q.json" \
  --verdicts "$work/v2.jsonl" --quiet
if grep -q '"quarantined"' "$work/v2.jsonl"; then fail "frames dropped after release"; fi
set +e; "$bin" quarantine --state "$work/q.json" add not-an-ip >/dev/null 2>&1; rc=$?; set -e
[[ $rc -eq 2 ]] || fail "bad address: exit $rc"
echo "quarantine cli: ok"
