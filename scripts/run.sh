#!/usr/bin/env bash
# Sets up what is missing, builds Inkstone (Release) and launches the desktop app.
# Usage: scripts/run.sh [MODEL.gguf]
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=Release
cmake --build build/release --target inkstone inkstone-cli
exec build/release/app/gui/inkstone "$@"
