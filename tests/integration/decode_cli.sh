#!/usr/bin/env bash
# `mecguard decode` end to end on the captures in tests/data/captures: per-frame lines, the
# totals, every link type, pcapng, stdin, JSON, and the exit status of each failure kind.
# Usage: decode_cli.sh MECGUARD_BINARY SOURCE_DIR
set -uo pipefail
bin=${1:?mecguard binary}
src=${2:?source dir}
data="$src/tests/data/captures"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0

fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# run NAME EXPECTED_STATUS ARGS...: stdout to $tmp/NAME.out, stderr to $tmp/NAME.err.
run() {
  local name=$1 want=$2
  shift 2
  "$bin" "$@" >"$tmp/$name.out" 2>"$tmp/$name.err"
  local got=$?
  [[ $got == "$want" ]] || fail "$name: exit status $got, want $want ($(head -c 300 "$tmp/$name.err"))"
}
# has NAME REGEX: a line of NAME's stdout matches (grep -E).
has() { grep -Eq -- "$2" "$tmp/$1.out" || fail "$1: no line matches /$2/"; }
has_err() { grep -Eq -- "$2" "$tmp/$1.err" || fail "$1: stderr does not match /$2/"; }
lines() {
  local n
  n=$(grep -Ec -- "$2" "$tmp/$1.out")
  [[ $n == "$3" ]] || fail "$1: $n lines match /$2/, want $3"
}

# --- Ethernet pcap: one line per frame, the fields, the totals.
run eth 0 decode "$data/gtpu_eth.pcap"
lines eth '^ +[0-9]+ 1700000000\.[0-9]{9} ' 12
has eth '^ +1 1700000000\.000000123 ethernet 192\.0\.2\.10:2152 -> 192\.0\.2\.1:2152 udp gtpu g_pdu teid=0x1234abcd qfi=9 ul \| 10\.45\.0\.2:40000 -> 203\.0\.113\.80:443 tcp S '
has eth '^ +2 .* teid=0x00000101 qfi=5 dl \| 203\.0\.113\.53:53 -> 10\.45\.0\.2:40001 udp'
has eth '^ +3 .* gtpu echo_request teid=0x00000000 seq=66 recovery=5'
has eth '^ +5 .* pfcp session_establishment_request seid=0x0 seq=2'
has eth '^ +6 .* pfcp session_establishment_response seid=0x1122334455667788 seq=2'
has eth '^ +7 .* ethernet vlan=100 .* \| 10\.45\.0\.3 -> 203\.0\.113\.1 icmp type=8'
has eth '^ +8 .* \[2001:db8::1\]:5000 -> \[2001:db8::2\]:53 udp'
has eth '^ +10 .* pfcp type=1 S=0 !pfcp_bad_version'
has eth '^ +12 .* len=60/486 '
has eth '^frames: 12 .*cut by snaplen: 1 '
has eth '^  gtpu +4$'
has eth '^  pfcp +4$'
has eth '^  g_pdu +3$'
has eth '^  echo_request +1$'
has eth '^  session_establishment_request +1$'
has eth '^  pfcp_bad_version +1$'
has eth '^  ok +11$'

# --- pcapng gives the same lines as pcap.
run eth_ng 0 decode "$data/gtpu_eth.pcapng"
cmp -s "$tmp/eth.out" "$tmp/eth_ng.out" || fail "pcapng output differs from pcap"

# --- stdin
"$bin" decode - <"$data/gtpu_eth.pcap" >"$tmp/stdin.out" 2>"$tmp/stdin.err" || fail "stdin: status $?"
cmp -s "$tmp/eth.out" "$tmp/stdin.out" || fail "stdin output differs from file"

# --- other link types find the same tunnel.
for f in gtpu_sll gtpu_sll2 gtpu_raw gtpu_ipv4; do
  run "$f" 0 decode "$data/$f.pcap"
  has "$f" '^ +1 .* gtpu g_pdu teid=0x1234abcd qfi=9 ul \| 10\.45\.0\.2:40000 -> 203\.0\.113\.80:443 tcp S'
done
has gtpu_sll2 '^ +1 [0-9.]+ sll2 '
has gtpu_raw '^ +3 [0-9.]+ raw \[2001:db8::1\]:5000'

# --- -v: every layer on its own line.
run verbose 0 decode -v --limit 6 "$data/gtpu_eth.pcap"
lines verbose '^frame [0-9]+:' 6
has verbose '^  gtpu ext: count=1 first=0x85 pdu_session ul qfi=9$'
has verbose '^  inner l4: tcp 40000 -> 443 flags=S '
has verbose '^  pfcp ie: create_pdr id=1 precedence=255 f_teid=0x1234abcd@192\.0\.2\.1 ue_ip=10\.45\.0\.2 far=1$'
has verbose '^  pfcp ie: up_f_seid seid=0x2002 192\.0\.2\.1$'
has verbose '^frames: 6 '

# --- --summary: totals only; --json: one object per frame plus a summary.
run summary 0 decode --summary "$data/gtpu_eth.pcap"
lines summary '^ +[0-9]+ 1700000000' 0
has summary '^frames: 12 '
run json 0 decode --json "$data/gtpu_eth.pcap"
lines json '^\{"captured":' 12
has json '"teid":305441741'
has json '^\{"summary":\{.*"frames":12'
if command -v python3 >/dev/null; then
  python3 -c 'import json,sys; [json.loads(l) for l in open(sys.argv[1])]' "$tmp/json.out" ||
    fail "json: not valid JSON lines"
fi

# --- corrupt tail: frames before it, then the error naming the frame; status 1.
run trunc 1 decode "$data/truncated_tail.pcap"
lines trunc '^ +[0-9]+ 1700000000' 5
has trunc '^frames: 5 '
has_err trunc 'truncated_tail\.pcap: frame 6: truncated record'
run huge 1 decode "$data/huge_record.pcap"
lines huge '^ +[0-9]+ 1700000000' 1
has_err huge 'huge_record\.pcap: frame 2: corrupt record'
# --limit before the bad record: no error.
run trunc_limit 0 decode --limit 5 "$data/truncated_tail.pcap"

# --- unreadable inputs: status 1; usage errors: status 2.
run garbage 1 decode "$data/garbage.bin"
has_err garbage 'garbage\.bin: not a readable pcap or pcapng capture'
run missing 1 decode "$tmp/no-such.pcap"
has_err missing 'no-such\.pcap: cannot open'
run link 1 decode "$data/unsupported_link.pcap"
has_err link 'unsupported link type 147'
run noarg 2 decode
run badflag 2 decode --no-such-flag "$data/gtpu_eth.pcap"
run badlimit 2 decode --limit -1 "$data/gtpu_eth.pcap"
run conflict 2 decode -v --json "$data/gtpu_eth.pcap"

# --- cross-check with tshark when present: same frame count and first TEID.
if command -v tshark >/dev/null; then
  n=$(tshark -r "$data/gtpu_eth.pcap" 2>/dev/null | wc -l)
  [[ $n == 12 ]] || fail "tshark sees $n frames, want 12"
  teid=$(tshark -r "$data/gtpu_eth.pcap" -Y 'frame.number==1' -T fields -e gtp.teid 2>/dev/null)
  [[ $teid == 0x1234abcd* || $teid == 305441741* ]] || fail "tshark TEID of frame 1: $teid"
fi

if ((failures > 0)); then
  echo "decode_cli: $failures failure(s)"
  exit 1
fi
echo "decode_cli: ok"
