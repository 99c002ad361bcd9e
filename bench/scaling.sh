#!/usr/bin/env bash
# The scaling runs of issue 6 in one command: throughput as sessions (10k, 100k, 1M), ACL rules
# (100, 1k, 10k) and the share of attack frames (0, 10, 50%) grow, each next to the decode-only
# rate of the same traffic measured in the same run; policy compile + swap time; resident bytes
# per session (one process per size); the live forwarding rate through the lab with 1 and 2
# workers (bench/lab_forwarding.sh, needs root). Prints a table with the issue's targets and
# writes CSV files to bench/results/.
#   bench/scaling.sh [BUILD_DIR]
#   env: REPS=3 (repetitions; the table shows median and min-max), MIN_TIME=0.5,
#        SKIP_LAB=1 (no lab run), SIZES="10000 100000 1000000" (memory sizes), LAB_LOOPS=40,
#        BENCH_CPU=N (the CPU the throughput runs are pinned to; default the last one)
# One worker, 128-byte uplink G-PDUs, every stage on (bench/workload.h). Numbers are from a
# shared machine: compare rows of one run; ratios within a run are what the targets use.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=$(realpath "${1:-$root/build}")
bench=$build/bench/mecguard_bench
out=$root/bench/results
mkdir -p "$out"
py=/usr/bin/python3

# The worker runs pinned to one CPU, the last by default, away from CPU 0's housekeeping, as a
# data-plane worker is deployed, so that every case of a run sees the same CPU: the two vCPUs of
# the issue 6 machine differ from minute to minute (once 25 vs 37.6 Mpps decode-only, later
# alike), and an unpinned run landed on either (bench/README).
cpu=${BENCH_CPU:-$(( $(nproc) - 1 ))}
echo "== throughput (mecguard_bench, ${REPS:-3} repetitions, pinned to CPU $cpu)" >&2
# Repetitions run in random order across the cases, so the machine's drift over the minutes of
# a run falls on every case alike instead of on whichever ran last (ratios stay comparable).
taskset -c "$cpu" "$bench" --benchmark_filter='BM_Decode/sessions:[0-9]+/batch:256|BM_Pipeline/.*batch:256|BM_CompileAndSwap' \
  --benchmark_repetitions="${REPS:-3}" --benchmark_min_time="${MIN_TIME:-0.5}" \
  --benchmark_enable_random_interleaving=true \
  --benchmark_out="$out/scaling.json" --benchmark_out_format=json >/dev/null

echo "== resident memory per session" >&2
echo "sessions,rss_before_kb,rss_sessions_kb,rss_traffic_kb,table_bytes_per_session,all_bytes_per_session,dropped" \
  > "$out/memory.csv"
for n in ${SIZES:-10000 100000 1000000}; do
  "$bench" --session-memory="$n" | tail -1 >> "$out/memory.csv"
done

$py - "$out" <<'PY'
import csv, json, re, statistics, sys
out = sys.argv[1]
data = json.load(open(f"{out}/scaling.json"))
runs = {}
for b in data["benchmarks"]:
    if b.get("run_type", "iteration") != "iteration" or b.get("error_occurred"):
        continue
    runs.setdefault(b["run_name"], []).append(b)

def args(name):
    return {k: int(v) for k, v in re.findall(r"(\w+):(\d+)", name)}

def rate(rs):
    v = [r.get("items_per_second", 0) for r in rs]
    return statistics.median(v), min(v), max(v)

decode = {args(n)["sessions"]: rate(rs) for n, rs in runs.items() if n.startswith("BM_Decode/")}
pipe = {}
for n, rs in runs.items():
    if n.startswith("BM_Pipeline/"):
        a = args(n)
        pipe[(a["sessions"], a["rules"], a["attack_pct"])] = (rate(rs), rs[0].get("alerts", 0))
rows = []
def row(axis, key):
    if key not in pipe:
        return
    (med, lo, hi), alerts = pipe[key]
    d = decode.get(key[0], (0, 0, 0))[0]
    rows.append([axis, key[0], key[1], key[2], med, lo, hi, d, med / d if d else 0, alerts])
