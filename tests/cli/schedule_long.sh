#!/usr/bin/env bash
# cli.schedule_long: a 500,000-hour intensity series and a 200,000-hour job. The window search
# is one pass with running sums (it was hours x duration: minutes); it must finish in seconds
# and find the cheapest window, which this series puts at a known hour.
set -uo pipefail
bin=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# Intensity 500, except 100 on hours [250000, 450000): the best start is hour 250000.
python3 - "$tmp/long.csv" <<'PY'
import sys, datetime
t0 = datetime.datetime(2000, 1, 1, tzinfo=datetime.timezone.utc)
with open(sys.argv[1], "w") as f:
    f.write("timestamp,carbon_intensity\n")
    for h in range(500000):
        t = t0 + datetime.timedelta(hours=h)
        f.write(t.strftime("%Y-%m-%dT%H:%M:%SZ") + ("," + ("100" if 250000 <= h < 450000 else "500")) + "\n")
PY
best=$(python3 -c 'import datetime; print((datetime.datetime(2000,1,1)+datetime.timedelta(hours=250000)).strftime("%Y-%m-%dT%H:%M:%SZ"))')
t0=$(date +%s)
out=$("$bin" schedule --intensity "$tmp/long.csv" --duration 200000h --energy 1GWh --format json 2>&1)
rc=$?
t1=$(date +%s)
[[ $rc -eq 0 ]] || { echo "exit $rc: $out" >&2; exit 1; }
grep -q "\"best_start\": \"$best\"" <<< "$out" || { echo "best start is not $best: $out" >&2; exit 1; }
(( t1 - t0 <= 30 )) || { echo "took $((t1 - t0)) s" >&2; exit 1; }
echo "ok: $((t1 - t0)) s, best start $best"
