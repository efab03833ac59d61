#!/usr/bin/env python3
"""Where a JFR recording's CPU went, inclusively: the share of CPU-time samples (or execution
samples, when the recording has none) whose stack holds each method, for methods of the given
packages, and the share per thread kind.

  jfr-inclusive.py RECORDING.jfr [PACKAGE_PREFIX ...]   (default prefixes: org.medpki. io.vertx.
                                                         io.netty. sun.security. com.amazon.)"""
import collections
import os
import re
import subprocess
import sys


def samples(recording, event):
    jfr = os.path.join(os.environ.get("JAVA_HOME", "/usr"), "bin", "jfr")
    out = subprocess.run([jfr, "print", "--events", event, "--stack-depth", "96", recording],
                         check=True, capture_output=True, text=True).stdout
    for block in out.split(event + " {")[1:]:
        trace = block.split("stackTrace = [", 1)[-1].split("\n  ]", 1)[0]
        frames = [line.strip() for line in trace.splitlines() if line.strip() and line.strip() != "..."]
        thread = re.search(r'(?:eventThread|sampledThread) = "([^"]*)"', block)
        yield [f.split("(")[0] for f in frames], thread.group(1) if thread else "?"


def main():
    recording = sys.argv[1]
    prefixes = tuple(sys.argv[2:]) or ("org.medpki.", "io.vertx.", "io.netty.", "sun.security.", "com.amazon.")
    stacks = list(samples(recording, "jdk.CPUTimeSample"))
    kind = "CPU-time samples"
    if not stacks:
        stacks, kind = list(samples(recording, "jdk.ExecutionSample")), "execution samples"
    total = len(stacks) or 1
    methods = collections.Counter()
    threads = collections.Counter()
    innermost = collections.Counter()
    for frames, thread in stacks:
        threads[re.sub(r"\d+", "#", thread)] += 1
        # The innermost frame of ours (or else of the first prefix given): what of our code the
        # sample was spent under, libraries included.
        ours = next((f for f in frames if f.startswith(prefixes[0])), None)
        leaf = frames[0].rsplit(".", 2)[0] if frames else "?"
        innermost[(ours or "(none of " + prefixes[0] + ")") + "  <- " + leaf] += 1
        for m in set(frames):
            if m.startswith(prefixes):
                methods[m] += 1
    print(f"{recording}: {len(stacks)} {kind}")
    print("by thread: " + ", ".join(f"{t} {100 * n / total:.0f}%" for t, n in threads.most_common(6)))
    print("innermost frame of " + prefixes[0] + " <- leaf class:")
    for m, n in innermost.most_common(30):
        print(f"{100 * n / total:6.1f}%  {m}")
    print("inclusive:")
    for m, n in methods.most_common(45):
        print(f"{100 * n / total:6.1f}%  {m}")


if __name__ == "__main__":
    main()
