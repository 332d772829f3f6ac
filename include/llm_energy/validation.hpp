#pragma once
// Validation against published training runs and measured inference energy.
// Datasets are CSV text (the bundled tests/data files, or the user's own with the same columns).
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "llm_energy/catalog.hpp"

namespace llm_energy {

struct TrainingRunCheck {
  std::string id;
  std::string hardware;
  std::string convention;  // the source's power/PUE convention
  std::string source;
  // Reproduce mode: the source's own chip-hours, watts per chip, PUE and grid intensity.
  std::optional<double> published_energy_mwh;
  std::optional<double> published_co2e_t;
  double reproduced_energy_mwh = 0;
  double reproduced_co2e_t = 0;
  double reproduce_error = 0;  // worst relative error over the published figures
  bool reproduce_ok = false;
  // Predict mode: params, tokens, hardware (and chips) with the tool's defaults only.
  double published_chip_hours = 0;
  double predicted_chip_hours = 0;
  double chip_hours_low = 0;
  double chip_hours_high = 0;
  double chip_hours_error = 0;  // predicted / published - 1
  bool inside_range = false;
  double predicted_energy_mwh = 0;
  std::optional<double> energy_error;  // predicted facility energy / published energy - 1
};

struct TrainingValidation {
  std::vector<TrainingRunCheck> runs;
  double reproduce_max_error = 0;
  bool reproduce_all_ok = true;
  double median_abs_chip_hours_error = 0;
  double median_abs_energy_error = 0;
  std::string worst_run;
  double worst_error = 0;
  double coverage = 0;      // share of runs whose published chip-hours lie in [low, high]
  double widest_ratio = 0;  // max high/low over runs
};

struct InferencePointCheck {
  std::string id;
  std::string model;
  std::string hardware;
  double gpus = 0;
  double batch = 0;
  std::string precision;
  std::string source;
  double measured_j = 0;  // accelerator J per output token
  double predicted_j = 0;
  double low_j = 0;
  double high_j = 0;
  double error = 0;  // predicted / measured - 1
  bool inside_range = false;
  double ecologits_j = 0;  // EcoLogits v0.9.1 formula, GPU boundary
  double ecologits_error = 0;
  std::string bound;
};

struct InferenceValidation {
  std::vector<InferencePointCheck> points;
  double median_abs_error = 0;
  double coverage = 0;
  double ecologits_median_abs_error = 0;
  std::string worst_point;
  double worst_error = 0;
};

// Return the checks for every row of a training-runs CSV (columns as data/validation/training-runs.csv:
// id, params, active_params, tokens, hardware, chips, chip_hours, power_w_per_chip, pue,
// carbon_intensity_g_per_kwh, energy_mwh, co2e_t, power_convention, grade, source).
// Throws InputError naming the line of a bad row.
[[nodiscard]] TrainingValidation validate_training(std::string_view csv, std::string_view name,
                                                   const Catalog& catalog);

// Return the checks for every row of an inference-points CSV (as data/validation/inference-points.csv).
[[nodiscard]] InferenceValidation validate_inference(std::string_view csv, std::string_view name,
                                                     const Catalog& catalog);

// Return EcoLogits' (v0.9.1) GPU energy per output token in J: its own GPU count from memory
// (1.2 x P_total x 2 bytes over 80 GB, rounded up to a power of two) x f_E(P_active, B = 64).
[[nodiscard]] double ecologits_gpu_j_per_token(double params, double active_params);

// The pass/fail rule of `llm-energy validate`: reproduce mode must match every published
// figure within 2%, and predict mode's median |error| must not exceed the bound (by default
// the README's: 20% on training chip-hours, 20% on inference J per output token).
inline constexpr double k_reproduce_tolerance = 0.02;
inline constexpr double k_default_training_bound = 0.20;
inline constexpr double k_default_inference_bound = 0.20;

enum class ValidationFailure { none, reproduce, median_error, coverage };

struct ValidationVerdict {
  ValidationFailure failure = ValidationFailure::none;
  double value = 0;  // the failing figure (worst reproduce error, the median |error|, the coverage)
  double bound = 0;  // what it had to stay within
  [[nodiscard]] bool ok() const { return failure == ValidationFailure::none; }
};

[[nodiscard]] ValidationVerdict judge(const TrainingValidation& v, double median_bound);
[[nodiscard]] ValidationVerdict judge(const InferenceValidation& v, double median_bound);

// Return the bundled datasets (compiled in).
[[nodiscard]] std::string_view bundled_training_runs();
[[nodiscard]] std::string_view bundled_inference_points();

}  // namespace llm_energy
