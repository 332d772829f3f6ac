#!/usr/bin/env bash
# cli.batch_large: stream N generated JSONL rows through `llm-energy batch --format csv` and
# check that exactly N rows (plus the header) come out, with exit code 0.
set -euo pipefail
bin=$1 n=$2 gen=$3
lines=$("$gen" "$n" | "$bin" batch --format csv | wc -l)
if [[ "$lines" -ne $((n + 1)) ]]; then
  echo "expected $((n + 1)) lines, got $lines" >&2
  exit 1
fi
