#!/usr/bin/env bash
# Set up on Debian bookworm: install the missing packages, configure, build, then
#   scripts/setup.sh run    run the headline estimate
#   scripts/setup.sh test   run the whole test suite through ctest
# Extra CMake arguments can be passed in LLM_ENERGY_CMAKE_ARGS (CI adds -DLLM_ENERGY_WERROR=ON).
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(cmake g++ make libcli11-dev nlohmann-json3-dev libfmt-dev catch2 libbenchmark-dev
          python3 python3-yaml libxml2-utils librsvg2-bin groff-base
          python3-dev pybind11-dev python3-pybind11 python3-pytest)
missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if ((${#missing[@]})); then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo=sudo
  echo "installing: ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# `run` builds only the binary it runs (no tests: about half the compile time); `test` builds
# everything. The README's first section gives the times on 2 cores.
case "${1:-run}" in
  run) tests=OFF target=(--target llm-energy) ;;
  test) tests=ON target=() ;;
  *) echo "usage: scripts/setup.sh [run|test]" >&2; exit 2 ;;
esac
# shellcheck disable=SC2086  # LLM_ENERGY_CMAKE_ARGS is a list of words
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DLLM_ENERGY_BUILD_TESTS="$tests" ${LLM_ENERGY_CMAKE_ARGS:-}
cmake --build build -j"$(nproc)" "${target[@]}"

case "${1:-run}" in
  run) ./build/llm-energy estimate --tokens 1e8 --params 1e9 ;;
  test) ctest --test-dir build --output-on-failure -j"$(nproc)" ;;
esac