for s in (10000, 100000, 1000000): row("sessions", (s, 1000, 0))
for r in (100, 1000, 10000): row("rules", (100000, r, 0))
for a in (0, 10, 50): row("attack", (100000, 1000, a))
with open(f"{out}/scaling.csv", "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["axis", "sessions", "rules", "attack_pct", "pipeline_fps_median", "pipeline_fps_min",
                "pipeline_fps_max", "decode_fps_median", "ratio_to_decode", "alerts"])
    for r in rows:
        w.writerow(r[:4] + [f"{x:.0f}" for x in r[4:8]] + [f"{r[8]:.3f}", r[9]])
print(f"{'axis':9} {'sessions':>9} {'rules':>6} {'attack':>6} {'Mpps median':>11} {'(min-max)':>13} "
      f"{'decode Mpps':>11} {'vs decode':>9}")
for r in rows:
    print(f"{r[0]:9} {r[1]:9} {r[2]:6} {r[3]:5}% {r[4]/1e6:11.2f} {f'({r[5]/1e6:.2f}-{r[6]/1e6:.2f})':>13} "
          f"{r[7]/1e6:11.2f} {r[8]:9.2f}")

compile_ms = {}
for n, rs in runs.items():
    if n.startswith("BM_CompileAndSwap/"):
        ms = [r["real_time"] for r in rs]  # unit: ms
        compile_ms[args(n)["rules"]] = (statistics.median(ms), min(ms), max(ms))
print("\ncompile + swap:", ", ".join(f"{k} rules {v[0]:.2f} ms ({v[1]:.2f}-{v[2]:.2f})" for k, v in sorted(compile_ms.items())))

mem = {int(r["sessions"]): r for r in csv.DictReader(open(f"{out}/memory.csv"))}
# Each session's slot holds its record and its UE's rate/detect state (docs/decisions/007): the
# first column is resident once the sessions are learned, the second after one packet each.
print(f"\n{'sessions':>9} {'after N4 B/session':>24} {'after traffic B/session':>30}")
for n, r in sorted(mem.items()):
    print(f"{n:9} {float(r['table_bytes_per_session']):24.1f} {float(r['all_bytes_per_session']):30.1f}")

def get(key):
    return pipe.get(key, ((0, 0, 0), 0))[0][0]
checks = []
t = get((100000, 1000, 0)); d = decode.get(100000, (0,))[0]
checks.append(("pipeline >= 10 Mpps (100k sessions, 1k rules)", f"{t/1e6:.2f} Mpps", t >= 10e6))
checks.append(("pipeline >= 50% of decode-only (same run)", f"{t/d:.2f}" if d else "n/a", bool(d) and t / d >= 0.5))
a, b = get((1000000, 1000, 0)), get((10000, 1000, 0))
checks.append(("1M sessions >= 70% of 10k sessions", f"{a/b:.2f}" if b else "n/a", bool(b) and a / b >= 0.7))
a, b = get((100000, 10000, 0)), get((100000, 100, 0))
checks.append(("10k rules >= 70% of 100 rules", f"{a/b:.2f}" if b else "n/a", bool(b) and a / b >= 0.7))
if 1000000 in mem:
    m = mem[1000000]
    tb, ab = float(m["table_bytes_per_session"]), float(m["all_bytes_per_session"])
    checks.append(("per-session state <= 256 B/session at 1M (RSS, record + UE state + indexes)", f"{ab:.0f} B", ab <= 256))
if 10000 in compile_ms:
    checks.append(("compile + swap 10k rules <= 200 ms", f"{compile_ms[10000][0]:.1f} ms", compile_ms[10000][0] <= 200))
print("\ntargets:")
for name, value, ok in checks:
    print(f"  {'MET    ' if ok else 'NOT MET'} {name}: {value}")
print(f"\ncsv: {out}/scaling.csv, {out}/memory.csv; raw: {out}/scaling.json")
PY

if [[ ${SKIP_LAB:-0} == 1 ]]; then
  echo "(lab forwarding skipped: SKIP_LAB=1)"
elif [[ $(id -u) != 0 ]]; then
  echo "(lab forwarding skipped: needs root)"
else
  echo
  echo "== live forwarding through the lab (bench/lab_forwarding.sh)"
  "$root/bench/lab_forwarding.sh" "$build/mecguard" "${LAB_LOOPS:-40}"
fi
