#!/usr/bin/env bash
# Installs the Debian 12 packages the workbench builds with (skips those already installed).
# libopenblas0-pthread: Debian's LibTorch calls the generic libblas.so.3, which is the slow reference BLAS unless an
# optimised one is installed; OpenBLAS makes CPU forwards ~17x faster (docs/profile-results.md).
# python3-torch: Debian's PyTorch, for the operator library's Python tests (label "python").
# clang-14 and libclang-rt-14-dev: the libFuzzer harnesses (.ci/fuzz.sh). clang-format: .ci/check-format.sh.
set -euo pipefail
packages=(build-essential cmake ninja-build pkg-config git
          qt6-base-dev libqcustomplot-dev libtorch-dev libopenblas0-pthread libfmt-dev nlohmann-json3-dev
          libutf8proc-dev python3-torch
          libgtest-dev xvfb xauth clang-format
          clang-14 libclang-rt-14-dev)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
