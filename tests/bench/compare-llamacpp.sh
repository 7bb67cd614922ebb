#!/usr/bin/env bash
# Side-by-side CPU benchmark: inkstone-cli bench against llama.cpp's llama-bench on the same files,
# alternating the two programs round by round so that both see the same machine load. Prints,
# per model and test, the best and the median t/s of each over the rounds and their ratios.
# Our machines are shared: the best of several alternating rounds is the steadiest figure.
#
#   tests/bench/compare-llamacpp.sh [-r ROUNDS] [-t THREADS] [-p N] [-n N] [-d DEPTH] MODEL.gguf...
#
# -d: both tests start with DEPTH tokens already in the cache (llama-bench -d).
#
# Needs INKSTONE_CLI (default build/release/app/inkstone-cli) and LLAMA_BENCH (default
# /tmp/lcpp/build/bin/llama-bench). A recent llama.cpp can be built offline from the source
# bundle inside the npm package node-llama-cpp (see docs/engine.md, "Measuring against llama.cpp").
# INKSTONE_ENV="INKSTONE_MATMUL=tiles" measures our own baseline instead.
set -euo pipefail

rounds=3 threads=2 pp=512 tg=128 depth=0
while getopts "r:t:p:n:d:" opt; do
    case $opt in
    r) rounds=$OPTARG ;;
    t) threads=$OPTARG ;;
    p) pp=$OPTARG ;;
    n) tg=$OPTARG ;;
    d) depth=$OPTARG ;;
    *) exit 1 ;;
    esac
done
shift $((OPTIND - 1))
[ $# -gt 0 ] || { echo "usage: $0 [-r ROUNDS] [-t THREADS] [-p N] [-n N] [-d DEPTH] MODEL.gguf..." >&2; exit 1; }

cli=${INKSTONE_CLI:-build/release/app/inkstone-cli}
llama=${LLAMA_BENCH:-/tmp/lcpp/build/bin/llama-bench}
[ -x "$cli" ] || { echo "error: $cli not found (set INKSTONE_CLI)" >&2; exit 2; }
[ -x "$llama" ] || { echo "error: $llama not found (set LLAMA_BENCH)" >&2; exit 2; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# "test t/s" lines from llama-bench-style markdown tables.
rates() { grep -E '\| +(pp|tg)[0-9]+( @ d[0-9]+)? +\|' | awk -F'|' '{gsub(/ /, "", $(NF-2)); split($(NF-1), a, "±"); gsub(/ /, "", a[1]); print $(NF-2), a[1]}'; }

for model in "$@"; do
    name=$(basename "$model" .gguf)
    for ((round = 1; round <= rounds; round++)); do
        # Alternate which program goes first, so neither always runs on a warmer machine.
        if ((round % 2)); then order="ink llama"; else order="llama ink"; fi
        for who in $order; do
            if [ "$who" = ink ]; then
                env ${INKSTONE_ENV:-} "$cli" bench -m "$model" -p "$pp" -n "$tg" -d "$depth" -t "$threads" -r 1 2>/dev/null | rates >>"$tmp/$name.ink"
            else
                "$llama" -m "$model" -t "$threads" -p "$pp" -n "$tg" -d "$depth" -r 1 2>/dev/null | rates >>"$tmp/$name.llama"
            fi
        done
    done
    for test in $(awk '{print $1}' "$tmp/$name.ink" | sort -u); do
        stats() { awk -v t="$test" '$1 == t {print $2}' "$1" | sort -g | awk '{v[NR] = $1} END {printf "%.1f %.1f", v[NR], v[int((NR + 1) / 2)]}'; }
        read -r ib im <<<"$(stats "$tmp/$name.ink")"
        read -r lb lm <<<"$(stats "$tmp/$name.llama")"
        awk -v n="$name" -v t="$test" -v ib="$ib" -v im="$im" -v lb="$lb" -v lm="$lm" -v r="$rounds" 'BEGIN {
            printf "%-24s %-12s inkstone best %7.1f median %7.1f | llama.cpp best %7.1f median %7.1f | ratio best %.2f median %.2f (%d rounds)\n",
                n, t, ib, im, lb, lm, ib / lb, im / lm, r }'
    done
done
