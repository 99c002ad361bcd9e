#!/usr/bin/python3
"""Per-UE detection score: which attacking UEs (labels of the detector-covered attack classes)
got a detect_* event within their attack window, and which benign-only UEs got one (false
positives); per attack class and overall. N4 peers: a signalling storm must be reported when
the scenario has session churn, and never when it has none.
usage: detect_score.py LABELS EVENTS [--require] [--slack SECONDS]
  --require: exit 1 unless every attacking UE is detected within [its first attack frame,
             its last + slack] (default slack 2 s), at most 1% of benign UEs are flagged, and
             the storm rule holds."""
import collections, json, sys

COVERED = ["syn_flood", "udp_flood", "port_scan_horizontal", "port_scan_vertical",
           "session_churn", "hijacked_ue"]
args = [a for a in sys.argv[1:] if not a.startswith("--")]
labels_path, events_path = args[0], args[1]
slack = 2.0
if "--slack" in sys.argv:
    slack = float(sys.argv[sys.argv.index("--slack") + 1])

classes = collections.defaultdict(set)                 # ue -> classes of its frames
span = {}                                               # (ue, class) -> [first t, last t]
frame_t = []                                            # frame - 1 -> t
for r in map(json.loads, open(labels_path)):
    frame_t.append(r["t"])
    ue = r.get("ue")
    if not ue:
        continue
    classes[ue].add(r["class"])
    if r["class"] in COVERED:
        s = span.setdefault((ue, r["class"]), [r["t"], r["t"]])
        s[1] = r["t"]

detected = collections.defaultdict(list)                # ue -> [(t, reason)]
storms = []
for e in map(json.loads, open(events_path)):
    if not e["reason"].startswith("detect_"):
        continue
    frames = {e["frame"], e.get("first_frame", e["frame"])}
    times = [frame_t[f - 1] for f in frames if 0 < f <= len(frame_t)]
    if e["reason"] == "detect_signalling_storm":
        storms.append(e)
    if e.get("ue"):
        for t in times:
            detected[e["ue"]].append((t, e["reason"]))


def in_window(ue, cls):
    lo, hi = span[(ue, cls)]
    return any(lo <= t <= hi + slack for t, _ in detected.get(ue, []))


ok = True
print(f"{'class':22} {'attacking UEs':>13} {'detected':>9}  reasons (first event in window)")
missed_all = []
for cls in COVERED:
    ues = sorted(ue for (ue, c) in span if c == cls)
    if not ues:
        continue
    hit = [ue for ue in ues if in_window(ue, cls)]
    reasons = collections.Counter()
    for ue in hit:
        lo, hi = span[(ue, cls)]
        reasons.update({r for t, r in detected[ue] if lo <= t <= hi + slack})
    print(f"{cls:22} {len(ues):13} {len(hit):9}  " + ", ".join(f"{r}={n}" for r, n in sorted(reasons.items())))
    missed_all += [(ue, cls) for ue in ues if ue not in hit]

attackers = {ue for (ue, _) in span}
# Benign for detection: UEs with no frame of a detector-covered class (a UE whose session
# only carried spoofed or malformed frames is the victim of those, not an attacker).
benign = {ue for ue, c in classes.items() if not c & set(COVERED)}
flagged = sorted(benign & set(detected))
share = len(flagged) / max(1, len(benign))
print(f"attacking UEs {len(attackers)}, detected in window {len(attackers) - len({u for u, _ in missed_all})}; "
      f"benign UEs {len(benign)}, flagged {len(flagged)} ({100 * share:.2f}%)")
for ue, cls in missed_all[:10]:
    print(f"  missed {ue} ({cls}): events {sorted(set(r for _, r in detected.get(ue, [])))}")
for ue in flagged[:10]:
    print(f"  flagged benign {ue}: {sorted(set(r for _, r in detected[ue]))}")
churn = any(c == "session_churn" for (_, c) in span)
peers = sorted({e["src"] for e in storms})
print(f"signalling storms: {len(storms)} events from peers {peers} (session churn in scenario: {churn})")
if missed_all or share > 0.01 or (churn and not storms) or (not churn and storms):
    ok = False
if "--require" in sys.argv and not ok:
    sys.exit(1)
