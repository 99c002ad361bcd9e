#!/usr/bin/python3
"""Strict checker for Prometheus text exposition (format 0.0.4), independent of mecguard.

Parses FILE (or stdin with '-' or no argument) with prometheus_client's own parser and fails on
any parse error; on top of that it checks what the parser tolerates: HELP and TYPE at most once
per family and before its samples, every sample under a declared family, samples of a family
contiguous, counters named *_total with non-negative values, no duplicate series, a final line
feed. --expect 'name{label="v",...}=value' asserts a sample (repeatable). Prints
"families N samples M" and exits 0, or prints every problem and exits 1.

Usage: /usr/bin/python3 tests/tools/prom_check.py [FILE|-] [--expect SAMPLE=VALUE ...]
Callers: tests/manage/metrics_test.cc and http_server_test.cc.
"""

import argparse
import math
import re
import sys

from prometheus_client.parser import text_string_to_metric_families

NAME_RE = re.compile(r"^[a-zA-Z_:][a-zA-Z0-9_:]*$")
SAMPLE_NAME_RE = re.compile(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)")
TYPES = {"counter", "gauge", "histogram", "summary", "untyped"}
SUFFIXES = {"histogram": ("_bucket", "_sum", "_count"), "summary": ("_sum", "_count")}


def family_of(sample_name, types):
    """The declared family a sample name belongs to, or None."""
    if sample_name in types:
        return sample_name
    for fam, typ in types.items():
        for suffix in SUFFIXES.get(typ, ()):
            if sample_name == fam + suffix:
                return fam
    return None


def check_structure(text):
    """Line-level rules the library parser does not enforce. Returns a list of problems."""
    problems = []
    if text and not text.endswith("\n"):
        problems.append("exposition does not end with a line feed")
    helps, types, seen_samples, finished = set(), {}, set(), set()
    current = None
    for no, line in enumerate(text.split("\n"), 1):
        if not line:
            continue
        if line.startswith("#"):
            parts = line.split(None, 3)
            if len(parts) >= 3 and parts[1] in ("HELP", "TYPE"):
                name = parts[2]
                if not NAME_RE.match(name):
                    problems.append(f"line {no}: bad metric name {name!r}")
                if name in seen_samples:
                    problems.append(f"line {no}: {parts[1]} for {name} after its samples")
                if parts[1] == "HELP":
                    if name in helps:
                        problems.append(f"line {no}: second HELP for {name}")
                    helps.add(name)
                else:
                    typ = parts[3].strip() if len(parts) > 3 else ""
                    if typ not in TYPES:
                        problems.append(f"line {no}: unknown type {typ!r} for {name}")
                    if name in types:
                        problems.append(f"line {no}: second TYPE for {name}")
                    types[name] = typ
                    if typ == "counter" and not name.endswith("_total"):
                        problems.append(f"line {no}: counter {name} does not end in _total")
            continue
        m = SAMPLE_NAME_RE.match(line)
        if not m:
            problems.append(f"line {no}: not a sample: {line!r}")
            continue
        fam = family_of(m.group(1), types)
        if fam is None:
            problems.append(f"line {no}: sample {m.group(1)} has no TYPE line before it")
            continue
        if fam not in helps:
            problems.append(f"line {no}: family {fam} has no HELP line before its samples")
        if fam != current:
            if fam in finished:
                problems.append(f"line {no}: samples of {fam} are not contiguous")
            if current is not None:
                finished.add(current)
            current = fam
        seen_samples.add(fam)
    return problems


def parse_expectation(spec):
    """'name{labels}=value' -> (name, labels dict, value), parsed by the same library."""
    brace = spec.rfind("}")
    eq = spec.find("=", brace + 1) if brace >= 0 else spec.find("=")
    if eq < 0:
        raise ValueError(f"--expect {spec!r}: expected NAME{{LABELS}}=VALUE")
    line = spec[:eq] + " " + spec[eq + 1:] + "\n"
    fams = list(text_string_to_metric_families(line))
    if len(fams) != 1 or len(fams[0].samples) != 1:
        raise ValueError(f"--expect {spec!r}: not one sample")
    s = fams[0].samples[0]
    return s.name, dict(s.labels), s.value


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("file", nargs="?", default="-")
    ap.add_argument("--expect", action="append", default=[], metavar="SAMPLE=VALUE")
    args = ap.parse_args()

    if args.file == "-":
        text = sys.stdin.read()
    else:
        with open(args.file, encoding="utf-8") as f:
            text = f.read()

    problems = check_structure(text)
    samples = {}
    families = 0
    try:
        for fam in text_string_to_metric_families(text):
            families += 1
            for s in fam.samples:
                key = (s.name, tuple(sorted(s.labels.items())))
                if key in samples:
                    problems.append(f"duplicate series {s.name}{dict(key[1])}")
                samples[key] = s.value
                if fam.type == "counter" and not (s.value >= 0):
                    problems.append(f"counter {s.name}{s.labels} has value {s.value}")
    except Exception as e:  # the parser raises ValueError and friends on malformed input
        problems.append(f"parse error: {type(e).__name__}: {e}")

    for spec in args.expect:
        try:
            name, labels, want = parse_expectation(spec)
        except Exception as e:
            problems.append(str(e))
            continue
        key = (name, tuple(sorted(labels.items())))
        if key not in samples:
            problems.append(f"expected sample missing: {spec}")
        else:
            got = samples[key]
            same = (math.isnan(want) and math.isnan(got)) or got == want
            if not same:
                problems.append(f"{spec}: got {got!r}")

    if problems:
        for p in problems:
            print(f"prom_check: {p}", file=sys.stderr)
        return 1
    print(f"families {families} samples {len(samples)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
