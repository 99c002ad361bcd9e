#!/usr/bin/python3
"""rfc5424_check.py: a strict validator of RFC 5424 syslog messages, one per line, as
written by tests/tools/rsyslog_lab.sh (udp.log, tcp.log, tls.log). Used by the syslog sink's
tests and the gateway's end-to-end test.

Usage:
  rfc5424_check.py [options] FILE...
    --expect N       exactly N messages in total (default: at least one)
    --app-name NAME  every APP-NAME must equal NAME
    --mecguard       mecguard event checks: the SD has one [mecguard@32473 ...] element with a
                     `reason` parameter, MSGID == that reason, and MSG is a JSON object (the
                     event line of docs/events.md) whose reason/action/ue/src/dst agree with the
                     SD parameters (parameters must be absent exactly when the JSON value is null)
    --quiet          print only errors
  rfc5424_check.py --self-test   checks the validator on built-in good and bad messages

Exit status 0 when every line is a valid message and the counts match; 1 otherwise, with one
line per problem on stderr ("FILE:LINE: what"). Empty lines are errors.

What is checked (RFC 5424 §6 ABNF): PRI 0..191 without leading zeros, VERSION 1, TIMESTAMP
NILVALUE or RFC 3339 full-date "T" full-time with at most 6 fraction digits and a real calendar
date, HOSTNAME (1..255), APP-NAME (1..48), PROCID (1..128), MSGID (1..32) as PRINTUSASCII or
"-", STRUCTURED-DATA as "-" or SD-ELEMENTs (SD-ID and PARAM-NAME 1..32 chars of PRINTUSASCII
except '=', SP, ']' and '"'; an SD-ID with '@' needs a numeric enterprise number after it, one
without must be an IANA name; no SD-ID twice; PARAM-VALUE with '"', '\\' and ']' escaped),
then either the end or SP MSG, where MSG is valid UTF-8 (an optional BOM allowed).
"""

import argparse
import datetime
import json
import re
import sys

PRINTUSASCII = r"[\x21-\x7e]"
HEADER = re.compile(
    r"<(?P<pri>0|[1-9][0-9]{0,2})>(?P<version>[1-9][0-9]{0,2}) "
    r"(?P<ts>-|[^ ]+) "
    r"(?P<host>" + PRINTUSASCII + r"{1,255}) "
    r"(?P<app>" + PRINTUSASCII + r"{1,48}) "
    r"(?P<procid>" + PRINTUSASCII + r"{1,128}) "
    r"(?P<msgid>" + PRINTUSASCII + r"{1,32}) "
)
TIMESTAMP = re.compile(
    r"(?P<date>[0-9]{4}-[0-9]{2}-[0-9]{2})T(?P<h>[0-9]{2}):(?P<m>[0-9]{2}):(?P<s>[0-9]{2})"
    r"(?:\.(?P<frac>[0-9]{1,6}))?(?P<off>Z|[+-][0-9]{2}:[0-9]{2})$"
)
SD_NAME_CHARS = set(chr(c) for c in range(0x21, 0x7F)) - set('= ]"')
IANA_SD_IDS = {"timeQuality", "origin", "meta"}
MECGUARD_SD_ID = "mecguard@32473"


class Invalid(Exception):
    pass


def check_timestamp(ts):
    if ts == "-":
        return
    m = TIMESTAMP.match(ts)
    if not m:
        raise Invalid(f"TIMESTAMP {ts!r} is not RFC 3339 (full-date T full-time, <= 6 fraction digits)")
    try:
        datetime.date.fromisoformat(m["date"])
    except ValueError:
        raise Invalid(f"TIMESTAMP {ts!r}: no such date")
    if int(m["h"]) > 23 or int(m["m"]) > 59 or int(m["s"]) > 60:
        raise Invalid(f"TIMESTAMP {ts!r}: time out of range")
    off = m["off"]
    if off != "Z" and (int(off[1:3]) > 23 or int(off[4:6]) > 59):
        raise Invalid(f"TIMESTAMP {ts!r}: offset out of range")


def parse_sd_name(s, i, what):
    j = i
    while j < len(s) and s[j] in SD_NAME_CHARS:
        j += 1
    name = s[i:j]
    if not 1 <= len(name) <= 32:
        raise Invalid(f"{what} {name!r} at offset {i} must be 1..32 characters")
    return name, j


