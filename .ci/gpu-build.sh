#!/usr/bin/env bash
# On the GPU machine (no Qt, no utf8proc, LibTorch from PyTorch with CUDA): builds engine, kernels, CLI and tests
# into ${BUILD_DIR:-/tmp/build-gpu}. utf8proc comes from .debs/ (apt-get download libutf8proc-dev libutf8proc2 here,
# carried to the device), unpacked under a prefix in /tmp. BUILD_TARGETS="a b" builds only those targets.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${BUILD_DIR:-/tmp/build-gpu}
deps=/tmp/spw-deps
extra_prefix=""
if [ ! -e /usr/include/utf8proc.h ]; then
  mkdir -p "$deps"
  for f in .debs/*.deb; do dpkg -x "$f" "$deps"; done
  extra_prefix=";$deps/usr"
fi
torch_prefix=$(python3 -c 'import torch; print(torch.utils.cmake_prefix_path)')
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH="$torch_prefix$extra_prefix" \
  -DCMAKE_CUDA_ARCHITECTURES=90 -DSPW_BUILD_GUI=OFF "$@"
cmake --build "$build" -j "$(nproc)" ${BUILD_TARGETS:+--target $BUILD_TARGETS}
