#!/usr/bin/env bash
# The README's main job: install, build, generate the bundled default scenario and
# decode it. Output lands in out/.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh release
mkdir -p out
build/mecguard gen examples/default.yaml -o out/default.pcap --labels out/default.labels.jsonl
build/mecguard decode out/default.pcap --summary
