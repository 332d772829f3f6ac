// Cross-validation and the fit of the calibrated constants (llm_energy/crossval.hpp).
#include <catch2/catch.hpp>
#include <cmath>
#include <sstream>
#include <string>

#include "llm_energy/catalog.hpp"
#include "llm_energy/crossval.hpp"
#include "llm_energy/error.hpp"
#include "llm_energy/estimate.hpp"
#include "llm_energy/scenario.hpp"
#include "llm_energy/validation.hpp"

using namespace llm_energy;
using Catch::Matchers::Contains;

namespace {

double ceiling_of(const Catalog& cat, const std::string& generation) {
  for (const auto& h : cat.hardware) {
    if (h.generation == generation) {
      return h.training_mfu.value;
    }
  }
  return 0;
}

double relative(double a, double b) {
  return std::fabs(a / b - 1.0);
}

// Training runs whose chip-hours the utilisation model gives exactly under `truth`.
std::string synthetic_runs(const Catalog& truth, bool with_groups) {
  struct Run {
    const char* id;
    const char* org;
    double params;
    double active;
    double tokens;
    const char* hardware;
    int chips;  // 0: the default rule
  };
  const Run runs[] = {{"a-1", "org-a", 7e9, 7e9, 1e12, "h100-sxm", 256},
                      {"a-2", "org-a", 70e9, 70e9, 2e12, "h100-sxm", 0},
                      {"b-1", "org-b", 1.3e9, 1.3e9, 3e11, "a100-sxm4-80gb", 64},
                      {"b-2", "org-b", 13e9, 13e9, 1e12, "a100-sxm4-80gb", 512},
                      {"c-1", "org-c", 40e9, 6e9, 4e12, "h100-sxm", 512},
                      {"c-2", "org-c", 3e9, 3e9, 2e12, "a100-sxm4-80gb", 0},
                      {"d-1", "org-d", 100e9, 15e9, 3e12, "h100-sxm", 2048},
                      {"d-2", "org-d", 30e9, 30e9, 1e12, "a100-sxm4-80gb", 1024}};
  std::ostringstream csv;
  csv.precision(17);
  csv << "id,params,active_params,tokens,hardware,chips,chip_hours" << (with_groups ? ",organisation" : "")
      << "\n";
  for (const auto& r : runs) {
    Scenario s;
    set_field(s, "phase", "training", Origin::config);
    s.params = Given<double>{r.params, Origin::config};
    s.active_params = Given<double>{r.active, Origin::config};
    s.tokens = Given<double>{r.tokens, Origin::config};
    s.hardware = Given<std::string>{r.hardware, Origin::config};
    if (r.chips > 0) {
      s.chips = Given<double>{static_cast<double>(r.chips), Origin::config};
    }
    const double hours = estimate(s, truth).training->chip_hours;
    csv << r.id << "," << r.params << "," << r.active << "," << r.tokens << "," << r.hardware << ","
        << (r.chips > 0 ? std::to_string(r.chips) : "") << "," << hours;
    if (with_groups) {
      csv << "," << r.org;
    }
    csv << "\n";
  }
  return csv.str();
}

}  // namespace

TEST_CASE("the shipped training constants are the fit on the bundled runs", "[crossval]") {
  const Catalog& cat = builtin_catalog();
  const TrainingConstants c = fit_training_constants(bundled_training_runs(), "bundled", cat);
  REQUIRE_FALSE(c.ceilings.empty());
  for (const auto& [generation, value] : c.ceilings) {
    INFO(generation);
    CHECK(relative(ceiling_of(cat, generation), value) < 0.03);
  }
  CHECK(relative(cat.training.width_coefficient.value, c.width) < 0.03);
  CHECK(relative(cat.training.moe_routing_coefficient.value, c.moe_routing) < 0.03);
}

