#pragma once
// Cross-validation (llm-energy validate --cross-validate): refit what the tool calibrates while
// leaving one group of the dataset out at a time (the organisation of a training run, the model
// family of an inference point), predict the group left out, and report out-of-sample error and
// the coverage of the 80% interval beside the in-sample figures. Pure: datasets come as text.
#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "llm_energy/catalog.hpp"
#include "llm_energy/validation.hpp"

namespace llm_energy {

// What the tool calibrates for training (hardware.json generations' training_mfu and
// training_model): the MFU ceiling per accelerator generation with runs, the width and MoE
// routing coefficients, and the model error (the 80th percentile of |ln(published / predicted)|
// chip-hours out of sample, the half-width of the 80% interval in log space).
struct TrainingConstants {
  std::vector<std::pair<std::string, double>> ceilings;  // generation -> MFU ceiling
  double width = 0;
  double moe_routing = 0;
  double model_error = 0;
};

// One figure as predicted from the whole dataset's fit and from its group's fold.
struct CrossValidatedCase {
  std::string id;
  std::string group;
  double published = 0;
  double in_sample = 0;      // predicted with the constants fitted on every case
  double out_of_sample = 0;  // predicted with the constants fitted without the case's group
  double low = 0;            // the out-of-sample 80% interval (the fold's own model error)
  double high = 0;
  [[nodiscard]] double in_sample_error() const { return in_sample / published - 1.0; }
  [[nodiscard]] double out_of_sample_error() const { return out_of_sample / published - 1.0; }
  [[nodiscard]] bool inside() const { return low <= published && published <= high; }
};

struct CrossValidationScore {
  double median_abs_error = 0;
  double coverage = 0;      // share of cases inside their 80% interval
  double widest_ratio = 0;  // max high / low
};

// What every cross-validation reports (the renderers take this).
struct CrossValidation {
  std::string kind;    // "training" or "inference"
  std::string figure;  // "chip_hours" or "j_per_output_token"
  std::vector<CrossValidatedCase> cases;
  std::size_t groups = 0;
  std::string group_column;  // "organisation", "family" or "id" (each case its own group)
  std::vector<std::pair<std::string, double>> constants;  // the fit on every case, by catalog key
  CrossValidationScore in_sample;                         // the fit on every case, its model error
  CrossValidationScore out_of_sample;                     // each group predicted by its fold
};

struct TrainingCrossValidation : CrossValidation {
  TrainingConstants fitted;  // on every run (what the catalog ships, up to rounding)
};

// Return the cross-validation of the training utilisation model on a training-runs CSV (as for
// validate_training; groups from its `organisation` column, else `family`, else one per run).
// Throws InputError naming the line of a bad row.
[[nodiscard]] TrainingCrossValidation cross_validate_training(std::string_view csv, std::string_view name,
                                                              const Catalog& catalog);

// The gate of `llm-energy validate --cross-validate` (the README's bounds): the out-of-sample
// median |error| and the share of cases inside their out-of-sample 80% interval.
inline constexpr double k_default_cv_training_bound = 0.25;
inline constexpr double k_default_cv_inference_bound = 0.20;
inline constexpr double k_default_cv_coverage = 0.70;

[[nodiscard]] ValidationVerdict judge(const CrossValidation& v, double median_bound, double min_coverage);

// What the tool calibrates for inference (hardware.json serving_model): see
// cross_validate_inference.
struct InferenceConstants {
  std::vector<std::pair<std::string, double>> values;  // serving_model key -> value
  double model_error = 0;  // 80th percentile of |ln(measured / predicted)| J per token out of sample
};

struct InferenceCrossValidation : CrossValidation {
  InferenceConstants fitted;
};

// Return the cross-validation of the serving model on an inference-points CSV (as for
// validate_inference; groups from its `family` column, else `model`, else one per point).
[[nodiscard]] InferenceCrossValidation cross_validate_inference(std::string_view csv, std::string_view name,
                                                                const Catalog& catalog);

// Return the constants fitted on every case of a dataset (what cross-validation reports as
// "fitted", without the folds; model_error is left 0): the catalog ships these values.
[[nodiscard]] TrainingConstants fit_training_constants(std::string_view csv, std::string_view name,
                                                       const Catalog& catalog);
[[nodiscard]] InferenceConstants fit_serving_constants(std::string_view csv, std::string_view name,
                                                       const Catalog& catalog);

// Return `catalog` with the training constants `c` (every hardware entry of a fitted generation
// takes its ceiling; its low and high move with it).
[[nodiscard]] Catalog with_training_constants(Catalog catalog, const TrainingConstants& c);

}  // namespace llm_energy
