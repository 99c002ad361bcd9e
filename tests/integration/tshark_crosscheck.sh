#!/usr/bin/env bash
# Cross-checks mecguard's decoders against tshark, an independent dissector: generates the
# bundled default and attack scenarios, decodes them with `mecguard decode --json` and with
# tshark, and compares per frame the GTP-U TEID and QFI, the PFCP header SEID, F-SEIDs,
# F-TEIDs, UE IP addresses and Outer Header Creation TEIDs.
#   usage: tshark_crosscheck.sh MECGUARD SOURCE_DIR
set -euo pipefail
bin=$1; src=$2
if ! command -v tshark >/dev/null; then echo "tshark missing (scripts/install-deps.sh installs it)" >&2; exit 1; fi
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
for scenario in default attacks; do
  "$bin" gen "$src/examples/$scenario.yaml" -o "$work/$scenario.pcap" --labels "$work/$scenario.labels" >/dev/null
  "$bin" decode --json "$work/$scenario.pcap" > "$work/$scenario.json"
  tshark -r "$work/$scenario.pcap" -T fields -E occurrence=a -E aggregator=, -E separator='|' \
    -e frame.number -e gtp.teid -e gtp.ext_hdr.pdu_ses_con.qos_flow_id -e pfcp.seid \
    -e pfcp.f_teid.teid -e pfcp.ue_ip_addr_ipv4 -e pfcp.ue_ip_addr_ipv6 -e pfcp.outer_hdr_creation.teid \
    > "$work/$scenario.tshark" 2>/dev/null
  /usr/bin/python3 - "$work/$scenario.json" "$work/$scenario.tshark" "$scenario" <<'PY'
import ipaddress, json, sys
ours_path, theirs_path, name = sys.argv[1:]
ours = {}
for line in open(ours_path):
    j = json.loads(line)
    if "frame" in j:
        ours[j["frame"]] = j

def ints(field):
    return [int(x, 0) for x in field.split(",") if x]

def addrs(field):
    return sorted(str(ipaddress.ip_address(x)) for x in field.split(",") if x)

checked = {"teid": 0, "qfi": 0, "seid": 0, "f_teid": 0, "ue_ip": 0, "ohc": 0}
errors = []
frames = 0
for line in open(theirs_path):
    f = line.rstrip("\n").split("|")
    n = int(f[0]); frames += 1
    o = ours.get(n)
    if o is None:
        errors.append(f"frame {n}: missing from mecguard output"); continue
    if o.get("status") != "ok":
        continue  # deliberately malformed frames: dissectors may legitimately differ
    def check(key, want, got):
        checked[key] += 1
        if want != got:
            errors.append(f"frame {n} {key}: tshark {want} mecguard {got}")
    g = o.get("gtpu")
    if g and f[1]:
        check("teid", ints(f[1])[0], g["teid"])
        if f[2] and "qfi" in g:
            check("qfi", ints(f[2])[0], g["qfi"])
    p = o.get("pfcp")
    if p and p.get("status") == "ok" and "ie_error" not in p:
        want = ints(f[3])
        got = ([p["seid"]] if "seid" in p else []) + [p[k]["seid"] for k in ("cp_f_seid", "up_f_seid") if k in p]
        check("seid", sorted(want), sorted(got))
        check("f_teid", sorted(ints(f[4])), sorted(t["teid"] for t in p.get("f_teids", []) if not t["ch"]))
        check("ue_ip", sorted(addrs(f[5]) + addrs(f[6])), sorted(str(ipaddress.ip_address(a)) for a in p.get("ue_ips", [])))
        check("ohc", sorted(ints(f[7])), sorted(p.get("ohc_teids", [])))
if frames != len(ours):
    errors.append(f"tshark saw {frames} frames, mecguard {len(ours)}")
for e in errors[:20]:
    print(f"{name}: {e}", file=sys.stderr)
print(f"{name}: {frames} frames; compared " + ", ".join(f"{k}={v}" for k, v in checked.items()))
# Every kind of field must actually have been compared, or the check proves nothing.
empty = [k for k, v in checked.items() if v == 0]
if empty:
    print(f"{name}: nothing compared for {empty}", file=sys.stderr); sys.exit(1)
sys.exit(1 if errors else 0)
PY
done
echo "tshark cross-check: ok"
