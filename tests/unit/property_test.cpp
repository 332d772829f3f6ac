// Properties that must hold for every input, checked over generated grids of scenarios.
#include <catch2/catch.hpp>
#include <cmath>
#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

#include "llm_energy/catalog.hpp"
#include "llm_energy/error.hpp"
#include "llm_energy/estimate.hpp"
#include "llm_energy/figures.hpp"
#include "llm_energy/scenario.hpp"

using namespace llm_energy;

namespace {

Estimate run(const std::vector<std::pair<std::string, std::string>>& kv) {
  Scenario s;
  for (const auto& [k, v] : kv) {
    set_field(s, k, v, Origin::flag);
  }
  return estimate(s, builtin_catalog());
}

bool finite_and_inside(double lo, double v, double hi) {
  return std::isfinite(lo) && std::isfinite(v) && std::isfinite(hi) && lo <= v * (1 + 1e-12) &&
         v <= hi * (1 + 1e-12);
}

const std::vector<std::string> k_hardware = {"v100-sxm2-32gb", "a100-sxm4-80gb", "h100-sxm", "h200",   "b200",
                                             "mi300x",         "tpu-v4",         "tpu-v5p",  "gaudi3", "l4"};
const std::vector<std::string> k_params = {"1e8", "1e9", "7e9", "70e9"};

}  // namespace

TEST_CASE("training energy is linear in tokens and grows with parameters", "[property]") {
  // Linear at a fixed layout: the default chip count and global batch follow the run's size
  // (the utilisation model), so they are given here.
  for (const auto& hw : k_hardware) {
    for (const auto& p : k_params) {
      const auto a = run({{"params", p},
                          {"tokens", "1e10"},
                          {"hardware", hw},
                          {"phase", "training"},
                          {"chips", "64"},
                          {"global_batch_tokens", "4e6"}});
      const auto b = run({{"params", p},
                          {"tokens", "3e10"},
                          {"hardware", hw},
                          {"phase", "training"},
                          {"chips", "64"},
                          {"global_batch_tokens", "4e6"}});
      INFO(hw << " " << p);
      CHECK(b.training->energy_kwh == Approx(3 * a.training->energy_kwh).epsilon(1e-9));
      CHECK(b.training->chip_hours == Approx(3 * a.training->chip_hours).epsilon(1e-9));
    }
    double last = 0;
    for (const auto& p : k_params) {
      const auto e = run({{"params", p}, {"tokens", "1e10"}, {"hardware", hw}, {"phase", "training"}});
      CHECK(e.training->energy_kwh > last);
      last = e.training->energy_kwh;
    }
  }
}

TEST_CASE("inference energy grows with tokens and parameters", "[property]") {
  double last = 0;
  for (const auto& p : k_params) {
    const auto e = run({{"params", p}, {"phase", "inference"}, {"inference_tokens", "1e6"}});
    CHECK(e.inference->energy_kwh > last);
    last = e.inference->energy_kwh;
    const auto twice = run({{"params", p}, {"phase", "inference"}, {"inference_tokens", "2e6"}});
    CHECK(twice.inference->energy_kwh == Approx(2 * e.inference->energy_kwh).epsilon(1e-9));
  }
}

TEST_CASE("results do not depend on how a number is spelled", "[property]") {
  const std::vector<std::vector<std::string>> spellings = {
      {"70B", "7e10", "70000000000", "70b", "70G", "70000M"}, {"2T", "2e12", "2000B", "2000000000000"}};
  const auto ref = run({{"params", "7e10"}, {"tokens", "2e12"}});
  for (const auto& p : spellings[0]) {
    for (const auto& t : spellings[1]) {
      const auto e = run({{"params", p}, {"tokens", t}});
      CHECK(e.training->energy_kwh == ref.training->energy_kwh);
      CHECK(e.inference->energy_per_token_j == ref.inference->energy_per_token_j);
    }
  }
}

TEST_CASE("every interval contains its central value, over a grid", "[property]") {
  for (const auto& hw : k_hardware) {
    for (const auto& p : k_params) {
      for (const char* batch : {"1", "16", "256"}) {
        for (const char* region : {"world", "FR", "us-east-1", "PL"}) {
          Estimate e;
          try {
            e = run({{"params", p},
                     {"tokens", "1e11"},
                     {"hardware", hw},
                     {"batch_size", batch},
                     {"region", region}});
          } catch (const InputError&) {
            continue;  // e.g. a model that fits no replica of a small chip
          }
          INFO(hw << " " << p << " " << batch << " " << region);
          const auto& t = *e.training;
          CHECK(finite_and_inside(t.interval.chip_hours.low, t.chip_hours, t.interval.chip_hours.high));
          CHECK(finite_and_inside(t.interval.energy_kwh.low, t.energy_kwh, t.interval.energy_kwh.high));
          CHECK(finite_and_inside(t.interval.co2e_kg.low, t.co2e_kg, t.interval.co2e_kg.high));
          const auto& i = *e.inference;
          CHECK(finite_and_inside(i.interval.energy_per_token_j.low, i.energy_per_token_j,
                                  i.interval.energy_per_token_j.high));
          CHECK(finite_and_inside(i.interval.accelerator_energy_per_token_j.low,
                                  i.accelerator_energy_per_token_j,
                                  i.interval.accelerator_energy_per_token_j.high));
          CHECK(finite_and_inside(i.interval.energy_kwh.low, i.energy_kwh, i.interval.energy_kwh.high));
          CHECK(i.accelerator_energy_per_token_j <= i.server_energy_per_token_j);
          CHECK(i.server_energy_per_token_j <= i.energy_per_token_j);
          CHECK(t.accelerator_energy_kwh <= t.server_energy_kwh);
          CHECK(t.server_energy_kwh <= t.energy_kwh);
        }
      }
    }
  }
}

