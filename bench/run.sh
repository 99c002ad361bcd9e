#!/usr/bin/env bash
# Runs every microbenchmark once and writes bench/results.csv plus a readable table with each
# case's throughput as a ratio of the decode-only baseline (10k sessions, batch 256) measured in
# the same run. The scaling table with the issue's targets is bench/scaling.sh.
#   bench/run.sh [BUILD_DIR] [extra Google Benchmark flags...]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}; shift || true
out=${OUT:-bench/results}
mkdir -p "$(dirname "$out")"
"$build/bench/mecguard_bench" --benchmark_out="$out.json" --benchmark_out_format=json \
  --benchmark_min_time=${MIN_TIME:-0.5} "$@" >/dev/null
/usr/bin/python3 - "$out.json" "$out.csv" <<'PY'
import csv, json, sys
data = json.load(open(sys.argv[1]))
rows = [b for b in data["benchmarks"] if b.get("run_type", "iteration") == "iteration"]
base = {}
for b in rows:
    if b["name"] == "BM_Decode/sessions:10000/batch:256":
        base["decode"] = b.get("items_per_second", 0)
with open(sys.argv[2], "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["benchmark", "frames_per_s", "ns_per_iter_cpu", "ratio_to_decode", "table_bytes_per_session"])
    print(f"{'benchmark':66} {'Mframes/s':>10} {'vs decode':>10} {'cpu ns/iter':>12}")
    for b in rows:
        fps = b.get("items_per_second", 0)
        ratio = fps / base["decode"] if fps and base.get("decode") else 0
        w.writerow([b["name"], f"{fps:.0f}", f"{b['cpu_time']:.1f}", f"{ratio:.3f}", b.get("table_bytes_per_session", "")])
        print(f"{b['name']:66} {fps/1e6:10.2f} {ratio:10.2f} {b['cpu_time']:12.1f}")
print(f"\ncontext: {data['context'].get('num_cpus')} CPUs, {data['context'].get('mhz_per_cpu')} MHz; csv: {sys.argv[2]}")
PY