def parse_sd(s, i):
    """Parses STRUCTURED-DATA at s[i:]; returns ({sd_id: {name: value}}, index after it)."""
    if s.startswith("-", i):
        return {}, i + 1
    if not s.startswith("[", i):
        raise Invalid(f"STRUCTURED-DATA must be '-' or start with '[' (offset {i})")
    elements = {}
    while i < len(s) and s[i] == "[":
        sd_id, i = parse_sd_name(s, i + 1, "SD-ID")
        if "@" in sd_id:
            name, _, pen = sd_id.partition("@")
            if not name or not re.fullmatch(r"[0-9]+", pen) or "@" in pen:
                raise Invalid(f"SD-ID {sd_id!r}: name@<private enterprise number> expected")
        elif sd_id not in IANA_SD_IDS:
            raise Invalid(f"SD-ID {sd_id!r} has no '@' and is not an IANA-registered SD-ID")
        if sd_id in elements:
            raise Invalid(f"SD-ID {sd_id!r} appears twice")
        params = {}
        while True:
            if i >= len(s):
                raise Invalid(f"SD-ELEMENT {sd_id!r} is not closed")
            if s[i] == "]":
                i += 1
                break
            if s[i] != " ":
                raise Invalid(f"SP or ']' expected in SD-ELEMENT {sd_id!r} at offset {i}, got {s[i]!r}")
            pname, i = parse_sd_name(s, i + 1, "PARAM-NAME")
            if not s.startswith('="', i):
                raise Invalid(f'PARAM-NAME {pname!r} must be followed by ="')
            i += 2
            value = []
            while True:
                if i >= len(s):
                    raise Invalid(f"PARAM-VALUE of {pname!r} is not closed")
                c = s[i]
                if c == "\\" and i + 1 < len(s) and s[i + 1] in '"\\]':
                    value.append(s[i + 1])
                    i += 2
                    continue
                if c == '"':
                    i += 1
                    break
                if c == "]":
                    raise Invalid(f"unescaped ']' in PARAM-VALUE of {pname!r}")
                if c == "\\":
                    raise Invalid(f"backslash not escaping '\"', '\\\\' or ']' in PARAM-VALUE of {pname!r}")
                value.append(c)
                i += 1
            if pname in params:
                raise Invalid(f"PARAM-NAME {pname!r} twice in {sd_id!r}")
            params[pname] = "".join(value)
        elements[sd_id] = params
    return elements, i


