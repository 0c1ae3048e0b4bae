#!/usr/bin/env bash
# bench/run.sh - every benchmark figure of docs/performance.md, in one go.
#
#   ./bench/run.sh [BUILD_DIR]        (default: build, as ./bootstrap.sh makes)
#
# Figures only: nothing here passes or fails.  Takes about three minutes and
# up to about 1.9 GB of memory (echo at 10^7 nodes; see docs/performance.md).
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
[ -x "$build/cli/disco" ] || { echo "bench: build first (./bootstrap.sh demo)" >&2; exit 2; }
command -v /usr/bin/time >/dev/null || { echo "bench: needs GNU time (apt-get install time)" >&2; exit 2; }

echo "== machine"
echo "$(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GB", $2/1048576}' /proc/meminfo)," \
     "$(awk -F: '/model name/ {print $2; exit}' /proc/cpuinfo | sed 's/^ *//')"
# The helper thread that faults in memory ahead of large runs (docs/cli.md,
# "Environment"): DISCO_PREFAULT=0 ./bench/run.sh measures without it.
echo "prefault helper: $([ "${DISCO_PREFAULT:-1}" = 0 ] && echo off ||
    echo "on (on Linux 5.14 or later: $(uname -r) here)")"
# Transparent huge pages: disco asks for them on its large arrays
# (madvise), and without them (setting "never", or a host whose memory is
# too fragmented to hand them out) graph-PHOLD in (b) runs about a third
# slower: 13.7 and 9.6 M/s against 20.0 and 15.5 in one pair of passes.
# (b) prints how many megabytes it got.
thp=/sys/kernel/mm/transparent_hugepage/enabled
echo "transparent huge pages: $([ -r $thp ] && sed 's/.*\[\(.*\)\].*/\1/' $thp || echo unknown)"
# Node cells (docs/cli.md, "Environment"): DISCO_NODE_CELLS=0 measures
# each node's state apart from its record.
echo "node cells: $([ "${DISCO_NODE_CELLS:-1}" = 0 ] && echo off ||
    echo "on (states of up to 32 bytes beside their records, up to 2^22 nodes of 16-byte states: not echo's 10^7)")"
# Echo's figures in (c) check its property on causal tokens unless
# DISCO_CAUSAL=log (docs/cli.md, "Environment"), which measures the log.
case "${DISCO_CAUSAL:-}" in
    log|tokens) echo "causal check: $DISCO_CAUSAL (DISCO_CAUSAL)" ;;
    *) echo "causal check: default (tokens from 65,536 nodes)" ;;
esac
# The machine's own speed now, on work disco cannot change: a virtual
# machine's speed drifts, and the figures below move with it
# (docs/performance.md, "Reading the figures").
"$build/bench/bench_calibrate"
echo

echo "== (a) hold model on the event queue"
"$build/bench/bench_queue"
echo

echo "== (b) graph-PHOLD through the kernel"
"$build/bench/bench_phold"
echo

echo "== (c) echo through 'disco run', tracing off"
# Three runs per size, as (b) takes three: one run is one draw from this
# VM's spread (docs/performance.md, "Reading the figures"), and the median
# is the figure to hold against the target; the fastest and slowest are
# printed beside it.  Peak RSS is the largest of the three.
printf '%-22s %10s %10s %10s %12s %12s %14s  %s\n' topology "median s" "fastest s" "slowest s" \
    "CPU s (med)" "peak RSS MB" messages verdict
for nodes in 1000000 10000000; do
    spec="regular:$nodes:8"
    out=$(mktemp)
    : > "$out.runs"
    for run in 1 2 3; do
        /usr/bin/time -f "%e %M %U %S" -o "$out.time" \
            "$build/cli/disco" run echo --topology "$spec" --json > "$out" || true
        read -r secs kb user sys < "$out.time"
        echo "$secs $kb $(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.2f", u + s }')" >> "$out.runs"
    done
    read -r fastest median slowest < <(sort -n "$out.runs" | awk '{ s[NR] = $1 } END { print s[1], s[2], s[3] }')
    cpu=$(sort -n -k3 "$out.runs" | awk 'NR == 2 { print $3 }')
    kb=$(sort -n -k2 "$out.runs" | awk 'END { print $2 }')
    messages=$(grep -o '"messages": [0-9]*' "$out" | head -1 | awk '{print $2}')
    verdict=$(grep -o '"verdict": "[a-z]*"' "$out" | awk -F'"' '{print $4}')
    printf '%-22s %10s %10s %10s %12s %12d %14s  %s\n' "$spec" "$median" "$fastest" "$slowest" \
        "$cpu" $((kb / 1024)) "$messages" "$verdict"
    rm -f "$out" "$out.time" "$out.runs"
done
echo

echo "== (d) disco check: overhead per run, --jobs 1 vs 2"
# The --jobs 2 figures need a second idle core: say how busy the machine was.
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
"$build/bench/bench_check" "$build/cli/disco"
