#pragma once
// What-if analysis: variants of a baseline scenario (quantisation, pruning, distillation, chip
// count, hardware, region, power cap), evaluated by the unchanged estimate() on the scenarios
// they describe, and the comparison of those variants with the baseline: deltas and the best
// row for each figure. Pure: no I/O, and values, not prose (Note kinds are worded by the
// renderers). compare-only concepts (a pruned or distilled serving model) become scenarios;
// the power cap, 2:4 sparsity and market-based CO2e are ordinary scenario fields.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "llm_energy/catalog.hpp"
#include "llm_energy/estimate.hpp"
#include "llm_energy/scenario.hpp"

namespace llm_energy::whatif {

// A remark on a variant: what it changes, what it leaves out. `label` is the variant's label;
// `id`, `text` and `x`, `y` are the values the kind's words need.
enum class NoteKind {
  fp8_training_optimistic,   // training at the fp8 peak with the bf16-calibrated utilisation
  no_fp8_training,           // `id` (hardware) has no fp8 peak: training kept at `text`
  inference_format,          // training kept at `text` (`id` is an inference format)
  weight_only,               // `id` has no `text` peak: weight-only (`text` weights, `text2` compute)
  accuracy_not_modelled,     // quantisation may cost accuracy
  unstructured_no_change,    // unstructured sparsity: no speed-up, no change
  structured,                // structured pruning: params x `x`
  no_sparse_peak,            // `id` has no sparse tensor-core peak: no change
  two_four,                  // 2:4 at `x` x the dense peak
  prune_training_unchanged,  // the dense model is trained, then pruned
  no_break_even,             // the student saves no energy per served token
  distillation,              // how distillation is counted
  chips_factor,              // training utilisation x `x` relative to `y` chips
  chips_scaling,             // the utilisation model follows the chip count
  default_precision_used,    // the hardware has no `text` peak: default precision used
  catalog_power_used,        // --chip-hours and --power-watts describe the baseline's chips
  power_cap_factors,         // time x `x`, accelerator power x `y`
  power_cap,                 // the power-cap model (exponents `x`, `y`)
  power_watts_scaled,        // --power-watts includes the host share; the whole figure is scaled
  market_share,              // market-based CO2e with renewable share `x`
  market_intensity,          // market-based CO2e at `x` gCO2e/kWh
  distillation_summary,      // the distillation's costs (the row's Distillation)
  mixed_grid_bases,          // rows' CO2e on different grid bases (`text`: "id basis; ...")
};

struct Note {
  NoteKind kind = NoteKind::accuracy_not_modelled;
  std::string label{};  // the variant, or empty for a note on the whole comparison
  std::string id{};
  std::string text{};
  std::string text2{};
  double x = 0;
  double y = 0;
  double z = 0;
  bool operator==(const Note&) const = default;
};

// A variant: the scenario of each phase (a variant may change only one), and, for
// distillation, the student's training run with the teacher's forward passes (teacher_params).
struct Variant {
  std::string label;
  Scenario training;
  Scenario inference;
  std::optional<Scenario> student_training;
  std::vector<Note> notes;
};

// Return the baseline as a variant (every phase unchanged).
[[nodiscard]] Variant baseline_variant(const Scenario& base);

// Quantisation to `p`: inference weights and KV cache stored at p, computed at p where the chip
// has a peak for it (else weight-only: p weights, 16-bit compute); training at p only for fp8
// on chips with an fp8 peak, otherwise unchanged (noted).
[[nodiscard]] Variant quantize(const Scenario& base, const Catalog& cat, Precision p);

enum class PrunePattern { unstructured, two_four, structured };
[[nodiscard]] PrunePattern parse_prune_pattern(std::string_view text);
[[nodiscard]] std::string_view to_string(PrunePattern p);

// Pruning a `fraction` of the weights of the served model (training is unchanged: the dense
// model is trained, then pruned; fine-tuning after pruning is not modelled).
[[nodiscard]] Variant prune(const Scenario& base, const Catalog& cat, double fraction, PrunePattern pattern);

// Distillation into a `student_params` model over `distill_tokens` tokens.
[[nodiscard]] Variant distill(const Scenario& base, const Catalog& cat, double student_params,
                              double distill_tokens);

// Return the effective utilisation (MFU x goodput) the utilisation model gives the training
// phase of `s` on `chips` chips (resolve(), --mfu and --chip-hours ignored).
[[nodiscard]] double training_utilisation(const Scenario& s, const Catalog& cat, double chips);

// Training on `chips` accelerators: the utilisation model at that count (resolve()); a given
// --mfu or --chip-hours is carried over by the model's ratio between the two counts.
[[nodiscard]] Variant with_chips(const Scenario& base, const Catalog& cat, double chips);

// The same job on other hardware (unknown ids throw the catalog's did-you-mean error).
[[nodiscard]] Variant with_hardware(const Scenario& base, const Catalog& cat, const std::string& id);

// The same job in another region (location-based intensity and the region's PUE).
[[nodiscard]] Variant with_region(const Scenario& base, const Catalog& cat, const std::string& id);

// The accelerators capped at `cap` x TDP (the scenario's power_cap: Samsi et al. 2023).
[[nodiscard]] Variant power_cap(const Scenario& base, const Catalog& cat, double cap);

// Check a fraction; throws InputError "NAME: must lie in ...".
void check_prune_fraction(double f);
void check_power_cap(double f);

// ---- The comparison ----

// The distillation's own costs (outside the estimate's phases).
struct Distillation {
  double teacher_energy_kwh = 0;  // teacher forward passes over the distillation tokens
  double teacher_co2e_kg = 0;
  double teacher_hours = 0;  // wall-clock
  double student_training_energy_kwh = 0;
  double student_training_co2e_kg = 0;
  double student_training_hours = 0;        // wall-clock
  double saving_per_token_j = 0;            // baseline minus student facility J per output token
  std::optional<double> break_even_tokens;  // none when the student saves nothing per token
};

// A row's totals: every phase plus distillation, the ranges combined by the Spread rule.
struct Totals {
  Spread energy_kwh;                               // facility
  Spread co2e_kg;                                  // operational, location-based
  std::optional<double> market_based_co2e_kg;      // with renewable_share / market_based_intensity
  std::optional<double> wall_clock_hours;          // training (plus distillation)
  std::optional<double> time_per_output_token_ms;  // inference
  double energy_per_token_j = 0;                   // inference J per output token, else training J per token
  // The headline time: training wall-clock hours when training is estimated, else ms per token.
  [[nodiscard]] double time() const;
};

// Changes against the baseline, in percent (none where the baseline's figure is zero).
struct Deltas {
  std::optional<double> energy_pct;
  std::optional<double> co2e_pct;
  std::optional<double> time_pct;
  std::optional<double> energy_per_token_pct;
  std::optional<double> market_based_co2e_pct;
};

struct Row {
  std::string label;
  Estimate estimate;  // the phases of the baseline's phase setting
  Totals totals;
  std::optional<Distillation> distillation;
  Deltas delta;  // against the baseline (zero for the baseline itself)
  std::vector<Note> notes;
};

struct Comparison {
  Row baseline;
  std::vector<Row> variants;
  std::string best_energy, best_time, best_co2e;  // labels (ties: the first listed)
  std::vector<Note> notes;                        // every row's notes, each once, in order
};

// Return the comparison of `base` with `variants` on `cat`. Throws InputError ("variant LABEL:
// ...") when a variant cannot be estimated.
[[nodiscard]] Comparison compare(const Scenario& base, const Catalog& cat,
                                 const std::vector<Variant>& variants);

}  // namespace llm_energy::whatif
