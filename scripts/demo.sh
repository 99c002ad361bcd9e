#!/usr/bin/env bash
# The README's main job: install, build, generate the bundled default scenario (benign
# traffic around one edge UPF with attacks mixed in) and inspect it with the bundled default
# policy. Outputs land in out/: the capture and its labels, per-frame verdicts, events,
# counters, and the passed/dropped frames as captures.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh release
mkdir -p out
build/mecguard gen examples/default.yaml -o out/default.pcap --labels out/default.labels.jsonl
build/mecguard inspect out/default.pcap --policy config/default-policy.yaml \
  --verdicts out/verdicts.jsonl --events out/events.jsonl --stats out/stats.json \
  --passed out/passed.pcap --dropped out/dropped.pcap
echo
echo "Verdicts against the generator's ground truth:"
/usr/bin/python3 tests/tools/score.py out/default.labels.jsonl out/verdicts.jsonl || true
echo
echo "Outputs in out/: verdicts.jsonl events.jsonl stats.json passed.pcap dropped.pcap"