TEST_CASE("the shipped serving constants are the fit on the bundled points", "[crossval]") {
  const Catalog& cat = builtin_catalog();
  const InferenceConstants c = fit_serving_constants(bundled_inference_points(), "bundled", cat);
  const ServingModel& sm = cat.serving;
  const std::pair<const char*, const Datum*> shipped[] = {{"layer_time_us", &sm.layer_time_us},
                                                          {"moe_layer_time_us", &sm.moe_layer_time_us},
                                                          {"sequence_time_us", &sm.sequence_time_us},
                                                          {"kv_efficiency", &sm.kv_efficiency},
                                                          {"compute_efficiency", &sm.compute_efficiency},
                                                          {"active_floor", &sm.active_floor},
                                                          {"power_memory_weight", &sm.power_memory_weight},
                                                          {"power_compute_weight", &sm.power_compute_weight},
                                                          {"legacy_busy_share", &sm.legacy_busy_share}};
  REQUIRE(c.values.size() == std::size(shipped));
  for (std::size_t i = 0; i < c.values.size(); ++i) {
    INFO(c.values[i].first);
    CHECK(c.values[i].first == shipped[i].first);
    CHECK(relative(shipped[i].second->value, c.values[i].second) < 0.03);
  }
}

TEST_CASE("cross-validation recovers constants that generated the runs", "[crossval]") {
  const Catalog& cat = builtin_catalog();
  TrainingConstants truth_constants;
  truth_constants.ceilings = {{"hopper", 0.30}, {"ampere", 0.42}};
  truth_constants.width = 2.5;
  truth_constants.moe_routing = 3.0;
  const Catalog truth = with_training_constants(cat, truth_constants);
  const std::string csv = synthetic_runs(truth, true);

  const TrainingConstants fitted = fit_training_constants(csv, "synthetic.csv", cat);
  for (const auto& [generation, value] : fitted.ceilings) {
    INFO(generation);
    CHECK(value == Approx(ceiling_of(truth, generation)).epsilon(0.02));
  }

  const TrainingCrossValidation cv = cross_validate_training(csv, "synthetic.csv", cat);
  CHECK(cv.kind == "training");
  CHECK(cv.figure == "chip_hours");
  CHECK(cv.group_column == "organisation");
  CHECK(cv.groups == 4);
  REQUIRE(cv.cases.size() == 8);
  // The model is exact for these runs: the fits reproduce them in and out of sample.
  CHECK(cv.in_sample.median_abs_error < 0.01);
  CHECK(cv.out_of_sample.median_abs_error < 0.03);
  for (const auto& c : cv.cases) {
    INFO(c.id);
    CHECK(c.low <= c.out_of_sample);
    CHECK(c.out_of_sample <= c.high);
  }
  REQUIRE(cv.constants.size() == cv.fitted.ceilings.size() + 3);
  CHECK(cv.constants.back().first == "training_model.model_error");
}

TEST_CASE("cross-validation: one group per run without a group column; judged by its bounds", "[crossval]") {
  const Catalog& cat = builtin_catalog();
  TrainingConstants off;  // the catalog's ceilings, other coefficients: a biased model
  off.ceilings = {{"hopper", 0.5}};
  off.width = 1.0;
  off.moe_routing = 8.0;
  const std::string csv = synthetic_runs(with_training_constants(cat, off), false);
  const TrainingCrossValidation cv = cross_validate_training(csv, "runs.csv", cat);
  CHECK(cv.group_column == "id");
  CHECK(cv.groups == 8);
  CHECK(judge(cv, 1.0, 0.0).ok());
  const ValidationVerdict tight = judge(cv, 1e-9, 0.0);
  if (cv.out_of_sample.median_abs_error > 1e-9) {
    CHECK(tight.failure == ValidationFailure::median_error);
  }
  const ValidationVerdict cover = judge(cv, 1.0, 1.01);
  CHECK(cover.failure == ValidationFailure::coverage);
  CHECK(cover.bound == 1.01);
}

TEST_CASE("cross-validation names the line of a bad run", "[crossval]") {
  const Catalog& cat = builtin_catalog();
  CHECK_THROWS_WITH(cross_validate_training("id,params,tokens,hardware,chip_hours\nx,7e9,1e12,h100-sxm,0\n",
                                            "bad.csv", cat),
                    Contains("bad.csv:2: chip_hours: must be greater than zero"));
  CHECK_THROWS_WITH(
      cross_validate_training("id,params,tokens,hardware\nx,7e9,1e12,h100-sxm\n", "bad.csv", cat),
      Contains("missing column 'chip_hours'"));
  CHECK_THROWS_WITH(
      cross_validate_inference(
          "id,params,hardware,gpus,j_per_output_token,max_batch\nx,8e9,h100-sxm,1,-1,8\n", "bad.csv", cat),
      Contains("bad.csv:2: j_per_output_token: must be greater than zero"));
}
