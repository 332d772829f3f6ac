#!/usr/bin/env python3
"""Write a large --hardware-file or --regions-file, for timing the catalog merge.

  bench/gen_override.py hardware 10000 > /tmp/hw10k.json
  time ./build/llm-energy hardware list --hardware-file /tmp/hw10k.json > /dev/null
  bench/gen_override.py regions 20000 > /tmp/rg20k.json
  time ./build/llm-energy regions list --regions-file /tmp/rg20k.json > /dev/null

The first entries override built-in ids (one figure each, merged into the built-in entry);
the rest are new ids (the worst case for a merge that searches the list for each id).
"""
import json
import sys

BUILTIN_HW = ["h100-sxm", "a100-sxm4-80gb", "h200", "b200", "mi300x", "tpu-v5p", "l4"]
BUILTIN_RG = ["FR", "DE", "US", "world", "us-east-1", "europe-west1"]


def datum(v):
    return {"value": v, "low": v, "high": v, "source": "bench/gen_override.py", "year": 2026}


def hardware(n):
    out = []
    for i in range(n):
        if i < len(BUILTIN_HW):
            out.append({"id": BUILTIN_HW[i], "tdp_w": datum(600 + i)})
            continue
        out.append({
            "id": f"bench-chip-{i}", "name": f"Bench chip {i}", "vendor": "Bench", "generation": "hopper",
            "release_year": 2026, "tdp_w": datum(400 + i % 300),
            "peak_tflops": {"bf16": datum(500 + i % 500), "fp8": datum(1000 + i % 1000)},
            "memory_gb": datum(80), "memory_bandwidth_gbps": datum(3000), "embodied_kgco2e": datum(150),
        })
    return {"schema": "llm-energy/hardware/1", "hardware": out}


def regions(n):
    out = []
    for i in range(n):
        if i < len(BUILTIN_RG):
            out.append({"id": BUILTIN_RG[i], "carbon_intensity": datum(100 + i)})
            continue
        out.append({"id": f"bench-dc-{i}", "name": f"Bench DC {i}", "kind": "custom",
                    "carbon_intensity": datum(50 + i % 400)})
    return {"schema": "llm-energy/regions/1", "regions": out}


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in ("hardware", "regions"):
        sys.exit("usage: gen_override.py hardware|regions N")
    n = int(sys.argv[2])
    doc = hardware(n) if sys.argv[1] == "hardware" else regions(n)
    json.dump(doc, sys.stdout, separators=(",", ":"))  # compact: 20,000 entries < 16 MiB
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
