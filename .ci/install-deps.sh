#!/usr/bin/env bash
# Installs the Debian 12 packages the workbench builds with (skips those already installed).
set -euo pipefail
packages=(build-essential cmake ninja-build pkg-config git
          qt6-base-dev libqcustomplot-dev libtorch-dev libfmt-dev nlohmann-json3-dev libutf8proc-dev
          libgtest-dev xvfb xauth)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
