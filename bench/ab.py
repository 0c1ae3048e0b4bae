#!/usr/bin/env python3
"""bench/ab.py - compare builds of disco on one echo run, in pairs.

    bench/ab.py [--rounds N] [--sleep S] [--topology SPEC] BIN_A BIN_B...

Runs `BIN run echo --topology SPEC --json` for every BIN, round after
round, rotating the order each round, and prints for each build the median
wall and CPU seconds and, against BIN_A, the geometric mean of the
per-round wall ratios and in how many rounds it was faster.

Why pairs: the project's VM changes speed by up to 2x within minutes (its
300 MB L3 cache and its memory are shared with other machines), so medians
of runs taken minutes apart mislead; the ratio of two runs taken seconds
apart does not.  Differences under about 3% need 20 rounds or more;
`ab.py X X` shows the noise.  A run that does not exit 0 (a property
violated, a bound hit, a crash) stops the comparison.

--sleep S waits S seconds before each run: after a few idle seconds the
host has taken back the pages the last run freed, and a run pays for
zeroing fresh ones, as a user's first run does.

Figures only: nothing here passes or fails (docs/performance.md).
"""
import argparse
import math
import os
import statistics
import sys
import time


def run_once(binary, topology):
    """Wall and CPU seconds of one run, output discarded."""
    start = time.perf_counter()
    pid = os.fork()
    if pid == 0:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, 1)
        os.dup2(null, 2)
        try:
            os.execv(binary, [binary, "run", "echo", "--topology", topology,
                              "--json"])
        finally:
            os._exit(127)
    _, status, usage = os.wait4(pid, 0)
    wall = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    # Only a run that held every property counts: one stopped early (exit
    # 1) would look fast.
    if code < 0:
        return None, f"{binary} was killed by signal {-code}"
    if code == 127:
        return None, f"cannot run {binary}"
    if code != 0:
        return None, f"{binary} exited with status {code}"
    return (wall, usage.ru_utime + usage.ru_stime), None


def main():
    parser = argparse.ArgumentParser(
        description="compare disco builds on echo, in interleaved pairs")
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--sleep", type=float, default=0.0)
    parser.add_argument("--topology", default="regular:1000000:8")
    parser.add_argument("binaries", nargs="+")
    args = parser.parse_args()
    if args.rounds < 1:
        sys.exit("ab: --rounds must be at least 1")
    if args.sleep < 0:
        sys.exit("ab: --sleep must not be negative")
    if len(args.binaries) < 2:
        sys.exit("ab: give at least two builds to compare")
    for binary in args.binaries:
        if not os.access(binary, os.X_OK):
            sys.exit(f"ab: cannot run '{binary}'")

    # By position, not by path: `ab.py X X` measures the noise itself.
    count = len(args.binaries)
    walls = [[] for _ in range(count)]
    cpus = [[] for _ in range(count)]
    failure = None
    for r in range(args.rounds):
        shift = r % count
        results = {}
        for k in list(range(shift, count)) + list(range(shift)):
            time.sleep(args.sleep)
            result, failure = run_once(args.binaries[k], args.topology)
            if failure:
                break
            results[k] = result
        if failure:
            break
        for k, (wall, cpu) in results.items():
            walls[k].append(wall)
            cpus[k].append(cpu)
        print(f"round {r + 1}/{args.rounds}", file=sys.stderr, end="\r")
    print(file=sys.stderr)
    rounds = len(walls[0])
    if failure:
        print(f"ab: {failure}; the {rounds} rounds done before it:",
              file=sys.stderr)
    if rounds == 0:
        sys.exit(1)

    print(f"echo on {args.topology}, {rounds} rounds"
          f"{f', {args.sleep:g} s idle before each run' if args.sleep else ''}")
    for k, binary in enumerate(args.binaries):
        ratios = [w / b for w, b in zip(walls[k], walls[0])]
        geomean = math.exp(sum(map(math.log, ratios)) / len(ratios))
        faster = sum(1 for x in ratios if x < 1)
        print(f"{binary}: wall median {statistics.median(walls[k]):.3f} s"
              f" (min {min(walls[k]):.3f}), CPU median"
              f" {statistics.median(cpus[k]):.3f} s; against the first:"
              f" x{geomean:.3f}, faster in {faster}/{rounds}")
    if failure:
        sys.exit(1)


if __name__ == "__main__":
    main()
