#!/usr/bin/python3
"""Regenerates the small test captures in this folder (scapy builds the frames; the pcap
framing is written here so caplen/orig_len, timestamps and link types are exact).

Run from this folder: /usr/bin/python3 make_captures.py && editcap -F pcapng gtpu_eth.pcap gtpu_eth.pcapng
Tests assert on the values below (TEIDs, counts, frame numbers); change both together.
"""
import struct

from scapy.all import Ether, Dot1Q, ARP, IP, IPv6, UDP, TCP, ICMP, Raw, raw
from scapy.layers.l2 import CookedLinux, CookedLinuxV2
from scapy.contrib.gtp import GTP_U_Header, GTPPDUSessionContainer
from scapy.contrib.pfcp import (PFCP, PFCPSessionEstablishmentRequest,
                                PFCPSessionEstablishmentResponse, IE_NodeId, IE_FSEID,
                                IE_CreatePDR, IE_PDR_Id, IE_Precedence, IE_PDI,
                                IE_SourceInterface, IE_FTEID, IE_UE_IP_Address,
                                IE_OuterHeaderRemoval, IE_FAR_Id, IE_CreateFAR, IE_ApplyAction,
                                IE_ForwardingParameters, IE_DestinationInterface, IE_Cause)

T0 = 1700000000  # seconds; frame i is at T0 + i ms + 123 ns
MAC_A, MAC_B = "02:00:00:00:00:01", "02:00:00:00:00:02"
GNB, UPF = "192.0.2.10", "192.0.2.1"
SMF = "198.51.100.5"