def check_message(raw, args):
    """Validates one message (bytes); returns (header fields, sd, msg) or raises Invalid."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise Invalid(f"not valid UTF-8: {e}")
    if not text:
        raise Invalid("empty line")
    m = HEADER.match(text)
    if not m:
        raise Invalid(f"header does not match <PRI>VERSION SP TIMESTAMP SP HOSTNAME SP APP-NAME SP PROCID SP MSGID SP: {text[:120]!r}")
    if int(m["pri"]) > 191:
        raise Invalid(f"PRI {m['pri']} > 191")
    if m["version"] != "1":
        raise Invalid(f"VERSION {m['version']} is not 1")
    check_timestamp(m["ts"])
    if args.app_name is not None and m["app"] != args.app_name:
        raise Invalid(f"APP-NAME {m['app']!r} != {args.app_name!r}")
    sd, i = parse_sd(text, m.end())
    msg = None
    if i < len(text):
        if text[i] != " ":
            raise Invalid(f"SP or end expected after STRUCTURED-DATA at offset {i}")
        msg = text[i + 1:]
        if msg.startswith("\ufeff"):
            msg = msg[1:]
    if args.mecguard:
        check_mecguard(m, sd, msg)
    return m, sd, msg


def check_mecguard(m, sd, msg):
    if MECGUARD_SD_ID not in sd:
        raise Invalid(f"no [{MECGUARD_SD_ID} ...] element")
    params = sd[MECGUARD_SD_ID]
    for p in params:
        if p not in ("reason", "action", "stage", "ue", "src", "dst"):
            raise Invalid(f"unexpected parameter {p!r} in {MECGUARD_SD_ID}")
        if params[p] == "":
            raise Invalid(f"empty parameter {p!r} (empty ones are left out)")
    if "reason" not in params:
        raise Invalid("mecguard SD has no reason")
    if m["msgid"] != params["reason"]:
        raise Invalid(f"MSGID {m['msgid']!r} != SD reason {params['reason']!r}")
    if msg is None:
        raise Invalid("no MSG")
    try:
        event = json.loads(msg)
    except ValueError as e:
        raise Invalid(f"MSG is not JSON: {e}")
    if not isinstance(event, dict):
        raise Invalid("MSG is not a JSON object")
    for key in ("ts_ns", "frame", "severity", "stage", "reason", "action", "count"):
        if key not in event:
            raise Invalid(f"event JSON has no {key!r}")
    for key in ("reason", "action", "stage", "ue", "src", "dst"):
        want = event.get(key)
        got = params.get(key)
        if (want in (None, "")) != (got is None) or (got is not None and got != str(want)):
            raise Invalid(f"SD {key}={got!r} disagrees with the JSON {key}={want!r}")


def self_test():
    class A:
        app_name = None
        mecguard = True
    ev = {"ts_ns": 1, "frame": 2, "severity": "high", "stage": "teid", "reason": "teid_unknown",
          "action": "drop", "count": 1, "ue": "10.0.0.1", "src": "10.0.0.1", "dst": None}
    j = json.dumps(ev)
    sd = '[mecguard@32473 reason="teid_unknown" action="drop" stage="teid" ue="10.0.0.1" src="10.0.0.1"]'
    sd_no_src = sd.replace(' src="10.0.0.1"', "")
    good = [
        f"<107>1 2024-02-29T23:59:60.123456Z host mecguard 42 teid_unknown {sd} {j}",
        f"<107>1 - - mecguard - teid_unknown {sd}[origin ip=\"a\\]b\\\\c\\\"d\"] {j}",
    ]
    bad = [
        f"<192>1 2024-01-01T00:00:00Z h mecguard 1 teid_unknown {sd} {j}",          # PRI
        f"<07>1 2024-01-01T00:00:00Z h mecguard 1 teid_unknown {sd} {j}",           # leading 0
        f"<7>2 2024-01-01T00:00:00Z h mecguard 1 teid_unknown {sd} {j}",            # version
        f"<7>1 2023-02-29T00:00:00Z h mecguard 1 teid_unknown {sd} {j}",            # no such date
        f"<7>1 2024-01-01T00:00:00.1234567Z h mecguard 1 teid_unknown {sd} {j}",    # 7 digits
        f"<7>1 2024-01-01 00:00:00Z h mecguard 1 teid_unknown {sd} {j}",            # no T
        f"<7>1 2024-01-01T00:00:00Z h mecguard 1 teid_unknown {sd[:-1]} {j}",       # unclosed
        f"<7>1 2024-01-01T00:00:00Z h mecguard 1 teid_unknown {sd}{sd} {j}",        # SD-ID twice
        f"<7>1 2024-01-01T00:00:00Z h mecguard 1 teid_unknown [x a=\"1\"] {j}",     # not IANA
        f"<7>1 2024-01-01T00:00:00Z h mecguard 1 teid_unknown [x@y a=\"1\"] {j}",   # PEN not numeric
        f"<7>1 2024-01-01T00:00:00Z h mecguard 1 teid_unknown [a@1 a=\"x]y\"] {j}", # unescaped ]
        f"<7>1 2024-01-01T00:00:00Z h mecguard 1 teid_unknown {sd}{j}",             # no SP before MSG
        f"<7>1 2024-01-01T00:00:00Z h mecguard 1 acl_denied {sd} {j}",              # MSGID != reason
        f"<7>1 2024-01-01T00:00:00Z h mecguard 1 teid_unknown {sd} not json",
        f"<7>1 2024-01-01T00:00:00Z h mecguard 1 teid_unknown {sd_no_src} {j}",    # SD != JSON
        f"<7>1 2024-01-01T00:00:00Z h mecg uard 1 teid_unknown {sd} {j}",           # field count
        f"<7>1 2024-01-01T00:00:00Z {'h' * 256} mecguard 1 teid_unknown {sd} {j}",  # HOSTNAME > 255
        "",
    ]
    problems = 0
    for line in good:
        try:
            check_message(line.encode(), A)
        except Invalid as e:
            print(f"self-test: a valid message was rejected ({e}): {line}", file=sys.stderr)
            problems += 1
    for line in bad:
        try:
            check_message(line.encode(), A)
            print(f"self-test: an invalid message was accepted: {line}", file=sys.stderr)
            problems += 1
        except Invalid:
            pass
    try:
        check_message(b"\xff<7>1 - - - - - -", A)
        print("self-test: invalid UTF-8 accepted", file=sys.stderr)
        problems += 1
    except Invalid:
        pass
    print(f"self-test: {len(good)} valid and {len(bad) + 1} invalid messages, {problems} problems")
    return 1 if problems else 0


def main():
    ap = argparse.ArgumentParser(description="strict RFC 5424 validator, one message per line")
    ap.add_argument("files", nargs="*")
    ap.add_argument("--expect", type=int)
    ap.add_argument("--app-name")
    ap.add_argument("--mecguard", action="store_true")
    ap.add_argument("--quiet", action="store_true")
    ap.add_argument("--self-test", action="store_true")
    args = ap.parse_args()
    if args.self_test:
        return self_test()
    if not args.files:
        ap.error("no FILE given")
    total = 0
    errors = 0
    for path in args.files:
        try:
            with open(path, "rb") as f:
                data = f.read()
        except OSError as e:
            print(f"{path}: {e}", file=sys.stderr)
            errors += 1
            continue
        lines = data.split(b"\n")
        if lines and lines[-1] == b"":
            lines.pop()  # the final newline
        for n, line in enumerate(lines, 1):
            total += 1
            try:
                check_message(line, args)
            except Invalid as e:
                errors += 1
                print(f"{path}:{n}: {e}", file=sys.stderr)
    if args.expect is not None and total != args.expect:
        print(f"expected {args.expect} messages, found {total}", file=sys.stderr)
        errors += 1
    elif args.expect is None and total == 0:
        print("no messages found", file=sys.stderr)
        errors += 1
    if not args.quiet:
        print(f"{total} messages, {errors} problems")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