TEST_CASE("reproduce-mode identities hold exactly", "[property]") {
  // With chip-hours, watts, PUE and intensity given, energy = hours x W x PUE and CO2e = energy x CI.
  for (const char* hours : {"1", "1000", "3552000"}) {
    for (const char* watts : {"100", "330", "700"}) {
      for (const char* pue : {"1", "1.1", "1.58"}) {
        const auto e = run({{"params", "1e9"},
                            {"tokens", "1e9"},
                            {"phase", "training"},
                            {"chip_hours", hours},
                            {"power_watts", watts},
                            {"pue", pue},
                            {"carbon_intensity", "429"}});
        const double kwh = std::stod(hours) * std::stod(watts) * std::stod(pue) / 1000.0;
        CHECK(e.training->energy_kwh == Approx(kwh).epsilon(1e-12));
        CHECK(e.training->co2e_kg == Approx(kwh * 0.429).epsilon(1e-12));
        CHECK(e.training->interval.energy_kwh.low == e.training->energy_kwh);
        CHECK(e.training->interval.energy_kwh.high == e.training->energy_kwh);
      }
    }
  }
}

TEST_CASE("an explicit range never narrows and an exact input narrows the interval", "[property]") {
  const auto catalog_mfu = run({{"params", "7e9"}, {"tokens", "1e11"}, {"phase", "training"}});
  const auto exact = run({{"params", "7e9"}, {"tokens", "1e11"}, {"phase", "training"}, {"mfu", "0.4"}});
  const auto narrow =
      run({{"params", "7e9"}, {"tokens", "1e11"}, {"phase", "training"}, {"mfu", "0.35:0.45"}});
  const auto wide = run({{"params", "7e9"}, {"tokens", "1e11"}, {"phase", "training"}, {"mfu", "0.2:0.6"}});
  auto span = [](const Estimate& e) {
    return e.training->interval.energy_kwh.high / e.training->interval.energy_kwh.low;
  };
  CHECK(span(exact) < span(catalog_mfu));
  CHECK(span(exact) <= span(narrow));
  CHECK(span(narrow) <= span(wide));
}

namespace {

// Every figure of an estimate, from the figure registry (for exact comparisons), and the totals.
std::vector<double> figures(const Estimate& e) {
  std::vector<double> v;
  for (const Figure& f : llm_energy::figures()) {
    if (!f.present(e)) {
      continue;
    }
    if (f.type == FigureType::number) {
      v.push_back(f.number(e));
    } else if (f.type == FigureType::interval) {
      const Interval i = f.interval(e);
      v.push_back(i.low);
      v.push_back(i.high);
    }
  }
  for (const Spread* t : {&e.total.energy_kwh, &e.total.co2e_kg, &e.total.chip_hours}) {
    v.push_back(t->value);
    v.push_back(t->interval().low);
    v.push_back(t->interval().high);
  }
  return v;
}

}  // namespace

TEST_CASE("an EstimateCache changes no figure, on a miss or a hit", "[property]") {
  // Rows that repeat a configuration with other token counts (hits), interleaved with others
  // (misses and collisions), including given chip-hours, power and MoE shapes.
  const std::vector<std::vector<std::pair<std::string, std::string>>> rows = {
      {{"params", "7e9"}, {"tokens", "1e11"}},
      {{"params", "7e9"}, {"tokens", "3e12"}},
      {{"params", "70e9"}, {"tokens", "1e12"}, {"hardware", "a100-sxm4-80gb"}, {"region", "FR"}},
      {{"params", "7e9"}, {"tokens", "2e9"}, {"inference_tokens", "5e8"}},
      {{"params", "70e9"}, {"tokens", "2e12"}, {"hardware", "a100-sxm4-80gb"}, {"region", "FR"}},
      {{"model", "mixtral-8x7b"}, {"tokens", "1e9"}, {"batch_size", "32"}},
      {{"model", "mixtral-8x7b"}, {"tokens", "7e9"}, {"batch_size", "32"}},
      {{"params", "1e9"}, {"tokens", "1e9"}, {"chip_hours", "1000"}, {"power_watts", "500"}},
      {{"params", "1e9"}, {"tokens", "5e9"}, {"chip_hours", "1000"}, {"power_watts", "500"}},
      {{"params", "13e9"}, {"tokens", "1e10"}, {"mfu", "0.3:0.5"}, {"carbon_intensity", "0:100"}},
      {{"params", "13e9"}, {"tokens", "4e10"}, {"mfu", "0.3:0.5"}, {"carbon_intensity", "0:100"}},
      {{"params", "7e9"}, {"tokens", "1e11"}},
  };
  EstimateCache cache;
  for (int pass = 0; pass < 2; ++pass) {
    for (const auto& row : rows) {
      Scenario s;
      std::string label;
      for (const auto& [k, v] : row) {
        set_field(s, k, v, Origin::flag);
        label += k + "=" + v + " ";
      }
      INFO(label << "pass " << pass);
      const Estimate plain = estimate(s, builtin_catalog());
      const Estimate cached = estimate(s, builtin_catalog(), &cache);
      CHECK(figures(cached) == figures(plain));
      CHECK(cached.training->main_uncertainty == plain.training->main_uncertainty);
      CHECK(cached.inference->main_uncertainty == plain.inference->main_uncertainty);
      CHECK(cached.inference->bound == plain.inference->bound);
    }
  }
}
