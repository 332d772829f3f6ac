#include "llm_energy/validation.hpp"

#include <algorithm>
#include <cmath>
#include <map>

#include "llm_energy/csv.hpp"
#include "llm_energy/error.hpp"
#include "llm_energy/estimate.hpp"
#include "llm_energy/scenario.hpp"
#include "table.hpp"

namespace llm_energy::embedded {
std::string_view training_runs();
std::string_view inference_points();
}  // namespace llm_energy::embedded

namespace llm_energy {
namespace {

using detail::inference_point_scenario;
using detail::point_batch;
using detail::Table;

double median(std::vector<double> v) {
  if (v.empty()) {
    return 0;
  }
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

double rel(double predicted, double actual) {
  return predicted / actual - 1.0;
}

}  // namespace

std::string_view bundled_training_runs() {
  return embedded::training_runs();
}
std::string_view bundled_inference_points() {
  return embedded::inference_points();
}

TrainingValidation validate_training(std::string_view csv, std::string_view name, const Catalog& catalog) {
  Table t(csv, name, {"id", "params", "tokens", "hardware", "chip_hours"});
  TrainingValidation v;
  std::vector<double> abs_errors;
  std::vector<double> energy_errors;
  std::size_t inside = 0;
  while (t.next()) {
    TrainingRunCheck c;
    c.id = t.get("id");
    c.hardware = t.get("hardware");
    c.convention = t.get("power_convention");
    c.source = t.get("source");
    c.published_chip_hours = t.required_positive("chip_hours");
    c.published_energy_mwh = t.positive("energy_mwh");
    c.published_co2e_t = t.positive("co2e_t");

    Scenario base;
    set_field(base, "phase", "training", Origin::config);
    t.copy(base, "params", "params");
    t.copy(base, "active_params", "active_params");
    t.copy(base, "tokens", "tokens");
    t.copy(base, "hardware", "hardware");
    t.copy(base, "chips", "chips");
    t.copy(base, "precision", "precision");
    // Published facts of the run, where the dataset has them (else the tool's defaults).
    for (const char* key : {"seq_len", "global_batch_tokens", "layers", "hidden_size", "experts",
                            "active_experts", "teacher_params"}) {
      t.copy(base, key, key);
    }

    // Reproduce: the source's conventions.
    if (!t.get("power_w_per_chip").empty()) {
      Scenario r = base;
      t.copy(r, "chip_hours", "chip_hours");
      t.copy(r, "power_w_per_chip", "power_watts");
      if (t.get("pue").empty()) {
        set_field(r, "pue", "1", Origin::config);
      } else {
        t.copy(r, "pue", "pue");
      }
      const bool has_ci = !t.get("carbon_intensity_g_per_kwh").empty();
      if (has_ci) {
        t.copy(r, "carbon_intensity_g_per_kwh", "carbon_intensity");
      }
      Estimate e;
      try {
        e = estimate(r, catalog);
      } catch (const InputError& err) {
        throw InputError(t.where() + err.what());
      }
      c.reproduced_energy_mwh = e.training->energy_kwh / 1e3;
      c.reproduced_co2e_t = e.training->co2e_kg / 1e3;
      double worst = 0;
      if (c.published_energy_mwh) {
        worst = std::max(worst, std::fabs(rel(c.reproduced_energy_mwh, *c.published_energy_mwh)));
      }
      if (c.published_co2e_t && has_ci) {
        worst = std::max(worst, std::fabs(rel(c.reproduced_co2e_t, *c.published_co2e_t)));
      }
      c.reproduce_error = worst;
      c.reproduce_ok = worst <= k_reproduce_tolerance;
      v.reproduce_max_error = std::max(v.reproduce_max_error, worst);
      v.reproduce_all_ok = v.reproduce_all_ok && c.reproduce_ok;
    }

    // Predict: defaults only.
    Estimate p;
    try {
      p = estimate(base, catalog);
    } catch (const InputError& err) {
      throw InputError(t.where() + err.what());
    }
    c.predicted_chip_hours = p.training->chip_hours;
    c.chip_hours_low = p.training->interval.chip_hours.low;
    c.chip_hours_high = p.training->interval.chip_hours.high;
    c.chip_hours_error = rel(c.predicted_chip_hours, c.published_chip_hours);
    c.inside_range =
        c.chip_hours_low <= c.published_chip_hours && c.published_chip_hours <= c.chip_hours_high;
    c.predicted_energy_mwh = p.training->energy_kwh / 1e3;
    if (c.published_energy_mwh) {
      c.energy_error = rel(c.predicted_energy_mwh, *c.published_energy_mwh);
      energy_errors.push_back(std::fabs(*c.energy_error));
    }
    abs_errors.push_back(std::fabs(c.chip_hours_error));
    inside += c.inside_range ? 1 : 0;
    v.widest_ratio = std::max(v.widest_ratio, c.chip_hours_high / c.chip_hours_low);
    if (std::fabs(c.chip_hours_error) >= std::fabs(v.worst_error)) {
      v.worst_error = c.chip_hours_error;
      v.worst_run = c.id;
    }
    v.runs.push_back(std::move(c));
  }
  if (v.runs.empty()) {
    throw InputError(std::string(name) + ": no runs");
  }
  v.median_abs_chip_hours_error = median(abs_errors);
  v.median_abs_energy_error = median(energy_errors);
  v.coverage = static_cast<double>(inside) / static_cast<double>(v.runs.size());
  return v;
}

double ecologits_gpu_j_per_token(double params, double active_params) {
  constexpr double k_alpha = 1.1665273170451914e-06;
  constexpr double k_beta = -0.011205921025579175;
  constexpr double k_gamma = 4.052928146734005e-05;
  constexpr double k_batch = 64;
  const double memory_gb = 1.2 * (params / 1e9) * 16.0 / 8.0;
  const double gpus = std::pow(2.0, std::ceil(std::log2(std::max(1.0, std::ceil(memory_gb / 80.0)))));
  const double wh_per_gpu = k_alpha * std::exp(k_beta * k_batch) * (active_params / 1e9) + k_gamma;
  return gpus * wh_per_gpu * 3600.0;
}

InferenceValidation validate_inference(std::string_view csv, std::string_view name, const Catalog& catalog) {
  Table t(csv, name, {"id", "params", "hardware", "gpus", "j_per_output_token"});
  InferenceValidation v;
  std::vector<double> errors;
  std::vector<double> eco_errors;
  std::size_t inside = 0;
  while (t.next()) {
    InferencePointCheck c;
    c.id = t.get("id");
    c.model = t.get("model");
    c.hardware = t.get("hardware");
    c.precision = t.get("precision");
    c.source = t.get("source");
    c.gpus = t.required("gpus");
    c.measured_j = t.required_positive("j_per_output_token");
    c.batch = point_batch(t);

    const Scenario s = inference_point_scenario(t);
    Estimate e;
    try {
      e = estimate(s, catalog);
    } catch (const InputError& err) {
      throw InputError(t.where() + err.what());
    }
    const auto& inf = *e.inference;
    c.predicted_j = inf.accelerator_energy_per_token_j;
    c.low_j = inf.interval.accelerator_energy_per_token_j.low;
    c.high_j = inf.interval.accelerator_energy_per_token_j.high;
    c.bound = inf.bound;
    c.error = rel(c.predicted_j, c.measured_j);
    c.inside_range = c.low_j <= c.measured_j && c.measured_j <= c.high_j;
    const double params = t.required("params");
    const double active = t.number("active_params").value_or(params);
    c.ecologits_j = ecologits_gpu_j_per_token(params, active);
    c.ecologits_error = rel(c.ecologits_j, c.measured_j);
    errors.push_back(std::fabs(c.error));
    eco_errors.push_back(std::fabs(c.ecologits_error));
    inside += c.inside_range ? 1 : 0;
    if (std::fabs(c.error) >= std::fabs(v.worst_error)) {
      v.worst_error = c.error;
      v.worst_point = c.id;
    }
    v.points.push_back(std::move(c));
  }
  if (v.points.empty()) {
    throw InputError(std::string(name) + ": no points");
  }
  v.median_abs_error = median(errors);
  v.ecologits_median_abs_error = median(eco_errors);
  v.coverage = static_cast<double>(inside) / static_cast<double>(v.points.size());
  return v;
}

ValidationVerdict judge(const TrainingValidation& v, double median_bound) {
  if (!v.reproduce_all_ok) {
    return {ValidationFailure::reproduce, v.reproduce_max_error, k_reproduce_tolerance};
  }
  if (v.median_abs_chip_hours_error > median_bound) {
    return {ValidationFailure::median_error, v.median_abs_chip_hours_error, median_bound};
  }
  return {};
}

ValidationVerdict judge(const InferenceValidation& v, double median_bound) {
  if (v.median_abs_error > median_bound) {
    return {ValidationFailure::median_error, v.median_abs_error, median_bound};
  }
  return {};
}

}  // namespace llm_energy
