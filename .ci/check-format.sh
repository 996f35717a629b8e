#!/usr/bin/env bash
# Fails when a tracked C++/CUDA source differs from .clang-format (clang-format 14, Debian 12's), naming the files.
# To fix: git ls-files -z '*.cpp' '*.h' '*.cu' '*.cuh' | xargs -0 clang-format -i
set -euo pipefail
cd "$(dirname "$0")/.."
formatter=$(command -v clang-format-14 || command -v clang-format)
unformatted=()
while IFS= read -r -d '' file; do
  "$formatter" --dry-run --Werror "$file" >/dev/null 2>&1 || unformatted+=("$file")
done < <(git ls-files -z '*.cpp' '*.h' '*.cu' '*.cuh')
if [ ${#unformatted[@]} -gt 0 ]; then
  echo "clang-format: ${#unformatted[@]} file(s) differ from .clang-format:" >&2
  printf '  %s\n' "${unformatted[@]}" >&2
  exit 1
fi
echo "clang-format: every tracked source is formatted"
