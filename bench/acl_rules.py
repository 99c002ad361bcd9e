#!/usr/bin/python3
"""Writes a guard policy for the bench scenarios with N random ACL rules appended to the
bundled default policy (rules that deny destinations the workload does not use).
usage: acl_rules.py N > policy.yaml"""
import random, sys
n = int(sys.argv[1])
rng = random.Random(n)
base = open(__file__.rsplit("/", 2)[0] + "/config/default-policy.yaml").read()
head, _, _ = base.partition("acl:")
print(head + "acl:\n  default: allow\n  rules:")
for i in range(n):
    proto = rng.choice(["tcp", "udp"])
    lo = rng.randrange(1000, 30000)
    net = f"203.0.{rng.randrange(0, 256)}.{rng.randrange(0, 256)}/32"
    print(f"    - {{id: {i + 1}, action: deny, proto: {proto}, dport: {lo}-{lo + rng.randrange(0, 16)}, dst: [{net}]}}")
print("stages: {gtpu_sanity: enforce, teid: enforce, anti_spoof: enforce, inter_ue: enforce, zone: enforce, acl: enforce}")
