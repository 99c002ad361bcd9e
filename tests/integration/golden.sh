#!/usr/bin/env bash
# Golden cases (tests/golden/CASE/): `why` says what the case shows, `scenario.yaml` is the
# generator input for its capture, `policy.yaml` the guard policy, and `expected.json` the
# baseline: actions, per-reason drop/alert counters, N4 outcomes, and per ground-truth class
# how many frames got each action. The capture is generated, inspected and compared with the
# baseline exactly. Baselines change only with UPDATE_GOLDEN=1.
#   usage: golden.sh MECGUARD SOURCE_DIR
set -euo pipefail
bin=$1; src=$2
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
failed=0; n=0
for dir in "$src"/tests/golden/*/; do
  name=$(basename "$dir"); n=$((n + 1))
  "$bin" gen "$dir/scenario.yaml" -o "$work/$name.pcap" --labels "$work/$name.labels" >/dev/null 2>&1
  "$bin" inspect "$work/$name.pcap" --policy "$dir/policy.yaml" --verdicts "$work/$name.v" \
    --stats "$work/$name.stats" --quiet
  if ! /usr/bin/python3 - "$dir" "$work/$name" "${UPDATE_GOLDEN:-0}" <<'PY'
import collections, json, sys
d, base, update = sys.argv[1], sys.argv[2], sys.argv[3] == "1"
stats = json.load(open(base + ".stats"))
labels = {}
for line in open(base + ".labels"):
    r = json.loads(line); labels[r["frame"]] = r["class"]
by_class = collections.defaultdict(collections.Counter)
for line in open(base + ".v"):
    v = json.loads(line)
    by_class[labels[v["frame"]]][v["action"]] += 1
reasons = {}
for stage in stats["stages"].values():
    for r, c in stage["reasons"].items():
        if c["enforced"] or c["alert"]:
            reasons[r] = c
actual = {
    "frames": stats["frames"],
    "actions": stats["actions"],
    "reasons": reasons,
    "n4": {k: v for k, v in stats["n4"].items() if v},
    "by_class": {c: dict(sorted(t.items())) for c, t in sorted(by_class.items())},
}
path = d + "/expected.json"
if update:
    json.dump(actual, open(path, "w"), indent=2, sort_keys=True); open(path, "a").write("\n")
    sys.exit(0)
try:
    expected = json.load(open(path))
except FileNotFoundError:
    print(f"{d}: no expected.json (run with UPDATE_GOLDEN=1)"); sys.exit(1)
if expected != actual:
    for k in actual:
        if expected.get(k) != actual[k]:
            print(f"{d}: {k}: expected {expected.get(k)}\n{' ' * len(d)}  actual   {actual[k]}")
    sys.exit(1)
# Whatever the baseline says, a benign frame is never dropped.
if by_class.get("benign", {}).get("drop", 0):
    print(f"{d}: benign frames dropped"); sys.exit(1)
PY
  then failed=$((failed + 1)); echo "FAIL $name: $(cat "$dir/why")"; else echo "ok   $name"; fi
done
echo "golden: $((n - failed)) of $n cases match"
[[ $failed -eq 0 ]]
