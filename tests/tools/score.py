#!/usr/bin/python3
"""Scores `mecguard inspect --verdicts` against the generator's labels, frame by frame.

usage: score.py LABELS.jsonl VERDICTS.jsonl [--covered CLASS,...] [--json]

Prints, per ground-truth class, how many frames were passed, dropped, alerted or redirected.
With --covered, exits 1 unless every frame of the covered attack classes present in the
capture was dropped, alerted or redirected; it always exits 1 if a benign frame was dropped
or redirected.
"""
import argparse
import collections
import json
import sys


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("labels")
    ap.add_argument("verdicts")
    ap.add_argument("--covered", default="")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()

    labels = {}
    with open(args.labels) as f:
        for line in f:
            rec = json.loads(line)
            labels[rec["frame"]] = rec
    table = collections.defaultdict(collections.Counter)
    reasons = collections.defaultdict(collections.Counter)
    missing = 0
    bad = []
    seen = 0
    with open(args.verdicts) as f:
        for line in f:
            v = json.loads(line)
            seen += 1
            lab = labels.get(v["frame"])
            if lab is None:
                missing += 1
                continue
            cls = lab["class"]
            table[cls][v["action"]] += 1
            if v["action"] != "pass":
                reasons[cls][v.get("reason", "?")] += 1
            if cls == "benign" and v["action"] in ("drop", "redirect"):
                bad.append(("benign dropped", v))
    if seen != len(labels):
        print(f"verdicts cover {seen} frames, labels {len(labels)}", file=sys.stderr)
        return 1
    covered = [c for c in args.covered.split(",") if c]
    for c in covered:
        if c not in table:
            continue  # the scenario does not contain this attack
        if table[c]["pass"] > 0:
            bad.append((f"{c}: {table[c]['pass']} frames passed", None))
    if args.json:
        print(json.dumps({c: dict(t) for c, t in table.items()}, sort_keys=True))
    else:
        print(f"{'class':24} {'frames':>8} {'pass':>8} {'drop':>8} {'alert':>8} {'redir':>8}  reasons")
        for c in sorted(table):
            t = table[c]
            total = sum(t.values())
            rs = ", ".join(f"{r}={n}" for r, n in reasons[c].most_common(4))
            print(f"{c:24} {total:8} {t['pass']:8} {t['drop']:8} {t['alert']:8} {t['redirect']:8}  {rs}")
    for what, v in bad[:20]:
        print("FAIL:", what, json.dumps(v) if v else "", file=sys.stderr)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
