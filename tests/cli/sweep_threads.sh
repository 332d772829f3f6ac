#!/usr/bin/env bash
# cli.sweep_threads: a sweep large enough to run on worker threads gives byte-for-byte the
# output of the one-thread run, error rows (70e9 parameters do not fit one chip) included,
# and the same exit code.
set -uo pipefail
bin=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
args=(sweep --params 1e9,70e9 --tokens 1e8:2e12:+1e8 --inference-chips 1 --hardware h100-sxm)
"$bin" "${args[@]}" --threads 1 > "$tmp/one.csv"
rc1=$?
"$bin" "${args[@]}" --threads 3 > "$tmp/three.csv"
rc3=$?
"$bin" "${args[@]}" --format jsonl --threads 1 > "$tmp/one.jsonl"
"$bin" "${args[@]}" --format jsonl --threads 2 > "$tmp/two.jsonl"
lines=$(wc -l < "$tmp/one.csv")
errors=$(grep -c "cannot hold" "$tmp/one.csv")
if [[ $rc1 -ne 2 || $rc3 -ne 2 ]]; then
  echo "expected exit 2 (error rows) from both runs, got $rc1 and $rc3" >&2
  exit 1
fi
if [[ $lines -ne 40001 || $errors -ne 20000 ]]; then
  echo "expected 40000 rows with 20000 error rows, got $((lines - 1)) rows and $errors errors" >&2
  exit 1
fi
cmp "$tmp/one.csv" "$tmp/three.csv" || { echo "CSV differs between 1 and 3 threads" >&2; exit 1; }
cmp "$tmp/one.jsonl" "$tmp/two.jsonl" || { echo "JSONL differs between 1 and 2 threads" >&2; exit 1; }
echo "ok: 40000 rows, identical on 1, 2 and 3 threads"
