#!/usr/bin/env bash
# Installs the Debian 12 packages Inkstone needs to build, test and run. Idempotent: only
# missing packages are installed, and apt is not touched when nothing is missing.
# Usage: scripts/deps.sh [--test]   (--test adds what only the test suite needs)
set -euo pipefail

packages=(
  cmake ninja-build g++ ccache
  qt6-base-dev qt6-tools-dev qt6-l10n-tools libqt6sql6-sqlite
  qt6-httpserver-dev qt6-websockets-dev
  libvulkan-dev glslc mesa-vulkan-drivers
  libkf5syntaxhighlighting-tools   # kate-syntax-highlighter, run out of process (see docs/)
  fonts-wqy-microhei               # Chinese text renders instead of boxes
)
if [[ "${1:-}" == "--test" ]]; then
  packages+=(vulkan-validationlayers clang libclang-rt-14-dev xvfb xauth)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if ((${#missing[@]} == 0)); then
  exit 0
fi

sudo=()
if [[ $(id -u) -ne 0 ]]; then
  sudo=(sudo)
fi
echo "Installing: ${missing[*]}"
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
