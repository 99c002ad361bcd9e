#!/usr/bin/env bash
# The mecguard lab: network namespaces joined by veth pairs, with the gateway as a bump in
# the wire in front of the UPF (needs root, iproute2).
#
#   ran  (gNB, UEs, and the SMF's N4) --ran0 <-> gw-a--[ gw: mecguard run ]--gw-b <-> upf-n3-- upf
#   upf  --upf-n6 <-> dn0-- dn (data network)      upf --upf-mec <-> mec0-- mec (MEC application host)
#
# usage:
#   lab/lab.sh up [PREFIX]          build the namespaces PREFIX-{ran,gw,upf,dn,mec} (default PREFIX: mgl)
#   lab/lab.sh down [PREFIX]        delete them (idempotent)
#   lab/lab.sh bridge [PREFIX]      plain kernel forwarding: a Linux bridge joins gw-a and gw-b
#   lab/lab.sh unbridge [PREFIX]    remove the bridge (the gateway needs the two ports free)
#   lab/lab.sh config [PREFIX] POLICY OUT   write a gateway config for the lab to OUT
# The gateway runs in PREFIX-gw: `ip netns exec PREFIX-gw mecguard run --config OUT`; traffic
# comes from `mecguard replay` with --net ran0 --net-netns PREFIX-ran --upf upf-n3
# --upf-netns PREFIX-upf. lab/run.sh does all of it for one scenario.
set -euo pipefail
cmd=${1:-}; P=${2:-mgl}
ns() { echo "$P-$1"; }

link() {  # link NS_A IF_A NS_B IF_B
  ip link add "$2" netns "$(ns "$1")" type veth peer name "$4" netns "$(ns "$3")"
  for x in "$1 $2" "$3 $4"; do
    set -- $x
    # Room for a full-size inner packet plus the GTP-U/UDP/IP encapsulation (the generator's
    # scenarios carry 1500-byte inner packets); the gateway's ring slots hold 2048 bytes.
    ip -n "$(ns "$1")" link set "$2" mtu 1600 up
    # The gateway sees whole frames: no offloads that would merge or split them on a veth.
    ip netns exec "$(ns "$1")" ethtool -K "$2" gro off gso off tso off tx off rx off >/dev/null 2>&1 || true
  done
}

case "$cmd" in
  up)
    "$0" down "$P" >/dev/null 2>&1 || true
    for n in ran gw upf dn mec; do
      ip netns add "$(ns $n)"
      ip -n "$(ns $n)" link set lo up
      # No IPv6 autoconfiguration chatter (router/neighbour solicitations) on the lab's wires.
      ip netns exec "$(ns $n)" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
    done
    link ran ran0 gw gw-a
    link gw gw-b upf upf-n3
    link upf upf-n6 dn dn0
    link upf upf-mec mec mec0
    # Addresses for live traffic and the forwarding baseline (the replayed frames carry their own).
    ip -n "$(ns ran)" addr add 192.0.2.1/24 dev ran0
    ip -n "$(ns upf)" addr add 192.0.2.2/24 dev upf-n3
    ip -n "$(ns upf)" addr add 198.51.100.1/24 dev upf-n6
    ip -n "$(ns dn)" addr add 198.51.100.2/24 dev dn0
    ip -n "$(ns upf)" addr add 203.0.113.1/24 dev upf-mec
    ip -n "$(ns mec)" addr add 203.0.113.2/24 dev mec0
    echo "lab $P up: $(ip netns list | grep -c "^$P-") namespaces"
    ;;
  down)
    for n in ran gw upf dn mec; do ip netns del "$(ns $n)" 2>/dev/null || true; done
    ;;
  bridge)
    ip -n "$(ns gw)" link add br0 type bridge
    ip -n "$(ns gw)" link set gw-a master br0
    ip -n "$(ns gw)" link set gw-b master br0
    ip -n "$(ns gw)" link set br0 up
    ;;
  unbridge)
    ip -n "$(ns gw)" link del br0 2>/dev/null || true
    ;;
  config)
    policy=${3:?policy}; out=${4:?output file}
    cat > "$out" <<YAML
# mecguard gateway config for the lab (lab/lab.sh config)
policy: $(realpath "$policy")
interfaces: [gw-a, gw-b]
io: ${IO:-auto}
workers: ${WORKERS:-1}
stats: $(dirname "$(realpath "$out")")/stats.json
management: ${MANAGEMENT:-127.0.0.1:9464}
events:   # last, so that a syslog section can be appended
  jsonl: $(dirname "$(realpath "$out")")/events.jsonl
YAML
    ;;
  *)
    sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
    ;;
esac
