#pragma once
// What-if analysis: pure transformations of a Scenario (and, where the estimate has no knob
// for it, a modified copy of the Catalog) into variant scenarios, plus the compute-optimal
// planner (Hoffmann et al. 2022) and the carbon-aware scheduler over hourly grid intensity.
// Nothing here does I/O; every function is deterministic.
//
// Each variant is evaluated by the unchanged estimate(): a variant is expressed through the
// Scenario's own fields (precision, params, chips, mfu, power_watts, hardware, region) and,
// only where that cannot express it, a Catalog copy with documented changes (a sparse peak,
// slower serving efficiencies under a power cap). The approximations are stated in notes.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "llm_energy/catalog.hpp"
#include "llm_energy/estimate.hpp"
#include "llm_energy/scenario.hpp"

namespace llm_energy::whatif {

// ---- Variants ----

// One phase of a variant: the scenario and the catalog it is estimated against.
struct PhaseInput {
  Scenario scenario;
  std::shared_ptr<const Catalog> catalog;
};

// Extra work a variant adds outside the estimate's phases (distillation).
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

struct Variant {
  std::string label;
  PhaseInput training;   // used when the phase includes training
  PhaseInput inference;  // used when the phase includes inference
  std::optional<Distillation> distillation;
  std::vector<std::string> notes;
};

// The evaluated variant: the estimate of its phases (merged into one Estimate) and totals.
struct Totals {
  double energy_kwh = 0;                           // facility, all phases plus distillation
  double co2e_kg = 0;                              // operational, location-based
  std::optional<double> wall_clock_hours;          // training (plus distillation)
  std::optional<double> time_per_output_token_ms;  // inference
  double energy_per_token_j = 0;                   // inference J per output token, else training J per token
  // The headline time: training wall-clock hours when training is estimated, else ms per token.
  [[nodiscard]] double time() const;
};

[[nodiscard]] Totals totals_of(const Estimate& e, const std::optional<Distillation>& d);

// Return the estimate of the variant (each phase estimated with its own scenario and catalog)
// for the baseline's phase.
[[nodiscard]] Estimate evaluate(const Variant& v, Phase phase);

// Return the baseline as a variant (every phase unchanged, against `cat`).
[[nodiscard]] Variant baseline_variant(const Scenario& base, const Catalog& cat);

// Quantisation to `p`: inference weights and KV cache stored at p and p's peak used where the
// chip has it (else weight-only quantisation: 16-bit compute); training at p only for fp8 on
// chips with an fp8 peak, otherwise unchanged (noted).
[[nodiscard]] Variant quantize(const Scenario& base, const Catalog& cat, Precision p);

enum class Sparsity { unstructured, two_four, structured };
[[nodiscard]] Sparsity parse_sparsity(std::string_view text);
[[nodiscard]] std::string_view to_string(Sparsity s);

// Pruning a `fraction` of the weights of the served model (training is unchanged: the dense
// model is trained, then pruned; fine-tuning after pruning is not modelled).
[[nodiscard]] Variant prune(const Scenario& base, const Catalog& cat, double fraction, Sparsity pattern);

// Distillation into a `student_params` model over `distill_tokens` tokens.
[[nodiscard]] Variant distill(const Scenario& base, const Catalog& cat, double student_params,
                              double distill_tokens);

// Scaling efficiency of data/model-parallel training on n chips relative to 8:
// eta(n) = 1 / (1 + c*log2(n/8)) for n > 8, else 1; c is the catalog's
// whatif_model.chip_scaling_overhead (sourced there).
[[nodiscard]] double scaling_efficiency(const Catalog& cat, double chips);

// Training on `chips` accelerators (utilisation scaled by eta(chips)/eta(baseline chips)).
[[nodiscard]] Variant with_chips(const Scenario& base, const Catalog& cat, double chips);

// The same job on other hardware (unknown ids throw the catalog's did-you-mean error).
[[nodiscard]] Variant with_hardware(const Scenario& base, const Catalog& cat, const std::string& id);

// The same job in another region (location-based intensity and the region's PUE).
[[nodiscard]] Variant with_region(const Scenario& base, const Catalog& cat, const std::string& id);

// Power capping (Samsi et al. 2023, arXiv 2310.03003: A100/V100 LLaMA inference capped at
// 0.7 of the limit used ~23% less GPU energy for 6-7% more time):
//   time x cap^-alpha, accelerator power x cap^beta (never above cap x TDP); host unchanged.
// alpha and beta are the catalog's whatif_model.power_cap_{time,power}_exponent.
[[nodiscard]] double power_cap_time_factor(const Catalog& cat, double cap);
[[nodiscard]] double power_cap_power_factor(const Catalog& cat, double cap);
[[nodiscard]] Variant power_cap(const Scenario& base, const Catalog& cat, double cap);

// Market-based CO2e: facility energy x (1 - renewable share) x location intensity, or
// facility energy x a contractual intensity.
struct MarketBasis {
  std::optional<double> renewable_share;      // [0, 1]
  std::optional<double> intensity_g_per_kwh;  // >= 0
};
[[nodiscard]] double market_based_co2e_kg(const Totals& t, const MarketBasis& m);

// Check a fraction flag; throws InputError "NAME: must lie in ...".
void check_prune_fraction(double f);
void check_power_cap(double f);
void check_renewable_share(double f);

// ---- Compute-optimal planning (Hoffmann et al. 2022, approach 3) ----

struct ChinchillaFit {
  double E = 1.69;
  double A = 406.4;
  double B = 410.7;
  double alpha = 0.34;
  double beta = 0.28;
};

struct ComputeOptimal {
  double params = 0;
  double tokens = 0;
  double flops = 0;
};

// N_opt = G (C/6)^a, D_opt = G^-1 (C/6)^b, a = beta/(alpha+beta), b = alpha/(alpha+beta),
// G = (alpha A / (beta B))^(1/(alpha+beta)).
[[nodiscard]] ComputeOptimal chinchilla_optimal(double flops, const ChinchillaFit& fit = {});
// Return the fitted loss L(N, D) = E + A/N^alpha + B/D^beta.
[[nodiscard]] double chinchilla_loss(double params, double tokens, const ChinchillaFit& fit = {});

struct Plan {
  ComputeOptimal optimal;
  Estimate estimate;  // training only
  std::vector<std::string> notes;
};

// Plan for a compute budget (FLOPs) or a facility-energy budget (kWh) on the base scenario's
// hardware and settings. Throws InputError when the scenario fixes params or tokens.
[[nodiscard]] Plan plan_for_compute(const Scenario& base, const Catalog& cat, double flops);
[[nodiscard]] Plan plan_for_energy(const Scenario& base, const Catalog& cat, double kwh);

// ---- Carbon-aware scheduling ----

// Seconds since 1970-01-01T00:00:00Z from "YYYY-MM-DDTHH:MM[:SS](Z|+00:00)"; throws InputError
// naming `what`.
[[nodiscard]] std::int64_t parse_utc(std::string_view text, std::string_view what);
[[nodiscard]] std::string format_utc(std::int64_t seconds);
// Days since 1970-01-01 of a proleptic Gregorian date, and back (H. Hinnant's algorithms).
[[nodiscard]] std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d);
struct CivilDate {
  std::int64_t year = 1970;
  unsigned month = 1;
  unsigned day = 1;
};
[[nodiscard]] CivilDate civil_from_days(std::int64_t days);

