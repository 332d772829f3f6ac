// CPUs and edge devices: serving on them, what they refuse, and the serving model against the
// llama.cpp Apple-silicon speeds (data/validation/llamacpp-apple.csv).
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "llm_energy/catalog.hpp"
#include "llm_energy/csv.hpp"
#include "llm_energy/error.hpp"
#include "llm_energy/estimate.hpp"
#include "llm_energy/model.hpp"
#include "llm_energy/resolve.hpp"
#include "llm_energy/scenario.hpp"

using namespace llm_energy;

namespace {

Scenario serving(const std::string& hardware, const std::string& precision, const std::string& model) {
  Scenario s;
  set_field(s, "phase", "inference", Origin::flag);
  set_field(s, "inference_tokens", "1e6", Origin::flag);
  set_field(s, "hardware", hardware, Origin::flag);
  set_field(s, "precision", precision, Origin::flag);
  set_field(s, "model", model, Origin::flag);
  set_field(s, "batch_size", "1", Origin::flag);
  return s;
}

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

TEST_CASE("q4 stores 4.5 bits per weight, its block scales included", "[edge]") {
  CHECK(bits_of(Precision::q4) == 4.5);
  CHECK(parse_precision("Q4") == Precision::q4);
  // Decode on a memory-bound device reads the weights once per token: q4 streams 4.5/16 of fp16.
  const auto q4 = estimate(serving("apple-m4-max", "q4", "llama-3.1-8b"), builtin_catalog()).inference;
  const auto f16 = estimate(serving("apple-m4-max", "fp16", "llama-3.1-8b"), builtin_catalog()).inference;
  CHECK(q4->bound == "memory");
  const double speedup = q4->tokens_per_second / f16->tokens_per_second;
  CHECK(speedup > 2.0);
  CHECK(speedup < 16.0 / 4.5);  // less than the byte ratio: fixed per-layer time does not shrink
}

TEST_CASE("decode on a CPU or edge device is bound by its memory bandwidth", "[edge]") {
  // The same model and format on two devices: tokens/s scale with bandwidth (less the fixed time).
  const auto orin =
      estimate(serving("jetson-agx-orin-64gb", "q4", "llama-3.1-8b"), builtin_catalog()).inference;
  const auto epyc = estimate(serving("epyc-9755", "q4", "llama-3.1-8b"), builtin_catalog()).inference;
  CHECK(orin->bound == "memory");
  CHECK(epyc->bound == "memory");
  const double bw_ratio = 576.0 / 204.8;
  const double speed_ratio = epyc->tokens_per_second / orin->tokens_per_second;
  CHECK(speed_ratio > 0.6 * bw_ratio);
  CHECK(speed_ratio <= bw_ratio * 1.001);
  // Every figure has a range.
  CHECK(orin->interval.energy_per_token_j.low < orin->energy_per_token_j);
  CHECK(orin->interval.energy_per_token_j.high > orin->energy_per_token_j);
}

TEST_CASE("CPUs and edge devices refuse training and formats they cannot run", "[edge]") {
  Scenario t;
  set_field(t, "model", "llama-3.1-8b", Origin::flag);
  set_field(t, "tokens", "1e9", Origin::flag);
  set_field(t, "hardware", "xeon-6980p", Origin::flag);
  CHECK_THROWS_WITH(resolve(t, builtin_catalog()),
                    "training: xeon-6980p is a CPU; llm-energy estimates training on accelerators only (use "
                    "--phase inference)");
  set_field(t, "hardware", "apple-m4-max", Origin::flag);
  CHECK_THROWS_AS(resolve(t, builtin_catalog()), InputError);
  CHECK_THROWS_WITH(resolve(serving("apple-m4-max", "fp8", "llama-3.1-8b"), builtin_catalog()),
                    Catch::Contains("apple-m4-max cannot run fp8 weights"));
  CHECK_THROWS_WITH(resolve(serving("apple-m4-max", "tf32", "llama-3.1-8b"), builtin_catalog()),
                    Catch::Contains("apple-m4-max has no tf32 peak"));
  CHECK_THROWS_WITH(builtin_catalog().find_hardware("xeon-9999"),
                    Catch::Contains("unknown hardware 'xeon-9999'"));
}

TEST_CASE("an edge device sits in no data centre: no overhead, no cooling water on site", "[edge]") {
  Scenario s = serving("apple-m4-max", "q4", "llama-3.1-8b");
  set_field(s, "region", "us-east-1", Origin::flag);  // a cloud region's operator does not apply
  const Resolved r = resolve(s, builtin_catalog());
  CHECK(r.grid.facility->id == "on-device");
  CHECK(r.grid.pue.value == 1.0);
  CHECK(r.grid.wue.value == 0.0);
  const Estimate e = estimate(s, builtin_catalog());
  CHECK(e.inference->onsite_water_l == 0.0);
  CHECK(e.inference->water_l > 0.0);  // generating its electricity still takes water
  // --facility names a class: its PUE and WUE apply.
  set_field(s, "facility", "colocation", Origin::flag);
  const Estimate c = estimate(s, builtin_catalog());
  CHECK(c.inference->onsite_water_l > 0.0);
  CHECK(c.inference->energy_kwh > e.inference->energy_kwh);
  // A CPU serves from a data centre: the region's operator.
  const Resolved cpu = resolve(
      [] {
        Scenario x = serving("xeon-6980p", "int8", "llama-3.1-8b");
        set_field(x, "region", "us-east-1", Origin::flag);
        return x;
      }(),
      builtin_catalog());
  CHECK(cpu.grid.facility->id == "aws");
}

TEST_CASE("every CPU and edge device of the catalog serves a q4 8B model", "[edge]") {
  int count = 0;
  for (const Hardware& hw : builtin_catalog().hardware) {
    if (hw.kind == "accelerator") {
      continue;
    }
    ++count;
    const auto e = estimate(serving(std::string(hw.id), "q4", "llama-3.1-8b"), builtin_catalog()).inference;
    INFO(hw.id);
    CHECK(e->tokens_per_second > 1);
    CHECK(e->energy_per_token_j > 0);
    CHECK(std::isfinite(e->energy_per_token_j));
  }
  CHECK(count >= 10);
}

TEST_CASE("serving model against llama.cpp speeds on Apple silicon (discussion #4167)",
          "[edge][validation]") {
  const std::string text =
      read_text(std::string(LLM_ENERGY_SOURCE_DIR) + "/data/validation/llamacpp-apple.csv");
  REQUIRE(!text.empty());
  CsvReader csv(text);
  std::vector<std::string> f;
  std::size_t line = 0;
  REQUIRE(csv.next(f, line));  // header
  std::vector<double> errors;
  while (csv.next(f, line)) {
    REQUIRE(f.size() == 12);
    const std::string& id = f[0];
    const double input = std::stod(f[7]);
    const double output = std::stod(f[8]);
    const double measured = std::stod(f[9]);
    Scenario s = serving(f[1], f[5], f[3]);
    set_field(s, "input_tokens", f[7], Origin::flag);
    set_field(s, "output_tokens", output > 0 ? f[8] : "1", Origin::flag);
    const Resolved r = resolve(s, builtin_catalog());
    const model::ServingPoint pt = model::serve(r.inference->setup, r.inference->factors);
    // tg: decode steps of one sequence (no prompt); pp: prompt tokens per second of prefill.
    const double predicted = output > 0 ? 1.0 / pt.step_s : input / pt.prefill_s;
    const double err = std::fabs(std::log(measured / predicted));
    INFO(id << ": measured " << measured << " tokens/s, predicted " << predicted);
    CHECK(err < std::log(2.0));  // every point within a factor of two
    errors.push_back(err);
  }
  REQUIRE(errors.size() == 9);
  std::sort(errors.begin(), errors.end());
  const double median = errors[errors.size() / 2];
  WARN("llama.cpp Apple silicon: median |ln(measured/predicted)| = "
       << median << " (" << (std::exp(median) - 1) * 100 << "%) over " << errors.size() << " points");
  CHECK(median < std::log(1.35));
}
