#!/usr/bin/env bash
# Whole-process measurements for BENCHMARKS.md. Builds nothing.
# Usage: bench/whole_process.sh BUILD_DIR   (a Release build configured with -DLLM_ENERGY_BUILD_BENCH=ON)
# Env: ROWS (default 1000000) for (b), PAIRS (8) interleaved runs for (b), BIG (10000000) for (d).
set -euo pipefail
build=${1:?usage: whole_process.sh BUILD_DIR}
bin=$build/llm-energy
parse_only=$build/bench/bench_parse_only
here=$(cd "$(dirname "$0")" && pwd)
gen=$here/../tests/data/batch/gen_jsonl.sh
rows=${ROWS:-1000000}
pairs=${PAIRS:-8}
big=${BIG:-10000000}
pin=()
if command -v taskset >/dev/null; then pin=(taskset -c 0); fi
now() { date +%s.%N; }
elapsed() { local t0 t1; t0=$(now); "$@" >/dev/null; t1=$(now); echo "$t1 - $t0" | bc -l; }
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

echo "== (a) start-up + one estimate (whole process)"
if command -v hyperfine >/dev/null; then
  hyperfine --warmup 20 --runs 200 -N "$bin estimate --tokens 1e8 --params 1e9 --format json"
else
  t0=$(now); for _ in $(seq 200); do "$bin" estimate --tokens 1e8 --params 1e9 --format json >/dev/null; done; t1=$(now)
  echo "mean $(echo "($t1 - $t0) * 1000 / 200" | bc -l) ms"
fi

tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
echo "== (b) batch JSONL -> CSV vs parse-only, $rows rows, $pairs interleaved pairs (${pin[*]:-unpinned})"
"$gen" "$rows" > "$tmp/in.jsonl"
: > "$tmp/ratios"; : > "$tmp/parse"; : > "$tmp/batch"
for _ in $(seq "$pairs"); do
  p=$(elapsed "${pin[@]}" "$parse_only" < "$tmp/in.jsonl")
  b=$(elapsed "${pin[@]}" "$bin" batch --format csv < "$tmp/in.jsonl")
  echo "$rows / $p" | bc >> "$tmp/parse"
  echo "$rows / $b" | bc >> "$tmp/batch"
  echo "$p / $b" | bc -l >> "$tmp/ratios"
done
echo "parse-only: median $(median < "$tmp/parse") rows/s (runs: $(sort -g "$tmp/parse" | tr '\n' ' '))"
echo "batch:      median $(median < "$tmp/batch") rows/s (runs: $(sort -g "$tmp/batch" | tr '\n' ' '))"
echo "batch / parse-only, per pair: median $(median < "$tmp/ratios")"
rm -f "$tmp/in.jsonl"

echo "== (c) sweep rows per second, CSV to /dev/null"
sweep_tokens=(sweep --params 1e9,7e9,70e9 --tokens 1e11:1e13:+1e8 --hardware a100-sxm4-80gb,h100-sxm)
sweep_params=(sweep --params 1000000:1999999:+1 --tokens 1e12 --hardware a100-sxm4-80gb)
for t in 1 2; do
  s=$(elapsed "$bin" "${sweep_tokens[@]}" --threads "$t")
  echo "3 sizes x 99,001 token counts x 2 chips (594,006 rows), $t thread(s): $(echo "594006 / $s" | bc) rows/s"
  s=$(elapsed "$bin" "${sweep_params[@]}" --threads "$t")
  echo "1,000,000 distinct sizes (no reuse), $t thread(s): $(echo "1000000 / $s" | bc) rows/s"
done
echo "(estimates alone: BM_SweepEstimates in $build/bench/llm_energy_bench)"

echo "== (d) peak RSS, batch of $big streamed rows"
"$gen" "$big" | /usr/bin/time -v "$bin" batch --format csv 2> "$tmp/time.txt" | wc -l
grep -E "Maximum resident set size|Elapsed" "$tmp/time.txt"
