#!/usr/bin/env bash
# Stream N JSONL scenario rows to stdout (used by the cli.batch_large test and the benchmarks).
# Four model sizes, two accelerators, three regions, and a different token count on every row
# (up to 100,000 distinct values per size), so no two rows have the same figures.
n=${1:-1000}
awk -v n="$n" 'BEGIN {
  split("1e9 7e9 13e9 70e9", p, " "); split("1e10 1e11 1e12 2e12", t, " ");
  split("h100-sxm a100-sxm4-80gb", h, " "); split("world FR US", r, " ");
  for (i = 1; i <= n; i++)
    printf "{\"id\":\"r%d\",\"params\":%s,\"tokens\":%.6e,\"hardware\":\"%s\",\"region\":\"%s\"}\n",
           i, p[i%4+1], t[int(i/4)%4+1] * (1 + (i % 100000) / 100000), h[i%2+1], r[i%3+1]
}'