struct IntensitySeries {
  std::string region;             // the file's stem
  std::int64_t start = 0;         // first timestamp (seconds, on the hour)
  std::vector<double> g_per_kwh;  // one value per consecutive hour
  [[nodiscard]] std::int64_t end() const {
    return start + static_cast<std::int64_t>(g_per_kwh.size()) * 3600;
  }
};

// Parse "timestamp,carbon_intensity" CSV text (hourly, sorted, no gaps or duplicates);
// throws InputError "NAME:LINE: ..." naming the problem.
[[nodiscard]] IntensitySeries parse_intensity_csv(std::string_view text, std::string_view name,
                                                  std::string region);

struct ScheduleRequest {
  double duration_hours = 0;
  double energy_kwh = 0;  // facility energy of the job, drawn evenly over its duration
  std::optional<std::int64_t> earliest;
  std::optional<std::int64_t> deadline;  // the job must finish by then
};

struct ScheduleResult {
  std::int64_t best_start = 0;
  std::string best_region;
  double best_co2e_kg = 0;
  std::int64_t immediate_start = 0;
  std::string immediate_region;  // the first series
  double immediate_co2e_kg = 0;
  double savings_fraction = 0;  // 1 - best / immediate
  std::size_t candidates = 0;   // start times evaluated
};

// Return the CO2e of the job starting at `start` in `s` (energy/duration per hour, the partial
// last hour pro-rated). Requires the job to lie within the series.
[[nodiscard]] double job_co2e_kg(const IntensitySeries& s, std::int64_t start, double duration_hours,
                                 double energy_kwh);

// Return the start time (on the hour) and series that minimise CO2e within the window. The
// immediate start is the first series' first allowed hour. Throws InputError when no series
// has room for the job in the window.
[[nodiscard]] ScheduleResult schedule(const std::vector<IntensitySeries>& series, const ScheduleRequest& r);

}  // namespace llm_energy::whatif
