// Unit tests for llm_energy/estimate.hpp: the whole estimator on the built-in catalog.
#include <catch2/catch.hpp>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "llm_energy/catalog.hpp"
#include "llm_energy/error.hpp"
#include "llm_energy/estimate.hpp"
#include "llm_energy/scenario.hpp"
#include "render/estimate.hpp"

#include "scenario_fixture.hpp"

using llm_energy::Assumption;
using llm_energy::builtin_catalog;
using llm_energy::Estimate;
using llm_energy::InputError;
using llm_energy::Interval;
using llm_energy::Origin;
using llm_energy::Scenario;

namespace {

using llm_energy::testing::make;

Estimate run(const std::vector<std::pair<std::string_view, std::string_view>>& fields) {
  return llm_energy::estimate(make(fields), builtin_catalog());
}

const Assumption* find_assumption(const Estimate& e, std::string_view key) {
  for (const auto& a : e.assumptions) {
    if (a.key == key) {
      return &a;
    }
  }
  return nullptr;
}

void check_contains(const Interval& i, double v, const char* what) {
  INFO(what << ": " << i.low << " <= " << v << " <= " << i.high);
  CHECK(i.low <= v * (1 + 1e-12));
  CHECK(v <= i.high * (1 + 1e-12));
  CHECK(i.low > 0);
}

}  // namespace

TEST_CASE("estimate: a default scenario runs both phases", "[estimate]") {
  const Estimate e = run({{"tokens", "1e8"}, {"params", "1e9"}});
  CHECK(e.phase == llm_energy::Phase::both);
  CHECK(e.hardware == "h100-sxm");
  CHECK(e.region == "world");
  REQUIRE(e.training.has_value());
  REQUIRE(e.inference.has_value());
  const auto& t = *e.training;
  // 6ND plus the attention term: 6 x 17 layers x 4096 x 2176 per token (the default shape of
  // 1e9 parameters, the default sequence length).
  CHECK(t.flops == Approx(6e17 + 1e8 * 6.0 * 17 * 4096 * 2176));
  CHECK(t.chip_hours > 0);
  CHECK(t.wall_clock_hours == Approx(t.chip_hours / 8.0));  // default: one 8-chip server
  CHECK(t.implied_mfu > 0);
  CHECK(t.implied_mfu <= 1.0);
  CHECK(t.accelerator_energy_kwh < t.server_energy_kwh);
  CHECK(t.server_energy_kwh < t.energy_kwh);
  CHECK(t.energy_per_token_j == Approx(t.energy_kwh * 3.6e6 / 1e8));
  CHECK(t.energy_per_param_j == Approx(t.energy_kwh * 3.6e6 / 1e9));
  CHECK(t.embodied_co2e_kg > 0);
  CHECK_FALSE(t.main_uncertainty.empty());
  CHECK(t.main_uncertainty != "none");

  const auto* params = find_assumption(e, "params");
  REQUIRE(params != nullptr);
  CHECK(llm_energy::render::origin_text(*params) == "flag");
  CHECK(params->value.value == Approx(1e9));
  const auto* hw = find_assumption(e, "hardware");
  REQUIRE(hw != nullptr);
  CHECK(llm_energy::render::origin_text(*hw) == "default");
  CHECK(hw->text == "h100-sxm");
  // Every catalog-derived assumption carries its source.
  for (const auto& a : e.assumptions) {
    if (llm_energy::render::origin_text(a).rfind("catalog:", 0) == 0) {
      INFO("assumption " << a.key);
      CHECK_FALSE(llm_energy::render::source_text(a).empty());
    }
    INFO("assumption " << a.key);
    CHECK(a.value.low <= a.value.value);
    CHECK(a.value.value <= a.value.high);
  }
}

