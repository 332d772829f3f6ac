#!/usr/bin/env bash
# Whole-process measurements for BENCHMARKS.md. Builds nothing.
# Usage: bench/whole_process.sh BUILD_DIR   (a Release build configured with -DLLM_ENERGY_BUILD_BENCH=ON)
# Env: ROWS (default 1000000) for (b), SWEEP (1M combinations) for (c), BIG (10000000) for (d).
set -euo pipefail
build=${1:?usage: whole_process.sh BUILD_DIR}
bin=$build/llm-energy
parse_only=$build/bench/bench_parse_only
here=$(cd "$(dirname "$0")" && pwd)
gen=$here/../tests/data/batch/gen_jsonl.sh
rows=${ROWS:-1000000}
big=${BIG:-10000000}
sweep=${SWEEP:-1000000}
pin=()
if command -v taskset >/dev/null; then pin=(taskset -c 0); fi
now() { date +%s.%N; }

echo "== (a) start-up + one estimate (whole process)"
if command -v hyperfine >/dev/null; then
  hyperfine --warmup 20 --runs 200 -N "$bin estimate --tokens 1e8 --params 1e9 --format json"
else
  t0=$(now); for _ in $(seq 200); do "$bin" estimate --tokens 1e8 --params 1e9 --format json >/dev/null; done; t1=$(now)
  echo "mean $(echo "($t1 - $t0) * 1000 / 200" | bc -l) ms"
fi

echo "== (b) batch JSONL -> CSV, $rows rows (input pre-generated to a temp file, ${pin[*]:-unpinned})"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
"$gen" "$rows" > "$tmp/in.jsonl"
t0=$(now); "${pin[@]}" "$parse_only" < "$tmp/in.jsonl" >/dev/null; t1=$(now)
echo "parse-only: $(echo "$rows / ($t1 - $t0)" | bc) rows/s"
t0=$(now); "${pin[@]}" "$bin" batch --format csv < "$tmp/in.jsonl" >/dev/null; t1=$(now)
echo "batch:      $(echo "$rows / ($t1 - $t0)" | bc) rows/s"
rm -f "$tmp/in.jsonl"

echo "== (c) sweep estimates per second, $sweep combinations to /dev/null"
t0=$(now)
"${pin[@]}" "$bin" sweep --params "1000000:$((1000000 + sweep - 1)):+1" --tokens 1e12 --hardware a100-sxm4-80gb >/dev/null
t1=$(now)
echo "sweep: $(echo "$sweep / ($t1 - $t0)" | bc) estimates/s"

echo "== (d) peak RSS, batch of $big streamed rows"
"$gen" "$big" | /usr/bin/time -v "$bin" batch --format csv 2> "$tmp/time.txt" | wc -l
grep -E "Maximum resident set size|Elapsed" "$tmp/time.txt"
