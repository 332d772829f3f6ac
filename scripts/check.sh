#!/usr/bin/env bash
# Static checks: clang-format (no changes needed) and clang-tidy (the curated .clang-tidy set).
#   scripts/check.sh format      clang-format --dry-run --Werror on every source
#   scripts/check.sh tidy BUILD  clang-tidy on src/ using BUILD/compile_commands.json
set -euo pipefail
cd "$(dirname "$0")/.."
case "${1:-}" in
  format)
    git ls-files '*.cpp' '*.hpp' | xargs clang-format --dry-run --Werror
    echo "clang-format: clean" ;;
  tidy)
    build="${2:-build}"
    ls src/core/*.cpp src/render/*.cpp src/batch/*.cpp src/measure/*.cpp src/cli/*.cpp | xargs -P"$(nproc)" -n1 \
      clang-tidy -p "$build" --quiet --extra-arg=-Wno-unknown-warning-option
    echo "clang-tidy: clean" ;;
  *) echo "usage: scripts/check.sh format | tidy [BUILD]" >&2; exit 2 ;;
esac
