// Micro-benchmarks: one estimate, a training-only estimate, parsing a JSONL row, and a full
// batch row (parse + estimate + CSV render).
#include <benchmark/benchmark.h>

#include <cstdint>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "batch/engine.hpp"
#include "batch/sweep.hpp"
#include "llm_energy/catalog.hpp"
#include "llm_energy/estimate.hpp"
#include "llm_energy/scenario.hpp"
#include "render/estimate.hpp"

namespace {

using namespace llm_energy;

const char* const k_row =
    R"({"id":"r1","params":7e9,"tokens":1e12,"hardware":"a100-sxm4-80gb","region":"FR"})";

Scenario typical(const char* phase) {
  Scenario s;
  set_field(s, "params", "7e9", Origin::flag);
  set_field(s, "tokens", "1e12", Origin::flag);
  set_field(s, "hardware", "a100-sxm4-80gb", Origin::flag);
  set_field(s, "region", "FR", Origin::flag);
  set_field(s, "phase", phase, Origin::flag);
  return s;
}

void BM_Estimate(benchmark::State& state) {
  const Catalog& cat = builtin_catalog();
  const Scenario s = typical("both");
  for (auto _ : state) {
    Estimate e = estimate(s, cat);
    benchmark::DoNotOptimize(e);
  }
}
BENCHMARK(BM_Estimate);

void BM_EstimateTraining(benchmark::State& state) {
  const Catalog& cat = builtin_catalog();
  const Scenario s = typical("training");
  for (auto _ : state) {
    Estimate e = estimate(s, cat);
    benchmark::DoNotOptimize(e);
  }
}
BENCHMARK(BM_EstimateTraining);

// As batch and sweep run it: with an EstimateCache (rows that repeat a configuration with
// other token counts reuse its per-unit ranges). Token counts vary.
void BM_EstimateCached(benchmark::State& state) {
  const Catalog& cat = builtin_catalog();
  Scenario s = typical("both");
  EstimateCache cache;
  double tokens = 1e12;
  for (auto _ : state) {
    tokens += 1e6;
    s.tokens->value = tokens;
    Estimate e = estimate(s, cat, &cache);
    benchmark::DoNotOptimize(e);
  }
}
BENCHMARK(BM_EstimateCached);

void BM_ParseJsonlOnly(benchmark::State& state) {
  const std::string row = k_row;
  for (auto _ : state) {
    auto j = nlohmann::json::parse(row);
    benchmark::DoNotOptimize(j);
  }
}
BENCHMARK(BM_ParseJsonlOnly);

// Applying one JSONL row to a scenario (the batch fast path for flat rows).
void BM_ApplyRow(benchmark::State& state) {
  const std::string row = k_row;
  for (auto _ : state) {
    Scenario s;
    apply_config_json(s, row, "row");
    benchmark::DoNotOptimize(s);
  }
}
BENCHMARK(BM_ApplyRow);

// One number in machine-readable output (6 significant digits, nlohmann's layout).
void BM_AppendNumber6(benchmark::State& state) {
  std::vector<double> values;
  double v = 1.234567e-7;
  for (int i = 0; i < 1024; ++i) {
    values.push_back(v);
    v *= 3.7;
    if (v > 1e25) {
      v = 1.1e-6;
    }
  }
  std::string out;
  for (auto _ : state) {
    out.clear();
    for (double x : values) {
      render::append_number6(out, x);
    }
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations() * 1024);
}
BENCHMARK(BM_AppendNumber6);

// The CSV values of one estimate (both phases).
void BM_CsvValues(benchmark::State& state) {
  const Estimate e = estimate(typical("both"), builtin_catalog());
  std::string out;
  for (auto _ : state) {
    out.clear();
    render::append_csv_values(out, e);
    benchmark::DoNotOptimize(out.data());
  }
}
BENCHMARK(BM_CsvValues);

// The issue's sweep shape, 3 sizes x 1,000 token counts x 2 accelerators (both phases):
// the estimates alone, as run_sweep makes them (set the changed key, estimate with a cache).
std::vector<batch::SweepAxis> sweep_axes() {
  batch::SweepAxis tokens{"tokens", {}};
  for (int i = 0; i < 1000; ++i) {
    tokens.values.push_back(std::to_string(1e11 + i * 1e10));
  }
  return {{"params", {"1e9", "7e9", "70e9"}}, tokens, {"hardware", {"a100-sxm4-80gb", "h100-sxm"}}};
}

void BM_SweepEstimates(benchmark::State& state) {
  const Catalog& cat = builtin_catalog();
  const auto axes = sweep_axes();
  std::size_t n = 0;
  for (auto _ : state) {
    EstimateCache cache;
    Scenario s;
    for (const auto& p : axes[0].values) {
      set_field(s, "params", p, Origin::flag);
      for (const auto& t : axes[1].values) {
        set_field(s, "tokens", t, Origin::flag);
        for (const auto& h : axes[2].values) {
          set_field(s, "hardware", h, Origin::flag);
          Estimate e = estimate(s, cat, &cache);
          benchmark::DoNotOptimize(e);
          ++n;
        }
      }
    }
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(n));
}
BENCHMARK(BM_SweepEstimates)->Unit(benchmark::kMillisecond)->Threads(1)->Threads(2)->UseRealTime();

// The same sweep end to end in-process: estimates and CSV rows (to a discarding stream).
void BM_SweepCsv(benchmark::State& state) {
  const Catalog& cat = builtin_catalog();
  batch::SweepOptions o;
  o.axes = sweep_axes();
  std::size_t n = 0;
  for (auto _ : state) {
    std::ostringstream out;
    batch::QuietStatus quiet;
    const auto r = batch::run_sweep(out, quiet, o, cat);
    n += r.rows;
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(n));
}
BENCHMARK(BM_SweepCsv)->Unit(benchmark::kMillisecond);

void BM_BatchRowJsonlToCsv(benchmark::State& state) {
  const Catalog& cat = builtin_catalog();
  std::string input;
  for (int i = 0; i < 256; ++i) {
    input += k_row;
    input += '\n';
  }
  batch::BatchOptions o;
  o.output = batch::OutputFormat::csv;
  batch::QuietStatus quiet;
  for (auto _ : state) {
    std::istringstream in(input);
    std::ostringstream out;
    const auto r = batch::run_batch(in, out, quiet, o, cat);
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations() * 256);
}
BENCHMARK(BM_BatchRowJsonlToCsv);

}  // namespace

BENCHMARK_MAIN();