TEST_CASE("estimate: every interval contains its central value", "[estimate]") {
  const Estimate e = run({{"tokens", "1e8"}, {"params", "1e9"}});
  REQUIRE(e.training.has_value());
  REQUIRE(e.inference.has_value());
  const auto& t = *e.training;
  check_contains(t.interval.chip_hours, t.chip_hours, "training chip_hours");
  check_contains(t.interval.energy_kwh, t.energy_kwh, "training energy_kwh");
  check_contains(t.interval.co2e_kg, t.co2e_kg, "training co2e_kg");
  CHECK(t.interval.energy_kwh.low < t.interval.energy_kwh.high);  // catalog inputs are uncertain
  const auto& i = *e.inference;
  check_contains(i.interval.energy_per_token_j, i.energy_per_token_j, "inference J/token");
  check_contains(i.interval.accelerator_energy_per_token_j, i.accelerator_energy_per_token_j,
                 "inference accelerator J/token");
  check_contains(i.interval.energy_kwh, i.energy_kwh, "inference energy_kwh");
  check_contains(i.interval.co2e_kg, i.co2e_kg, "inference co2e_kg");
  CHECK(i.tokens == Approx(1e8));  // defaults to --tokens
  CHECK(i.energy_kwh == Approx(i.energy_per_token_j * 1e8 / 3.6e6));
  CHECK(i.accelerator_energy_per_token_j < i.server_energy_per_token_j);
  CHECK(i.server_energy_per_token_j < i.energy_per_token_j);
  CHECK((i.bound == "memory" || i.bound == "compute"));
}

TEST_CASE("estimate: an explicit MFU sets the chip-hours", "[estimate]") {
  const Estimate e = run({{"tokens", "1e8"}, {"params", "1e9"}, {"mfu", "0.4"}, {"phase", "training"}});
  REQUIRE(e.training.has_value());
  CHECK_FALSE(e.inference.has_value());
  // FLOPs / (989.4e12 * 0.4 MFU * 0.9 goodput) / 3600 chip-hours; the effective utilisation
  // reported is MFU x goodput.
  const double flops = e.training->flops;
  CHECK(e.training->chip_hours == Approx(flops / (989.4e12 * 0.4 * 0.9) / 3600).epsilon(1e-9));
  CHECK(e.training->implied_mfu == Approx(0.36));
  const Estimate g =
      run({{"tokens", "1e8"}, {"params", "1e9"}, {"mfu", "0.4"}, {"goodput", "1"}, {"phase", "training"}});
  CHECK(g.training->implied_mfu == Approx(0.4));
  const Estimate r = run(
      {{"tokens", "1e8"}, {"params", "1e9"}, {"mfu", "0.4"}, {"phase", "training"}, {"recompute", "true"}});
  CHECK(r.training->flops == Approx(flops * 8.0 / 6.0));
  CHECK(r.training->chip_hours == Approx(e.training->chip_hours * 8.0 / 6.0));
}

TEST_CASE("estimate: reproduces GPT-3 (Patterson et al. 2021)", "[estimate]") {
  const Estimate e = run({{"params", "175e9"},
                          {"tokens", "300e9"},
                          {"hardware", "v100-sxm2-32gb"},
                          {"chips", "10000"},
                          {"chip_hours", "3552000"},
                          {"power_watts", "330"},
                          {"pue", "1.1"},
                          {"carbon_intensity", "429"},
                          {"seq_len", "2048"},
                          {"phase", "training"}});
  REQUIRE(e.training.has_value());
  const auto& t = *e.training;
  // 6ND = 3.15e23, plus attention at GPT-3's 2048 tokens (default shape: 96 layers x 12288 -> +1.4%).
  CHECK(t.flops == Approx(3.15e23).epsilon(0.02));
  CHECK(t.chip_hours == Approx(3552000.0));
  CHECK(t.wall_clock_hours == Approx(355.2));
  // 3.552M h * 330 W * 1.1 = 1,289,376 kWh; paper: 1,287 MWh.
  CHECK(t.energy_kwh == Approx(1287000.0).epsilon(0.02));
  CHECK(t.energy_kwh == Approx(1289376.0));
  // x 429 g/kWh = 553 t; paper: 552.1 t.
  CHECK(t.co2e_kg == Approx(552100.0).epsilon(0.02));
  CHECK(t.implied_mfu == Approx(0.197).epsilon(0.02));
  CHECK(e.region == "custom");
  // All energy inputs are exact: the energy and CO2e intervals collapse onto the value.
  CHECK(t.interval.energy_kwh.low == t.energy_kwh);
  CHECK(t.interval.energy_kwh.high == t.energy_kwh);
  CHECK(t.interval.co2e_kg.low == t.co2e_kg);
  CHECK(t.interval.co2e_kg.high == t.co2e_kg);
  CHECK(t.interval.chip_hours.low == t.chip_hours);
  CHECK(t.interval.chip_hours.high == t.chip_hours);
  CHECK(t.main_uncertainty == "none");
}

