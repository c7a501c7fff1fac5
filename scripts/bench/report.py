#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Turn the guest's results.tsv into bench.json and a table of ratios.

Every ratio compares systems measured in the same boot, back to back, so
the emulator's speed cancels out; absolute packets per second under TCG
mean little.
"""
import json
import sys
import time

SYSTEMS = ["none", "pfl", "nft", "nftset", "ipt"]
NAMES = {"none": "no filter", "pfl": "pfl", "nft": "nftables+ct",
         "nftset": "nft+ct (sets)", "ipt": "iptables+ct"}


def ratio(a, b):
    return round(a / b, 3) if a and b else None


def main():
    tsv, out, kernel, threads, repeats, packets = sys.argv[1:7]
    memory = {}
    if len(sys.argv) > 7:
        for line in open(sys.argv[7]):
            system, n, nbytes = line.rstrip("\n").split("\t")
            if n.isdigit() and int(n) > 0:
                memory[system] = {"states": int(n),
                                  "bytes_per_state": int(nbytes) // int(n)}
    limit = {}
    if len(sys.argv) > 9:
        for line in open(sys.argv[8]):
            system, n, refused, evicted = line.rstrip("\n").split("\t")
            limit[system] = {"states": int(n), "refused": int(refused),
                             "evicted": int(evicted)}
        limit = {"limit": int(sys.argv[9]), "after_warmup": limit} \
            if limit else {}
    scen = {}
    for line in open(tsv):
        name, system, med, lo, hi = line.rstrip("\n").split("\t")
        if med == "-":
            continue
        s = scen.setdefault(name, {"pps": {}, "spread": {}})
        s["pps"][system] = int(med)
        s["spread"][system] = [int(lo), int(hi)]
    for s in scen.values():
        p = s["pps"]
        s["ratio"] = {
            "pfl/none": ratio(p.get("pfl"), p.get("none")),
            "pfl/nftables": ratio(p.get("pfl"), p.get("nft")),
            "pfl/nftables-sets": ratio(p.get("pfl"), p.get("nftset")),
            "pfl/iptables": ratio(p.get("pfl"), p.get("ipt")),
        }
    doc = {"date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
           "kernel": kernel, "threads": int(threads),
           "repeats": int(repeats), "packets_per_run": int(packets),
           "unit": "packets/s, median of repeats; spread = [min, max]",
           "scenarios": scen, "memory": memory, "state_limit": limit}
    one, all_ = scen.get("est10x1", {}).get("pps", {}), \
        scen.get("est10", {}).get("pps", {})
    doc["scaling"] = {x: ratio(all_.get(x), one.get(x)) for x in SYSTEMS
                      if all_.get(x) and one.get(x)}
    with open(out, "w") as f:
        json.dump(doc, f, indent=1)

    print("\npfl benchmarks: kernel %s, %s pktgen thread(s), median of %s "
          "runs of %s packets" % (kernel, threads, repeats, packets))
    head = "%-10s" % "scenario" + "".join("%15s" % NAMES[x] for x in SYSTEMS)
    head += "%10s%10s%10s" % ("pfl/none", "pfl/nft", "pfl/ipt")
    print(head)
    for name, s in scen.items():
        row = "%-10s" % name
        for x in SYSTEMS:
            v = s["pps"].get(x)
            row += "%15s" % (v if v is not None else "-")
        for k in ("pfl/none", "pfl/nftables", "pfl/iptables"):
            v = s["ratio"][k]
            row += "%10s" % ("%.2f" % v if v is not None else "-")
        print(row)
    if doc["scaling"]:
        print("scaling, est10 on %s CPUs / on 1: %s" % (threads, ", ".join(
            "%s x%.2f" % (NAMES[x], v) for x, v in doc["scaling"].items())))
    if memory:
        print("memory per state (slab growth / states after newflows' "
              "warm-up): %s" % ", ".join(
                  "%s %d B (%d states)" % (NAMES[x], m["bytes_per_state"],
                                           m["states"])
                  for x, m in memory.items()))
    if limit:
        print("newlimit, new flows at a full table of %d states: %s" % (
            limit["limit"], ", ".join(
                "%s %d states, %d refused, %d evicted" % (
                    NAMES[x], m["states"], m["refused"], m["evicted"])
                for x, m in limit["after_warmup"].items())))
    print("spread (min..max pps) per system is in bench.json")


if __name__ == "__main__":
    main()