def write_pcap(path, linktype, records, snaplen=262144):
    """records: list of (bytes, caplen or None). Nanosecond magic, little-endian."""
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B23C4D, 2, 4, 0, 0, snaplen, linktype))
        for i, (data, caplen) in enumerate(records):
            cap = len(data) if caplen is None else caplen
            f.write(struct.pack("<IIII", T0 + i // 1000, (i % 1000) * 1000000 + 123, cap, len(data)))
            f.write(data[:cap])


def gpdu_ul(teid, qfi, inner):
    return (UDP(sport=2152, dport=2152)
            / GTP_U_Header(teid=teid, gtp_type=255, E=1, next_ex=0x85)
            / GTPPDUSessionContainer(type=1, QFI=qfi, NextExtHdr=0) / inner)


def gpdu_dl(teid, qfi, inner):
    return (UDP(sport=2152, dport=2152)
            / GTP_U_Header(teid=teid, gtp_type=255, E=1, next_ex=0x85)
            / GTPPDUSessionContainer(type=0, QFI=qfi, NextExtHdr=0) / inner)


def pfcp(msg_type, seq, seid=None, body=b""):
    if seid is None:  # node message: flags, type, length, seq(3) + spare
        hdr_rest = struct.pack(">I", seq << 8)
        flags = 0x20
    else:
        hdr_rest = struct.pack(">QI", seid, seq << 8)
        flags = 0x21
    length = len(hdr_rest) + len(body)
    return struct.pack(">BBH", flags, msg_type, length) + hdr_rest + body


ue_syn = IP(src="10.45.0.2", dst="203.0.113.80") / TCP(sport=40000, dport=443, flags="S", seq=1)
dl_udp = IP(src="203.0.113.53", dst="10.45.0.2") / UDP(sport=53, dport=40001) / Raw(b"x" * 20)
ue_ping = IP(src="10.45.0.3", dst="203.0.113.1") / ICMP(type=8, id=7, seq=1)
recovery_ie = b"\x0e\x05"  # Recovery IE (type 14) = 5
# Recovery Time Stamp IE (type 96, length 4) for PFCP
rts = struct.pack(">HHI", 96, 4, 0xE8D4A510)

l3_frames = [
    # 1: uplink G-PDU, TEID 0x1234abcd, QFI 9, inner TCP SYN
    IP(src=GNB, dst=UPF) / gpdu_ul(0x1234ABCD, 9, ue_syn),
    # 2: downlink G-PDU, TEID 0x00000101, QFI 5, inner UDP
    IP(src=UPF, dst=GNB) / gpdu_dl(0x101, 5, dl_udp),
    # 3: Echo Request (S flag, seq 0x42) with Recovery IE
    IP(src=GNB, dst=UPF) / UDP(sport=2152, dport=2152)
    / GTP_U_Header(teid=0, gtp_type=1, S=1, seq=0x42) / Raw(recovery_ie),
    # 4: PFCP Heartbeat Request (node message, seq 1)
    IP(src=SMF, dst=UPF) / UDP(sport=8805, dport=8805) / Raw(pfcp(1, 1, body=rts)),
    # 5: PFCP Session Establishment Request, SEID 0 (new session), seq 2: CP F-SEID 0x1001,
    # PDR 1 with F-TEID 0x1234abcd@192.0.2.1 and UE IP 10.45.0.2, FAR 1
    IP(src=SMF, dst=UPF) / UDP(sport=8805, dport=8805)
    / PFCP(version=1, S=1, seid=0, seq=2) / PFCPSessionEstablishmentRequest(IE_list=[
        IE_NodeId(id_type=0, ipv4=SMF),
        IE_FSEID(v4=1, seid=0x1001, ipv4=SMF),
        IE_CreatePDR(IE_list=[
            IE_PDR_Id(id=1), IE_Precedence(precedence=255),
            IE_PDI(IE_list=[IE_SourceInterface(interface=0),
                            IE_FTEID(V4=1, TEID=0x1234ABCD, ipv4=UPF),
                            IE_UE_IP_Address(V4=1, ipv4="10.45.0.2")]),
            IE_OuterHeaderRemoval(header=0), IE_FAR_Id(id=1)]),
        IE_CreateFAR(IE_list=[IE_FAR_Id(id=1), IE_ApplyAction(FORW=1),
                              IE_ForwardingParameters(IE_list=[IE_DestinationInterface(interface=1)])]),
    ]),
    # 6: PFCP Session Establishment Response, SEID 0x1122334455667788, seq 2, UP F-SEID 0x2002
    IP(src=UPF, dst=SMF) / UDP(sport=8805, dport=8805)
    / PFCP(version=1, S=1, seid=0x1122334455667788, seq=2) / PFCPSessionEstablishmentResponse(
        IE_list=[IE_NodeId(id_type=0, ipv4=UPF), IE_Cause(cause=1),
                 IE_FSEID(v4=1, seid=0x2002, ipv4=UPF)]),
    # 7: uplink G-PDU, TEID 0x1234abcd, inner ICMP echo
    IP(src=GNB, dst=UPF) / gpdu_ul(0x1234ABCD, 9, ue_ping),
    # 8: IPv6 UDP (not GTP)
    IPv6(src="2001:db8::1", dst="2001:db8::2") / UDP(sport=5000, dport=53) / Raw(b"q" * 12),
    # 9: IPv4 TCP ACK (not GTP)
    IP(src="198.51.100.7", dst="198.51.100.8") / TCP(sport=22, dport=50000, flags="A"),
]


def eth(l3, vlan=None):
    t = 0x86DD if l3.version == 6 else 0x0800
    if vlan is None:
        return Ether(src=MAC_A, dst=MAC_B, type=t) / l3
    return Ether(src=MAC_A, dst=MAC_B) / Dot1Q(vlan=vlan, type=t) / l3


def main():
    # Ethernet: the 9 frames above (frame 7 tagged VLAN 100), a PFCP datagram with version 2
    # (header error), an ARP, and a G-PDU cut by the snaplen (caplen 60 < orig_len).
    eth_records = []
    for i, l3 in enumerate(l3_frames):
        eth_records.append((raw(eth(l3, vlan=100 if i == 6 else None)), None))
    bad_pfcp = IP(src=SMF, dst=UPF) / UDP(sport=8805, dport=8805) / Raw(
        b"\x40\x01\x00\x04\x00\x00\x07\x00")
    eth_records.append((raw(eth(bad_pfcp)), None))
    eth_records.append((raw(Ether(src=MAC_A, dst="ff:ff:ff:ff:ff:ff")
                            / ARP(psrc="192.0.2.1", pdst="192.0.2.10")), None))
    big = IP(src=GNB, dst=UPF) / gpdu_ul(0x1234ABCD, 9, IP(src="10.45.0.2", dst="203.0.113.80")
                                          / UDP(sport=1, dport=2) / Raw(b"z" * 400))
    eth_records.append((raw(eth(big)), 60))
    write_pcap("gtpu_eth.pcap", 1, eth_records)

    # Cut in the middle of record 6 (after 5 whole records + 16-byte header + 10 bytes).
    data = open("gtpu_eth.pcap", "rb").read()
    off = 24
    for data_len in [len(r[0]) if r[1] is None else r[1] for r in eth_records[:5]]:
        off += 16 + data_len
    open("truncated_tail.pcap", "wb").write(data[: off + 16 + 10])

    # Linux cooked v1 and v2: frames 1-4.
    sll = [(raw(CookedLinux(pkttype=0, lladdrtype=1, lladdrlen=6, src=b"\x02\0\0\0\0\x01\0\0",
                            proto=0x0800) / l3), None) for l3 in l3_frames[:4]]
    write_pcap("gtpu_sll.pcap", 113, sll)
    sll2 = [(raw(CookedLinuxV2(proto=0x0800, ifindex=3, pkttype=0, lladdrtype=1, lladdrlen=6,
                               src=b"\x02\0\0\0\0\x01\0\0") / l3), None) for l3 in l3_frames[:4]]
    write_pcap("gtpu_sll2.pcap", 276, sll2)

    # Raw IP (LINKTYPE_RAW 101): frames 1, 2, 8 (IPv4, IPv4, IPv6). LINKTYPE_IPV4 228: frame 1.
    write_pcap("gtpu_raw.pcap", 101, [(raw(l3_frames[i]), None) for i in (0, 1, 7)])
    write_pcap("gtpu_ipv4.pcap", 228, [(raw(l3_frames[0]), None)])

    # A record claiming 2^31-1 captured bytes, after one good frame.
    with open("huge_record.pcap", "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B23C4D, 2, 4, 0, 0, 262144, 1))
        first = raw(eth(l3_frames[0]))
        f.write(struct.pack("<IIII", T0, 0, len(first), len(first)) + first)
        f.write(struct.pack("<IIII", T0, 1, 0x7FFFFFFF, 0x7FFFFFFF) + b"\0" * 64)

    # Link type LINKTYPE_USER0 (147): a valid pcap we refuse.
    write_pcap("unsupported_link.pcap", 147, [(b"\x01\x02\x03\x04", None)])
    open("garbage.bin", "wb").write(b"this is not a capture file\n" * 4)


if __name__ == "__main__":
    main()