TEST_CASE("estimate: region and operator PUE come from the catalog", "[estimate]") {
  const auto& cat = builtin_catalog();
  const Estimate e =
      run({{"tokens", "1e8"}, {"params", "1e9"}, {"region", "us-east-1"}, {"phase", "training"}});
  CHECK(e.region == "us-east-1");
  const auto* ci = find_assumption(e, "carbon_intensity");
  REQUIRE(ci != nullptr);
  CHECK(ci->value.value == Approx(cat.find_region("us-east-1").carbon_intensity.value));
  CHECK(llm_energy::render::origin_text(*ci) == "catalog:us-east-1");
  const auto* pue = find_assumption(e, "pue");
  REQUIRE(pue != nullptr);
  CHECK(pue->value.value == Approx(cat.operator_for(cat.find_region("us-east-1")).pue.value));
  REQUIRE(e.training.has_value());
  CHECK(e.training->co2e_kg == Approx(e.training->energy_kwh * ci->value.value / 1000.0));
}

TEST_CASE("estimate: invalid or conflicting inputs are rejected", "[estimate]") {
  using F = std::vector<std::pair<std::string_view, std::string_view>>;
  const F base = {{"tokens", "1e8"}, {"params", "1e9"}};
  auto with = [&](F extra) {
    F f = base;
    f.insert(f.end(), extra.begin(), extra.end());
    return f;
  };

  REQUIRE_THROWS_AS(run({{"tokens", "1e8"}, {"params", "0"}}), InputError);
  REQUIRE_THROWS_WITH(run({{"tokens", "1e8"}, {"params", "0"}}), Catch::Contains("params"));
  REQUIRE_THROWS_WITH(run({{"tokens", "1e8"}, {"params", "-5"}}), Catch::Contains("params"));
  REQUIRE_THROWS_WITH(run({{"tokens", "1e8"}}), Catch::Contains("params"));
  REQUIRE_THROWS_WITH(run({{"params", "1e9"}, {"phase", "training"}}), Catch::Contains("tokens"));
  REQUIRE_THROWS_AS(run(with({{"mfu", "1.5"}})), InputError);
  REQUIRE_THROWS_WITH(run(with({{"mfu", "1.5"}})), Catch::Contains("mfu"));
  REQUIRE_THROWS_WITH(run(with({{"mfu", "0:0.5"}})), Catch::Contains("mfu"));
  REQUIRE_THROWS_WITH(run(with({{"pue", "0.9"}})), Catch::Contains("pue"));
  REQUIRE_THROWS_WITH(run(with({{"region", "XX"}})), Catch::Contains("unknown region"));
  REQUIRE_THROWS_WITH(run(with({{"region", "FR"}, {"carbon_intensity", "50"}})),
                      Catch::Contains("conflicting"));
  REQUIRE_THROWS_WITH(run(with({{"hardware", "h100x"}})), Catch::Contains("h100-sxm"));
  REQUIRE_THROWS_WITH(run(with({{"hardware", "a100-sxm4-80gb"}, {"precision", "fp8"}})),
                      Catch::Contains("no fp8"));
  REQUIRE_THROWS_WITH(run(with({{"chips", "2.5"}})), Catch::Contains("chips"));
  REQUIRE_THROWS_WITH(run(with({{"chips", "0"}})), Catch::Contains("chips"));
  REQUIRE_THROWS_WITH(run(with({{"phase", "inference"}, {"batch_size", "0"}})),
                      Catch::Contains("batch_size"));
  REQUIRE_THROWS_WITH(run(with({{"phase", "inference"}, {"experts", "8"}, {"active_experts", "9"}})),
                      Catch::Contains("exceeds"));
  REQUIRE_THROWS_WITH(run(with({{"active_params", "2e9"}})), Catch::Contains("exceeds"));
  REQUIRE_THROWS_WITH(run(with({{"phase", "inference"}, {"kv_bits", "7"}})), Catch::Contains("kv_bits"));
  REQUIRE_THROWS_WITH(run(with({{"phase", "inference"}, {"inference_tokens", "5"}, {"requests", "5"}})),
                      Catch::Contains("conflicting"));
  REQUIRE_THROWS_WITH(run(with({{"phase", "sideways"}})), Catch::Contains("phase"));
}

