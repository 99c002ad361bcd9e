#!/usr/bin/python3
"""Per-UE detection score: which attacking UEs (labels of the detector-covered attack classes)
got a detect_* event, and which benign-only UEs did (false positives).
usage: detect_score.py LABELS EVENTS [--require]   (--require: exit 1 unless every attacking
UE is detected and at most 1% of benign UEs are flagged)"""
import collections, json, sys
COVERED = {"syn_flood", "udp_flood", "port_scan_horizontal", "port_scan_vertical"}
labels, events = sys.argv[1], sys.argv[2]
classes = collections.defaultdict(set)
for r in map(json.loads, open(labels)):
    if r.get("ue"):
        classes[r["ue"]].add(r["class"])
detected = collections.defaultdict(set)
for e in map(json.loads, open(events)):
    if e["reason"].startswith("detect_") and e.get("ue"):
        detected[e["ue"]].add(e["reason"])
attackers = {ue for ue, c in classes.items() if c & COVERED}
benign = {ue for ue, c in classes.items() if c == {"benign"}}
missed = sorted(attackers - set(detected))
flagged = sorted(benign & set(detected))
share = len(flagged) / max(1, len(benign))
print(f"attacking UEs {len(attackers)}, detected {len(attackers) - len(missed)}; "
      f"benign UEs {len(benign)}, flagged {len(flagged)} ({100 * share:.2f}%)")
for ue in missed[:10]:
    print(f"  missed {ue}: {sorted(classes[ue])}")
for ue in flagged[:10]:
    print(f"  flagged benign {ue}: {sorted(detected[ue])}")
if "--require" in sys.argv and (missed or share > 0.01):
    sys.exit(1)
