#!/usr/bin/env python3
"""The Python module's figures for BENCHMARKS.md: import time, one estimate, and rows per second
through batch() against the CLI's batch on the same rows.

  PYTHONPATH=build/python /usr/bin/python3 bench/python_bench.py build [ROWS]

ROWS (default 200000) rows of tests/data/batch/gen_jsonl.sh (the rows of BENCHMARKS.md (b));
every timing is the median of RUNS (default 5) runs, alternating Python and CLI, one core
(taskset -c 0, when available, for the children and this process)."""
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

build = sys.argv[1] if len(sys.argv) > 1 else "build"
rows_n = int(sys.argv[2]) if len(sys.argv) > 2 else 200000
runs = int(os.environ.get("RUNS", "5"))
root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
binary = os.path.join(build, "llm-energy")
pin = ["taskset", "-c", "0"] if shutil.which("taskset") else []
if pin:
    os.sched_setaffinity(0, {0})
env = dict(os.environ, PYTHONPATH=os.path.join(build, "python"))


def median_wall(cmd, n, **kw):
    times = []
    for _ in range(n):
        t = time.perf_counter()
        subprocess.run(pin + cmd, check=True, **kw)
        times.append(time.perf_counter() - t)
    return statistics.median(times)


# Import: the interpreter with and without `import llm_energy`.
bare = median_wall([sys.executable, "-c", "pass"], 30, env=env)
imp = median_wall([sys.executable, "-c", "import llm_energy"], 30, env=env)
one = median_wall([sys.executable, "-c", "import llm_energy; llm_energy.estimate(params=7e9, tokens=2e12)"], 30,
                  env=env)
cli_one = median_wall([binary, "estimate", "--params", "7e9", "--tokens", "2e12", "--format", "json"], 30,
                      stdout=subprocess.DEVNULL)
print(f"interpreter alone: {bare * 1e3:.1f} ms; + import llm_energy: {imp * 1e3:.1f} ms "
      f"(import {1e3 * (imp - bare):.1f} ms); + one estimate: {one * 1e3:.1f} ms; "
      f"CLI whole process: {cli_one * 1e3:.1f} ms")

sys.path.insert(0, os.path.join(build, "python"))
import llm_energy  # noqa: E402

t = time.perf_counter()
n = 2000
for _ in range(n):
    llm_energy.estimate(params=7e9, tokens=2e12)
per = (time.perf_counter() - t) / n
r = llm_energy.estimate(params=7e9, tokens=2e12)
t = time.perf_counter()
for _ in range(n):
    r.to_dict()
print(f"in process: estimate() {per * 1e6:.1f} us (with the assumptions, as the CLI's JSON); "
      f"to_dict() {(time.perf_counter() - t) / n * 1e6:.1f} us")

text = subprocess.run(["bash", os.path.join(root, "tests/data/batch/gen_jsonl.sh"), str(rows_n)], check=True,
                      capture_output=True, text=True).stdout
rows = [json.loads(line) for line in text.splitlines()]
with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False) as f:
    f.write(text)
    path = f.name

py_lazy, py_read, cli_jsonl, cli_csv = [], [], [], []
for _ in range(runs):
    t = time.perf_counter()
    k = 0
    for res in llm_energy.batch(rows):
        k += res.ok
    py_lazy.append(rows_n / (time.perf_counter() - t))
    assert k == rows_n
    t = time.perf_counter()
    total = 0.0
    for res in llm_energy.batch(rows):
        total += res.training.energy_kwh
    py_read.append(rows_n / (time.perf_counter() - t))
    cli_jsonl.append(rows_n / median_wall([binary, "batch", path, "--format", "jsonl"], 1,
                                          stdout=subprocess.DEVNULL))
    cli_csv.append(rows_n / median_wall([binary, "batch", path, "--format", "csv"], 1, stdout=subprocess.DEVNULL))
os.unlink(path)
m = statistics.median
print(f"batch, {rows_n} rows, one core, medians of {runs}:")
print(f"  Python batch(list of dicts), results not read: {m(py_lazy) / 1e3:.0f}k rows/s")
print(f"  Python batch(list of dicts), one figure read per row: {m(py_read) / 1e3:.0f}k rows/s")
print(f"  CLI batch JSONL -> JSONL: {m(cli_jsonl) / 1e3:.0f}k rows/s; JSONL -> CSV: {m(cli_csv) / 1e3:.0f}k rows/s")
print(f"  ratio Python (not read) / CLI JSONL: {m(py_lazy) / m(cli_jsonl):.0%}; "
      f"(one figure read) / CLI JSONL: {m(py_read) / m(cli_jsonl):.0%}")