TEST_CASE("estimate: a model too large for the hardware is reported in GB", "[estimate]") {
  REQUIRE_THROWS_AS(run({{"params", "2e12"}, {"tokens", "1e6"}, {"hardware", "t4"}, {"phase", "inference"}}),
                    InputError);
  REQUIRE_THROWS_WITH(
      run({{"params", "2e12"}, {"tokens", "1e6"}, {"hardware", "t4"}, {"phase", "inference"}}),
      Catch::Contains("GB") && Catch::Contains("t4"));
  // An explicit replica that cannot hold the model is rejected too.
  REQUIRE_THROWS_WITH(run({{"model", "llama-3.1-8b"},
                           {"inference_tokens", "1e6"},
                           {"hardware", "t4"},
                           {"phase", "inference"},
                           {"inference_chips", "1"}}),
                      Catch::Contains("GB"));
}

TEST_CASE("estimate: inference from the models catalog", "[estimate]") {
  const Estimate e = run({{"phase", "inference"}, {"model", "llama-3.1-8b"}, {"inference_tokens", "1e6"}});
  CHECK_FALSE(e.training.has_value());
  REQUIRE(e.inference.has_value());
  const auto& i = *e.inference;
  CHECK(i.tokens == Approx(1e6));
  CHECK(i.output_tokens_per_request == Approx(400.0));
  // The defaults come from the catalog's serving_model.
  CHECK(i.input_tokens_per_request == Approx(builtin_catalog().serving.default_input_tokens.value));
  CHECK(i.requests == Approx(1e6 / 400.0));
  CHECK(i.batch_size == Approx(64.0));
  CHECK(i.chips == Approx(1.0));  // 8B at bf16 fits one H100
  CHECK(i.bound == "memory");
  CHECK(i.memory_required_gb > 16.0);
  CHECK(i.memory_required_gb < 80.0);
  CHECK(i.energy_per_request_wh == Approx(i.energy_per_token_j * 400.0 / 3600.0));
  CHECK(i.kwh_per_million_tokens == Approx(i.energy_per_token_j / 3.6));
  CHECK(i.tokens_per_second > 0);
  const auto* params = find_assumption(e, "params");
  REQUIRE(params != nullptr);
  CHECK(llm_energy::render::origin_text(*params) == "catalog:llama-3.1-8b");
  CHECK(params->value.value == Approx(8.03e9).epsilon(0.01));
  // Sanity: published measurements for this setup are O(0.1-1) J per output token.
  CHECK(i.energy_per_token_j > 0.01);
  CHECK(i.energy_per_token_j < 10.0);
}

TEST_CASE("estimate: energy per token falls as the batch grows", "[estimate]") {
  const Estimate small = run(
      {{"phase", "inference"}, {"model", "llama-3.1-8b"}, {"inference_tokens", "1e6"}, {"batch_size", "8"}});
  const Estimate large = run({{"phase", "inference"},
                              {"model", "llama-3.1-8b"},
                              {"inference_tokens", "1e6"},
                              {"batch_size", "512"}});
  REQUIRE(small.inference.has_value());
  REQUIRE(large.inference.has_value());
  CHECK(large.inference->energy_per_token_j < small.inference->energy_per_token_j);
  CHECK(large.inference->energy_kwh < small.inference->energy_kwh);
  CHECK(large.inference->chips >= small.inference->chips);
  check_contains(large.inference->interval.energy_per_token_j, large.inference->energy_per_token_j,
                 "batch 512 J/token");
}

TEST_CASE("estimate: an MoE model reads fewer weights than a dense one", "[estimate]") {
  const Estimate dense =
      run({{"phase", "inference"}, {"params", "46.7e9"}, {"inference_tokens", "1e6"}, {"batch_size", "1"}});
  const Estimate moe = run({{"phase", "inference"},
                            {"params", "46.7e9"},
                            {"active_params", "12.9e9"},
                            {"experts", "8"},
                            {"active_experts", "2"},
                            {"inference_tokens", "1e6"},
                            {"batch_size", "1"}});
  REQUIRE(dense.inference.has_value());
  REQUIRE(moe.inference.has_value());
  CHECK(moe.inference->energy_per_token_j < dense.inference->energy_per_token_j);
}
