#!/usr/bin/env bash
# A short libFuzzer session over the GGUF reader (tests/fuzz/FuzzGguf.cpp), for CI and by hand.
# Configures a separate clang build (build/fuzz), builds only the fuzz targets, writes the seed
# corpus and runs fuzz_gguf for a fixed number of executions (about a minute on two cores).
# Exits 0 with a "skipped: ..." line when clang or the libFuzzer runtime is missing.
#
# Environment:
#   FUZZ_RUNS   executions (default 2000000)      FUZZ_SEED  libFuzzer -seed (default 1)
#   FUZZ_MAX_S  time cap in seconds (default 300) FUZZ_JOBS  build parallelism (default: ninja's)
#   FUZZ_WERROR ON/OFF, passed as INKSTONE_WERROR (default ON)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
build=$root/build/fuzz
runs=${FUZZ_RUNS:-2000000}
seed=${FUZZ_SEED:-1}
max_s=${FUZZ_MAX_S:-300}
werror=${FUZZ_WERROR:-ON}

say() { echo "fuzz-smoke: $*"; }

cc=$(command -v clang || true)
cxx=$(command -v clang++ || true)
if [[ -z "$cc" || -z "$cxx" ]]; then
  say "skipped: clang/clang++ not found (Debian: apt-get install clang libclang-rt-14-dev)"
  exit 0
fi
probe=$(mktemp -d)
trap 'rm -rf "$probe"' EXIT
printf '%s\n' '#include <cstddef>' '#include <cstdint>' \
  'extern "C" int LLVMFuzzerTestOneInput(const uint8_t*, size_t) { return 0; }' > "$probe/p.cpp"
if ! "$cxx" -fsanitize=fuzzer,address,undefined "$probe/p.cpp" -o "$probe/p" >"$probe/log" 2>&1; then
  say "skipped: $cxx cannot link -fsanitize=fuzzer (libFuzzer runtime missing; Debian: apt-get install libclang-rt-14-dev)"
  sed 's/^/  /' "$probe/log" | tail -n 5
  exit 0
fi

start=$(date +%s)
if [[ ! -f "$build/CMakeCache.txt" ]]; then
  CC="$cc" CXX="$cxx" cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DINKSTONE_FUZZ=ON -DINKSTONE_BUILD_GUI=OFF -DINKSTONE_BUILD_VULKAN=OFF \
    -DINKSTONE_WERROR="$werror" >/dev/null
else
  cmake "$build" -DINKSTONE_WERROR="$werror" >/dev/null
fi
cmake --build "$build" --target fuzz_gguf gguf_fuzz_seeds ${FUZZ_JOBS:+-j "$FUZZ_JOBS"}
built=$(date +%s)

seeds=$build/gguf-seeds
corpus=$build/gguf-corpus
artifacts=$build/artifacts
rm -rf "$seeds" "$corpus"
mkdir -p "$seeds" "$corpus" "$artifacts"
"$build/tests/fuzz/gguf_fuzz_seeds" "$seeds"

log=$build/fuzz_gguf.log
set +e
"$build/tests/fuzz/fuzz_gguf" -runs="$runs" -seed="$seed" -max_total_time="$max_s" -max_len=4096 \
  -timeout=10 -print_final_stats=1 -artifact_prefix="$artifacts/" "$corpus" "$seeds" >"$log" 2>&1
rc=$?
set -e
done_line=$(grep -E '^Done [0-9]+ runs' "$log" | tail -n 1 || true)
execs=$(grep -E '^stat::number_of_executed_units:' "$log" | awk '{print $2}' | tail -n 1)
end=$(date +%s)
if ((rc != 0)); then
  tail -n 60 "$log"
  say "FAILED (exit $rc) after ${execs:-?} executions; full log: $log"
  say "reproduce: $build/tests/fuzz/fuzz_gguf $artifacts/<crash-file>  (artifacts: $(ls "$artifacts" | tr '\n' ' '))"
  exit 1
fi
cov=$(grep -E '^#[0-9]+.*(DONE|INITED)' "$log" | tail -n 1 | grep -oE 'cov: [0-9]+ ft: [0-9]+' || true)
say "${done_line:-done}; ${execs:-?} executions, ${cov:-coverage n/a}, corpus $(ls "$corpus" | wc -l) new inputs"
say "ok: build $((built - start)) s, seeds + fuzzing $((end - built)) s (runs=$runs seed=$seed)"
