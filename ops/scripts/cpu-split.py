#!/usr/bin/env python3
"""Where a benchmark phase's CPU went, by process group, from /proc (Linux).

  cpu-split.py snapshot FILE       records every process's user+system ticks and the machine's
  cpu-split.py report BEFORE AFTER prints CPU seconds per group between two snapshots
  cpu-split.py sum BEFORE AFTER PREFIX...   prints the CPU seconds of the groups so named

Groups: each 'pki serve NAME' service, 'pki up' (the supervisor), other pki commands, postgres
(every backend and helper), nginx, pebble, lego, python3, other. CPU of processes that started
and ended between the snapshots shows only in the machine's total ('exited or unseen'). Each
'pki serve' service's CPU is split by thread kind too (JIT compilers, GC, event loops, the
virtual threads' carriers), by the thread names less their numbers."""
import json
import os
import re
import sys

TICK = os.sysconf("SC_CLK_TCK")


def group(pid):
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            args = f.read().split(b"\0")
        with open(f"/proc/{pid}/comm") as f:
            comm = f.read().strip()
    except OSError:
        return None
    words = [a.decode(errors="replace") for a in args if a]
    if any(w.endswith("PkiMain") for w in words):
        i = next(i for i, w in enumerate(words) if w.endswith("PkiMain"))
        rest = words[i + 1:i + 3]
        if rest[:1] == ["serve"] and len(rest) > 1:
            return "pki serve " + rest[1]
        return "pki " + " ".join(rest) if rest else "pki"
    if comm.startswith("postgres") or (words and "postgres" in os.path.basename(words[0])):
        return "postgres"
    for name in ("nginx", "pebble", "lego", "python3", "java", "wrk", "openssl"):
        if comm.startswith(name):
            return name
    return "other"


def threads(pid):
    kinds = {}
    try:
        tids = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return kinds
    for tid in tids:
        try:
            with open(f"/proc/{pid}/task/{tid}/stat") as f:
                raw = f.read()
        except OSError:
            continue
        name = raw[raw.index("(") + 1:raw.rindex(")")]
        fields = raw.rsplit(")", 1)[1].split()
        kind = re.sub(r"[#\-]?\d+$", "", re.sub(r"\d+", "#", name)).strip() or name
        kinds[kind] = kinds.get(kind, 0) + int(fields[11]) + int(fields[12])
    return kinds


def snapshot():
    procs = {}
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        # Fields after the command: state is [0]; utime and stime are stat's 14th and 15th.
        ticks = int(fields[11]) + int(fields[12])
        g = group(pid)
        if g is not None:
            # starttime tells a reused pid apart
            procs[pid] = [g, ticks, fields[19], threads(pid) if g.startswith("pki serve") else {}]
    with open("/proc/stat") as f:
        cpu = [int(x) for x in f.readline().split()[1:]]
    return {"procs": procs, "busy": sum(cpu) - cpu[3] - cpu[4], "all": sum(cpu)}


def per_group(before, after):
    per = {}
    for pid, (g, ticks, start, _) in after["procs"].items():
        old = before["procs"].get(pid)
        per[g] = per.get(g, 0) + ticks - (old[1] if old and old[2] == start else 0)
    return per


def report(before, after):
    per = per_group(before, after)
    kinds = {}
    for pid, (g, _, start, names) in after["procs"].items():
        old = before["procs"].get(pid)
        same = old and old[2] == start
        for kind, t in names.items():
            k = kinds.setdefault(g, {})
            k[kind] = k.get(kind, 0) + t - (old[3].get(kind, 0) if same else 0)
    busy = after["busy"] - before["busy"]
    wall = (after["all"] - before["all"]) / os.cpu_count()
    print(f"{'process group':<28}{'CPU s':>9}{'share':>8}")
    for g, t in sorted(per.items(), key=lambda kv: -kv[1]):
        if t > 0:
            print(f"{g:<28}{t / TICK:>9.1f}{100 * t / max(busy, 1):>7.0f}%")
    seen = sum(per.values())
    print(f"{'exited or unseen':<28}{max(busy - seen, 0) / TICK:>9.1f}{100 * max(busy - seen, 0) / max(busy, 1):>7.0f}%")
    print(f"machine: {busy / TICK:.1f} CPU s busy of {wall / TICK * os.cpu_count():.1f} "
          f"({100 * busy / max(wall * os.cpu_count(), 1):.0f}% of {os.cpu_count()} cores over {wall / TICK:.1f} s)")
    for g, k in sorted(kinds.items(), key=lambda kv: -per.get(kv[0], 0)):
        if per.get(g, 0) * 10 < busy:
            continue
        top = sorted(((t, n) for n, t in k.items() if t > 0), reverse=True)[:8]
        print(f"{g}, by thread kind: " + ", ".join(f"{n} {t / TICK:.1f} s" for t, n in top))


if __name__ == "__main__":
    if sys.argv[1] == "snapshot":
        with open(sys.argv[2], "w") as f:
            json.dump(snapshot(), f)
    else:
        with open(sys.argv[2]) as f:
            b = json.load(f)
        with open(sys.argv[3]) as f:
            a = json.load(f)
        if sys.argv[1] == "sum":
            ticks = sum(t for g, t in per_group(b, a).items() if g.startswith(tuple(sys.argv[4:])))
            print(f"{ticks / TICK:.2f}")
        else:
            report(b, a)
