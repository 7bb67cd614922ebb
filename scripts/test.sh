#!/usr/bin/env bash
# Sets up what is missing, builds everything (Release, warnings as errors) and runs every test
# with ctest; a failing test prints its output.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh --test
cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=Release -DINKSTONE_WERROR=ON
cmake --build build/release
cd build/release
ctest --output-on-failure -j "$(nproc)" --timeout 900
../../scripts/fuzz-smoke.sh   # bounded libFuzzer run over the GGUF reader (skips without clang)
